// Plans: list and read within the caller's scope; confirm, discard, amend and repeal for the plan's coordinator or an admin.
import multipart from '@fastify/multipart';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { PlanListItem, StoredPlan } from '../../db/repositories/plans.js';
import { exportCanonical } from '../../domain/import/index.js';
import { principalOf, requireRole } from '../auth.js';
import { MAX_UPLOAD_BYTES } from '../plan-import.js';
import { buildCsvTemplate, buildXlsxTemplate } from '../import/index.js';
import { HttpError } from '../errors.js';
import { DEFAULT_PAGE_SIZE } from '../pagination.js';
import { planForViewer } from '../plan-access.js';
import { Binary, ErrorBody, Ok, UuidParams, errors } from '../schemas/common.js';
import {
  AmendBody,
  AmendReply,
  ConfirmReply,
  DiagnosticList,
  ExportQuery,
  ImportQuery,
  ImportRefused,
  ImportReply,
  ImportUpload,
  ImportedDraft,
  PlanDetail,
  PlanList,
  PlanListQuery,
  PlanSummary,
  PlanVersionList,
  RepealBody,
  TemplateParams,
  planVersionView,
} from '../schemas/plans.js';
import { validImportFields, type PlanService } from '../services/plans.js';

export type { ConfirmedOpening, PlanLifecycle } from '../services/plans.js';

/** A plan's summary as the API answers it, from a list's row (api/services/plans.ts list) or a whole plan (summarize). */
export function summaryView(s: Omit<PlanListItem, 'key'>) {
  return {
    id: s.id,
    status: s.status,
    version: s.version,
    title: s.title,
    coordinator: s.coordinator,
    years: s.years,
    act: s.act,
    policy: s.policy,
    measures: s.measures,
    errors: s.errors,
    warnings: s.warnings,
    createdAt: s.createdAt.toISOString(),
    confirmedAt: s.confirmedAt?.toISOString() ?? null,
    repealedAt: s.repealedAt?.toISOString() ?? null,
  };
}

export function summarize(s: StoredPlan) {
  return summaryView({
    ...s,
    title: s.plan.title,
    coordinator: s.plan.coordinator,
    years: s.plan.years,
    act: s.plan.approvedBy,
    policy: s.plan.policy.id,
    measures: s.plan.measures.length,
    errors: s.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: s.diagnostics.filter((d) => d.severity === 'warning').length,
  });
}

