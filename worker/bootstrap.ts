// First-start bootstrap: when no admin token exists, create one and hand it over once, in a file only the owner can read.
import { writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { countAdminTokens, createApiToken } from '../db/repositories/tokens.js';

/** Returns the file the new token was written to, or undefined when an admin token already exists. */
export async function ensureAdminToken(db: Kysely<Database>, tokenFile: string): Promise<string | undefined> {
  if ((await countAdminTokens(db)) > 0) return undefined;
  const { secret } = await createApiToken(db, { name: 'bootstrap-admin', role: 'admin' });
  writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
  return tokenFile;
}
