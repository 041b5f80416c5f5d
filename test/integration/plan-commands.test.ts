// Issue 10 items 2–3 and issue 9 point 4 on the real PostgreSQL and Temporal: import form fields obey the query schema, a plan
// is confirmed only with its schedule, a state change and its audit event are written together or not at all, a bad plan row
// never keeps the API from starting, and an XLSX bomb is refused with 413 while the service stays healthy.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCycleEngine } from '../../api/cycle-engine.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { freePort } from '../../worker/embedded/ports.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';
import { repeatedPart, xlsxParts, zip } from '../helpers/zip.js';

// Past years: confirming creates the schedule but opens no cycle now, so no worker is needed.
const YEARS = { from: 2019, to: 2020 };
const taskQueue = `plan-commands-${randomUUID()}`;
let tdb: TestDatabase;
let t: TestApp;
let client: Client;
let coordinator: string;
const planIds: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb, taskQueue);
  client = t.client;
  coordinator = (await createApiToken(tdb.db, { name: 'akdm', role: 'coordinator', agencyCode: 'АҚДМ' })).secret;
  // Forces the audit event of a chosen type (or a chosen commit) to fail: a real PostgreSQL error between the two writes.
  await sql`CREATE TABLE test_fail (what text PRIMARY KEY)`.execute(tdb.db);
  await sql`CREATE FUNCTION test_fail_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF EXISTS (SELECT 1 FROM test_fail WHERE what = NEW.type) THEN RAISE EXCEPTION 'forced failure of %', NEW.type; END IF; RETURN NEW; END $$`.execute(
    tdb.db,
  );
  await sql`CREATE TRIGGER test_fail_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_fail_event()`.execute(
    tdb.db,
  );
  await sql`CREATE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF EXISTS (SELECT 1 FROM test_fail WHERE what = 'commit') THEN RAISE EXCEPTION 'forced failure at commit'; END IF; RETURN NULL; END $$`.execute(
    tdb.db,
  );
  await sql`CREATE CONSTRAINT TRIGGER test_fail_commit AFTER UPDATE ON plans DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_commit()`.execute(
    tdb.db,
  );
});

afterAll(async () => {
  for (const id of planIds)
    await client?.schedule
      .getHandle(planScheduleId(id))
      .delete()
      .catch(() => undefined);
  await t?.close();
  await tdb?.drop();
});

const failNext = async (...what: string[]) => {
  await tdb.db.deleteFrom('test_fail' as never).execute();
  if (what.length > 0) await sql`INSERT INTO test_fail (what) SELECT unnest(${what}::text[])`.execute(tdb.db);
};

