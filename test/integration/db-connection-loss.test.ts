// A connection lost while a transaction holds it between statements — a report's submission keeps its transaction open while
// the obligation's `submit` Update runs — fails that transaction and nothing else: the process survives and the pool goes on.
// Before db/connect.ts listened to checked-out clients, the lost connection's 'error' event ended the API process (the
// production-stack test saw its API gone when PostgreSQL stopped under a submission still waiting for its Update).
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/mail.js';

let tdb: TestDatabase;
const uncaught: Error[] = [];
const onUncaught = (err: Error): void => void uncaught.push(err);

beforeAll(async () => {
  tdb = await createTestDatabase();
  process.on('uncaughtException', onUncaught);
});

afterEach(() => {
  uncaught.length = 0;
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await tdb?.drop();
});

describe('a connection lost under an open transaction', () => {
  it('fails the transaction, not the process; the next query gets a new connection', async () => {
    let backend: number | undefined;
    let resume!: () => void;
    const waiting = new Promise<void>((r) => (resume = r));
    const transaction = tdb.db.transaction().execute(async (trx) => {
      backend = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]!.pid;
      // Waits for something outside the database, as the submission waits for its Update.
      await waiting;
      await sql`SELECT 1`.execute(trx);
    });
    const settled = transaction.then(
      () => 'committed',
      (err: Error) => err.message,
    );
    await waitFor(async () => backend, 10_000, 'the transaction to hold its connection');

    // PostgreSQL ends that backend (as a fast shutdown or a restart does): the client is told while no query runs on it.
    try {
      const ended = await sql<{ ok: boolean }>`SELECT pg_terminate_backend(${backend!}) AS ok`.execute(tdb.db);
      expect(ended.rows[0]!.ok).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      expect(uncaught.map((e) => e.message)).toEqual([]);
    } finally {
      resume();
    }
    expect(await settled).toMatch(/not queryable|terminat|Connection terminated/i);
    expect(uncaught.map((e) => e.message)).toEqual([]);
    // The broken client was dropped, not handed out again.
    for (let i = 0; i < 3; i++)
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(tdb.db)).rows).toEqual([{ one: 1 }]);
  });
});
