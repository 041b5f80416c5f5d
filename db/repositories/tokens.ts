// API tokens and login sessions: secrets are shown once at creation and only their SHA-256 hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { PREPARED } from '../prepared.js';
import type { ApiTokenRow, Database } from '../database.js';

export type Role = ApiTokenRow['role'];

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface NewToken {
  readonly name: string;
  readonly role: Role;
  readonly agencyCode?: string | null;
  readonly userId?: string | null;
  readonly kind?: 'api' | 'session';
  readonly expiresAt?: Date | null;
  /** A browser session's CSRF synchronizer token (web sign-in); none for API tokens. */
  readonly csrfToken?: string | null;
}

export async function createApiToken(db: Kysely<Database>, t: NewToken): Promise<{ id: string; secret: string }> {
  const secret = `mz_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_tokens')
    .values({
      name: t.name,
      role: t.role,
      agency_code: t.agencyCode ?? null,
      user_id: t.userId ?? null,
      kind: t.kind ?? 'api',
      expires_at: t.expiresAt ?? null,
      csrf_token: t.csrfToken ?? null,
      token_hash: hashToken(secret),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

export interface ActiveToken {
  readonly id: string;
  readonly name: string;
  readonly kind: 'api' | 'session';
  readonly role: Role;
  readonly agencyCode: string | null;
  readonly userId: string | null;
  readonly username: string | null;
  readonly mustChangePassword: boolean;
  readonly csrfToken: string | null;
  /** The web interface's language chosen by the token's user; null when none was chosen. */
  readonly uiLang: 'kk' | 'ru' | 'en' | null;
  /** When the token was last used (to the minute: see touchToken); null when never. */
  readonly lastUsedAt: Date | null;
  /** The token's user's display name; null for a token of no user. */
  readonly displayName: string | null;
}

/** The token whose hash is given, with its user, unless revoked: every authenticated request's first statement. */
function activeTokenQuery(db: Kysely<Database>, tokenHash: string) {
  return db
    .selectFrom('api_tokens as t')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id',
      't.name',
      't.kind',
      't.role',
      't.agency_code',
      't.user_id',
      't.expires_at',
      'u.role as user_role',
      'u.agency_code as user_agency',
      'u.username',
      'u.disabled_at',
      'u.must_change_password',
      't.csrf_token',
      't.last_used_at',
      'u.ui_lang',
      'u.display_name',
    ])
    .where('t.token_hash', '=', tokenHash)
    .where('t.revoked_at', 'is', null);
}

type ActiveTokenRow = Awaited<ReturnType<ReturnType<typeof activeTokenQuery>['executeTakeFirstOrThrow']>>;

/**
 * activeTokenQuery's text, compiled once per database (its one parameter is the hash) and marked to be prepared by each
 * connection: it runs on every request, so neither building it nor planning it is repeated.
 */
const activeTokenText = new WeakMap<Kysely<Database>, string>();

/** A token is active when not revoked, not expired, and its user (if any) is not disabled; the user's role wins over the token's. */
export async function findActiveToken(
  db: Kysely<Database>,
  secret: string,
  now = new Date(),
): Promise<ActiveToken | undefined> {
  let text = activeTokenText.get(db);
  if (text === undefined) {
    const compiled = activeTokenQuery(db, '').compile();
    if (compiled.parameters.length !== 1) throw new Error('activeTokenQuery: one parameter, the hash, was expected');
    text = `${PREPARED}${compiled.sql}`;
    activeTokenText.set(db, text);
  }
  const row = (await db.executeQuery<ActiveTokenRow>(CompiledQuery.raw(text, [hashToken(secret)]))).rows[0];
  if (row === undefined) return undefined;
  if (row.expires_at !== null && row.expires_at <= now) return undefined;
  if (row.user_id !== null && (row.username === null || row.disabled_at !== null)) return undefined;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    role: row.user_role ?? row.role,
    agencyCode: row.user_id !== null ? row.user_agency : row.agency_code,
    userId: row.user_id,
    username: row.username,
    mustChangePassword: row.must_change_password ?? false,
    csrfToken: row.csrf_token,
    uiLang: row.ui_lang ?? null,
    lastUsedAt: row.last_used_at,
    displayName: row.display_name,
  };
}

/** How stale a token's last use may be before a request records it again: one write a minute, not one per request. */
export const TOUCH_INTERVAL_MS = 60_000;

export async function touchToken(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

export async function revokeToken(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Revokes a user's active tokens: sessions only, or sessions and API tokens; `except` keeps one (the caller's own session).
 * Returns how many were revoked.
 */
export async function revokeTokensOfUser(
  db: Kysely<Database>,
  userId: string,
  opts: { kinds: readonly ('api' | 'session')[]; except?: string },
): Promise<number> {
  let q = db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('kind', 'in', [...opts.kinds]);
  if (opts.except !== undefined) q = q.where('id', '!=', opts.except);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A user's sessions and API tokens that still work (not revoked, not expired), newest first. */
export async function listActiveTokensOfUser(db: Kysely<Database>, userId: string, now = new Date()) {
  return db
    .selectFrom('api_tokens')
    .select([
      'id',
      'name',
      'kind',
      'role',
      'agency_code',
      'user_id',
      'created_at',
      'last_used_at',
      'expires_at',
      'revoked_at',
    ])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(500)
    .execute();
}

/** Revokes one of a user's own tokens; false when it is not theirs or not active. */
export async function revokeTokenOfUser(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * API tokens (not sessions) by id, `limit` at most, after the token `after` (a keyset page). By id, not by creation: a
 * timestamp's microseconds do not survive a JavaScript Date, and the ids are random, so the order says nothing either.
 */
export async function listApiTokens(db: Kysely<Database>, page: { limit: number; after?: string } = { limit: 5000 }) {
  const after = page.after;
  let q = db
    .selectFrom('api_tokens')
    .select([
      'id',
      'name',
      'kind',
      'role',
      'agency_code',
      'user_id',
      'created_at',
      'last_used_at',
      'expires_at',
      'revoked_at',
    ])
    .where('kind', '=', 'api')
    .orderBy('id')
    .limit(page.limit);
  if (after !== undefined) q = q.where('id', '>', after);
  return q.execute();
}

export async function countAdminTokens(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('kind', '=', 'api')
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