async function draft(years: { from: number; to: number } = YEARS, number = randomUUID().slice(0, 8)): Promise<string> {
  const id = await createDraft(tdb.db, {
    plan: testPlan({ years, approvedBy: { issuer: 'Үкімет', number, date: `${years.from}-01-01` } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  planIds.push(id);
  return id;
}

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(coordinator), ...(payload === undefined ? {} : { payload }) });

async function scheduleExists(id: string): Promise<boolean> {
  return client.schedule
    .getHandle(planScheduleId(id))
    .describe()
    .then(
      () => true,
      () => false,
    );
}

async function stateOf(id: string) {
  const plan = await tdb.db
    .selectFrom('plans')
    .select(['status', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const versions = await tdb.db.selectFrom('plan_versions').select('version').where('plan_id', '=', id).execute();
  const events = await tdb.db.selectFrom('events').select('type').where('subject_id', '=', id).execute();
  return {
    status: plan.status,
    version: plan.version,
    versions: versions.length,
    events: events.map((e) => e.type).filter((e) => e !== 'plan.imported'),
  };
}

/** A multipart form with a small CSV file and the given fields. */
function form(fields: Record<string, string>) {
  const boundary = `----merzim${randomUUID()}`;
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  parts.push(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="plan.csv"\r\ncontent-type: text/csv\r\n\r\n№;Іс-шара;Орындаушы;Мерзім\r\n1;Курс;БҒМ;жыл сайын\r\n--${boundary}--\r\n`,
  );
  return {
    payload: Buffer.from(parts.join('')),
    headers: { ...bearer(coordinator), 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('import form fields', () => {
  it.each([
    ['yearsFrom', '-3', 'form field yearsFrom: must be >= 2000'],
    ['yearsTo', '99999', 'form field yearsTo: must be <= 2100'],
    ['dryRun', 'perhaps', 'form field dryRun: must be boolean'],
    ['sneaky', 'x', 'form field sneaky: is not a field of the import'],
  ])('%s=%s is refused with 400 naming the field, and nothing is stored', async (field, value, message) => {
    const before = await tdb.db.selectFrom('plans').select('id').execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import',
      ...form({ yearsFrom: '2019', yearsTo: '2020', [field]: value }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(message);
    expect(await tdb.db.selectFrom('plans').select('id').execute()).toHaveLength(before.length);
  });

  it('the same values as query parameters are refused the same way', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import?yearsFrom=-3',
      headers: { ...bearer(coordinator), 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('yearsFrom');
  });

  it('valid form fields still work (a dry run over the form)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import',
      ...form({ yearsFrom: '2019', yearsTo: '2020', dryRun: 'true', ignore: 'X\nY' }),
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('confirming is all or nothing', () => {
  it('a plan whose schedule cannot be made stays a draft: 422, no version, no event, no schedule', async () => {
    const id = await draft({ from: 2019, to: 99999 });
    const res = await post(`/api/v1/plans/${id}/confirm`);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('unschedulable');
    expect(await stateOf(id)).toEqual({ status: 'draft', version: 1, versions: 0, events: [] });
    expect(await scheduleExists(id)).toBe(false);
  });

  it('the audit event failing rolls the confirmation back, before any schedule exists', async () => {
    const id = await draft();
    await failNext('plan.confirmed');
    expect((await post(`/api/v1/plans/${id}/confirm`)).statusCode).toBe(500);
    expect(await stateOf(id)).toEqual({ status: 'draft', version: 1, versions: 0, events: [] });
    expect(await tdb.db.selectFrom('measures').select('idx').where('plan_id', '=', id).execute()).toHaveLength(0);
    expect(await scheduleExists(id)).toBe(false);
  });

  it('a commit that fails after the schedule was created deletes the schedule again', async () => {
    const id = await draft();
    await failNext('commit');
    expect((await post(`/api/v1/plans/${id}/confirm`)).statusCode).toBe(500);
    expect(await stateOf(id)).toEqual({ status: 'draft', version: 1, versions: 0, events: [] });
    expect(await scheduleExists(id)).toBe(false);
    await failNext();
    expect((await post(`/api/v1/plans/${id}/confirm`)).statusCode).toBe(200);
    expect(await stateOf(id)).toEqual({ status: 'confirmed', version: 1, versions: 1, events: ['plan.confirmed'] });
    expect(await scheduleExists(id)).toBe(true);
  });
});

describe('who may confirm (issue 10 item 7)', () => {
  it('a coordinator who imported a plan naming another body cannot confirm it; that body’s coordinator or an admin can', async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan({
        years: YEARS,
        coordinator: 'БҒМ',
        approvedBy: { issuer: 'Үкімет', number: 'other-body', date: '2019-01-01' },
      }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'token:akdm',
    });
    planIds.push(id);
    // It is the importer's draft to review…
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/plans/${id}`, headers: bearer(coordinator) })).statusCode,
    ).toBe(200);
    // …but not theirs to confirm.
    const refused = await post(`/api/v1/plans/${id}/confirm`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('БҒМ');
    expect(await stateOf(id)).toEqual({ status: 'draft', version: 1, versions: 0, events: [] });
    const bgm = (await createApiToken(tdb.db, { name: 'bgm-coordinator', role: 'coordinator', agencyCode: 'БҒМ' }))
      .secret;
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/plans/${id}/confirm`, headers: bearer(bgm) })).statusCode,
    ).toBe(200);
  });

  it('an admin confirms any plan', async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan({
        years: YEARS,
        coordinator: 'ІІМ',
        approvedBy: { issuer: 'Үкімет', number: 'admin-confirms', date: '2019-01-01' },
      }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'token:akdm',
    });
    planIds.push(id);
    expect((await post(`/api/v1/plans/${id}/confirm`)).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/plans/${id}/confirm`, headers: bearer(t.adminToken) }))
        .statusCode,
    ).toBe(200);
  });
});

