// The Merzim HTTP API as a Fastify app: resources injected, every /api route authenticated, schema-first routes, one error shape.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { ApiMetrics } from '../platform/metrics.js';
import { authenticate, requireRole } from './auth.js';
import { postgresStore, type EvidenceStore } from './evidence/store.js';
import { installErrorHandler } from './errors.js';
import { DEFAULT_LIMITS, installBodyLimits, installRateLimits, type Limits } from './limits.js';
import { bodyStrictSchemaController, installHttpHygiene } from './http-hygiene.js';
import { refuseUnstorableInput } from './storable-input.js';
import type { Probe } from './health.js';
import { agencyRoutes } from './routes/agencies.js';
import { authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendar.js';
import { chartRoutes } from './routes/charts.js';
import { cycleRoutes } from './routes/cycles.js';
import { evidenceRoutes } from './routes/evidence.js';
import { reportRoutes } from './routes/reports.js';
import { feedRoutes, icsFeedRoute } from './routes/feeds.js';
import { createCycleEngine, type CycleEngine } from './cycle-engine.js';
import { healthRoutes } from './routes/health.js';
import { notificationRoutes } from './routes/notifications.js';
import { historyRoutes } from './routes/history.js';
import { outboxRoutes } from './routes/outbox.js';
import { planRoutes, type PlanLifecycle } from './routes/plans.js';
import { summaryRoutes } from './routes/summary.js';
import { userRoutes } from './routes/users.js';
import { OpenObject } from './schemas/common.js';
import { createEvidenceService, DEFAULT_EVIDENCE_LIMITS, type EvidenceLimits } from './services/evidence.js';
import { createAccountService, type SignInLimits } from './services/accounts.js';
import { createObligationService } from './services/obligations.js';
import { createSummaryService } from './services/summary.js';
import { createHistoryService } from './services/history.js';
import { createReportService } from './services/reports.js';
import { createOutboxService } from './services/outbox.js';
import { createPlanService } from './services/plans.js';
import { createFeedService } from './services/feeds.js';
import { createAgencyService, createCalendarService } from './services/calendar.js';
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
  /** Where evidence files are kept and how large they may be (MERZIM_EVIDENCE_*); absent: PostgreSQL, 25 MB and 200 MB. */
  readonly evidence?: { readonly store: EvidenceStore; readonly limits: EvidenceLimits };
  /** Sign-in rate limits and lockout (api/services/accounts.ts); the defaults otherwise. */
  readonly signInLimits?: SignInLimits;
  /**
   * Request rates, body sizes, plan sizes, backfill ranges (api/limits.ts; MERZIM_RATE_LIMIT_*, MERZIM_*_LIMIT_KB,
   * MERZIM_PLAN_MAX_*, MERZIM_BACKFILL_MAX_PERIODS). Absent: DEFAULT_LIMITS without rate limits (test beds that call a lot).
   */
  readonly limits?: Limits;
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

const MAX_PARAM_LENGTH = 500;

/** Node's own refusals (before routing), written to the socket in the API's error shape. */
function rawClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request line and headers are over 16 KB']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'timeout', 'The request did not arrive in time']
        : [400, 'Bad Request', 'bad_request', 'The request is not well-formed HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const limits = deps.limits ?? { ...DEFAULT_LIMITS, ratePerToken: 0 };
  const app = Fastify({
    // Every parsed body up to limits.bodyBytes unless its route says otherwise (installBodyLimits).
    bodyLimit: limits.bodyBytes,
    ...options,
    ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: 'array' } },
    // Bodies are validated without coercion (coerceTypes above applies to the URL's parts only). The TypeBox schemas are plain
    // JSON Schema, so this validator compiles them; the type provider only derives the handlers' types from them.
    schemaController: bodyStrictSchemaController(),
    // Ids carry percent-encoded Cyrillic (an agency code is 6 bytes a letter): room for them, and a bound all the same.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What the router refuses before any route runs (a malformed percent-encoding, a path segment over the bound) and what
    // Node refuses before Fastify sees a request (headers or URL over 16 KB, a broken request line) answer in the API's one
    // error shape too.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      void (reply as FastifyReply)
        .code(tooLong ? 414 : 400)
        .header('cache-control', 'no-store')
        .send(
          tooLong
            ? {
                error: {
                  code: 'uri_too_long',
                  message: `A path segment is longer than ${MAX_PARAM_LENGTH} characters`,
                },
              }
            : { error: { code: 'bad_url', message: `The URL is malformed: ${error.message}` } },
        );
    },
    clientErrorHandler: rawClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  installHttpHygiene(app);
  installErrorHandler(app);
  // Root hooks, so no route can forget them: every JSON route declares its responses; no request text PostgreSQL cannot store.
  requireResponseSchemas(app);
  refuseUnstorableInput(app);
  installBodyLimits(app, limits);
  await installRateLimits(app, limits);
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
  const evidence = createEvidenceService({
    db: deps.db,
    store: deps.evidence?.store ?? postgresStore(deps.db),
    limits: deps.evidence?.limits ?? DEFAULT_EVIDENCE_LIMITS,
    obligations,
  });
  const reports = createReportService({ db: deps.db, temporal: deps.temporal, obligations });
  const summaries = createSummaryService({ db: deps.db, obligations, temporal: deps.temporal });
  const engine =
    deps.cycleEngine ?? createCycleEngine({ client: deps.temporal, db: deps.db, taskQueue: deps.taskQueue });
  const calendar = createCalendarService({ db: deps.db });
  const agencies = createAgencyService({ db: deps.db });
  const plans = createPlanService({
    db: deps.db,
    lifecycle: deps.planLifecycle ?? engine,
    engine,
    log: app.log,
    limits,
  });
  const accounts = createAccountService({
    db: deps.db,
    ...(deps.signInLimits === undefined ? {} : { signInLimits: deps.signInLimits }),
  });
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
    evidence,
    reports,
    plans,
    calendar,
    agencies,
    feeds: createFeedService({ db: deps.db }),
    ...(deps.publicUrl === undefined ? {} : { publicUrl: deps.publicUrl }),
    accounts,
    summaries,
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
    await api.register(authRoutes, { db: deps.db, accounts });
    await api.register(agencyRoutes, { agencies });
    await api.register(userRoutes, { db: deps.db, accounts });
    await api.register(calendarRoutes, { calendar });
    await api.register(planRoutes, { plans });
    await api.register(cycleRoutes, { db: deps.db, temporal: deps.temporal, obligations, plans });
    await api.register(summaryRoutes, { summaries });
    await api.register(reportRoutes, { reports });
    await api.register(outboxRoutes, { db: deps.db, sinkEnabled: deps.sinkEnabled });
    await api.register(historyRoutes, {
      history,
    });
    await api.register(notificationRoutes, { temporal: deps.temporal, taskQueue: deps.taskQueue });
    await api.register(chartRoutes, { db: deps.db });
    await api.register(evidenceRoutes, { evidence });
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
