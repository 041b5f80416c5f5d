// Failed sign-ins of the current window, counted per username, per username and address, and per address; shared by every
// API process through PostgreSQL, so neither a second process nor a restart resets a lockout.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface FailureCounts {
  /** By this username from this address. */
  readonly userAddress: number;
  /** By this username from any address. */
  readonly user: number;
  /** From this address, any username. */
  readonly address: number;
  /** The oldest failure of each count: a lockout ends (at the latest) when it leaves the window. */
  readonly oldestUserAddress: Date | null;
  readonly oldestUser: Date | null;
  readonly oldestAddress: Date | null;
}

/** Records one attempt as a failure (before the password is checked, so concurrent guesses count each other); its id. */
export async function recordSignInAttempt(db: Kysely<Database>, username: string, address: string): Promise<string> {
  const row = await db
    .insertInto('sign_in_failures')
    .values({ username, address })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteSignInAttempt(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('id', '=', id).execute();
}

/** A successful sign-in forgets this username's failures from this address. */
export async function clearSignInFailures(db: Kysely<Database>, username: string, address: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('username', '=', username).where('address', '=', address).execute();
}

/**
 * The failures of the last `windowMs` recorded before attempt `beforeId`: concurrent attempts are ordered by their ids, so
 * of a burst exactly the first ones under a limit are let through, whatever order their counts run in.
 */
export async function countSignInFailures(
  db: Kysely<Database>,
  username: string,
  address: string,
  windowMs: number,
  beforeId: string,
): Promise<FailureCounts> {
  const since = sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`;
  const row = await db
    .selectFrom('sign_in_failures')
    .select([
      sql<string>`count(*) FILTER (WHERE username = ${username} AND address = ${address})`.as('ua'),
      sql<string>`count(*) FILTER (WHERE username = ${username})`.as('u'),
      sql<string>`count(*) FILTER (WHERE address = ${address})`.as('a'),
      sql<Date | null>`min(at) FILTER (WHERE username = ${username} AND address = ${address})`.as('oua'),
      sql<Date | null>`min(at) FILTER (WHERE username = ${username})`.as('ou'),
      sql<Date | null>`min(at) FILTER (WHERE address = ${address})`.as('oa'),
    ])
    .where('at', '>', since)
    .where('id', '<', beforeId)
    .where((eb) => eb.or([eb('username', '=', username), eb('address', '=', address)]))
    .executeTakeFirstOrThrow();
  return {
    userAddress: Number(row.ua),
    user: Number(row.u),
    address: Number(row.a),
    oldestUserAddress: row.oua,
    oldestUser: row.ou,
    oldestAddress: row.oa,
  };
}

/** Forgets failures older than the window (called now and then; the counts never look past the window anyway). */
export async function pruneSignInFailures(db: Kysely<Database>, windowMs: number): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('at', '<', sql<Date>`now() - make_interval(secs => ${windowMs / 1000})`)
    .execute();
}
