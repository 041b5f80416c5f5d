// `npm run db:migrate`: applies pending migrations as the schema's owner (MIGRATION_DATABASE_URL, else DATABASE_URL) and grants the app role rows.
import { ConfigError, loadConfig, redactUrl } from '../platform/config.js';
import { createDb } from './connect.js';
import { grantApplicationAccess, roleOf } from './grants.js';
import { migrateToLatest } from './migrate.js';
import { seedReferenceData } from './seed.js';

try {
  const config = loadConfig(process.env, 'cli');
  const ownerUrl = config.migrationDatabaseUrl ?? config.databaseUrl;
  if (ownerUrl === undefined)
    throw new ConfigError([
      'DATABASE_URL (or MIGRATION_DATABASE_URL, the owner role): required for "npm run db:migrate"',
    ]);
  const db = createDb(ownerUrl, { max: 1, applicationName: 'merzim-migrate' });
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(
      `${applied.length === 0 ? `${redactUrl(ownerUrl)}: schema is up to date` : `Applied: ${applied.join(', ')}`}\n`,
    );
    const seeded = await seedReferenceData(db);
    if (seeded.calendarEntries > 0)
      process.stdout.write(`Seeded the working-day calendar: ${seeded.calendarEntries} entries\n`);
    if (seeded.agencies > 0) process.stdout.write(`Seeded the agencies directory: ${seeded.agencies} agencies\n`);
    // With both URLs the application logs in as another role: it gets rows, never the schema.
    if (
      config.migrationDatabaseUrl !== undefined &&
      config.databaseUrl !== undefined &&
      roleOf(config.databaseUrl) !== roleOf(ownerUrl)
    ) {
      await grantApplicationAccess(db, roleOf(config.databaseUrl));
      process.stdout.write(
        `Granted the application role "${roleOf(config.databaseUrl)}" rows (no DDL; events append-only)\n`,
      );
    }
  } finally {
    await db.destroy();
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
