// The events log is append-only in fact: the application role cannot rewrite it, every row is chained by SHA-256 to the previous
// row of its stream (rows from before the chain included), concurrent appends never fork a chain, and a row a superuser altered
// behind the triggers' back is named by `merzim events verify`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { grantApplicationAccess, roleOf } from '../../db/grants.js';
import { migrateToLatest } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { appendEvent } from '../../db/repositories/events.js';
import { verifyEventChains, type ChainReport } from '../../db/repositories/event-chain.js';
import { ensureLeastPrivilegeRoles, type DatabaseRoles } from '../../worker/embedded/roles.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const name = `chain_${randomBytes(5).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'merzim-chain-'));
let roles: DatabaseRoles;
let app: Kysely<Database>;

async function asSuperuser<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function verifyCli(): Promise<{ code: number; report: ChainReport }> {
  try {
    const { stdout } = await run(`${root}/node_modules/.bin/tsx`, ['api/cli/index.ts', 'events', 'verify', '--json'], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: roles.appUrl },
    });
    return { code: 0, report: JSON.parse(stdout) as ChainReport };
  } catch (err) {
    const e = err as { stdout: string; code: number };
    return { code: e.code, report: JSON.parse(e.stdout) as ChainReport };
  }
}

const idOf = async (key: string): Promise<string> =>
  (await app.selectFrom('events').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  await asSuperuser('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
  roles = await ensureLeastPrivilegeRoles(inject('pgAdminUrl'), name, join(dir, 'roles.json'));
  const owner = createDb(roles.ownerUrl, { max: 1 });
  // The schema as it was before the chain, with events in it already.
  const before = new Migrator({ db: owner, provider: { getMigrations: async () => migrations } });
  expect((await before.migrateTo('2026_12_01_0101_agency_feeds')).error).toBeUndefined();
  for (const [i, wf] of ['wf-old-a', 'wf-old-b', 'wf-old-a', null].entries())
    await sql`INSERT INTO events (idempotency_key, type, actor, workflow_id, subject_type, subject_id, payload)
      VALUES (${`old-${i}`}, 'test.old', 'system', ${wf}, ${wf === null ? 'plan' : null}, ${wf === null ? 'p1' : null},
              ${JSON.stringify({ n: i, text: 'мерзім' })})`.execute(owner);
  await migrateToLatest(owner);
  await grantApplicationAccess(owner, roleOf(roles.appUrl));
  await owner.destroy();
  app = createDb(roles.appUrl, { max: 8 });
});

afterAll(async () => {
  await app?.destroy();
  await asSuperuser('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${name}_app`);
    await c.query(`DROP ROLE IF EXISTS ${name}_owner`);
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('the hash-chained events log', () => {
  it('chains the rows that were there before the migration, per stream in id order', async () => {
    const rows = await app
      .selectFrom('events')
      .select(['idempotency_key', 'stream', 'stream_seq', 'prev_hash', 'hash'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.idempotency_key, r.stream, r.stream_seq])).toEqual([
      ['old-0', 'wf-old-a', '1'],
      ['old-1', 'wf-old-b', '1'],
      ['old-2', 'wf-old-a', '2'],
      ['old-3', 'plan:p1', '1'],
    ]);
    expect(rows[2]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[0]!.prev_hash).toBe('');
    expect(await verifyEventChains(app)).toEqual({ streams: 3, rows: 4, ok: true, broken: [] });
  });

  it('never forks a chain under concurrent appends, and ignores hashes a writer supplies', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appendEvent(app, {
          idempotencyKey: `c-${i}`,
          type: 'test.concurrent',
          actor: `reporter-${i % 3}`,
          workflowId: 'wf-busy',
          runId: 'run-1',
          payload: { i },
        }),
      ),
    );
    await sql`INSERT INTO events (idempotency_key, type, actor, workflow_id, stream, stream_seq, prev_hash, hash)
      VALUES ('forger', 'test.forged', 'x', 'wf-busy', 'wf-old-a', 1, '', 'not-a-hash')`.execute(app);
    const busy = await app
      .selectFrom('events')
      .select(['stream_seq', 'hash', 'idempotency_key'])
      .where('stream', '=', 'wf-busy')
      .orderBy('stream_seq')
      .execute();
    expect(busy.map((r) => Number(r.stream_seq))).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(busy.at(-1)).toMatchObject({ idempotency_key: 'forger' });
    expect(busy.at(-1)!.hash).toMatch(/^[0-9a-f]{64}$/);
    const report = await verifyEventChains(app, 7);
    expect(report).toEqual({ streams: 4, rows: 45, ok: true, broken: [] });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of events to the application role', async () => {
    for (const statement of [
      sql`UPDATE events SET payload = '{"forged": true}'::jsonb WHERE idempotency_key = 'c-3'`,
      sql`UPDATE events SET hash = 'x'`,
      sql`DELETE FROM events WHERE idempotency_key = 'c-3'`,
      sql`TRUNCATE events`,
      sql`ALTER TABLE events DISABLE TRIGGER events_chain`,
    ])
      await expect(statement.execute(app), statement.compile(app).sql).rejects.toThrow(
        /permission denied|must be owner/,
      );
    expect((await verifyCli()).code).toBe(0);
  });

  it('names a row a superuser altered behind the triggers, and the row after one it altered and re-hashed', async () => {
    const altered = await idOf('c-17');
    await asSuperuser(name, async (c) => {
      await c.query('SET session_replication_role = replica');
      await c.query(`UPDATE events SET actor = 'someone-else' WHERE id = $1`, [altered]);
    });
    const first = await verifyCli();
    expect(first.code).toBe(1);
    expect(first.report.broken).toEqual([
      { stream: 'wf-busy', id: altered, seq: expect.any(String), reason: 'content', previousId: null },
    ]);

    // A careful forger recomputes the altered row's hash with the database's own function: the next row no longer follows it.
    await asSuperuser(name, async (c) => {
      await c.query('SET session_replication_role = replica');
      await c.query(
        `UPDATE events e SET hash = encode(sha256(convert_to(e.prev_hash || E'\\n' || merzim_event_content(e), 'UTF8')), 'hex') WHERE id = $1`,
        [altered],
      );
    });
    const second = await verifyCli();
    expect(second.code).toBe(1);
    const next = (
      await app
        .selectFrom('events')
        .select('id')
        .where('stream', '=', 'wf-busy')
        .where('stream_seq', '=', String(Number(second.report.broken[0]!.seq)))
        .executeTakeFirstOrThrow()
    ).id;
    expect(second.report.broken).toEqual([
      { stream: 'wf-busy', id: next, seq: expect.any(String), reason: 'link', previousId: altered },
    ]);

    // And a row removed leaves a gap.
    const removed = await idOf('old-0');
    await asSuperuser(name, async (c) => {
      await c.query('SET session_replication_role = replica');
      await c.query('DELETE FROM events WHERE id = $1', [removed]);
    });
    const third = await verifyCli();
    expect(third.report.broken.map((b) => [b.stream, b.reason])).toEqual([
      ['wf-busy', 'link'],
      ['wf-old-a', 'sequence'],
    ]);
  });
});
