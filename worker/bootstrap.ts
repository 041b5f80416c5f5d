// First-start bootstrap: an admin user with a one-time password and an admin API token, each handed over once in a file only
// the owner can read (never printed: a terminal's scrollback and a supervisor's captured log are not secret).
import { writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { countAdminTokens, createApiToken } from '../db/repositories/tokens.js';
import { countUsers, createUser, generatePassword } from '../db/repositories/users.js';

export interface BootstrapResult {
  /** Set when a token was created now. */
  readonly tokenFile?: string;
  /** Set when the admin user was created now: its one-time password is in `passwordFile` (0600), to be changed at first login. */
  readonly admin?: { readonly username: string; readonly passwordFile: string };
}

export async function bootstrapAdmin(
  db: Kysely<Database>,
  tokenFile: string,
  passwordFile: string,
): Promise<BootstrapResult> {
  let admin: BootstrapResult['admin'];
  if ((await countUsers(db, 'admin')) === 0) {
    const oneTimePassword = generatePassword();
    await createUser(db, {
      username: 'admin',
      displayName: 'Administrator',
      role: 'admin',
      password: oneTimePassword,
      mustChangePassword: true,
    });
    writeFileSync(passwordFile, `admin\t${oneTimePassword}\n`, { mode: 0o600 });
    admin = { username: 'admin', passwordFile };
  }
  let createdTokenFile: string | undefined;
  if ((await countAdminTokens(db)) === 0) {
    const { secret } = await createApiToken(db, { name: 'bootstrap-admin', role: 'admin' });
    writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
    createdTokenFile = tokenFile;
  }
  return {
    ...(createdTokenFile === undefined ? {} : { tokenFile: createdTokenFile }),
    ...(admin === undefined ? {} : { admin }),
  };
}
