// GET /api/v1/plans (issue 10, point 8): scoped in SQL, summary columns only, a cursor page at a time. The oracle is the
// rule itself (api/plan-access.ts canSee, planForViewer) applied to every stored plan: each role's pages, walked with a
// small page size, list exactly the plans it may see, newest first, each once, with the counts a summary shows.
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { MAX_PAGE_SIZE } from '../../api/pagination.js';
import { canSee, planForViewer, scopeOf } from '../../api/plan-access.js';
import { migrations } from '../../db/migrations/index.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { confirmPlan, createDraft, getPlan, repealPlan } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import type { Diagnostic } from '../../domain/plan.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { allPages } from '../helpers/pages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { measure, TEST_AGENCIES, testPlan } from '../helpers/plans.js';

let tdb: TestDatabase;
let t: TestApp;
const callers: { label: string; token: string; principal: Principal }[] = [];

const CODES = ['АҚДМ', 'БҒМ', 'ІІМ', 'ҰҚК'];

/** Plan i: its coordinator, executors and recipient rotate over the agencies; some stay drafts, some are repealed. */
async function seedPlans(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const coordinator = CODES[i % 4]!;
    const executor = CODES[(i + 1) % 4]!;
    // Every fifth plan's only measure is received by ПМК's neighbour ҰҚК without it executing there: a recipient-only party.
    const m = measure('1', `Іс-шара ${i}`, [[executor, false]], 'жыл сайын');
    const measures = [
      i % 5 === 0 ? { ...m, recipient: { agency: 'ҰҚК' } } : m,
      measure('2', `Екінші ${i}`, [[CODES[(i + 2) % 4]!, false]], 'жыл сайын'),
    ];
    const diagnostics: Diagnostic[] =
      i % 3 === 0 ? [{ severity: 'warning', code: 'deadline_unparsed', message: 'w', line: 1 }] : [];
    const id = await createDraft(tdb.db, {
      plan: testPlan({
        coordinator,
        measures,
        title: { kk: `Жоспар ${i}`, ru: null },
        approvedBy: { issuer: 'Үкімет', number: `L-${i}`, date: '2024-01-15' },
      }),
      diagnostics,
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: i % 7 === 0 ? 'token:coord-akdm' : 'token:test-admin',
    });
    if (i % 4 === 3) continue; // a draft
    await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'token:test-admin'));
    if (i % 6 === 0)
      await tdb.db.transaction().execute(async (trx) => {
        const s = (await getPlan(trx, id))!;
        await repealPlan(trx, id, s.plan, 'test', 'token:test-admin');
      });
  }
}

async function caller(label: string, role: Principal['role'], agencyCode: string | null, userId: string | null = null) {
  const name = label;
  const { id, secret } = await createApiToken(tdb.db, { name, role, agencyCode, userId });
  callers.push({
    label,
    token: secret,
    principal: { tokenId: id, name, role, agencyCode, userId, username: null, mustChangePassword: false } as Principal,
  });
}

async function walk(token: string, limit: number, status?: string) {
  const page = await allPages<Record<string, unknown>>(
    t.app,
    `/api/v1/plans${status === undefined ? '' : `?status=${status}`}`,
    token,
    limit,
  );
  return { items: page.seen, pages: page.pages };
}

