// Brings the schema to the latest migration with kysely's Migrator; a failure names the migration and stops.
import type { Kysely } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { migrations } from './migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => migrations };

export class MigrationFailed extends Error {
  constructor(migration: string, cause: unknown) {
    super(`Database migration "${migration}" failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'MigrationFailed';
  }
}

/** Returns the names of the migrations applied now (empty when already up to date). */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined)
    throw new MigrationFailed(failed?.migrationName ?? '(migrator)', error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
