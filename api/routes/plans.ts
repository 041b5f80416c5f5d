// Plans: list and read within the caller's scope; confirm, discard, amend and repeal for the plan's coordinator or an admin.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import { amendPlan, confirmPlan, discardDraft, getPlan, listPlanVersions, PlanStateError, repealPlan, type StoredPlan } from '../../db/repositories/plans.js';
import { applyAmendment, applyRepeal, type AmendmentRequest, type AppliedChange } from '../../domain/plan-amend.js';
import type { ActRef } from '../../domain/plan.js';
import { actorOf, principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { canManage, canSee, planForViewer, scopeOf, visiblePlans } from '../plan-access.js';

/** What the reporting engine does when a plan's life changes (schedules, signals to running cycles). */
export interface PlanLifecycle {
  confirmed(plan: StoredPlan, actor: string): Promise<void>;
  amended(plan: StoredPlan, applied: readonly AppliedChange[], actor: string): Promise<void>;
  repealed(plan: StoredPlan, reason: string, actor: string): Promise<void>;
}

export const NO_LIFECYCLE: PlanLifecycle = { confirmed: async () => undefined, amended: async () => undefined, repealed: async () => undefined };

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

const actSchema = {
  type: 'object',
  required: ['issuer', 'number', 'date'],
  additionalProperties: false,
  properties: { issuer: { type: 'string', minLength: 1, maxLength: 300 }, number: { type: 'string', minLength: 1, maxLength: 50 }, date: { type: 'string', format: 'date' } },
} as const;

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

export const planRoutes: FastifyPluginAsync<{ db: Kysely<Database>; lifecycle: PlanLifecycle }> = async (app, { db, lifecycle }) => {
  /** Loads a plan the caller may see (404 otherwise: no hint that it exists), and checks management rights when asked. */
  async function load(request: { params: { id: string } } & Parameters<typeof principalOf>[0], manage: boolean): Promise<StoredPlan> {
    const p = principalOf(request);
    const plan = await getPlan(db, request.params.id);
    const scope = await scopeOf(db, p);
    if (plan === undefined || !canSee(p, scope, plan)) throw new HttpError(404, 'not_found', `No plan ${request.params.id}`);
    if (manage && !canManage(p, scope, plan)) throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin may do this");
    return plan;
  }

  const stateError = (err: unknown): never => {
    if (err instanceof PlanStateError) throw new HttpError(err.code === 'not_found' ? 404 : 409, err.code, err.message);
    throw err;
  };

  app.get<{ Querystring: { status?: StoredPlan['status'] } }>(
    '/api/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Plans the caller may see',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['draft', 'confirmed', 'repealed'] } } },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const plans = await visiblePlans(db, p, await scopeOf(db, p), request.query.status);
      return { items: plans.map((s) => summarize({ ...s, plan: planForViewer(p, s.plan) })) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/plans/:id', { schema: { tags: ['plans'], summary: 'One plan (reporters see their own measures)', params: idParams } }, async (request) => {
    const p = principalOf(request);
    const s = await load(request, false);
    return {
      ...summarize(s),
      plan: planForViewer(p, s.plan),
      ...(p.role === 'reporter' ? {} : { diagnostics: s.diagnostics }),
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/plans/:id/diagnostics', { schema: { tags: ['plans'], summary: 'The import diagnostics to review', params: idParams } }, async (request) => {
    const s = await load(request, true);
    return { items: s.diagnostics };
  });

  app.get<{ Params: { id: string } }>('/api/v1/plans/:id/versions', { schema: { tags: ['plans'], summary: 'Versions: confirmation, amendments, repeal', params: idParams } }, async (request) => {
    await load(request, false);
    return { items: await listPlanVersions(db, request.params.id) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/plans/:id/confirm', { schema: { tags: ['plans'], summary: 'Confirm a reviewed draft (no error diagnostics left)', params: idParams } }, async (request) => {
    await load(request, true);
    const actor = actorOf(principalOf(request));
    const confirmed = await confirmPlan(db, request.params.id, actor).catch(stateError);
    await appendEvent(db, { idempotencyKey: `plan.confirmed:${confirmed.id}`, type: 'plan.confirmed', actor, subjectType: 'plan', subjectId: confirmed.id, payload: { version: confirmed.version } });
    await lifecycle.confirmed(confirmed, actor);
    return summarize(confirmed);
  });

  app.post<{ Params: { id: string } }>('/api/v1/plans/:id/discard', { schema: { tags: ['plans'], summary: 'Discard a draft', params: idParams } }, async (request) => {
    await load(request, true);
    if (!(await discardDraft(db, request.params.id))) throw new HttpError(409, 'not_draft', 'Only a draft can be discarded');
    await appendEvent(db, { idempotencyKey: `plan.discarded:${request.params.id}`, type: 'plan.discarded', actor: actorOf(principalOf(request)), subjectType: 'plan', subjectId: request.params.id });
    return { ok: true };
  });

  app.post<{ Params: { id: string }; Body: AmendmentRequest & { expectedVersion?: number } }>(
    '/api/v1/plans/:id/amend',
    {
      schema: {
        tags: ['plans'],
        summary: 'Amend a confirmed plan (deadline moved, executor added, removed or replaced); running cycles are told',
        params: idParams,
        body: {
          type: 'object',
          required: ['act', 'summary', 'changes'],
          additionalProperties: false,
          properties: {
            act: actSchema,
            summary: { type: 'string', minLength: 1, maxLength: 2000 },
            expectedVersion: { type: 'integer', minimum: 1 },
            changes: {
              type: 'array',
              minItems: 1,
              maxItems: 500,
              items: {
                type: 'object',
                required: ['op'],
                properties: {
                  op: { type: 'string', enum: ['set_deadline', 'add_executor', 'remove_executor', 'replace_executor'] },
                  measure: { type: 'string', maxLength: 20 },
                  text: { type: 'string', maxLength: 500 },
                  code: { type: 'string', maxLength: 40 },
                  byAgreement: { type: 'boolean' },
                  from: { type: 'string', maxLength: 40 },
                  to: { type: 'string', maxLength: 40 },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const s = await load(request, true);
      const result = applyAmendment(s.plan, request.body, await listAgencies(db));
      if (!result.ok) throw new HttpError(400, 'invalid_amendment', result.errors.map((e) => `body/${e.field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}: ${e.message}`).join('; '));
      const actor = actorOf(principalOf(request));
      const amended = await amendPlan(db, s.id, result.plan, { kind: 'amended', act: request.body.act, summary: request.body.summary, applied: result.applied }, actor, request.body.expectedVersion).catch(stateError);
      await appendEvent(db, {
        idempotencyKey: `plan.amended:${amended.id}:${amended.version}`,
        type: 'plan.amended',
        actor,
        subjectType: 'plan',
        subjectId: amended.id,
        payload: { version: amended.version, act: request.body.act, applied: result.applied },
      });
      await lifecycle.amended(amended, result.applied, actor);
      return { ...summarize(amended), applied: result.applied };
    },
  );

  app.post<{ Params: { id: string }; Body: { act: ActRef; date: string; reason: string } }>(
    '/api/v1/plans/:id/repeal',
    {
      schema: {
        tags: ['plans'],
        summary: 'Repeal a plan: its schedule is deleted and open cycles close with the reason',
        params: idParams,
        body: {
          type: 'object',
          required: ['act', 'date', 'reason'],
          additionalProperties: false,
          properties: { act: actSchema, date: { type: 'string', format: 'date' }, reason: { type: 'string', minLength: 1, maxLength: 2000 } },
        },
      },
    },
    async (request) => {
      const s = await load(request, true);
      const result = applyRepeal(s.plan, request.body.act, request.body.date);
      if (!result.ok) throw new HttpError(400, 'invalid_request', result.errors.map((e) => `body/${e.field}: ${e.message}`).join('; '));
      const actor = actorOf(principalOf(request));
      const repealed = await repealPlan(db, s.id, result.plan, request.body.reason, actor).catch(stateError);
      await appendEvent(db, { idempotencyKey: `plan.repealed:${repealed.id}`, type: 'plan.repealed', actor, subjectType: 'plan', subjectId: repealed.id, payload: { act: request.body.act, date: request.body.date, reason: request.body.reason } });
      await lifecycle.repealed(repealed, request.body.reason, actor);
      return summarize(repealed);
    },
  );
};
