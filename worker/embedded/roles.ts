// Creates the two database roles of least privilege on an embedded cluster: an owner for migrations and an application login that owns nothing.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';

export interface DatabaseRoles {
  /** The owner's URL: migrations (DDL) only. Contains a password: never print it unredacted. */
  readonly ownerUrl: string;
  /** The application's URL: rows only, no DDL, not a superuser. */
  readonly appUrl: string;
}

interface RolePasswords {
  readonly owner: string;
  readonly app: string;
}

/**
 * As the cluster's superuser: makes sure the roles `<database>_owner` and `<database>_app` exist (NOSUPERUSER, NOCREATEDB,
 * NOCREATEROLE), that the database and its public schema, tables, sequences and functions belong to the owner (a data
 * directory from before this split had them owned by the superuser), and that only the owner and the app may connect.
 * Idempotent; the passwords are kept (0600) in `passwordFile`.
 */
export async function ensureLeastPrivilegeRoles(
  superuserUrl: string,
  database: string,
  passwordFile: string,
): Promise<DatabaseRoles> {
  const passwords = loadOrCreatePasswords(passwordFile);
  const owner = `${database}_owner`;
  const app = `${database}_app`;
  const admin = new pg.Client({ connectionString: withDatabase(superuserUrl, 'postgres') });
  await admin.connect();
  try {
    for (const [role, password] of [
      [owner, passwords.owner],
      [app, passwords.app],
    ] as const) {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
      await admin.query(
        `${verb} ROLE ${admin.escapeIdentifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${admin.escapeLiteral(password)}`,
      );
    }
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (db.rowCount === 0)
      await admin.query(
        `CREATE DATABASE ${admin.escapeIdentifier(database)} OWNER ${admin.escapeIdentifier(owner)} ENCODING 'UTF8'`,
      );
    else
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(database)} OWNER TO ${admin.escapeIdentifier(owner)}`);
    await admin.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${admin.escapeIdentifier(database)} FROM PUBLIC`);
    await admin.query(
      `GRANT CONNECT ON DATABASE ${admin.escapeIdentifier(database)} TO ${admin.escapeIdentifier(app)}`,
    );
  } finally {
    await admin.end();
  }
  const inDb = new pg.Client({ connectionString: withDatabase(superuserUrl, database) });
  await inDb.connect();
  try {
    const o = inDb.escapeIdentifier(owner);
    await inDb.query(`ALTER SCHEMA public OWNER TO ${o}`);
    await inDb.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    // Objects made by migrations run as the superuser before the split move to the owner, so it can migrate them further.
    const owned = await inDb.query<{ kind: string; name: string }>(
      `
      SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END AS kind, format('%I', c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> $1
         AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
      UNION ALL
      SELECT 'FUNCTION', format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1`,
      [owner],
    );
    for (const { kind, name } of owned.rows) await inDb.query(`ALTER ${kind} ${name} OWNER TO ${o}`);
  } finally {
    await inDb.end();
  }
  return {
    ownerUrl: withCredentials(superuserUrl, database, owner, passwords.owner),
    appUrl: withCredentials(superuserUrl, database, app, passwords.app),
  };
}

function loadOrCreatePasswords(file: string): RolePasswords {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RolePasswords;
  const passwords: RolePasswords = {
    owner: randomBytes(18).toString('base64url'),
    app: randomBytes(18).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(passwords), { mode: 0o600 });
  return passwords;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function withCredentials(url: string, database: string, user: string, password: string): string {
  const u = new URL(withDatabase(url, database));
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}
