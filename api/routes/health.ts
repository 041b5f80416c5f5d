// GET /health: each dependency up or down, separately; 200 when all are up, 503 otherwise. Public: it reveals no data.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Probe } from '../health.js';
import { HealthReply } from '../schemas/health.js';

export interface HealthRoutesOptions {
  readonly probes: Readonly<Record<'temporal' | 'postgres' | 'smtp', Probe>>;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { probes }) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Each dependency up or down; 200 when all are up, else 503', security: [], response: { 200: HealthReply, 503: HealthReply } } }, async (_request, reply) => {
    const names = Object.keys(probes) as (keyof typeof probes)[];
    const results = await Promise.all(names.map((n) => probes[n]()));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!])) as Record<keyof typeof probes, (typeof results)[number]>;
    const ok = results.every((r) => r.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? ('ok' as const) : ('degraded' as const), checks });
  });
};
