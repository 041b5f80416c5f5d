// `npm run db:migrate`: applies pending migrations to DATABASE_URL (production; npm start migrates by itself).
import { ConfigError, loadConfig, redactUrl } from '../platform/config.js';
import { createDb } from './connect.js';
import { migrateToLatest } from './migrate.js';
import { seedReferenceData } from './seed.js';

try {
  const config = loadConfig(process.env, 'cli');
  if (config.databaseUrl === undefined) throw new ConfigError(['DATABASE_URL: required for "npm run db:migrate"']);
  const db = createDb(config.databaseUrl, { max: 1, applicationName: 'merzim-migrate' });
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(`${applied.length === 0 ? `${redactUrl(config.databaseUrl)}: schema is up to date` : `Applied: ${applied.join(', ')}`}\n`);
    const seeded = await seedReferenceData(db);
    if (seeded.calendarEntries > 0) process.stdout.write(`Seeded the working-day calendar: ${seeded.calendarEntries} entries\n`);
    if (seeded.agencies > 0) process.stdout.write(`Seeded the agencies directory: ${seeded.agencies} agencies\n`);
  } finally {
    await db.destroy();
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
