// A cycle as it stood at a past instant, rebuilt from the events log alone, against a scripted cycle with known submission
// times: who had reported by 10 January 23:59 Astana time, and a day later; through the API (scoped) and the CLI.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../db/repositories/tokens.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const PLAN = 'plan-pit';
const CYCLE = `cycle:${PLAN}:2026`;
const ob = (agency: string) => `obligation:${PLAN}:2026:${agency}:executors`;
let tdb: TestDatabase;
let t: TestApp;

/** The script: [when (Astana, +05:00), obligation, type, actor, payload]. */
const SCRIPT: [string, string, string, string, object][] = [
  ['2026-12-01T00:00:05', ob('БҒМ'), 'obligation.opened', 'system', {}],
  ['2026-12-01T00:00:05', ob('ІІМ'), 'obligation.opened', 'system', {}],
  ['2026-12-01T00:00:05', ob('МСМ'), 'obligation.opened', 'system', {}],
  ['2027-01-03T09:00:00', ob('ІІМ'), 'reminder.sent', 'system', {}],
  ['2027-01-10T16:30:00', ob('БҒМ'), 'report.submitted', 'reporter@БҒМ', { late: false }],
  ['2027-01-11T00:00:00', ob('ІІМ'), 'obligation.overdue', 'system', {}],
  ['2027-01-11T00:00:00', ob('МСМ'), 'obligation.overdue', 'system', {}],
  ['2027-01-11T09:15:00', ob('ІІМ'), 'report.submitted', 'reporter@ІІМ', { late: true }],
  ['2027-01-11T10:00:00', ob('БҒМ'), 'report.accepted', 'coordinator@АҚДМ', {}],
];

beforeAll(async () => {
  tdb = await createTestDatabase();
  t = await createTestApp(tdb);
  for (const [i, [at, workflowId, type, actor, payload]] of SCRIPT.entries())
    await sql`INSERT INTO events (occurred_at, idempotency_key, type, actor, workflow_id, subject_type, subject_id, payload)
      VALUES (${`${at}+05:00`}::timestamptz, ${`pit-${i}`}, ${type}, ${actor}, ${workflowId}, 'obligation', ${workflowId},
              ${JSON.stringify(payload)}::jsonb)`.execute(tdb.db);
});

afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const asOf = (at: string, token = t.adminToken) =>
  t.app.inject({
    method: 'GET',
    url: `/api/v1/history/cycles/${encodeURIComponent(CYCLE)}/as-of?at=${encodeURIComponent(at)}`,
    headers: bearer(token),
  });

describe('a cycle at a point in time', () => {
  it('who had reported by 10 January 23:59, Astana time', async () => {
    const res = await asOf('2027-01-10T23:59:59+05:00');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.at).toBe('2027-01-10T18:59:59.000Z');
    expect(s.reported).toEqual([ob('БҒМ')]);
    expect(s.counts).toEqual({ submitted: 1, pending: 2 });
    expect(s.obligations.find((o: { agencyCode: string }) => o.agencyCode === 'БҒМ')).toMatchObject({
      status: 'submitted',
      submittedAt: '2027-01-10T11:30:00.000Z',
      submittedBy: 'reporter@БҒМ',
      late: false,
    });
    expect(s.obligations.find((o: { agencyCode: string }) => o.agencyCode === 'ІІМ')).toMatchObject({
      status: 'pending',
      remindersSent: 1,
    });
  });

  it('a day later: one accepted, one in late, one overdue; before the cycle: nothing', async () => {
    const s = (await asOf('2027-01-11T12:00:00+05:00')).json();
    expect(s.reported).toEqual([ob('БҒМ'), ob('ІІМ')]);
    expect(s.counts).toEqual({ accepted: 1, submitted: 1, overdue: 1 });
    expect(
      s.obligations.map((o: { agencyCode: string; status: string; late: boolean | null }) => [
        o.agencyCode,
        o.status,
        o.late,
      ]),
    ).toEqual([
      ['БҒМ', 'accepted', false],
      ['ІІМ', 'submitted', true],
      ['МСМ', 'overdue', null],
    ]);
    expect((await asOf('2026-11-30T00:00:00+05:00')).json()).toMatchObject({ obligations: [], reported: [] });
  });

  it('is scoped: a reporter may not, a coordinator who does not see the cycle finds none', async () => {
    const reporter = (await createApiToken(tdb.db, { name: 'r', role: 'reporter', agencyCode: 'БҒМ' })).secret;
    const coordinator = (await createApiToken(tdb.db, { name: 'c', role: 'coordinator', agencyCode: 'АҚДМ' })).secret;
    expect((await asOf('2027-01-11T12:00:00+05:00', reporter)).statusCode).toBe(403);
    expect((await asOf('2027-01-11T12:00:00+05:00', coordinator)).statusCode).toBe(404);
  });

  it('answers the same from the command line', async () => {
    const { stdout } = await run(
      `${root}/node_modules/.bin/tsx`,
      ['api/cli/index.ts', 'events', 'as-of', '--cycle', CYCLE, '--at', '2027-01-10T23:59:59+05:00', '--json'],
      { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: tdb.url } },
    );
    expect((JSON.parse(stdout) as { reported: string[] }).reported).toEqual([ob('БҒМ')]);
  });
});
