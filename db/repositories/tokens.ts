// API tokens: secrets are shown once at creation and only their SHA-256 hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiTokenRow, Database } from '../database.js';

export type Role = ApiTokenRow['role'];

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export async function createApiToken(
  db: Kysely<Database>,
  t: { name: string; role: Role; agencyCode?: string | null },
): Promise<{ id: string; secret: string }> {
  const secret = `mz_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_tokens')
    .values({ name: t.name, role: t.role, agency_code: t.agencyCode ?? null, token_hash: hashToken(secret) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

export async function findActiveToken(db: Kysely<Database>, secret: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(secret))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchToken(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

export async function countAdminTokens(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
