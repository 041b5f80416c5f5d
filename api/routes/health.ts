// GET /health: each dependency up or down, separately; GET /ready: what the API needs to serve (Temporal, PostgreSQL). Public: no data.
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

  // For a load balancer or an orchestrator: 200 only when the API can serve, i.e. Temporal and PostgreSQL both answer now.
  // SMTP is not among them: the API sends no mail (the workers do).
  app.get('/ready', async (_request, reply) => {
    const [temporal, postgres] = await Promise.all([probes.temporal(), probes.postgres()]);
    const ready = temporal.ok && postgres.ok;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { temporal, postgres } });
  });
};
