// Reporting cycles and obligations: lists with filters and counts, schedules (pause, backfill, open by hand), and the
// report itself — submit, accept, return, extend — as Temporal Updates whose validators answer before anything is recorded.
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { CycleRow, Database, ObligationRow } from '../../db/database.js';
import { appendEvent } from '../../db/repositories/events.js';
import { getPlan } from '../../db/repositories/plans.js';
import { isPeriodKey } from '../../domain/periods.js';
import type { ReportItem } from '../../domain/cycle-model.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import type { CycleEngine } from '../cycle-engine.js';
import { DUE_DATE_PATTERN } from '../../domain/due-date-bounds.js';
import { HttpError } from '../errors.js';
import { canManage, canSee, scopeOf } from '../plan-access.js';
import type { ObligationService } from '../services/obligations.js';

const STATUSES = ['pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed'] as const;

function cycleView(c: Omit<CycleRow, 'spec'>, counts?: Record<string, number>) {
  return {
    id: c.workflow_id, planId: c.plan_id, period: c.period, policy: c.policy_id, status: c.status, stage: c.stage,
    closedReason: c.closed_reason, openedAt: c.opened_at, finishedAt: c.finished_at, ...(counts === undefined ? {} : { counts }),
  };
}

function obligationView(o: ObligationRow) {
  return {
    id: o.workflow_id, cycleId: o.cycle_workflow_id, planId: o.plan_id, period: o.period, stage: o.stage_id, agencyCode: o.agency_code,
    status: o.status, dueDate: o.due_date, effectiveDueDate: o.effective_due_date, dueAt: o.due_at, reportVersion: o.report_version,
    report: o.report, submittedAt: o.submitted_at, workingDaysLate: o.working_days_late, acceptedAt: o.accepted_at, closedReason: o.closed_reason,
  };
}

