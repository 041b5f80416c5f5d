// Least privilege: what the application role may do in a schema it does not own — rows only; the audit log append-only.
import { sql, type Kysely } from 'kysely';

/** Tables the application never touches (the migrator's own). */
const MIGRATOR_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const;

/** Tables the application may only read and append to: the audit log, the submitted report and summary versions, cycles' measure texts and carried state. */
const APPEND_ONLY_TABLES = ['events', 'report_versions', 'summary_versions', 'cycle_texts', 'cycle_carries'] as const;

/**
 * Grants `role` (the application's login, which owns nothing) reading and writing rows of every table, nothing on the
 * migrator's tables, and only SELECT and INSERT on `events` and `report_versions`: the append-only trigger is then not the only guard, and a
 * role that owns nothing cannot drop or disable it. Run by the owner after each migration; idempotent.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- runs beside the migrator, on any schema version (as migrate.ts does)
export async function grantApplicationAccess(db: Kysely<any>, role: string): Promise<void> {
  const r = sql.id(role);
  await sql`GRANT USAGE ON SCHEMA public TO ${r}`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`.execute(db);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`.execute(db);
  for (const table of APPEND_ONLY_TABLES) {
    // A schema version before the table existed has nothing to revoke.
    const exists = await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(db);
    if (exists.rows[0]?.t != null)
      await sql`REVOKE UPDATE, DELETE, TRUNCATE ON ${sql.table(table)} FROM ${r}`.execute(db);
  }
  for (const table of MIGRATOR_TABLES) await sql`REVOKE ALL ON ${sql.table(table)} FROM ${r}`.execute(db);
}

/** The user name of a postgres:// URL (the role it logs in as). */
export function roleOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).username);
}
