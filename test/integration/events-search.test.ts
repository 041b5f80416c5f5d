// The events log searched and exported by an admin: by plan, period, agency, type, actor and time, page by page; every match
// streamed as CSV (formula-neutralised) or JSON Lines, in batches, in id order; admins only.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../../db/repositories/events.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { restoreNeutralised } from '../../domain/spreadsheet-safety.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let t: TestApp;
let coordinator: string;
const BULK = 2_345;

beforeAll(async () => {
  tdb = await createTestDatabase();
  t = await createTestApp(tdb);
  coordinator = (await createApiToken(tdb.db, { name: 'c', role: 'coordinator', agencyCode: 'АҚДМ' })).secret;
  const rows: [string, string, string, string | null, string | null][] = [
    // key, type, actor, workflow id, plan subject
    ['a1', 'report.submitted', 'reporter@БҒМ', 'obligation:plan-a:2026:БҒМ:executors', null],
    ['a2', 'report.accepted', 'coordinator@АҚДМ', 'obligation:plan-a:2026:БҒМ:executors', null],
    ['a3', 'report.submitted', 'reporter@ІІМ', 'obligation:plan-a:2026:ІІМ:executors', null],
    ['a4', 'cycle.opened', 'system', 'cycle:plan-a:2026', null],
    ['a5', 'report.submitted', 'reporter@БҒМ', 'obligation:plan-a:2025:БҒМ:executors', null],
    ['b1', 'report.submitted', '=HYPERLINK("http://x")', 'obligation:plan-b:2026:БҒМ:executors', null],
    ['p1', 'plan.confirmed', 'admin', null, 'plan-a'],
  ];
  for (const [key, type, actor, workflowId, plan] of rows)
    await appendEvent(tdb.db, {
      idempotencyKey: key,
      type,
      actor,
      workflowId,
      ...(plan === null ? {} : { subjectType: 'plan', subjectId: plan }),
      payload: { key, note: 'мерзім, "quoted"' },
    });
  await sql`INSERT INTO events (idempotency_key, type, actor, workflow_id, payload)
    SELECT 'bulk-' || g, 'bulk.event', 'system', 'obligation:plan-c:2026:ОМ:executors', jsonb_build_object('n', g)
    FROM generate_series(1, ${BULK}) g`.execute(tdb.db);
});

afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const keysOf = async (query: string): Promise<string[]> => {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/events?${query}`, headers: bearer(t.adminToken) });
  expect(res.statusCode).toBe(200);
  return res.json().items.map((e: { payload: { key: string } }) => e.payload.key);
};

describe('events search and export', () => {
  it('filters by plan, period, agency, type, actor and time', async () => {
    expect(await keysOf('planId=plan-a')).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'p1']);
    expect(await keysOf('planId=plan-a&period=2026')).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(await keysOf('planId=plan-a&agency=БҒМ')).toEqual(['a1', 'a2', 'a5']);
    expect(await keysOf('type=report.submitted&agency=БҒМ')).toEqual(['a1', 'a5', 'b1']);
    expect(await keysOf(`actor=${encodeURIComponent('reporter@ІІМ')}`)).toEqual(['a3']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await keysOf(`planId=plan-a&from=${encodeURIComponent(future)}`)).toEqual([]);
    expect(await keysOf(`planId=plan-a&to=${encodeURIComponent(future)}`)).toHaveLength(6);
  });

  it('pages in id order', async () => {
    const first = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?planId=plan-a&limit=4',
      headers: bearer(t.adminToken),
    });
    const page = first.json();
    expect(page.items.map((e: { payload: { key: string } }) => e.payload.key)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(page.next).toBe(page.items[3].id);
    expect(await keysOf(`planId=plan-a&limit=4&after=${page.next}`)).toEqual(['a5', 'p1']);
  });

  it('exports every match as JSON Lines, streamed in batches', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/export?format=jsonl&type=bulk.event',
      headers: bearer(t.adminToken),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/jsonl/);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const lines = res.body.trimEnd().split('\n');
    expect(lines).toHaveLength(BULK);
    const ns = lines.map((l) => (JSON.parse(l) as { payload: { n: number } }).payload.n);
    expect(ns).toEqual(Array.from({ length: BULK }, (_, i) => i + 1));
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'bulk.event',
      workflowId: 'obligation:plan-c:2026:ОМ:executors',
    });
  });

  it('exports CSV with formulas neutralised and quotes escaped', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/export?format=csv&agency=БҒМ&type=report.submitted',
      headers: bearer(t.adminToken),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="merzim-events.csv"');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,occurredAt,type,actor,workflowId,runId,subject,payload,seq,hash');
    expect(lines).toHaveLength(4);
    const forged = lines[3]!;
    expect(forged).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(restoreNeutralised(`'=HYPERLINK("http://x")`)).toBe('=HYPERLINK("http://x")');
    expect(lines[1]).toContain('"{""key"":""a1"",""note"":""мерзім, \\""quoted\\""""}"');
  });

  it('is for admins only', async () => {
    for (const url of ['/api/v1/events', '/api/v1/events/export?format=csv'])
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(coordinator) })).statusCode).toBe(403);
  });
});