export const cycleRoutes: FastifyPluginAsync<{ db: Kysely<Database>; temporal: Client; engine: CycleEngine; obligations: ObligationService }> = async (app, { db, engine, obligations: service }) => {
  // Fastify has decoded the path once already; decoding again would turn an id holding '%' into a 500 (URIError) or another id.
  const idOf = (raw: string): string => raw;

  app.get<{ Querystring: { planId?: string; period?: string; status?: CycleRow['status'] } }>(
    '/api/v1/cycles',
    {
      schema: {
        tags: ['cycles'],
        summary: 'Reporting cycles with obligation counts by status',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { planId: { type: 'string', format: 'uuid' }, period: { type: 'string', maxLength: 10 }, status: { type: 'string', enum: ['open', 'completed', 'closed'] } },
        },
      },
    },
    async (request) => ({ items: (await service.listCycles(principalOf(request), request.query)).map((c) => cycleView(c, c.counts)) }),
  );

  app.get<{ Params: { id: string } }>('/api/v1/cycles/:id', { schema: { tags: ['cycles'], summary: 'One cycle and its obligations' } }, async (request) => {
    const { cycle, counts, obligations } = await service.cycle(principalOf(request), idOf(request.params.id));
    return { ...cycleView(cycle, counts), obligations: obligations.map(obligationView) };
  });

  app.get<{ Querystring: { planId?: string; period?: string; agency?: string; status?: ObligationRow['status']; stage?: string } }>(
    '/api/v1/obligations',
    {
      schema: {
        tags: ['cycles'],
        summary: 'Obligations with filters (plan, period, agency, status, stage) and counts; a reporter sees its own agency only',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            planId: { type: 'string', format: 'uuid' }, period: { type: 'string', maxLength: 10 }, agency: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: [...STATUSES] }, stage: { type: 'string', maxLength: 100 },
          },
        },
      },
    },
    async (request) => {
      const { counts, items } = await service.listObligations(principalOf(request), request.query);
      return { counts, items: items.map(obligationView) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/obligations/:id', { schema: { tags: ['cycles'], summary: 'One obligation with its report' } }, async (request) => {
    return obligationView(await service.visibleObligation(principalOf(request), idOf(request.params.id)));
  });

  app.post<{ Params: { id: string }; Body: { items: ReportItem[] } }>(
    '/api/v1/obligations/:id/submit',
    {
      schema: {
        tags: ['cycles'],
        summary: "Submit the report (per-measure status and text); a late report is accepted and marked late in working days",
        body: {
          type: 'object',
          required: ['items'],
          additionalProperties: false,
          properties: {
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 1000,
              items: {
                type: 'object',
                required: ['measure', 'status', 'text'],
                additionalProperties: false,
                properties: { measure: { type: 'string', maxLength: 20 }, status: { type: 'string', enum: ['done', 'in_progress', 'not_done'] }, text: { type: 'string', maxLength: 20000 } },
              },
            },
          },
        },
      },
    },
    async (request) => service.submit(principalOf(request), idOf(request.params.id), request.body.items),
  );

  app.post<{ Params: { id: string }; Body: { comment?: string } }>(
    '/api/v1/obligations/:id/accept',
    { schema: { tags: ['cycles'], summary: 'Accept the report', body: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 5000 } } } } },
    async (request) => service.accept(principalOf(request), idOf(request.params.id), request.body?.comment),
  );

  const redateBody = (reasonField: 'comment' | 'reason') =>
    ({
      type: 'object',
      required: [reasonField, 'newDueDate'],
      additionalProperties: false,
      properties: { [reasonField]: { type: 'string', minLength: 1, maxLength: 5000 }, newDueDate: { type: 'string', format: 'date', pattern: DUE_DATE_PATTERN } },
    }) as const;

  app.post<{ Params: { id: string }; Body: { comment: string; newDueDate: string } }>(
    '/api/v1/obligations/:id/return',
    { schema: { tags: ['cycles'], summary: 'Return the report with a comment and a new due date (reminders are re-planned)', body: redateBody('comment') } },
    async (request) => service.returnReport(principalOf(request), idOf(request.params.id), request.body.comment, request.body.newDueDate),
  );

  app.post<{ Params: { id: string }; Body: { reason: string; newDueDate: string } }>(
    '/api/v1/obligations/:id/extend',
    { schema: { tags: ['cycles'], summary: 'Extend the deadline (the coordinator, with a reason)', body: redateBody('reason') } },
    async (request) => service.extend(principalOf(request), idOf(request.params.id), request.body.reason, request.body.newDueDate),
  );

  // ——— Schedules and opening cycles ————————————————————————————————————————————

  async function managedPlan(request: FastifyRequest, id: string) {
    const p = principalOf(request);
    const plan = await getPlan(db, id);
    const scope = await scopeOf(db, p);
    if (plan === undefined || !canSee(p, scope, plan)) throw new HttpError(404, 'not_found', `No plan ${id}`);
    if (!canManage(p, scope, plan)) throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin may do this");
    return plan;
  }

  const planParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
  const noSchedule = (err: unknown): never => {
    if (err instanceof ScheduleNotFoundError) throw new HttpError(409, 'no_schedule', 'The plan has no schedule (it is not confirmed, or it was repealed)');
    throw err;
  };

  app.get<{ Params: { id: string } }>('/api/v1/plans/:id/schedule', { schema: { tags: ['cycles'], summary: "The plan's schedule: paused or not, next openings", params: planParams } }, async (request) => {
    await managedPlan(request, request.params.id);
    return engine.scheduleState(request.params.id);
  });

  for (const action of ['pause', 'unpause'] as const) {
    app.post<{ Params: { id: string }; Body: { note?: string } }>(
      `/api/v1/plans/:id/schedule/${action}`,
      { schema: { tags: ['cycles'], summary: `${action === 'pause' ? 'Pause' : 'Resume'} the opening of new cycles`, params: planParams, body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 } } } } },
      async (request) => {
        await managedPlan(request, request.params.id);
        const actor = actorOf(principalOf(request));
        await engine[action](request.params.id, request.body?.note ?? `${action}d by ${actor}`).catch(noSchedule);
        await appendEvent(db, { idempotencyKey: `schedule.${action}:${request.params.id}:${request.id}:${Date.now()}`, type: `schedule.${action}d`, actor, subjectType: 'plan', subjectId: request.params.id, payload: { note: request.body?.note ?? null } });
        return engine.scheduleState(request.params.id);
      },
    );
  }

  app.post<{ Params: { id: string }; Body: { from: string; to: string } }>(
    '/api/v1/plans/:id/schedule/backfill',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['cycles'],
        summary: 'Open the cycles of missed periods (from..to inclusive)',
        params: planParams,
        body: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: { type: 'string', maxLength: 10 }, to: { type: 'string', maxLength: 10 } } },
      },
    },
    async (request) => {
      const plan = await managedPlan(request, request.params.id);
      for (const field of ['from', 'to'] as const) if (!isPeriodKey(request.body[field])) throw new HttpError(400, 'invalid_request', `body/${field}: not a period (2019, 2019-H1, 2019-Q3)`);
      const actor = actorOf(principalOf(request));
      const results = await engine.backfill(plan, request.body.from, request.body.to, actor).catch(noSchedule);
      const periods = results.map((r) => r.period);
      await appendEvent(db, { idempotencyKey: `schedule.backfill:${plan.id}:${request.id}:${Date.now()}`, type: 'schedule.backfilled', actor, subjectType: 'plan', subjectId: plan.id, payload: { periods, results } });
      // Per period: opened, already_open, or not_opened with the reason (e.g. outside the plan's years).
      return { periods, results };
    },
  );

  app.post<{ Params: { id: string }; Body: { period: string } }>(
    '/api/v1/plans/:id/cycles',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['cycles'],
        summary: 'Open one cycle by hand (admin); an open cycle is not opened twice',
        params: planParams,
        body: { type: 'object', required: ['period'], additionalProperties: false, properties: { period: { type: 'string', maxLength: 10 } } },
      },
    },
    async (request, reply) => {
      const plan = await managedPlan(request, request.params.id);
      if (!isPeriodKey(request.body.period)) throw new HttpError(400, 'invalid_request', 'body/period: not a period (2019, 2019-H1, 2019-Q3)');
      const result = await engine.openCycle(plan.id, request.body.period, actorOf(principalOf(request)));
      if (result.status === 'not_opened') throw new HttpError(409, 'not_opened', result.reason ?? 'not opened');
      return reply.code(result.status === 'opened' ? 201 : 200).send(result);
    },
  );
};
