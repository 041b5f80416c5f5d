// GET /health: each dependency up or down, separately; 200 when all are up, 503 otherwise. Public: it reveals no data.
import type { FastifyPluginAsync } from 'fastify';
import type { Probe } from '../health.js';

export interface HealthRoutesOptions {
  readonly probes: Readonly<Record<'temporal' | 'postgres' | 'smtp', Probe>>;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { probes }) => {
  app.get('/health', async (_request, reply) => {
    const names = Object.keys(probes) as (keyof typeof probes)[];
    const results = await Promise.all(names.map((n) => probes[n]()));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const ok = results.every((r) => r.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
};
