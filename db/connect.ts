// Opens the kysely/pg connection pool from a database URL; whoever calls it owns the pool and destroys it.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { PREPARED, preparedName } from './prepared.js';

// A DATE is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a Date at the server's local midnight.
const DATE_OID = 1082;
pg.types.setTypeParser(DATE_OID, (value: string) => value);

/** pg's client, preparing the statements marked PREPARED (db/prepared.ts): kysely sends text and parameters, never a name. */
class PreparingClient extends pg.Client {
  // Typed `never` to stand for each of pg's overloads: it answers every form of call as pg's own query does.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && text.startsWith(PREPARED) && (values === undefined || Array.isArray(values)))
      return super.query({
        name: preparedName(text),
        text,
        ...(values === undefined ? {} : { values }),
      }) as never;
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

// bigint ids (bigserial) come back as strings; counts are converted where they are read.
export function createDb(databaseUrl: string, opts: { max?: number; applicationName?: string } = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'merzim',
    connectionTimeoutMillis: 10_000,
    Client: PreparingClient,
  });
  // A dropped idle connection (PostgreSQL restarted) must not crash the process; the pool reconnects on next use.
  pool.on('error', () => undefined);
  // The pool listens only to its idle clients: a connection lost while checked out and between queries (a transaction waiting
  // for a Temporal Update, as a report's submission does) emitted an 'error' nobody heard, which ended the whole process.
  // Now the transaction's next statement fails, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
