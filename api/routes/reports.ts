// The report of an obligation: drafts (saved as the agency types), submission of the full report as a new immutable version
// (or of a legacy item list), the versions and their field-by-field diff, and the reviewer's return with remarks per measure.
// Scoping and authorisation are the obligation service's; the report service (api/services/reports.ts) does the rest.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { errors } from '../schemas/common.js';
import { WorkflowIdParams } from '../schemas/cycles.js';
import { ObligationSummary } from '../schemas/obligations.js';
import {
  Diff,
  DiffQuery,
  Draft,
  DraftBody,
  DraftSaved,
  ReturnBody,
  SubmitBody,
  SubmitReply,
  Version,
  VersionList,
  VersionParams,
} from '../schemas/reports.js';
import type { ReportService } from '../services/reports.js';

export const reportRoutes: FastifyPluginAsyncTypebox<{ reports: ReportService }> = async (app, { reports }) => {
  // A refused submission (422 invalid_report naming the field, 409 under review / accepted / closed) stores nothing.
  app.post(
    '/api/v1/obligations/:id/submit',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Submit the report as its next version: the full report (content) or, for older clients, items (status and text per measure); a late report is accepted and marked late in working days',
        params: WorkflowIdParams,
        body: SubmitBody,
        response: { 200: SubmitReply, ...errors(404, 409, 422) },
      },
    },
    async (request) => reports.submit(principalOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/obligations/:id/draft',
    {
      schema: {
        tags: ['reports'],
        summary: 'The draft of the report (what the agency has typed and not submitted); 404 when there is none',
        params: WorkflowIdParams,
        response: { 200: Draft, ...errors(404) },
      },
    },
    async (request) => {
      const d = await reports.draft(principalOf(request), request.params.id);
      if (d === null) throw new HttpError(404, 'not_found', `id: ${request.params.id} has no draft`);
      return {
        content: (d.content as Record<string, unknown> | null) ?? null,
        updatedBy: d.updatedBy,
        updatedAt: d.updatedAt,
      };
    },
  );

  app.put(
    '/api/v1/obligations/:id/draft',
    {
      schema: {
        tags: ['reports'],
        summary: 'Save the draft (incomplete is fine; it is checked when submitted); never in the workflow history',
        params: WorkflowIdParams,
        body: DraftBody,
        response: { 200: DraftSaved, ...errors(404, 409) },
      },
    },
    async (request) => ({
      updatedAt: await reports.saveDraft(principalOf(request), request.params.id, request.body.content),
    }),
  );

  app.get(
    '/api/v1/obligations/:id/versions',
    {
      schema: {
        tags: ['reports'],
        summary: 'The submitted versions of the report, oldest first (none is ever overwritten)',
        params: WorkflowIdParams,
        response: { 200: VersionList, ...errors(404) },
      },
    },
    async (request) => ({
      items: (await reports.versions(principalOf(request), request.params.id)).map((v) => ({
        id: v.id,
        version: v.version,
        contentHash: v.contentHash,
        submittedBy: v.submittedBy,
        submittedAt: v.submittedAt,
      })),
    }),
  );

  app.get(
    '/api/v1/obligations/:id/versions/:version',
    {
      schema: {
        tags: ['reports'],
        summary: 'One submitted version with its content',
        params: VersionParams,
        response: { 200: Version, ...errors(404) },
      },
    },
    async (request) => reports.version(principalOf(request), request.params.id, request.params.version),
  );

  app.get(
    '/api/v1/obligations/:id/diff',
    {
      schema: {
        tags: ['reports'],
        summary: 'What changed from one version to another, field by field',
        params: WorkflowIdParams,
        querystring: DiffQuery,
        response: { 200: Diff, ...errors(404) },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      return { from, to, ...(await reports.diff(principalOf(request), request.params.id, from, to)) };
    },
  );

  app.post(
    '/api/v1/obligations/:id/return',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Return the report with a comment, remarks per measure and field (comments), and a new due date (reminders are re-planned)',
        params: WorkflowIdParams,
        body: ReturnBody,
        response: { 200: ObligationSummary, ...errors(404, 409, 422) },
      },
    },
    async (request) => reports.returnReport(principalOf(request), request.params.id, request.body),
  );
};
