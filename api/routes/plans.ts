// Plans: list and read within the caller's scope; confirm, discard, amend and repeal for the plan's coordinator or an admin.
import multipart from '@fastify/multipart';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import {
  amendPlanCommand,
  confirmPlanCommand,
  discardPlanCommand,
  repealPlanCommand,
} from '../../db/commands/plans.js';
import { createDraft, getPlan, listPlanVersions, type StoredPlan } from '../../db/repositories/plans.js';
import { exportCanonical, hasErrors } from '../../domain/import/index.js';
import { applyAmendment, applyRepeal, type AppliedChange } from '../../domain/plan-amend.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { parseColumnMapping } from '../../domain/import/column-mapping.js';
import { applyMetadata, type ImportMetadata } from '../../domain/import/metadata.js';
import { importSummary, MAX_UPLOAD_BYTES } from '../plan-import.js';
import { buildCsvTemplate, buildXlsxTemplate, importUpload, type UploadFormat } from '../import/index.js';
import { HttpError } from '../errors.js';
import { unstorableInRequest } from '../storable-input.js';
import { canConfirm, canManage, canSee, planForViewer, scopeOf, visiblePlans } from '../plan-access.js';
import { Binary, ErrorBody, Ok, UuidParams, errors } from '../schemas/common.js';
import {
  AmendBody,
  AmendReply,
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

/** What the reporting engine does when a plan's life changes (schedules, signals to running cycles). */
export interface PlanLifecycle {
  /**
   * Inside the confirming transaction, before it commits: the plan's schedule exists (created idempotently). If this throws the
   * transaction rolls back, so a plan is never confirmed without its schedule.
   */
  scheduling(plan: StoredPlan): Promise<void>;
  /** The plan is not (or no longer) confirmable: its schedule, if one was created, goes (idempotent). */
  unscheduled(planId: string): Promise<void>;
  /** After commit: what a confirmation sets in motion now (the current period's cycle); idempotent. */
  confirmed(plan: StoredPlan, actor: string): Promise<void>;
  amended(plan: StoredPlan, applied: readonly AppliedChange[], actor: string): Promise<void>;
  repealed(plan: StoredPlan, reason: string, actor: string): Promise<void>;
}

export function summarize(s: StoredPlan) {
  return {
    id: s.id,
    status: s.status,
    version: s.version,
    title: s.plan.title,
    coordinator: s.plan.coordinator,
    years: s.plan.years,
    act: s.plan.approvedBy,
    policy: s.plan.policy.id,
    measures: s.plan.measures.length,
    errors: s.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: s.diagnostics.filter((d) => d.severity === 'warning').length,
    createdAt: s.createdAt.toISOString(),
    confirmedAt: s.confirmedAt?.toISOString() ?? null,
    repealedAt: s.repealedAt?.toISOString() ?? null,
  };
}

/** The metadata fields of an upload, from the query string or the multipart form. */
function metadataFrom(q: Record<string, unknown>): ImportMetadata {
  const str = (k: string): string | undefined =>
    typeof q[k] === 'string' && (q[k] as string).trim() !== '' ? (q[k] as string).trim() : undefined;
  const num = (k: string): number | undefined =>
    str(k) === undefined && typeof q[k] !== 'number' ? undefined : Number(q[k]);
  const meta: { -readonly [K in keyof ImportMetadata]: ImportMetadata[K] } = {};
  if (str('coordinator') !== undefined) meta.coordinator = str('coordinator');
  if (str('policy') !== undefined) meta.policy = str('policy');
  if (str('titleKk') !== undefined || str('titleRu') !== undefined)
    meta.title = { kk: str('titleKk') ?? null, ru: str('titleRu') ?? null };
  if (str('actNumber') !== undefined || str('actDate') !== undefined) {
    meta.approvedBy = {
      issuer: str('actIssuer') ?? 'Қазақстан Республикасының Үкіметі',
      number: str('actNumber') ?? '',
      date: str('actDate') ?? '',
    };
  }
  const from = num('yearsFrom');
  const to = num('yearsTo');
  if (from !== undefined && to !== undefined && Number.isInteger(from) && Number.isInteger(to))
    meta.years = { from, to };
  // Repeated query parameters arrive as arrays; a form field holds one entry per line.
  const list = (k: string): string[] =>
    (Array.isArray(q[k]) ? (q[k] as string[]) : typeof q[k] === 'string' ? (q[k] as string).split('\n') : [])
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const map = list('map');
  if (map.length > 0)
    meta.map = Object.fromEntries(
      map.map((pair) => [pair.slice(0, pair.indexOf(':')).trim(), pair.slice(pair.indexOf(':') + 1).trim()]),
    );
  if (list('ignore').length > 0) meta.ignore = list('ignore');
  return meta;
}

export const planRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; lifecycle: PlanLifecycle }> = async (
  app,
  { db, lifecycle },
) => {
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
  /** Loads a plan the caller may see (404 otherwise: no hint that it exists), and checks management rights when asked. */
  async function load(
    request: { params: { id: string } } & Parameters<typeof principalOf>[0],
    manage: boolean,
  ): Promise<StoredPlan> {
    const p = principalOf(request);
    const plan = await getPlan(db, request.params.id);
    const scope = await scopeOf(db, p);
    if (plan === undefined || !canSee(p, scope, plan))
      throw new HttpError(404, 'not_found', `No plan ${request.params.id}`);
    if (manage && !canManage(p, scope, plan))
      throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin may do this");
    return plan;
  }

  app.get(
    '/api/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Plans the caller may see',
        querystring: PlanListQuery,
        response: { 200: PlanList, ...errors() },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const plans = await visiblePlans(db, p, await scopeOf(db, p), request.query.status);
      return { items: plans.map((s) => summarize({ ...s, plan: planForViewer(p, s.plan) })) };
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
      const { bytes, filename } = upload;
      const fields = validFormFields(request, upload.fields);
      const meta = metadataFrom({ ...request.query, ...fields });
      const format = (fields.format ?? request.query.format) as UploadFormat | undefined;
      const columnsText = fields.columns ?? request.query.columns;
      const parsedColumns =
        columnsText === undefined || columnsText.trim() === '' ? undefined : parseColumnMapping(columnsText);
      if (parsedColumns !== undefined && 'error' in parsedColumns)
        throw new HttpError(400, 'invalid_request', `columns: ${parsedColumns.error}`);
      const directory = await listAgencies(db);
      const imported = await importUpload(
        { data: bytes, ...(filename === undefined ? {} : { filename }), ...(format === undefined ? {} : { format }) },
        { directory, ...(parsedColumns === undefined ? {} : { columns: parsedColumns.mapping }) },
      );
      const result = applyMetadata(imported, meta, directory);
      const used = format ?? 'detected';
      const body = { format: used, storable: !hasErrors(result), ...importSummary(result) };
      const dryRun = request.query.dryRun === true || fields.dryRun === true;
      if (dryRun) return reply.code(200).send(body);
      if (result.plan === null || hasErrors(result)) {
        const wrongType = result.diagnostics.some((d) => d.code === 'wrong_file_type');
        return reply.code(wrongType ? 415 : 422).send({
          error: {
            code: wrongType ? 'wrong_file_type' : 'import_has_errors',
            message:
              'Nothing was stored: fix the errors listed in diagnostics (or supply the missing metadata) and upload again',
          },
          ...body,
        });
      }
      const actor = actorOf(principalOf(request));
      const id = await db.transaction().execute(async (trx) => {
        const planId = await createDraft(trx, {
          plan: result.plan!,
          diagnostics: result.diagnostics,
          sourceFormat: used,
          sourceName: filename ?? null,
          createdBy: actor,
        });
        await appendEvent(trx, {
          idempotencyKey: `plan.imported:${planId}`,
          type: 'plan.imported',
          actor,
          subjectType: 'plan',
          subjectId: planId,
          payload: {
            format: used,
            filename: filename ?? null,
            measures: result.plan!.measures.length,
            diagnostics: result.diagnostics.length,
          },
        });
        return planId;
      });
      return reply.code(201).send({ id, status: 'draft', ...body });
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
      const s = await load(request, false);
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
      const s = await load(request, false);
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
      const s = await load(request, true);
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
      await load(request, false);
      return { items: (await listPlanVersions(db, request.params.id)).map(planVersionView) };
    },
  );

  app.post(
    '/api/v1/plans/:id/confirm',
    {
      schema: {
        tags: ['plans'],
        summary: "Confirm a reviewed draft (no error diagnostics left); an admin or the plan's named coordinator",
        params: UuidParams,
        response: { 200: PlanSummary, ...errors(404, 409, 422) },
      },
    },
    async (request) => {
      const plan = await load(request, true);
      const p = principalOf(request);
      if (!canConfirm(p, await scopeOf(db, p), plan)) {
        throw new HttpError(
          403,
          'forbidden',
          `Only an admin or the plan's named coordinator (${plan.plan.coordinator || 'none named'}) may confirm it`,
        );
      }
      const actor = actorOf(p);
      const id = request.params.id;
      // All or nothing. The schedule is created (idempotently) inside the transaction, before the commit: a failure to create it
      // rolls the confirmation back. A failed commit after it deletes it again. A crash between the two leaves a schedule of a
      // draft, whose opener refuses a draft plan without a retry; confirming again adopts it, discarding deletes it.
      // A PlanStateError (not_draft, has_errors, unschedulable…) is answered by api/errors.ts.
      let scheduled = false;
      let confirmed: StoredPlan;
      try {
        confirmed = await db.transaction().execute(async (trx) => {
          const plan = await confirmPlanCommand(trx, { id, actor });
          await lifecycle.scheduling(plan);
          scheduled = true;
          return plan;
        });
      } catch (err) {
        if (scheduled)
          await lifecycle
            .unscheduled(id)
            .catch((e: unknown) =>
              request.log.error(
                { err: e, planId: id },
                'could not delete the schedule of a plan whose confirmation failed',
              ),
            );
        throw err;
      }
      await lifecycle.confirmed(confirmed, actor);
      return summarize(confirmed);
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
      await load(request, true);
      const id = request.params.id;
      await db.transaction().execute((trx) => discardPlanCommand(trx, { id, actor: actorOf(principalOf(request)) }));
      // A confirmation that crashed before its commit may have left the draft a schedule.
      await lifecycle.unscheduled(id);
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
      const s = await load(request, true);
      const result = applyAmendment(s.plan, request.body, await listAgencies(db));
      if (!result.ok)
        throw new HttpError(
          400,
          'invalid_amendment',
          result.errors
            .map((e) => `body/${e.field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}: ${e.message}`)
            .join('; '),
        );
      const actor = actorOf(principalOf(request));
      const { act, summary, expectedVersion } = request.body;
      const amended = await db.transaction().execute((trx) =>
        amendPlanCommand(trx, {
          id: s.id,
          plan: result.plan,
          act,
          summary,
          applied: result.applied,
          actor,
          ...(expectedVersion === undefined ? {} : { expectedVersion }),
        }),
      );
      // After commit; the signals' ids derive from the plan version, so telling the cycles twice changes nothing.
      await lifecycle.amended(amended, result.applied, actor);
      return { ...summarize(amended), applied: result.applied };
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
      const s = await load(request, true);
      const result = applyRepeal(s.plan, request.body.act, request.body.date);
      if (!result.ok)
        throw new HttpError(
          400,
          'invalid_request',
          result.errors.map((e) => `body/${e.field}: ${e.message}`).join('; '),
        );
      const actor = actorOf(principalOf(request));
      const { act, date, reason } = request.body;
      const repealed = await db
        .transaction()
        .execute((trx) => repealPlanCommand(trx, { id: s.id, plan: result.plan, act, date, reason, actor }));
      // After commit, idempotent: a deleted schedule and a closed cycle stay so.
      await lifecycle.repealed(repealed, reason, actor);
      return summarize(repealed);
    },
  );
};

/**
 * A multipart form's fields, validated and coerced by the very schema the same fields have as query parameters (a form field is
 * no back door: yearsFrom=-3 is refused either way), and refused when PostgreSQL could not store their text; 400 names the field.
 */
function validFormFields(request: FastifyRequest, raw: Record<string, string>): Partial<ImportQuery> {
  const problems = unstorableInRequest({ form: raw });
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', `${problems.join('; ')} (PostgreSQL cannot store it)`);
  // A form field holds a list one entry per line, where the query string repeats the parameter.
  const fields: Record<string, unknown> = { ...raw };
  for (const key of ['map', 'ignore']) {
    if (typeof fields[key] === 'string')
      fields[key] = (fields[key] as string)
        .split('\n')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
  const validate = request.compileValidationSchema(ImportQuery, 'querystring');
  if (!validate(fields)) {
    const messages = (validate.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      const field = extra ?? e.instancePath.replace(/^\//, '');
      return `form field ${field}: ${extra === undefined ? e.message : 'is not a field of the import'}`;
    });
    throw new HttpError(400, 'invalid_request', messages.join('; '));
  }
  return fields as Partial<ImportQuery>;
}

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