/** What the rule says the caller sees, newest first, with the summary's counts. */
async function expected(p: Principal, status?: string) {
  const scope = await scopeOf(tdb.db, p);
  const rows = await tdb.db
    .selectFrom('plans')
    .select('id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const out: { id: string; measures: number; warnings: number }[] = [];
  for (const { id } of rows) {
    const s = (await getPlan(tdb.db, id))!;
    if (s.status === 'discarded' || !canSee(p, scope, s) || (status !== undefined && s.status !== status)) continue;
    out.push({
      id,
      measures: planForViewer(p, s.plan).measures.length,
      warnings: s.diagnostics.filter((d) => d.severity === 'warning').length,
    });
  }
  return out;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb);
  await seedPlans(40);
  const user = await createUser(tdb.db, {
    username: 'bound.coordinator',
    displayName: 'Bound',
    role: 'coordinator',
    password: 'a-long-enough-passphrase',
  });
  // Bound to two plans its agency (none) does not coordinate.
  const two = await tdb.db.selectFrom('plans').select('id').where('coordinator_code', '=', 'ІІМ').limit(2).execute();
  await tdb.db
    .insertInto('user_plans')
    .values(two.map((r) => ({ user_id: user.id, plan_id: r.id })))
    .execute();
  await caller('test-admin-2', 'admin', null);
  await caller('pm-office', 'pm_office', 'ПМК');
  await caller('coord-akdm', 'coordinator', 'АҚДМ');
  await caller('coord-bound', 'coordinator', null, user.id);
  for (const code of CODES) await caller(`reporter-${code}`, 'reporter', code);
  await caller('reporter-none', 'reporter', 'ПМК');
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

describe('GET /api/v1/plans', () => {
  it("every role's pages (3 rows each) list exactly the plans the rule lets it see, newest first, each once", async () => {
    for (const c of callers) {
      const want = await expected(c.principal);
      const got = await walk(c.token, 3);
      expect(
        got.items.map((i) => i.id),
        c.label,
      ).toEqual(want.map((w) => w.id));
      expect(got.pages, c.label).toBe(Math.max(1, Math.ceil(want.length / 3)));
      expect(
        got.items.map((i) => ({ id: i.id, measures: i.measures, warnings: i.warnings })),
        c.label,
      ).toEqual(want);
    }
    const counts = Object.fromEntries(
      await Promise.all(callers.map(async (c) => [c.label, (await expected(c.principal)).length] as const)),
    );
    // The fixture exercises each rule: drafts only for the admin and their coordinators, a recipient-only agency, none.
    expect(counts['test-admin-2']).toBe(40);
    expect(counts['pm-office']).toBe(30);
    expect(counts['coord-bound']).toBe(2);
    expect(counts['reporter-none']).toBe(0);
    expect(counts['reporter-ҰҚК']).toBeGreaterThan(0);
  });

  it('a reporter never sees a plan it is not part of, on any page, and never a draft', async () => {
    for (const code of CODES) {
      const c = callers.find((x) => x.label === `reporter-${code}`)!;
      const { items } = await walk(c.token, 2);
      for (const item of items) {
        const s = (await getPlan(tdb.db, item.id as string))!;
        expect(s.status).not.toBe('draft');
        const parties = new Set([
          s.plan.coordinator,
          ...s.plan.measures.flatMap((m) => [
            ...m.executors.map((e) => e.code),
            ...(m.recipient !== null && 'agency' in m.recipient ? [m.recipient.agency] : []),
          ]),
        ]);
        expect(parties.has(code), `${code} in ${item.id as string}`).toBe(true);
        expect(item.measures).toBe(planForViewer(c.principal, s.plan).measures.length);
      }
    }
  });

  it('filters by status across pages; summaries carry the act, years and dates without the document', async () => {
    const admin = callers.find((c) => c.label === 'test-admin-2')!;
    const drafts = await walk(admin.token, 4, 'draft');
    expect(drafts.items.map((i) => i.id)).toEqual((await expected(admin.principal, 'draft')).map((w) => w.id));
    expect(drafts.items.every((i) => i.status === 'draft')).toBe(true);
    const first = (await walk(admin.token, 50)).items.at(-1)!;
    expect(first).toMatchObject({
      title: { kk: 'Жоспар 0', ru: null },
      coordinator: 'АҚДМ',
      act: { issuer: 'Үкімет', number: 'L-0', date: '2024-01-15' },
      years: { from: 2017, to: 2020 },
      status: 'repealed',
      errors: 0,
      warnings: 1,
    });
    expect(first).not.toHaveProperty('plan');
    expect(typeof first.confirmedAt).toBe('string');
  });

  it('refuses a page size over the maximum or under 1, and a cursor it did not give, naming the field', async () => {
    const admin = callers.find((c) => c.label === 'test-admin-2')!;
    const get = (qs: string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/plans?${qs}`, headers: bearer(admin.token) });
    for (const qs of [`limit=${MAX_PAGE_SIZE + 1}`, 'limit=0']) {
      const res = await get(qs);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error.message).toMatch(/limit/);
    }
    expect((await get(`limit=${MAX_PAGE_SIZE}`)).statusCode).toBe(200);
    const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
    for (const cursor of [forged, 'bm90LWpzb24']) {
      const res = await get(`cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/query\/cursor/);
    }
    // No limit: the default page, with a cursor to the rest.
    const all = (await get('')).json() as { items: unknown[]; nextCursor: string | null };
    expect(all.items).toHaveLength(40);
    expect(all.nextCursor).toBeNull();
  });
});

describe('migration 2026_12_03_0700_plan_list', () => {
  it('fills the new columns of plans stored before it from their documents and diagnostics', async () => {
    const own = await createTestDatabase();
    try {
      const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => migrations } });
      const names = Object.keys(migrations).sort();
      const previous = names[names.indexOf('2026_12_03_0700_plan_list') - 1]!;
      expect((await migrator.migrateTo(previous)).error).toBeUndefined();
      const plan = testPlan();
      const diagnostics: Diagnostic[] = [
        { severity: 'error', code: 'x', message: 'e' },
        { severity: 'warning', code: 'y', message: 'w' },
        { severity: 'warning', code: 'z', message: 'w' },
      ];
      await sql`INSERT INTO plans (status, document, diagnostics, source_format, created_by)
        VALUES ('draft', ${JSON.stringify(plan)}::jsonb, ${JSON.stringify(diagnostics)}::jsonb, 'yaml', 'old')`.execute(
        own.db,
      );
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const row = await own.db
        .selectFrom('plans')
        .select(['measure_count', 'error_count', 'warning_count', 'act'])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ measure_count: 3, error_count: 1, warning_count: 2, act: plan.approvedBy });
    } finally {
      await own.drop();
    }
  });
});
