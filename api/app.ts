// The Merzim HTTP API as a Fastify app: resources injected, every /api route authenticated, schema-first routes, one error shape.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { authenticate } from './auth.js';
import { installErrorHandler } from './errors.js';
import type { Probe } from './health.js';
import { agencyRoutes } from './routes/agencies.js';
import { authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendar.js';
import { cycleRoutes } from './routes/cycles.js';
import { createCycleEngine, type CycleEngine } from './cycle-engine.js';
import { healthRoutes } from './routes/health.js';
import { notificationRoutes } from './routes/notifications.js';
import { outboxRoutes } from './routes/outbox.js';
import { planRoutes, type PlanLifecycle } from './routes/plans.js';
import { userRoutes } from './routes/users.js';
import { OpenObject } from './schemas/common.js';

export interface AppDeps {
  readonly db: Kysely<Database>;
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly probes: Readonly<Record<'temporal' | 'postgres' | 'smtp', Probe>>;
  readonly sinkEnabled: boolean;
  /** What confirming, amending and repealing a plan sets in motion; by default Temporal schedules and signals (cycle-engine.ts). */
  readonly planLifecycle?: PlanLifecycle;
  readonly cycleEngine?: CycleEngine;
}

/** Schema-first: a route added without response schemas stops the app from starting, naming the route. */
export function requireResponseSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.response === undefined) {
      throw new Error(`${String(route.method)} ${route.url} declares no response schema: declare one per status (api/schemas/)`);
    }
  });
}

export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...options,
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: 'array' } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandler(app);
  requireResponseSchemas(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Merzim API', version: '1', description: 'Reporting deadlines of Kazakhstan action plans. Every /api route needs Authorization: Bearer <token>.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(healthRoutes, { probes: deps.probes });
  app.get('/api/openapi.json', { schema: { hide: true, response: { 200: OpenObject('The OpenAPI 3 document of this API') } } }, async () => app.swagger());
  await app.register(async (api) => {
    api.addHook('onRequest', authenticate(deps.db));
    await api.register(authRoutes, { db: deps.db });
    await api.register(agencyRoutes, { db: deps.db });
    await api.register(userRoutes, { db: deps.db });
    await api.register(calendarRoutes, { db: deps.db });
    const engine = deps.cycleEngine ?? createCycleEngine({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue });
    await api.register(planRoutes, { db: deps.db, lifecycle: deps.planLifecycle ?? engine });
    await api.register(cycleRoutes, { db: deps.db, temporal: deps.temporal, engine });
    await api.register(outboxRoutes, { db: deps.db, sinkEnabled: deps.sinkEnabled });
    await api.register(notificationRoutes, { temporal: deps.temporal, taskQueue: deps.taskQueue });
  });
  return app;
}