describe('a command is one transaction', () => {
  it('discard: the event failing leaves the draft a draft', async () => {
    const id = await draft();
    await failNext('plan.discarded');
    expect((await post(`/api/v1/plans/${id}/discard`)).statusCode).toBe(500);
    expect((await stateOf(id)).status).toBe('draft');
    await failNext();
    expect((await post(`/api/v1/plans/${id}/discard`)).statusCode).toBe(200);
    expect(await stateOf(id)).toMatchObject({ status: 'discarded', events: ['plan.discarded'] });
  });

  it('amend and repeal: the event failing leaves version, versions, measures and schedule as they were', async () => {
    const id = await draft();
    expect((await post(`/api/v1/plans/${id}/confirm`)).statusCode).toBe(200);
    const measuresBefore = await tdb.db
      .selectFrom('measure_executors')
      .select(['measure_idx', 'agency_code'])
      .where('plan_id', '=', id)
      .orderBy('measure_idx')
      .orderBy('agency_code')
      .execute();
    await failNext('plan.amended', 'plan.repealed');
    const amend = await post(`/api/v1/plans/${id}/amend`, {
      act: { issuer: 'Үкімет', number: '7', date: '2019-06-01' },
      summary: 'ҰҚК шығарылды',
      changes: [{ op: 'remove_executor', measure: '2', code: 'ҰҚК' }],
    });
    expect(amend.statusCode).toBe(500);
    const repeal = await post(`/api/v1/plans/${id}/repeal`, {
      act: { issuer: 'Үкімет', number: '8', date: '2019-07-01' },
      date: '2019-07-01',
      reason: 'күші жойылды',
    });
    expect(repeal.statusCode).toBe(500);
    expect(await stateOf(id)).toEqual({ status: 'confirmed', version: 1, versions: 1, events: ['plan.confirmed'] });
    expect(
      await tdb.db
        .selectFrom('measure_executors')
        .select(['measure_idx', 'agency_code'])
        .where('plan_id', '=', id)
        .orderBy('measure_idx')
        .orderBy('agency_code')
        .execute(),
    ).toEqual(measuresBefore);
    expect(await scheduleExists(id)).toBe(true);
    await failNext();
    expect(
      (
        await post(`/api/v1/plans/${id}/amend`, {
          act: { issuer: 'Үкімет', number: '7', date: '2019-06-01' },
          summary: 'ҰҚК шығарылды',
          changes: [{ op: 'remove_executor', measure: '2', code: 'ҰҚК' }],
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await post(`/api/v1/plans/${id}/repeal`, {
          act: { issuer: 'Үкімет', number: '8', date: '2019-07-01' },
          date: '2019-07-01',
          reason: 'күші жойылды',
        })
      ).statusCode,
    ).toBe(200);
    expect(await stateOf(id)).toEqual({
      status: 'repealed',
      version: 3,
      versions: 3,
      events: ['plan.confirmed', 'plan.amended', 'plan.repealed'],
    });
    expect(await scheduleExists(id)).toBe(false);
  });

  it('user creation: the event failing leaves no user', async () => {
    await failNext('user.created');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username: 'atomic.user', displayName: 'A', role: 'pm_office' },
    });
    expect(res.statusCode).toBe(500);
    expect(await tdb.db.selectFrom('users').select('id').where('username', '=', 'atomic.user').execute()).toHaveLength(
      0,
    );
    await failNext();
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: bearer(t.adminToken),
          payload: { username: 'atomic.user', displayName: 'A', role: 'pm_office' },
        })
      ).statusCode,
    ).toBe(201);
  });
});

describe('a bad plan row never keeps the service down', () => {
  let bad: string;

  it('reconcileSchedules names the plan it cannot schedule and does the others', async () => {
    bad = await draft({ from: 2019, to: 99999 });
    // As the old import stored it: confirmed without a schedule, years that no schedule can span.
    await tdb.db.updateTable('plans').set({ status: 'confirmed' }).where('id', '=', bad).execute();
    const good = await draft();
    await tdb.db.updateTable('plans').set({ status: 'confirmed' }).where('id', '=', good).execute();
    const result = await createCycleEngine({ client, db: tdb.db, taskQueue }).reconcileSchedules();
    expect(result.failed).toEqual([{ planId: bad, error: expect.stringContaining('cannot be scheduled') }]);
    expect(result.ensured).toBeGreaterThanOrEqual(1);
    expect(await scheduleExists(good)).toBe(true);
  });

  it('`npm run api` with that row still starts, listens and logs the plan', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: tdb.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => {
      output += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      output += b.toString();
    });
    try {
      const deadline = Date.now() + 60_000;
      let status = 0;
      while (Date.now() < deadline && child.exitCode === null) {
        status = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 0) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(child.exitCode, output).toBeNull();
      expect([200, 503]).toContain(status);
      expect(output).toContain(bad);
      expect(output).toContain('could not be given one');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('an XLSX bomb through the API', () => {
  it('is refused with 413 naming the limit; concurrent ones too; the service stays healthy', async () => {
    const bomb = zip(xlsxParts(await repeatedPart('xl/worksheets/sheet1.xml', 'A', 200 * 1024 * 1024)));
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/plans/import?filename=plan.xlsx',
        headers: {
          ...bearer(coordinator),
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
        payload: bomb,
      });
    const before = await tdb.db.selectFrom('plans').select('id').execute();
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const answers = await Promise.all([send(), send(), send()]);
    const ms = performance.now() - started;
    const grew = (process.memoryUsage().rss - rss) / 1024 / 1024;
    for (const res of answers) {
      expect(res.statusCode).toBe(413);
      expect(res.json().error).toMatchObject({ code: 'archive_too_large', limit: 'entry_size' });
    }
    expect(ms).toBeLessThan(2000);
    expect(grew).toBeLessThan(128);
    console.info(
      `3 concurrent ${(bomb.byteLength / 1024).toFixed(0)} KB bombs → 413 in ${ms.toFixed(0)} ms, RSS +${grew.toFixed(1)} MB`,
    );
    expect(await tdb.db.selectFrom('plans').select('id').execute()).toHaveLength(before.length);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});
