// GET /health: each dependency up or down, separately; GET /ready: what the API needs to serve (Temporal, PostgreSQL). Public: no data.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Probe } from '../health.js';
import { HealthReply, ReadyReply } from '../schemas/health.js';

export interface HealthRoutesOptions {
  readonly probes: Readonly<Record<'temporal' | 'postgres' | 'smtp', Probe>>;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { probes }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Each dependency up or down; 200 when all are up, else 503',
        security: [],
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_request, reply) => {
      const names = Object.keys(probes) as (keyof typeof probes)[];
      const results = await Promise.all(names.map((n) => probes[n]()));
      const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!])) as Record<
        keyof typeof probes,
        (typeof results)[number]
      >;
      const ok = results.every((r) => r.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? ('ok' as const) : ('degraded' as const), checks });
    },
  );

  // For a load balancer or an orchestrator: 200 only when the API can serve, i.e. Temporal and PostgreSQL both answer now.
  // SMTP is not among them: the API sends no mail (the workers do).
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Ready to serve: Temporal and PostgreSQL answer now (200), else 503',
        security: [],
        response: { 200: ReadyReply, 503: ReadyReply },
      },
    },
    async (_request, reply) => {
      const [temporal, postgres] = await Promise.all([probes.temporal(), probes.postgres()]);
      const ready = temporal.ok && postgres.ok;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? ('ready' as const) : ('not_ready' as const), checks: { temporal, postgres } });
    },
  );
};
