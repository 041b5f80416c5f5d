// Reporting cycles and obligations: lists with filters and counts, schedules (pause, backfill, open by hand), and the
// review — accept, extend — as Temporal Updates whose validators answer before anything is recorded (the report itself,
// submitted, drafted, compared and returned: routes/reports.ts).
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { CycleRow, Database } from '../../db/database.js';
import type { ListedObligation } from '../../db/repositories/cycles.js';
import { principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { UuidParams, errors } from '../schemas/common.js';
import {
  BackfillBody,
  BackfillReply,
  CycleDetail,
  CycleDetailQuery,
  CycleList,
  CycleListQuery,
  OpenCycleBody,
  OpenCycleResult,
  ScheduleNoteBody,
  ScheduleState,
  WorkflowIdParams,
} from '../schemas/cycles.js';
import {
  AcceptBody,
  ExtendBody,
  NotModified,
  Obligation,
  ObligationList,
  ObligationListQuery,
  ObligationSummary,
} from '../schemas/obligations.js';
import type { ObligationService } from '../services/obligations.js';
import type { PlanService } from '../services/plans.js';
import { DEFAULT_PAGE_SIZE } from '../pagination.js';
import { matchesTag } from '../etag.js';

const gzip = promisify(gzipCallback);

/** A page of obligations as it is sent: the JSON, and the same bytes gzipped (for the clients that accept gzip — browsers, the CLI). */
interface KeptPage {
  readonly json: string;
  readonly gzip: Buffer;
}

/** The client accepts gzip (not refused with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  for (const part of String(header ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

function cycleView(c: Omit<CycleRow, 'spec'>, counts: Record<string, number>) {
  return {
    id: c.workflow_id,
    planId: c.plan_id,
    period: c.period,
    policy: c.policy_id,
    status: c.status,
    stage: c.stage,
    closedReason: c.closed_reason,
    openedAt: c.opened_at,
    finishedAt: c.finished_at,
    counts,
  };
}

function obligationView(o: ListedObligation): Obligation {
  return {
    id: o.workflow_id,
    cycleId: o.cycle_workflow_id,
    planId: o.plan_id,
    period: o.period,
    stage: o.stage_id,
    agencyCode: o.agency_code,
    status: o.status,
    dueDate: o.due_date,
    effectiveDueDate: o.effective_due_date,
    dueAt: o.due_at,
    reportVersion: o.report_version,
    report: o.report as Obligation['report'],
    submittedAt: o.submitted_at,
    workingDaysLate: o.working_days_late,
    acceptedAt: o.accepted_at,
    closedReason: o.closed_reason,
  };
}

// Scoping and authorisation live in the obligation service (api/services/obligations.ts), shared with the pages.
export const cycleRoutes: FastifyPluginAsyncTypebox<{
  db: Kysely<Database>;
  temporal: Client;
  obligations: ObligationService;
  plans: PlanService;
}> = async (app, { obligations: service, plans }) => {
  /**
   * Pages of obligations as sent — serialised, and gzipped once — by filter (the caller's scope included), cursor, limit and
   * stamp: a few hundred at most, oldest out first. A page being made is kept as its promise, so clients asking for the same
   * page at once share one query and one compression.
   */
  const keptPages = new Map<string, Promise<KeptPage>>();

  // Fastify has decoded the path once already; decoding again would turn an id holding '%' into a 500 (URIError) or another id.
  const idOf = (raw: string): string => raw;

  app.get(
    '/api/v1/cycles',
    {
      schema: {
        tags: ['cycles'],
        summary: 'Reporting cycles with obligation counts by status, a page at a time (by plan and period)',
        querystring: CycleListQuery,
        response: { 200: CycleList, ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await service.pageCycles(principalOf(request), { ...q, limit: q.limit ?? DEFAULT_PAGE_SIZE });
      return { items: page.items.map((c) => cycleView(c, c.counts)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/cycles/:id',
    {
      schema: {
        tags: ['cycles'],
        summary:
          'One cycle with its obligation counts and the link to its obligations (a paged list); ?include=obligations brings one page of them',
        params: WorkflowIdParams,
        querystring: CycleDetailQuery,
        response: { 200: CycleDetail, ...errors(404) },
      },
    },
    async (request) => {
      const q = request.query;
      const { cycle, counts, page } = await service.cycle(
        principalOf(request),
        idOf(request.params.id),
        q.include === 'obligations'
          ? { limit: q.limit ?? DEFAULT_PAGE_SIZE, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) }
          : undefined,
      );
      const obligationsUrl = `/api/v1/obligations?${new URLSearchParams({ planId: cycle.plan_id, period: cycle.period }).toString()}`;
      return {
        ...cycleView(cycle, counts),
        obligationsUrl,
        ...(page === undefined ? {} : { obligations: page.items.map(obligationView), nextCursor: page.nextCursor }),
      };
    },
  );

  app.get(
    '/api/v1/obligations',
    {
      schema: {
        tags: ['obligations'],
        summary:
          'Obligations with filters (plan, period, agency, status, stage) and counts, a page at a time (by due time); a reporter sees its own agency only; with If-None-Match, 304 while the page is unchanged',
        querystring: ObligationListQuery,
        response: { 200: ObligationList, 304: NotModified, ...errors() },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = q.limit ?? DEFAULT_PAGE_SIZE;
      // A stamp of the obligations under the caller's filter (its scope included; for one cycle an index step, otherwise the
      // counts query): the page and its counts are kept, serialised and gzipped, under it, and a client that sends back the
      // page's ETag gets a 304 while nothing changed.
      const { filter, stamp, counts: counted } = await service.obligationStamp(principalOf(request), q);
      const key = JSON.stringify([filter, q.cursor ?? null, limit, stamp]);
      const etag = `W/"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
      reply.header('etag', etag).header('vary', 'accept-encoding');
      if (matchesTag(request.headers['if-none-match'], etag)) return reply.code(304).send(undefined as never);
      let kept = keptPages.get(key);
      if (kept === undefined) {
        kept = (async () => {
          const [counts, page] = await Promise.all([
            counted ?? service.obligationCountsUnder(filter),
            service.obligationPage(filter, { limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) }),
          ]);
          const json = reply.serialize({
            counts,
            items: page.items.map(obligationView),
            nextCursor: page.nextCursor,
          }) as string;
          return { json, gzip: await gzip(json, { level: 6 }) };
        })();
        if (keptPages.size >= 256) keptPages.delete(keptPages.keys().next().value!);
        keptPages.set(key, kept);
        kept.catch(() => {
          if (keptPages.get(key) === kept) keptPages.delete(key);
        });
      }
      const page = await kept;
      reply.type('application/json; charset=utf-8');
      // Already serialised by the route's schema (and compressed): Fastify sends a string or a buffer as it is.
      if (acceptsGzip(request.headers['accept-encoding']))
        return reply.header('content-encoding', 'gzip').send(page.gzip as never);
      return reply.send(page.json as never);
    },
  );

  app.get(
    '/api/v1/obligations/:id',
    {
      schema: {
        tags: ['obligations'],
        summary: 'One obligation with its report',
        params: WorkflowIdParams,
        response: { 200: Obligation, ...errors(404) },
      },
    },
    async (request) => obligationView(await service.visibleObligation(principalOf(request), idOf(request.params.id))),
  );

  // Review commands are Temporal Updates: a validator's refusal (422 invalid_report, 409 invalid_transition) or a finished
  // obligation (409 obligation_closed) is mapped in api/errors.ts, and nothing enters the history.
  const reviewErrors = errors(404, 409, 422);

  app.post(
    '/api/v1/obligations/:id/accept',
    {
      schema: {
        tags: ['obligations'],
        summary: 'Accept the report',
        params: WorkflowIdParams,
        body: AcceptBody,
        response: { 200: ObligationSummary, ...reviewErrors },
      },
    },
    async (request) => service.accept(principalOf(request), idOf(request.params.id), request.body?.comment),
  );

  app.post(
    '/api/v1/obligations/:id/extend',
    {
      schema: {
        tags: ['obligations'],
        summary: 'Extend the deadline (the coordinator, with a reason)',
        params: WorkflowIdParams,
        body: ExtendBody,
        response: { 200: ObligationSummary, ...reviewErrors },
      },
    },
    async (request) =>
      service.extend(principalOf(request), idOf(request.params.id), request.body.reason, request.body.newDueDate),
  );

  // ——— Schedules and opening cycles ————————————————————————————————————————————

  app.get(
    '/api/v1/plans/:id/schedule',
    {
      schema: {
        tags: ['cycles'],
        summary: "The plan's schedule: paused or not, next openings",
        params: UuidParams,
        response: { 200: ScheduleState, ...errors(404) },
      },
    },
    async (request) => {
      return plans.schedule(principalOf(request), request.params.id);
    },
  );

  for (const action of ['pause', 'unpause'] as const) {
    app.post(
      `/api/v1/plans/:id/schedule/${action}`,
      {
        schema: {
          tags: ['cycles'],
          summary: `${action === 'pause' ? 'Pause' : 'Resume'} the opening of new cycles`,
          params: UuidParams,
          body: ScheduleNoteBody,
          response: { 200: ScheduleState, ...errors(404, 409) },
        },
      },
      async (request) => {
        return plans.setPaused(principalOf(request), request.params.id, action, request.body?.note, request.id);
      },
    );
  }

  app.post(
    '/api/v1/plans/:id/schedule/backfill',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['cycles'],
        summary:
          'Open the cycles of missed periods (from..to inclusive); per period: opened, already_open, or not_opened with the reason',
        params: UuidParams,
        body: BackfillBody,
        response: { 200: BackfillReply, ...errors(404, 409) },
      },
    },
    async (request) => {
      // Per period: opened, already_open, or not_opened with the reason (e.g. outside the plan's years).
      return plans.backfill(
        principalOf(request),
        request.params.id,
        request.body.from,
        request.body.to,
        request.id,
        request.body.mode,
      );
    },
  );

  app.post(
    '/api/v1/plans/:id/cycles',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['cycles'],
        summary:
          'Open one cycle by hand (admin): 201 opened, 200 already open (never twice), 409 not_opened with the reason',
        params: UuidParams,
        body: OpenCycleBody,
        response: { 201: OpenCycleResult, 200: OpenCycleResult, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      const result = await plans.openCycle(
        principalOf(request),
        request.params.id,
        request.body.period,
        request.body.mode,
      );
      if (result.status === 'not_opened') throw new HttpError(409, 'not_opened', result.reason ?? 'not opened');
      return reply.code(result.status === 'opened' ? 201 : 200).send(result);
    },
  );
};
