// How CLI commands reach PostgreSQL: DATABASE_URL, or the embedded cluster of a running `npm start` in this project.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { loadConfig } from '../../platform/config.js';

export class NoDatabase extends Error {
  override readonly name = 'NoDatabase';
}

/** Opens a pool for one command; the caller destroys it. */
export async function openCliDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Kysely<Database>> {
  const config = loadConfig(env, 'cli');
  let url = config.databaseUrl;
  if (url === undefined) {
    const credentialsFile = resolve(config.dataDir, 'postgres.credentials.json');
    if (!existsSync(credentialsFile) || !existsSync(join(resolve(config.dataDir), 'merzim.pid'))) {
      throw new NoDatabase(
        'No database: set DATABASE_URL, or start Merzim on its embedded defaults (npm start) in this directory first.',
      );
    }
    // The CLI works on rows like the app: it logs in as the application role (no DDL) where the stack made one.
    const rolesFile = resolve(config.dataDir, 'postgres.roles.json');
    const { user, password } = existsSync(rolesFile)
      ? { user: 'merzim_app', password: (JSON.parse(readFileSync(rolesFile, 'utf8')) as { app: string }).app }
      : (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { user: string; password: string });
    url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${config.embedded.postgresPort}/merzim`;
  }
  const db = createDb(url, { max: 2, applicationName: 'merzim-cli' });
  try {
    await db.selectFrom('events').select('id').limit(1).execute();
  } catch (err) {
    await db.destroy();
    throw new NoDatabase(`Cannot reach the database: ${(err as Error).message.split('\n')[0]}`);
  }
  return db;
}
