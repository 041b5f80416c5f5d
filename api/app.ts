// The Merzim HTTP API as a Fastify app: resources injected, every /api route authenticated, schema-first routes, one error shape.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ApiMetrics } from '../platform/metrics.js';
import { authenticate, requireRole } from './auth.js';
import { installErrorHandler } from './errors.js';
import { bodyStrictSchemaController, installHttpHygiene } from './http-hygiene.js';
import { refuseUnstorableInput } from './storable-input.js';
import type { Probe } from './health.js';
import { agencyRoutes } from './routes/agencies.js';
import { authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendar.js';
import { chartRoutes } from './routes/charts.js';
import { cycleRoutes } from './routes/cycles.js';
import { feedRoutes, icsFeedRoute } from './routes/feeds.js';
import { createCycleEngine, type CycleEngine } from './cycle-engine.js';
import { healthRoutes } from './routes/health.js';
import { notificationRoutes } from './routes/notifications.js';
import { historyRoutes } from './routes/history.js';
import { outboxRoutes } from './routes/outbox.js';
import { planRoutes, type PlanLifecycle } from './routes/plans.js';
import { userRoutes } from './routes/users.js';
import { OpenObject } from './schemas/common.js';
import { createObligationService } from './services/obligations.js';
import { createHistoryService } from './services/history.js';
import { createOutboxService } from './services/outbox.js';
import { webRoutes } from './web/index.js';

export interface AppDeps {
  readonly db: Kysely<Database>;
  readonly temporal: Client;
  readonly taskQueue: string;
  readonly probes: Readonly<Record<'temporal' | 'postgres' | 'smtp', Probe>>;
  readonly sinkEnabled: boolean;
  /** What confirming, amending and repealing a plan sets in motion; by default Temporal schedules and signals (cycle-engine.ts). */
  readonly planLifecycle?: PlanLifecycle;
  readonly cycleEngine?: CycleEngine;
  /** The Temporal web UI (links from the pages to each workflow); none when unknown. */
  readonly temporalUiUrl?: string;
  readonly temporalNamespace?: string;
  /** Prometheus metrics (npm run api sets them): GET /metrics for admins, submissions counted. */
  readonly metrics?: ApiMetrics;
  /** The API's public URL (MERZIM_PUBLIC_URL), for the links it hands out (feed URLs); absent: from the request's Host. */
  readonly publicUrl?: string;
  /** MERZIM_WORKFLOW_BUNDLE: the release's workflow bundle the replay check runs; absent: bundled from workflows/ on first use. */
  readonly workflowBundlePath?: string;
}

/** The JSON API: what clients call, described in the OpenAPI document — every answer of these must be declared. */
export function isJsonApiRoute(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url === '/health' || url === '/ready';
}

/**
 * Schema-first: a JSON API route (/api/*, /health) added without response schemas stops the app from starting, naming the
 * route. The server-rendered pages (/app/*, /assets/*, /, /favicon.ico) answer HTML and redirects, not JSON: they are
 * exempt only when hidden from the OpenAPI document, so nothing undeclared is ever published there.
 */
export function requireResponseSchemas(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.response !== undefined) return;
    const name = `${String(route.method)} ${route.url}`;
    if (isJsonApiRoute(route.url))
      throw new Error(`${name} declares no response schema: declare one per status (api/schemas/)`);
    if (route.schema?.hide !== true)
      throw new Error(
        `${name} declares no response schema and is not hidden from the OpenAPI document: declare one per status (api/schemas/) or hide the page`,
      );
  });
}

export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...options,
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: 'array' } },
    // Bodies are validated without coercion (coerceTypes above applies to the URL's parts only). The TypeBox schemas are plain
    // JSON Schema, so this validator compiles them; the type provider only derives the handlers' types from them.
    schemaController: bodyStrictSchemaController(),
    // A malformed percent-encoding in the path is refused before routing: in the API's one error shape, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .header('cache-control', 'no-store')
        .send({ error: { code: 'bad_url', message: `The URL is malformed: ${error.message}` } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installHttpHygiene(app);
  installErrorHandler(app);
  // Root hooks, so no route can forget them: every JSON route declares its responses; no request text PostgreSQL cannot store.
  requireResponseSchemas(app);
  refuseUnstorableInput(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Merzim API',
        version: '1',
        description:
          'Reporting deadlines of Kazakhstan action plans. Every /api route needs Authorization: Bearer <token>.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(healthRoutes, { probes: deps.probes });
  app.get(
    '/api/openapi.json',
    { schema: { hide: true, response: { 200: OpenObject('The OpenAPI 3 document of this API') } } },
    async () => app.swagger(),
  );
  // One service behind the JSON routes and the pages: the same scoping and authorisation for both.
  const obligations = createObligationService({ db: deps.db, temporal: deps.temporal });
  const history = createHistoryService({
    temporal: deps.temporal,
    db: deps.db,
    workflowBundlePath: deps.workflowBundlePath,
    temporalUiUrl: deps.temporalUiUrl,
    temporalNamespace: deps.temporalNamespace,
    canSeeCycle: async (p, planId, period) => (await obligations.listCycles(p, { planId, period })).length > 0,
  });
  await app.register(webRoutes, {
    db: deps.db,
    obligations,
    outbox: createOutboxService({ db: deps.db, sinkEnabled: deps.sinkEnabled }),
    history,
    ...(deps.temporalUiUrl === undefined ? {} : { temporalUiUrl: deps.temporalUiUrl }),
    ...(deps.temporalNamespace === undefined ? {} : { temporalNamespace: deps.temporalNamespace }),
  });
  await app.register(icsFeedRoute, {
    db: deps.db,
    ...(deps.publicUrl === undefined ? {} : { publicUrl: deps.publicUrl }),
  });
  await app.register(async (api) => {
    api.addHook('onRequest', authenticate(deps.db));
    await api.register(authRoutes, { db: deps.db });
    await api.register(agencyRoutes, { db: deps.db });
    await api.register(userRoutes, { db: deps.db });
    await api.register(calendarRoutes, { db: deps.db });
    const engine =
      deps.cycleEngine ?? createCycleEngine({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue });
    await api.register(planRoutes, { db: deps.db, lifecycle: deps.planLifecycle ?? engine });
    await api.register(cycleRoutes, { db: deps.db, temporal: deps.temporal, engine, obligations });
    await api.register(outboxRoutes, { db: deps.db, sinkEnabled: deps.sinkEnabled });
    await api.register(historyRoutes, {
      history,
    });
    await api.register(notificationRoutes, { temporal: deps.temporal, taskQueue: deps.taskQueue });
    await api.register(chartRoutes, { db: deps.db });
    await api.register(feedRoutes, {
      db: deps.db,
      ...(deps.publicUrl === undefined ? {} : { publicUrl: deps.publicUrl }),
    });
    const metrics = deps.metrics;
    if (metrics !== undefined) {
      // Counted from the outcome, so the route stays as it is: 2xx recorded, 4xx refused (a 5xx is neither).
      api.addHook('onResponse', async (request, reply) => {
        if (request.routeOptions.url !== '/api/v1/obligations/:id/submit') return;
        if (reply.statusCode < 300) metrics.submissions.inc({ result: 'accepted' });
        else if (reply.statusCode < 500) metrics.submissions.inc({ result: 'refused' });
      });
      api.get(
        '/metrics',
        {
          preHandler: requireRole('admin'),
          // Prometheus text exposition format, for a scraper with an admin token; not part of the JSON API's document.
          schema: { hide: true, response: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } } },
        },
        async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
      );
    }
  });
  return app;
}
