// The charts' data as JSON (or the chart itself as SVG), scoped like the rest of the API: a reporter sees only its agency.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { CycleRow, Database } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { getCycle, listObligations } from '../../db/repositories/cycles.js';
import { getPlan } from '../../db/repositories/plans.js';
import { principalOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import { canSee, scopeOf } from '../plan-access.js';
import { cycleTimelineData, onTimeRateData, overdueByDay } from '../services/chart-data.js';
import { onTimeText, overdueText, timelineText, type ChartLang } from '../web/chart-text.js';
import { cycleTimelineChart, onTimeRateChart, overdueChart, type Chart } from '../web/charts.js';

interface ChartQuery {
  format?: 'json' | 'svg' | 'table';
  lang?: ChartLang;
}

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['json', 'svg', 'table'], default: 'json' },
    lang: { type: 'string', enum: ['kk', 'ru', 'en'], default: 'kk' },
  },
} as const;
// JSON by default; with format=svg or table the body is that text (image/svg+xml, text/html), which is not serialised.
const chartResponse = {
  200: {
    description: 'The chart data (JSON), or the chart as SVG or its HTML table',
    type: 'object',
    additionalProperties: true,
  },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

/** Only a reporter is narrowed to its agency; every other role that may see the plan or cycle sees all of it. */
const agencyFilter = (p: Principal): { agencyCode?: string } =>
  p.role === 'reporter' ? { agencyCode: p.agencyCode ?? '' } : {};

function send(reply: FastifyReply, query: ChartQuery, data: unknown, render: () => Chart) {
  if (query.format === 'svg') return reply.header('content-type', 'image/svg+xml; charset=utf-8').send(render().svg);
  if (query.format === 'table') return reply.header('content-type', 'text/html; charset=utf-8').send(render().table);
  return reply.send(data);
}

export const chartRoutes: FastifyPluginAsync<{ db: Kysely<Database> }> = async (app, { db }) => {
  async function names(lang: ChartLang): Promise<Map<string, string>> {
    // English pages show the Russian name: the directory has no English names.
    return new Map(
      (await listAgencies(db)).map((a) => [
        a.code,
        (lang === 'kk' ? (a.name.kk ?? a.name.ru) : (a.name.ru ?? a.name.kk)) ?? a.code,
      ]),
    );
  }

  /**
   * The cycle if the caller may see it (404 otherwise, as for the cycle itself). The id is used as Fastify decoded it: decoding
   * again would turn an id holding '%' into a 500 (URIError) or another id.
   */
  async function visibleCycle(request: FastifyRequest, id: string): Promise<CycleRow> {
    const p = principalOf(request);
    const cycle = await getCycle(db, id);
    if (cycle === undefined) throw new HttpError(404, 'not_found', `No cycle ${id}`);
    if (p.role === 'admin' || p.role === 'pm_office') return cycle;
    if (p.role === 'coordinator' && (await scopeOf(db, p)).coordinated.has(cycle.plan_id)) return cycle;
    if (
      p.role === 'reporter' &&
      p.agencyCode !== null &&
      (await listObligations(db, { cycleWorkflowId: id, agencyCode: p.agencyCode, limit: 1 })).length > 0
    )
      return cycle;
    throw new HttpError(404, 'not_found', `No cycle ${id}`);
  }

  app.get<{ Params: { id: string }; Querystring: ChartQuery }>(
    '/api/v1/plans/:id/charts/on-time',
    {
      schema: {
        tags: ['charts'],
        summary: "On-time reporting rate per agency across the plan's cycles (JSON, or format=svg|table)",
        params: idParams,
        querystring,
        response: chartResponse,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const plan = await getPlan(db, request.params.id).catch(() => undefined);
      if (plan === undefined || !canSee(p, await scopeOf(db, p), plan))
        throw new HttpError(404, 'not_found', `No plan ${request.params.id}`);
      const lang = request.query.lang ?? 'kk';
      const data = await onTimeRateData(db, {
        planId: plan.id,
        ...agencyFilter(p),
        now: new Date(),
        names: await names(lang),
      });
      return send(reply, request.query, data, () => onTimeRateChart(data, onTimeText(lang)));
    },
  );

  app.get<{ Params: { id: string }; Querystring: ChartQuery }>(
    '/api/v1/cycles/:id/charts/overdue',
    {
      schema: {
        tags: ['charts'],
        summary: 'Obligations overdue at the end of each day of the cycle (JSON, or format=svg|table)',
        params: idParams,
        querystring,
        response: chartResponse,
      },
    },
    async (request, reply) => {
      const cycle = await visibleCycle(request, request.params.id);
      const days = await overdueByDay(db, {
        cycleId: cycle.workflow_id,
        ...agencyFilter(principalOf(request)),
        now: new Date(),
        finishedAt: cycle.finished_at,
      });
      return send(reply, request.query, { cycleId: cycle.workflow_id, days }, () =>
        overdueChart(days, overdueText(request.query.lang ?? 'kk')),
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: ChartQuery }>(
    '/api/v1/cycles/:id/charts/timeline',
    {
      schema: {
        tags: ['charts'],
        summary: "The cycle's deadlines, reminders sent and escalations per day (JSON, or format=svg|table)",
        params: idParams,
        querystring,
        response: chartResponse,
      },
    },
    async (request, reply) => {
      const cycle = await visibleCycle(request, request.params.id);
      const data = await cycleTimelineData(db, {
        cycleId: cycle.workflow_id,
        ...agencyFilter(principalOf(request)),
        now: new Date(),
      });
      return send(reply, request.query, { cycleId: cycle.workflow_id, ...data }, () =>
        cycleTimelineChart(data, timelineText(request.query.lang ?? 'kk')),
      );
    },
  );
};
