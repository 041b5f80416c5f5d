// Least privilege: what the application role may do in a schema it does not own — rows only; the audit log append-only.
import { sql, type Kysely } from 'kysely';

/** Tables the application never touches (the migrator's own). */
const MIGRATOR_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const;

/**
 * Grants `role` (the application's login, which owns nothing) reading and writing rows of every table, nothing on the
 * migrator's tables, and only SELECT and INSERT on `events`: the append-only trigger is then not the only guard, and a
 * role that owns nothing cannot drop or disable it. Run by the owner after each migration; idempotent.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- runs beside the migrator, on any schema version (as migrate.ts does)
export async function grantApplicationAccess(db: Kysely<any>, role: string): Promise<void> {
  const r = sql.id(role);
  await sql`GRANT USAGE ON SCHEMA public TO ${r}`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`.execute(db);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`.execute(db);
  await sql`REVOKE UPDATE, DELETE, TRUNCATE ON events FROM ${r}`.execute(db);
  for (const table of MIGRATOR_TABLES) await sql`REVOKE ALL ON ${sql.table(table)} FROM ${r}`.execute(db);
}

/** The user name of a postgres:// URL (the role it logs in as). */
export function roleOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).username);
}
