// Lists are paginated by cursor with a maximum page size (issue 10, point 8): every row once, in order, across pages; a page
// past the maximum or a cursor the API never gave is a 400 naming the field; a reporter's pages hold its own agency only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import { allPages } from '../helpers/pages.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES } from '../helpers/plans.js';

let tdb: TestDatabase;
let t: TestApp;
const base = Date.UTC(2031, 0, 10, 4);
const PLAN = randomUUID();
const [A, B] = [TEST_AGENCIES[0]!.code, TEST_AGENCIES[1]!.code];

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb);
  // 250 obligations of agency A and 20 of B; several share a due time, so the cursor's tie-break matters.
  const rows = Array.from({ length: 270 }, (_, i) => ({
    workflow_id: `obligation:${PLAN}:2031:${i < 250 ? A : B}:s${String(i).padStart(3, '0')}`,
    run_id: 'r',
    revision: 1,
    cycle_workflow_id: `cycle:${PLAN}:2031`,
    plan_id: PLAN,
    period: '2031',
    stage_id: `s${i}`,
    agency_code: i < 250 ? A : B,
    status: i % 3 === 0 ? ('overdue' as const) : ('pending' as const),
    due_date: '2031-01-10',
    due_at: new Date(base + Math.floor(i / 4) * 3600_000),
    opened_at: new Date(base - 86400_000),
  }));
  await tdb.db.insertInto('obligations').values(rows).execute();
  for (let i = 0; i < 7; i++)
    await createUser(tdb.db, {
      username: `page.user${i}`,
      displayName: `User ${i}`,
      role: 'pm_office',
      password: 'correct-horse-battery',
    });
  for (let i = 0; i < 5; i++) await createApiToken(tdb.db, { name: `page-token-${i}`, role: 'admin' });
  // 9 cycles: the obligations' one, and 8 more of another plan where nobody owes anything yet.
  const OTHER = randomUUID();
  await tdb.db
    .insertInto('cycles')
    .values(
      [`cycle:${PLAN}:2031`, ...Array.from({ length: 8 }, (_, i) => `cycle:${OTHER}:${2031 + i}`)].map((id) => ({
        workflow_id: id,
        run_id: 'r',
        revision: 1,
        plan_id: id.split(':')[1]!,
        period: id.split(':')[2]!,
        policy_id: 'annual',
        status: 'open' as const,
        spec: JSON.stringify({}),
        opened_at: new Date(base - 86400_000),
      })),
    )
    .execute();
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const all = (url: string, token: string, limit: number) => allPages(t.app, url, token, limit);

describe('cursor pages', () => {
  it('GET /api/v1/obligations: every obligation once, in due order, with the counts of all of them', async () => {
    const { seen, pages } = await all('/api/v1/obligations', t.adminToken, 100);
    expect(pages).toBe(3);
    expect(seen.length).toBe(270);
    expect(new Set(seen.map((o) => o.id)).size).toBe(270);
    const dues = seen.map((o) => (o as unknown as { dueAt: string }).dueAt);
    expect([...dues].sort()).toEqual(dues);
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/obligations', headers: bearer(t.adminToken) });
    expect(first.json().items.length).toBe(100);
    expect(first.json().counts).toEqual({ overdue: 90, pending: 180 });
    // Filters and pages combine.
    const overdue = await all('/api/v1/obligations?status=overdue', t.adminToken, 40);
    expect(overdue.seen.length).toBe(90);
  });

  it("a reporter's pages hold its own agency only", async () => {
    const reporter = (await createApiToken(tdb.db, { name: 'rep', role: 'reporter', agencyCode: B })).secret;
    const { seen } = await all('/api/v1/obligations', reporter, 7);
    expect(seen.length).toBe(20);
    expect(seen.every((o) => (o as unknown as { agencyCode: string }).agencyCode === B)).toBe(true);
  });

  it("cycles page by plan and period; a reporter's hold only cycles where its agency owes something", async () => {
    const cycles = await all('/api/v1/cycles', t.adminToken, 4);
    expect(cycles.seen.length).toBe(9);
    expect(cycles.pages).toBe(3);
    expect(new Set(cycles.seen.map((c) => c.id)).size).toBe(9);
    const reporter = (await createApiToken(tdb.db, { name: 'rep2', role: 'reporter', agencyCode: B })).secret;
    const own = await all('/api/v1/cycles', reporter, 1);
    expect(own.seen.map((c) => c.id)).toEqual([`cycle:${PLAN}:2031`]);
  });

  it('users and API tokens page too', async () => {
    const users = await all('/api/v1/users', t.adminToken, 3);
    expect(users.seen.length).toBe(7);
    expect(users.pages).toBe(3);
    const tokens = await all('/api/v1/tokens', t.adminToken, 2);
    expect(tokens.seen.length).toBe(8); // test-admin, the five, and the two reporters'
    expect(new Set(tokens.seen.map((x) => x.id)).size).toBe(8);
  });

  it('a page over the maximum, a zero page, or a cursor the API never gave is a 400 naming the field', async () => {
    for (const [url, field] of [
      ['/api/v1/obligations?limit=501', 'querystring/limit'],
      ['/api/v1/obligations?limit=0', 'querystring/limit'],
      ['/api/v1/obligations?limit=1e400', 'limit'],
      ['/api/v1/obligations?cursor=not*a*cursor', 'querystring/cursor'],
      ['/api/v1/obligations?cursor=WyJ4Il0', 'query/cursor'],
      [`/api/v1/obligations?cursor=${Buffer.from('["nope","x"]').toString('base64url')}`, 'query/cursor'],
      ['/api/v1/users?cursor=e30', 'query/cursor'],
      ['/api/v1/cycles?limit=9999', 'querystring/limit'],
      ['/api/v1/tokens?cursor=WyJ4Il0', 'query/cursor'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.adminToken) });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toContain(field);
    }
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