// Scoping and authorisation live in the plan service (api/services/plans.ts), shared with the admin pages.
export const planRoutes: FastifyPluginAsyncTypebox<{ plans: PlanService }> = async (app, { plans: service }) => {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20 } });
  // Raw uploads (curl --data-binary @plan.txt, agencies' systems): the body is the file itself.
  for (const type of [
    'application/octet-stream',
    'text/plain',
    'text/csv',
    'application/yaml',
    'text/yaml',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) =>
      done(null, body),
    );
  }
  app.get(
    '/api/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Plans the caller may see, newest first, a page at a time',
        querystring: PlanListQuery,
        response: { 200: PlanList, ...errors() },
      },
    },
    async (request) => {
      const { limit = DEFAULT_PAGE_SIZE, ...q } = request.query;
      const page = await service.list(principalOf(request), { ...q, limit });
      return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/plans/import',
    {
      preHandler: requireRole('admin', 'coordinator'),
      bodyLimit: MAX_UPLOAD_BYTES,
      // The file body is described in the OpenAPI document only (see ImportUpload); the importer checks it.
      config: { swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, body: ImportUpload }, url }) },
      schema: {
        tags: ['plans'],
        summary:
          'Import a plan (decree text, YAML, JSON, CSV or XLSX) as a draft with diagnostics; ?dryRun=true stores nothing',
        description:
          'The file is the raw request body (application/octet-stream, text/plain, text/csv, application/yaml, XLSX) or the multipart/form-data field "file", ' +
          'whose other form fields may carry the metadata parameters. 201: the stored draft; 200: a dry run; 422 import_has_errors and 415 wrong_file_type carry what was found.',
        querystring: ImportQuery,
        // 415 and 422 carry the findings when the importer refused the file, the bare error when it never got that far
        // (a JSON body instead of a file, data PostgreSQL refused): found by the API fuzzer as a 500 the serializer raised.
        response: {
          201: ImportedDraft,
          200: ImportReply,
          ...errors(413),
          415: Type.Union([ImportRefused, ErrorBody]),
          422: Type.Union([ImportRefused, ErrorBody]),
        },
      },
    },
    async (request, reply) => {
      const upload = await readUpload(request);
      const fields = validImportFields(request, upload.fields);
      const options = { ...request.query, ...fields };
      const outcome = await service.importFile(principalOf(request), {
        bytes: upload.bytes,
        filename: upload.filename,
        options,
        dryRun: request.query.dryRun === true || fields.dryRun === true,
      });
      if (outcome.kind === 'dry_run') return reply.code(200).send(outcome.findings);
      if (outcome.kind === 'refused')
        return reply.code(outcome.wrongType ? 415 : 422).send({
          error: {
            code: outcome.wrongType ? 'wrong_file_type' : 'import_has_errors',
            message:
              'Nothing was stored: fix the errors listed in diagnostics (or supply the missing metadata) and upload again',
          },
          ...outcome.findings,
        });
      return reply.code(201).send({ id: outcome.id, status: 'draft', ...outcome.findings });
    },
  );

  app.get(
    '/api/v1/plans/template.:format',
    {
      schema: {
        tags: ['plans'],
        summary: 'The spreadsheet template for plan import',
        params: TemplateParams,
        response: {
          200: {
            content: {
              'text/csv': { schema: Binary('The CSV template (UTF-8)') },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: Binary('The XLSX template'),
              },
            },
          },
          ...errors(),
        },
      },
    },
    async (request, reply) => {
      if (request.params.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="merzim-plan-template.csv"')
          .send(buildCsvTemplate());
      }
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="merzim-plan-template.xlsx"')
        .send(await buildXlsxTemplate());
    },
  );

  app.get(
    '/api/v1/plans/:id/export',
    {
      schema: {
        tags: ['plans'],
        summary: 'The plan in the canonical format (importing it back gives the same plan)',
        params: UuidParams,
        querystring: ExportQuery,
        response: {
          200: {
            content: {
              'application/yaml': { schema: Binary('The canonical YAML') },
              'application/json': { schema: Binary('The canonical JSON') },
            },
          },
          ...errors(404),
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      if (p.role === 'reporter')
        throw new HttpError(403, 'forbidden', 'Reporters see their own measures only; export is for coordinators');
      const s = await service.load(p, request.params.id, false);
      return reply
        .type(request.query.format === 'json' ? 'application/json' : 'application/yaml; charset=utf-8')
        .send(exportCanonical(s.plan, request.query.format));
    },
  );

  app.get(
    '/api/v1/plans/:id',
    {
      schema: {
        tags: ['plans'],
        summary: 'One plan (reporters see their own measures)',
        params: UuidParams,
        response: { 200: PlanDetail, ...errors(404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const s = await service.load(p, request.params.id, false);
      return {
        ...summarize(s),
        plan: planForViewer(p, s.plan),
        ...(p.role === 'reporter' ? {} : { diagnostics: s.diagnostics }),
      };
    },
  );

  app.get(
    '/api/v1/plans/:id/diagnostics',
    {
      schema: {
        tags: ['plans'],
        summary: 'The import diagnostics to review',
        params: UuidParams,
        response: { 200: DiagnosticList, ...errors(404) },
      },
    },
    async (request) => {
      const s = await service.load(principalOf(request), request.params.id, true);
      return { items: s.diagnostics };
    },
  );

  app.get(
    '/api/v1/plans/:id/versions',
    {
      schema: {
        tags: ['plans'],
        summary: 'Versions: confirmation, amendments, repeal',
        params: UuidParams,
        response: { 200: PlanVersionList, ...errors(404) },
      },
    },
    async (request) => {
      return { items: (await service.versions(principalOf(request), request.params.id)).map(planVersionView) };
    },
  );

  app.post(
    '/api/v1/plans/:id/confirm',
    {
      schema: {
        tags: ['plans'],
        summary: "Confirm a reviewed draft (no error diagnostics left); an admin or the plan's named coordinator",
        params: UuidParams,
        response: { 200: ConfirmReply, ...errors(404, 409, 422) },
      },
    },
    async (request) => {
      const { confirmed, openedCycle } = await service.confirm(principalOf(request), request.params.id);
      return { ...summarize(confirmed), openedCycle };
    },
  );

  app.post(
    '/api/v1/plans/:id/discard',
    {
      schema: {
        tags: ['plans'],
        summary: 'Discard a draft',
        params: UuidParams,
        response: { 200: Ok, ...errors(404, 409) },
      },
    },
    async (request) => {
      await service.discard(principalOf(request), request.params.id);
      return { ok: true } as const;
    },
  );

  app.post(
    '/api/v1/plans/:id/amend',
    {
      schema: {
        tags: ['plans'],
        summary:
          'Amend a confirmed plan (deadline moved, executor added, removed or replaced); running cycles are told',
        params: UuidParams,
        body: AmendBody,
        response: { 200: AmendReply, ...errors(404, 409) },
      },
    },
    async (request) => {
      const { plan, applied } = await service.amend(principalOf(request), request.params.id, request.body);
      return { ...summarize(plan), applied };
    },
  );

  app.post(
    '/api/v1/plans/:id/repeal',
    {
      schema: {
        tags: ['plans'],
        summary: 'Repeal a plan: its schedule is deleted and open cycles close with the reason',
        params: UuidParams,
        body: RepealBody,
        response: { 200: PlanSummary, ...errors(404, 409) },
      },
    },
    async (request) => {
      return summarize(await service.repeal(principalOf(request), request.params.id, request.body));
    },
  );
};

/** The uploaded file: a multipart part named "file" (with its form fields), or the raw request body. */
async function readUpload(
  request: FastifyRequest,
): Promise<{ bytes: Uint8Array; filename?: string; fields: Record<string, string> }> {
  if (request.isMultipart()) {
    const fields: Record<string, string> = {};
    let bytes: Uint8Array | undefined;
    let filename: string | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file')
          throw new HttpError(400, 'invalid_request', `unexpected file field "${part.fieldname}" (use "file")`);
        bytes = await part.toBuffer();
        if (part.file.truncated)
          throw new HttpError(413, 'too_large', `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
        filename = part.filename;
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
    if (bytes === undefined) throw new HttpError(400, 'invalid_request', 'the form has no "file" field');
    return { bytes, ...(filename === undefined ? {} : { filename }), fields };
  }
  const body = request.body;
  if (!Buffer.isBuffer(body))
    throw new HttpError(
      415,
      'wrong_file_type',
      'send the file as the request body (application/octet-stream, text/plain, …) or as multipart/form-data field "file"',
    );
  const filename = (request.query as { filename?: string }).filename;
  return { bytes: body, ...(filename === undefined ? {} : { filename }), fields: {} };
}
