// Browser sessions on top of the same session store as the API's bearer tokens (api_tokens, kind 'session'): the secret
// rides in an HttpOnly, SameSite=Lax cookie (Secure over TLS), each session carries its own CSRF synchronizer token,
// and sign-in attempts are rate-limited per username and per address by the account service (api/services/accounts.ts).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { createApiToken, findActiveToken, revokeToken } from '../../db/repositories/tokens.js';
import type { PublicUser } from '../../db/repositories/users.js';
import type { Principal } from '../auth.js';
import { isUiLang, type UiLang } from './i18n/index.js';

export const SESSION_COOKIE = 'merzim_session';
/** Before sign-in: a double-submit token for the sign-in and language forms. */
export const PRE_SESSION_COOKIE = 'merzim_pre';
export const LANG_COOKIE = 'merzim_lang';
export const SESSION_HOURS = 12;

export interface WebSession {
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly uiLang: UiLang | null;
  /** The signed-in user's display name, read with the session (no query of its own per page). */
  readonly displayName: string | null;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A malformed cookie is ignored rather than failing the request.
    }
  }
  return out;
}

/**
 * Served over TLS — directly, or by a proxy that says so — cookies are Secure. The forwarded header is taken without a trusted
 * proxy list because it can only add the flag: a spoofed one makes the client's own cookie HTTPS-only, nothing more.
 */
function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

export function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  value: string,
  maxAgeSeconds?: number,
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (secure(request)) parts.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list.filter((c) => !c.startsWith(`${name}=`)), parts.join('; ')]);
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, name: string): void {
  setCookie(request, reply, name, '', 0);
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The browser's session if its cookie names an active one (same rules as a bearer token: not revoked, not expired, user enabled). */
export async function readSession(db: Kysely<Database>, request: FastifyRequest): Promise<WebSession | undefined> {
  const secret = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  if (secret === undefined || secret === '') return undefined;
  const token = await findActiveToken(db, secret);
  // API tokens are for machines; a browser cookie must name a session that was opened by signing in.
  if (token === undefined || token.kind !== 'session' || token.csrfToken === null) return undefined;
  return {
    principal: {
      tokenId: token.id,
      name: token.name,
      role: token.role,
      agencyCode: token.agencyCode,
      userId: token.userId,
      username: token.username,
      mustChangePassword: token.mustChangePassword,
    },
    csrfToken: token.csrfToken,
    uiLang: token.uiLang,
    displayName: token.displayName,
  };
}

/** Opens a session for a user who has just proved their password; the cookie carries the secret. */
export async function openSession(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  user: PublicUser,
): Promise<void> {
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  const { secret } = await createApiToken(db, {
    name: `session:${user.username}`,
    role: user.role,
    agencyCode: user.agency_code,
    userId: user.id,
    kind: 'session',
    expiresAt,
    csrfToken: newToken(),
  });
  setCookie(request, reply, SESSION_COOKIE, secret, SESSION_HOURS * 3600);
  clearCookie(request, reply, PRE_SESSION_COOKIE);
}

export async function closeSession(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  session: WebSession | undefined,
): Promise<void> {
  if (session !== undefined) await revokeToken(db, session.principal.tokenId);
  clearCookie(request, reply, SESSION_COOKIE);
}

/** The CSRF token a form must carry: the session's, or before sign-in the pre-session cookie's (set here if absent). */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, session: WebSession | undefined): string {
  if (session !== undefined) return session.csrfToken;
  const existing = parseCookies(request.headers.cookie)[PRE_SESSION_COOKIE];
  if (existing !== undefined && existing.length >= 16) return existing;
  const fresh = newToken();
  setCookie(request, reply, PRE_SESSION_COOKIE, fresh, 2 * 3600);
  return fresh;
}

/** Whether a posted token is the one this browser was given (constant-time comparison). */
export function csrfValid(request: FastifyRequest, session: WebSession | undefined, posted: unknown): boolean {
  const expected = session?.csrfToken ?? parseCookies(request.headers.cookie)[PRE_SESSION_COOKIE];
  if (typeof posted !== 'string' || expected === undefined || expected.length < 16) return false;
  const a = Buffer.from(posted);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The interface language: the user's choice, else the browser's cookie, else Kazakh. */
export function languageOf(request: FastifyRequest, session: WebSession | undefined): UiLang {
  if (session?.uiLang != null) return session.uiLang;
  const cookie = parseCookies(request.headers.cookie)[LANG_COOKIE];
  return isUiLang(cookie) ? cookie : 'kk';
}
