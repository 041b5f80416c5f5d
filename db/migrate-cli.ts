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
    console.log(applied.length === 0 ? `${redactUrl(config.databaseUrl)}: schema is up to date` : `Applied: ${applied.join(', ')}`);
    const seeded = await seedReferenceData(db);
    if (seeded.calendarEntries > 0) console.log(`Seeded the working-day calendar: ${seeded.calendarEntries} entries`);
    if (seeded.agencies > 0) console.log(`Seeded the agencies directory: ${seeded.agencies} agencies`);
  } finally {
    await db.destroy();
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
