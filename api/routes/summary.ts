// A cycle's consolidated summary (жиынтық ақпарат) as JSON, or as the DOCX or XLSX a ministry sends, in Kazakh or Russian,
// built from the read model; and the coordinator's part of it: agencies marked missing with a reason, preface and conclusions.
// The summary service decides who may see and edit it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { errors } from '../schemas/common.js';
import { WorkflowIdParams } from '../schemas/cycles.js';
import {
  ConsolidatedSummary,
  Mark,
  MarkBody,
  MarkParams,
  StageQuery,
  SummaryFile,
  SummaryQuery,
  SummarySubmitBody,
  SummarySubmitReply,
  SummaryVersionParams,
  SummaryVersionReply,
  SummaryVersionsReply,
  TextsBody,
  TextsReply,
  UnmarkReply,
} from '../schemas/summary.js';
import type { SummaryService } from '../services/summary.js';
import { summaryDocx } from '../summary/docx.js';
import { summaryXlsx } from '../summary/xlsx.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An ASCII file name (a period key and a language are all it holds), so Content-Disposition needs no encoding. */
const fileName = (period: string, lang: string, ext: string): string =>
  `merzim-summary-${period.replace(/[^0-9A-Za-z-]/g, '')}-${lang}.${ext}`;

export const summaryRoutes: FastifyPluginAsyncTypebox<{ summaries: SummaryService }> = async (app, { summaries }) => {
  app.get(
    '/api/v1/cycles/:id/summary',
    {
      schema: {
        tags: ['cycles'],
        summary:
          "The cycle's consolidated summary from the accepted reports (JSON, DOCX or XLSX; kk or ru): the plan's coordinator, the PM Office, admins",
        params: WorkflowIdParams,
        querystring: SummaryQuery,
        response: {
          200: { content: { 'application/json': { schema: ConsolidatedSummary }, ...SummaryFile } },
          ...errors(403, 404),
        },
      },
    },
    async (request, reply) => {
      const { format = 'json', lang = 'kk', stage } = request.query;
      const summary = await summaries.preview(
        principalOf(request),
        request.params.id,
        stage === undefined ? {} : { stage },
        new Date(),
      );
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(summary);
      const [type, body] =
        format === 'docx' ? [DOCX, await summaryDocx(summary, lang)] : [XLSX, await summaryXlsx(summary, lang)];
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="${fileName(summary.period, lang, format)}"`)
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );

  app.put(
    '/api/v1/cycles/:id/summary/marks/:agency',
    {
      schema: {
        tags: ['cycles'],
        summary: "Mark an agency missing from the summary, with a reason (the plan's coordinator, admin)",
        params: MarkParams,
        body: MarkBody,
        response: { 200: Mark, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const { reason, stage } = request.body;
      return summaries.markMissing(principalOf(request), request.params.id, {
        agencyCode: request.params.agency,
        reason,
        ...(stage === undefined ? {} : { stage }),
      });
    },
  );

  app.delete(
    '/api/v1/cycles/:id/summary/marks/:agency',
    {
      schema: {
        tags: ['cycles'],
        summary: "Take back an agency's missing mark (the plan's coordinator, admin)",
        params: MarkParams,
        querystring: StageQuery,
        response: { 200: UnmarkReply, ...errors(403, 404) },
      },
    },
    async (request) => {
      const { stage } = request.query;
      return {
        removed: await summaries.unmarkMissing(principalOf(request), request.params.id, {
          agencyCode: request.params.agency,
          ...(stage === undefined ? {} : { stage }),
        }),
      };
    },
  );

  app.put(
    '/api/v1/cycles/:id/summary/texts',
    {
      schema: {
        tags: ['cycles'],
        summary: "The summary's preface and conclusions in Kazakh and Russian (the plan's coordinator, admin)",
        params: WorkflowIdParams,
        body: TextsBody,
        response: { 200: TextsReply, ...errors(403, 404) },
      },
    },
    async (request) => {
      const { preface, conclusions, stage } = request.body;
      return summaries.saveTexts(principalOf(request), request.params.id, {
        preface,
        conclusions,
        ...(stage === undefined ? {} : { stage }),
      });
    },
  );

  app.post(
    '/api/v1/cycles/:id/summary/submit',
    {
      schema: {
        tags: ['cycles'],
        summary:
          "Freeze the summary as built now and submit it upward through the sender's own obligation (the plan's coordinator for the summary; the PM Office for its report; admin); 409 naming the blockers unless each is overridden with a reason",
        params: WorkflowIdParams,
        body: SummarySubmitBody,
        response: { 200: SummarySubmitReply, ...errors(403, 404, 409) },
      },
    },
    async (request) => {
      const { stage, overrides } = request.body;
      const v = await summaries.submit(
        principalOf(request),
        request.params.id,
        { ...(stage === undefined ? {} : { stage }), ...(overrides === undefined ? {} : { overrides }) },
        new Date(),
      );
      const { result, ...head } = v;
      return { ...head, late: result.late, workingDaysLate: result.workingDaysLate };
    },
  );

  app.get(
    '/api/v1/cycles/:id/summary/versions',
    {
      schema: {
        tags: ['cycles'],
        summary: "The summary's submitted versions and the state of the obligation that carries it upward",
        params: WorkflowIdParams,
        querystring: StageQuery,
        response: { 200: SummaryVersionsReply, ...errors(403, 404) },
      },
    },
    async (request) => {
      const { stage } = request.query;
      return summaries.versions(principalOf(request), request.params.id, stage === undefined ? {} : { stage });
    },
  );

  app.get(
    '/api/v1/cycles/:id/summary/versions/:n',
    {
      schema: {
        tags: ['cycles'],
        summary: 'One submitted version of the summary as frozen (JSON), or its DOCX / XLSX rendered from it alone',
        params: SummaryVersionParams,
        querystring: SummaryQuery,
        response: {
          200: { content: { 'application/json': { schema: SummaryVersionReply }, ...SummaryFile } },
          ...errors(403, 404),
        },
      },
    },
    async (request, reply) => {
      const { format = 'json', lang = 'kk', stage } = request.query;
      const v = await summaries.version(
        principalOf(request),
        request.params.id,
        request.params.n,
        stage === undefined ? {} : { stage },
      );
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(v);
      const summary = v.content.summary;
      const [type, body] =
        format === 'docx' ? [DOCX, await summaryDocx(summary, lang)] : [XLSX, await summaryXlsx(summary, lang)];
      return reply
        .type(type)
        .header(
          'content-disposition',
          `attachment; filename="${fileName(`${summary.period}-v${v.version}`, lang, format)}"`,
        )
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
};
