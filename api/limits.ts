// What protects the service from one caller (issue 17, point 4): request rates per API token, browser session or address;
// body sizes per route; the size of an imported plan; the range of a backfill. Read from the environment by
// platform/config.ts (LimitsConfig); the defaults below when an app is built without them (tests).
import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LimitsConfig } from '../platform/config.js';
import { HttpError } from './errors.js';
import { parseCookies, SESSION_COOKIE } from './web/session.js';

export type Limits = LimitsConfig;

export const DEFAULT_LIMITS: Limits = {
  ratePerToken: 1200,
  ratePerAddress: 300,
  rateWindowMs: 60_000,
  bodyBytes: 256 * 1024,
  reportBodyBytes: 4096 * 1024,
  planMaxMeasures: 2000,
  planMaxParties: 500,
  backfillMaxPeriods: 10,
};

/** Routes whose body is a report (or a summary's texts): up to reportBodyBytes; every other parsed body up to bodyBytes. */
const REPORT_BODY_ROUTES: ReadonlySet<string> = new Set([
  '/api/v1/obligations/:id/submit',
  '/api/v1/obligations/:id/draft',
  '/api/v1/obligations/:id/return',
  '/api/v1/cycles/:id/summary/texts',
]);

/**
 * Body limits per route: the server-wide bodyLimit (Fastify's option, set by buildApp from `bodyBytes`) for ordinary JSON and
 * forms; reports their own; routes that declare theirs keep it (plan imports MAX_UPLOAD_BYTES, the history check). Evidence
 * uploads are streamed multipart, limited by the evidence service (MERZIM_EVIDENCE_MAX_FILE_MB). Call before routes are added.
 */
export function installBodyLimits(app: FastifyInstance, limits: Limits): void {
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit === undefined && REPORT_BODY_ROUTES.has(route.url)) route.bodyLimit = limits.reportBodyBytes;
  });
}

const digest = (secret: string): string => createHash('sha256').update(secret).digest('base64url').slice(0, 22);

/**
 * Who a request counts against: its API token, else its browser session, else its address. Secrets are never kept, only a
 * digest of them. A token that turns out to be invalid is still counted (against itself); authentication answers it 401.
 */
export function rateKey(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+\S/i.test(auth)) return `token:${digest(auth.replace(/^bearer\s+/i, ''))}`;
  const session = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (session !== undefined && session !== '') return `session:${digest(session)}`;
  return `address:${request.ip}`;
}

/**
 * Rate limits (@fastify/rate-limit, a root hook, so every route has them): ratePerToken per window for a token or a
 * session, ratePerAddress for anonymous callers; over it, 429 `rate_limited` in the API's error shape with Retry-After (in
 * seconds) and the x-ratelimit-* headers. The counters are kept in memory, per API process: with n processes behind a load
 * balancer a caller gets at most n × the limit. That is acceptable for what this limit is for — keeping one caller from taking a
 * process's event loop and the database's connections — and it costs no database write per request; what must hold across
 * processes, the sign-in lockout against password guessing, is kept in PostgreSQL (api/services/accounts.ts).
 */
export async function installRateLimits(app: FastifyInstance, limits: Limits): Promise<void> {
  if (limits.ratePerToken === 0) return;
  // Not per route (the plugin's global mode adds its hook to each route, after the /api context's authentication): one root
  // onRequest hook, first of all, so a flood of bad tokens or anonymous calls is counted before it costs a database lookup.
  await app.register(rateLimit, {
    global: false,
    timeWindow: limits.rateWindowMs,
    max: (_request: FastifyRequest, key: string) =>
      key.startsWith('address:') ? limits.ratePerAddress : limits.ratePerToken,
    keyGenerator: rateKey,
    // Probes of a load balancer or an orchestrator are not callers.
    allowList: (request: FastifyRequest) => request.url === '/health' || request.url === '/ready',
    errorResponseBuilder: (request, context) => {
      const who = rateKey(request).split(':')[0] === 'address' ? 'address' : 'token or session';
      const retryS = Math.max(1, Math.ceil(context.ttl / 1000));
      return new HttpError(
        429,
        'rate_limited',
        `Too many requests for this ${who}: at most ${context.max} per ${Math.round(limits.rateWindowMs / 1000)} s; retry in ${retryS} s`,
      );
    },
  });
  app.addHook('onRequest', app.rateLimit());
}
