// A confirmed plan's life through the API on the real dev server: its Schedule opens the current cycle, obligations are
// listed per role, reports are submitted and reviewed through Updates, amendments reach the running cycle, a repeal closes it.
import { gunzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft } from '../../db/repositories/plans.js';
import { cycleWorkflowId, planScheduleId } from '../../domain/cycle-model.js';
import { startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { bearer } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/mail.js';
import { testPlan } from '../helpers/plans.js';

const YEAR = new Date().getUTCFullYear();
let stack: ApiTestStack;
let tdb: TestDatabase;
let client: Client;
let app: FastifyInstance;
let planId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startApiTestStack('cycles-api');
  ({ tdb, client, app } = stack);
  tokens.admin = await stack.token('admin', 'admin');
  tokens.coordinator = await stack.token('akdm', 'coordinator', 'АҚДМ');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
  tokens.iim = await stack.token('iim', 'reporter', 'ІІМ');
  planId = await createDraft(tdb.db, {
    plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
});

afterAll(async () => {
  await client?.schedule
    .getHandle(planScheduleId(planId))
    .delete()
    .catch(() => undefined);
  await stack?.close();
});

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

/** An agency's first obligation of the plan as the read model holds it (the tests below write to it as a projection would). */
const readModelRow = (agency: string) =>
  tdb.db
    .selectFrom('obligations')
    .select(['workflow_id', 'status', 'revision'])
    .where('plan_id', '=', planId)
    .where('agency_code', '=', agency)
    .orderBy('workflow_id')
    .executeTakeFirstOrThrow();

describe('cycles through the API', () => {
  const cycleId = (): string => cycleWorkflowId(planId, String(YEAR));
  const obligation = (agency: string, stage = 'executors'): string =>
    encodeURIComponent(`obligation:${planId}:${YEAR}:${agency}:${stage}`);

  it('confirming the plan creates its schedule, which opens the current period at once', async () => {
    const confirmed = await call('POST', `/api/v1/plans/${planId}/confirm`, tokens.coordinator!);
    expect(confirmed.statusCode).toBe(200);
    // Opened in catch-up mode; the answer says how many of its obligations were overdue at once (the date decides how many).
    expect(confirmed.json().openedCycle).toMatchObject({ period: String(YEAR), mode: 'catch-up' });
    expect(Number.isInteger(confirmed.json().openedCycle.overdueAtOpening)).toBe(true);
    const schedule = await call('GET', `/api/v1/plans/${planId}/schedule`, tokens.coordinator!);
    expect(schedule.json()).toMatchObject({ exists: true, paused: false });
    expect(schedule.json().nextActionTimes[0]).toBe(`${YEAR}-12-31T19:05:00.000Z`);
    await waitFor(
      async () => ((await listObligationIds()).length >= 4 ? true : undefined),
      30_000,
      'the obligations of the opened cycle',
    );
    const cycles = (await call('GET', `/api/v1/cycles?planId=${planId}`, tokens.coordinator!)).json().items;
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ id: cycleId(), period: String(YEAR), status: 'open' });
  });

  async function listObligationIds(): Promise<string[]> {
    return (await tdb.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute()).map(
      (r) => r.workflow_id,
    );
  }

  it('a reporter lists only its own obligations and cannot see another agency’s', async () => {
    const mine = await call('GET', '/api/v1/obligations', tokens.bgm!);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items.map((o: { agencyCode: string }) => o.agencyCode)).toEqual(['БҒМ']);
    expect(mine.json().counts).toEqual({ pending: 1 });
    expect((await call('GET', '/api/v1/obligations?agency=ІІМ', tokens.bgm!)).statusCode).toBe(403);
    expect((await call('GET', `/api/v1/obligations/${obligation('ІІМ')}`, tokens.bgm!)).statusCode).toBe(404);
    const all = await call('GET', `/api/v1/obligations?planId=${planId}&stage=executors`, tokens.coordinator!);
    // Measure 2 ("annually, by 1 December") is reported on its own date, in stage measure-2-due-1; АҚДМ, the coordinator,
    // executes measure 1 too but does not report to itself (its measures are in its summary).
    expect(all.json().items.map((o: { agencyCode: string }) => o.agencyCode)).toEqual(['БҒМ']);
  });

  it('the cycle answers its counts and where its obligations are listed; ?include=obligations brings one page with the list’s cursor', async () => {
    const detail = await call('GET', `/api/v1/cycles/${encodeURIComponent(cycleId())}`, tokens.coordinator!);
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    expect(body.obligations).toBeUndefined();
    expect(body.obligationsUrl).toBe(`/api/v1/obligations?planId=${planId}&period=${YEAR}`);
    const total = Object.values(body.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    const listed = await call('GET', body.obligationsUrl, tokens.coordinator!);
    expect(listed.json().items).toHaveLength(total);
    // One page along, in the list's order; its cursor continues on the list.
    const first = (
      await call(
        'GET',
        `/api/v1/cycles/${encodeURIComponent(cycleId())}?include=obligations&limit=1`,
        tokens.coordinator!,
      )
    ).json();
    expect(first.obligations.map((o: { id: string }) => o.id)).toEqual([listed.json().items[0].id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const next = await call('GET', `${body.obligationsUrl}&limit=1&cursor=${first.nextCursor}`, tokens.coordinator!);
    expect(next.json().items.map((o: { id: string }) => o.id)).toEqual([listed.json().items[1].id]);
    // A reporter's cycle is its own obligations only.
    const mine = (
      await call('GET', `/api/v1/cycles/${encodeURIComponent(cycleId())}?include=obligations`, tokens.bgm!)
    ).json();
    expect(mine.counts).toEqual({ pending: 1 });
    expect(mine.obligations.map((o: { agencyCode: string }) => o.agencyCode)).toEqual(['БҒМ']);
    expect(
      (await call('GET', `/api/v1/cycles/${encodeURIComponent(cycleId())}?include=everything`, tokens.bgm!)).statusCode,
    ).toBe(400);
  });

  it('a page of obligations has an ETag: 304 while unchanged, the new state after a change, never another scope’s page', async () => {
    const url = `/api/v1/obligations?planId=${planId}&period=${YEAR}`;
    const get = (token: string, etag?: string) =>
      app.inject({
        method: 'GET',
        url,
        headers: { ...bearer(token), ...(etag === undefined ? {} : { 'if-none-match': etag }) },
      });
    const coordinator = await get(tokens.coordinator!);
    const etag = String(coordinator.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    expect(coordinator.headers['cache-control']).toBe('no-store');
    const again = await get(tokens.coordinator!, etag);
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // The same query by a reporter (its page kept after the coordinator's) is its own rows, whatever tag it sends.
    for (const token of [tokens.bgm!, tokens.iim!]) {
      const page = await get(token, etag);
      expect(page.statusCode).toBe(200);
      expect(page.headers.etag).not.toBe(etag);
      const agencies = new Set(page.json().items.map((o: { agencyCode: string }) => o.agencyCode));
      expect(agencies).toEqual(new Set([token === tokens.bgm ? 'БҒМ' : 'ІІМ']));
    }
    expect(new Set(coordinator.json().items.map((o: { agencyCode: string }) => o.agencyCode)).size).toBeGreaterThan(1);
    // What a projection writes when a workflow moves on: the next answer is the new state, not the kept page.
    const row = await readModelRow('ІІМ');
    await tdb.db
      .updateTable('obligations')
      .set((eb) => ({ status: 'closed', revision: eb('revision', '+', 1), updated_at: new Date() }))
      .where('workflow_id', '=', row.workflow_id)
      .execute();
    try {
      const changed = await get(tokens.coordinator!, etag);
      expect(changed.statusCode).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(changed.json().items.find((o: { id: string }) => o.id === row.workflow_id).status).toBe('closed');
      expect(changed.json().counts.closed).toBe((coordinator.json().counts.closed ?? 0) + 1);
    } finally {
      // Back as the projection left it (its next write must still be newer than this row).
      await tdb.db
        .updateTable('obligations')
        .set({ status: row.status, revision: row.revision, updated_at: new Date() })
        .where('workflow_id', '=', row.workflow_id)
        .execute();
    }
  });

  it('a page of obligations goes gzipped to a client that accepts it — the same JSON, its own scope, 304 and the new state after a change', async () => {
    const url = `/api/v1/obligations?planId=${planId}&period=${YEAR}`;
    const get = (token: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url, headers: { ...bearer(token), 'accept-encoding': 'gzip, deflate', ...headers } });
    const unzipped = (res: { rawPayload: Buffer }) => JSON.parse(gunzipSync(res.rawPayload).toString('utf8'));
    const plain = await app.inject({ method: 'GET', url, headers: bearer(tokens.coordinator!) });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await get(tokens.coordinator!);
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toMatch(/^application\/json/);
    expect(String(zipped.headers.vary)).toMatch(/accept-encoding/);
    expect(zipped.rawPayload.length).toBeLessThan(Buffer.byteLength(plain.body));
    expect(unzipped(zipped)).toEqual(plain.json());
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    // gzip;q=0 is a refusal.
    expect(
      (await get(tokens.coordinator!, { 'accept-encoding': 'gzip;q=0' })).headers['content-encoding'],
    ).toBeUndefined();
    const etag = String(zipped.headers.etag);
    expect((await get(tokens.coordinator!, { 'if-none-match': etag })).statusCode).toBe(304);
    // Each agency gets its own rows, gzipped too, whichever page was kept before.
    for (const [token, agency] of [
      [tokens.bgm!, 'БҒМ'],
      [tokens.iim!, 'ІІМ'],
    ] as const) {
      const page = await get(token, { 'if-none-match': etag });
      expect(page.statusCode).toBe(200);
      expect(page.headers.etag).not.toBe(etag);
      expect(new Set(unzipped(page).items.map((o: { agencyCode: string }) => o.agencyCode))).toEqual(new Set([agency]));
    }
    // A row's change shows on the next request, gzipped; and the cycle's counts with it.
    const cycleUrl = `/api/v1/cycles/${encodeURIComponent(cycleId())}`;
    const countsBefore = (await call('GET', cycleUrl, tokens.coordinator!)).json().counts as Record<string, number>;
    const row = await readModelRow('БҒМ');
    const setStatus = (status: typeof row.status, revision: number) =>
      tdb.db
        .updateTable('obligations')
        .set({ status, revision, updated_at: new Date() })
        .where('workflow_id', '=', row.workflow_id)
        .execute();
    await setStatus('closed', row.revision + 1);
    try {
      const changed = await get(tokens.coordinator!, { 'if-none-match': etag });
      expect(changed.statusCode).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(unzipped(changed).items.find((o: { id: string }) => o.id === row.workflow_id).status).toBe('closed');
      const counts = (await call('GET', cycleUrl, tokens.coordinator!)).json().counts as Record<string, number>;
      expect(counts.closed).toBe((countsBefore.closed ?? 0) + 1);
    } finally {
      await setStatus(row.status, row.revision);
    }
    expect(
      unzipped(await get(tokens.coordinator!)).items.find((o: { id: string }) => o.id === row.workflow_id).status,
    ).toBe(row.status);
  });

  it('a page kept while an older writer was still open is not served after that writer commits', async () => {
    // Writer A (older transaction id) changes one obligation and stays open; writer B (newer) changes another and commits.
    // The newest id visible is B's, but A may still commit under it: the page read now must not be kept under that stamp.
    const url = `/api/v1/obligations?planId=${planId}&period=${YEAR}`;
    const get = () => app.inject({ method: 'GET', url, headers: bearer(tokens.coordinator!) });
    const rows = await tdb.db
      .selectFrom('obligations')
      .select(['workflow_id', 'status', 'revision'])
      .where('plan_id', '=', planId)
      .orderBy('workflow_id')
      .limit(2)
      .execute();
    expect(rows).toHaveLength(2);
    const [a, b] = rows as [(typeof rows)[number], (typeof rows)[number]];
    const statusOf = (page: { json(): { items: { id: string; status: string }[] } }, id: string) =>
      page.json().items.find((o) => o.id === id)?.status;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const aWrote = new Promise<void>((r) => (written = r));
    const writerA = tdb.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_current_xact_id()`.execute(trx); // A's id is taken first: the older one
      await trx
        .updateTable('obligations')
        .set({ status: 'closed', revision: a.revision + 1, updated_at: new Date() })
        .where('workflow_id', '=', a.workflow_id)
        .execute();
      written();
      await released;
    });
    try {
      await aWrote;
      await tdb.db
        .updateTable('obligations')
        .set({ revision: b.revision + 1, updated_at: new Date() })
        .where('workflow_id', '=', b.workflow_id)
        .execute();
      const during = await get();
      expect(statusOf(during, a.workflow_id)).toBe(a.status);
      release();
      await writerA;
      const after = await get();
      expect(statusOf(after, a.workflow_id)).toBe('closed');
      expect(after.headers.etag).not.toBe(during.headers.etag);
    } finally {
      release();
      await writerA.catch(() => undefined);
      for (const r of [a, b])
        await tdb.db
          .updateTable('obligations')
          .set({ status: r.status, revision: r.revision, updated_at: new Date() })
          .where('workflow_id', '=', r.workflow_id)
          .execute();
    }
  });

  it('a bad report is refused by the Update validator before it enters the history; a good one is recorded', async () => {
    const bad = await call('POST', `/api/v1/obligations/${obligation('БҒМ')}/submit`, tokens.bgm!, {
      items: [{ measure: '2', status: 'done', text: 'not ours' }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('invalid_report');
    expect(
      (
        await call('POST', `/api/v1/obligations/${obligation('ІІМ')}/submit`, tokens.bgm!, {
          items: [{ measure: '2', status: 'done', text: 'x' }],
        })
      ).statusCode,
    ).toBe(404);
    const ok = await call('POST', `/api/v1/obligations/${obligation('БҒМ')}/submit`, tokens.bgm!, {
      items: [{ measure: '1', status: 'done', text: 'Курс 120 мектепте енгізілді' }],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: 1, late: false });
    const history = await client.workflow.getHandle(decodeURIComponent(obligation('БҒМ'))).fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes != null);
    expect(updates).toHaveLength(1);
    expect((await call('POST', `/api/v1/obligations/${obligation('БҒМ')}/accept`, tokens.bgm!, {})).statusCode).toBe(
      403,
    );
    const accepted = await call('POST', `/api/v1/obligations/${obligation('БҒМ')}/accept`, tokens.coordinator!, {
      comment: 'Қабылданды',
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().status).toBe('accepted');
    const again = await call('POST', `/api/v1/obligations/${obligation('БҒМ')}/submit`, tokens.bgm!, {
      items: [{ measure: '1', status: 'done', text: 'again' }],
    });
    expect([409, 422]).toContain(again.statusCode);
  });

  it('an admin opening the same period again opens nothing; a period outside the plan is refused', async () => {
    const same = await call('POST', `/api/v1/plans/${planId}/cycles`, tokens.admin!, { period: String(YEAR) });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toMatchObject({ status: 'already_open', cycleId: cycleId() });
    const outside = await call('POST', `/api/v1/plans/${planId}/cycles`, tokens.admin!, { period: String(YEAR + 5) });
    expect(outside.statusCode).toBe(409);
    expect(
      (await call('POST', `/api/v1/plans/${planId}/cycles`, tokens.coordinator!, { period: String(YEAR) })).statusCode,
    ).toBe(403);
  });

  it('missed periods are backfilled, each opened once, with an answer per period', async () => {
    const past = await createDraft(tdb.db, {
      plan: testPlan({
        years: { from: YEAR - 2, to: YEAR + 1 },
        approvedBy: { issuer: 'Үкімет', number: 'backfill', date: `${YEAR - 2}-01-01` },
      }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'test',
    });
    expect((await call('POST', `/api/v1/plans/${past}/confirm`, tokens.coordinator!)).statusCode).toBe(200);
    // Past periods whose deadlines have all passed: refused without a mode, saying what the two modes do.
    const modeless = await call('POST', `/api/v1/plans/${past}/schedule/backfill`, tokens.admin!, {
      from: String(YEAR - 3),
      to: String(YEAR - 1),
    });
    expect(modeless.statusCode).toBe(409);
    expect(modeless.json().error.code).toBe('opening_mode_required');
    expect(modeless.json().error.message).toMatch(/^mode: \d+ obligations of \d{4} would be overdue at once/);
    expect(modeless.json().error.message).toContain('"catch-up"');
    expect(modeless.json().error.message).toContain('"record-only"');
    // Straight after the confirmation, while the new schedule is still opening the current period: nothing may be lost.
    const res = await call('POST', `/api/v1/plans/${past}/schedule/backfill`, tokens.admin!, {
      from: String(YEAR - 3),
      to: String(YEAR - 1),
      mode: 'record-only',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().periods).toEqual([String(YEAR - 3), String(YEAR - 2), String(YEAR - 1)]);
    expect(
      res
        .json()
        .results.map((r: { period: string; status: string; cycleId: string | null; mode: string | null }) => [
          r.period,
          r.status,
          r.cycleId,
          r.mode,
        ]),
    ).toEqual([
      [String(YEAR - 3), 'not_opened', null, null],
      [String(YEAR - 2), 'opened', cycleWorkflowId(past, String(YEAR - 2)), 'record-only'],
      [String(YEAR - 1), 'opened', cycleWorkflowId(past, String(YEAR - 1)), 'record-only'],
    ]);
    expect(res.json().results[1].overdueAtOpening).toBeGreaterThan(0);
    expect(res.json().results[0].reason).toMatch(String(YEAR - 3));
    // Asked again (a retried request): answered, nothing opened twice.
    const again = await call('POST', `/api/v1/plans/${past}/schedule/backfill`, tokens.admin!, {
      from: String(YEAR - 2),
      to: String(YEAR - 2),
    });
    expect(again.json().results).toEqual([
      {
        status: 'already_open',
        cycleId: cycleWorkflowId(past, String(YEAR - 2)),
        period: String(YEAR - 2),
        reason: null,
        mode: null,
        overdueAtOpening: 0,
      },
    ]);
    const periods = await waitFor(
      async () => {
        const rows = await tdb.db
          .selectFrom('cycles')
          .select('period')
          .where('plan_id', '=', past)
          .orderBy('period')
          .execute();
        return rows.length >= 3 ? rows.map((r) => r.period) : undefined;
      },
      30_000,
      'the backfilled cycles',
    );
    // The two backfilled years and the current one the confirmation opened; none twice.
    expect(periods).toEqual([String(YEAR - 2), String(YEAR - 1), String(YEAR)]);
    const events = await tdb.db
      .selectFrom('events')
      .select(['type', 'actor'])
      .where('subject_id', '=', past)
      .where('type', '=', 'schedule.backfilled')
      .execute();
    expect(events).toHaveLength(2);
    expect(
      (
        await call('POST', `/api/v1/plans/${past}/schedule/backfill`, tokens.coordinator!, {
          from: String(YEAR - 2),
          to: String(YEAR - 2),
        })
      ).statusCode,
    ).toBe(403);
    await client.schedule.getHandle(planScheduleId(past)).delete();
    for (const p of periods)
      await client.workflow
        .getHandle(cycleWorkflowId(past, p))
        .terminate('test over')
        .catch(() => undefined);
    // No schedule any more (as after a repeal): nothing to backfill.
    expect(
      (
        await call('POST', `/api/v1/plans/${past}/schedule/backfill`, tokens.admin!, {
          from: String(YEAR - 1),
          to: String(YEAR - 1),
        })
      ).statusCode,
    ).toBe(409);
  });

  it('the schedule can be paused and resumed', async () => {
    expect(
      (await call('POST', `/api/v1/plans/${planId}/schedule/pause`, tokens.coordinator!, { note: 'review' })).json(),
    ).toMatchObject({ paused: true });
    expect(
      (await call('POST', `/api/v1/plans/${planId}/schedule/unpause`, tokens.coordinator!, {})).json(),
    ).toMatchObject({ paused: false });
  });

  it('an amendment reaches the running cycle: a removed executor’s obligation closes; an invalid one changes nothing', async () => {
    const res = await call('POST', `/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act: { issuer: 'Үкімет', number: '1', date: `${YEAR}-11-01` },
      summary: 'ҚМ орындаушы ретінде қосылды',
      changes: [{ op: 'add_executor', measure: '1', code: 'ҚМ' }],
    });
    // ҚМ is not in the test directory: the amendment is refused naming the field, and nothing reaches the cycle.
    expect(res.statusCode).toBe(400);
    const ok = await call('POST', `/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act: { issuer: 'Үкімет', number: '2', date: `${YEAR}-11-02` },
      summary: 'ҰҚК 2-іс-шарадан шығарылды',
      changes: [{ op: 'remove_executor', measure: '2', code: 'ҰҚК' }],
    });
    expect(ok.statusCode).toBe(200);
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('status')
          .where('workflow_id', '=', decodeURIComponent(obligation('ҰҚК', 'measure-2-due-1')))
          .executeTakeFirst();
        return row?.status === 'closed' ? true : undefined;
      },
      20_000,
      'ҰҚК’s obligation to close',
    );
  });

  it('a repeal deletes the schedule and closes the open cycle with its reason', async () => {
    const res = await call('POST', `/api/v1/plans/${planId}/repeal`, tokens.coordinator!, {
      act: { issuer: 'Үкімет', number: '1014', date: `${YEAR}-11-15` },
      date: `${YEAR}-11-15`,
      reason: 'Жоспардың күші жойылды',
    });
    expect(res.statusCode).toBe(200);
    expect((await call('GET', `/api/v1/plans/${planId}/schedule`, tokens.coordinator!)).json()).toMatchObject({
      exists: false,
    });
    const closed = await waitFor(
      async () => {
        const c = (await call('GET', `/api/v1/cycles/${encodeURIComponent(cycleId())}`, tokens.coordinator!)).json();
        return c.status === 'closed' ? c : undefined;
      },
      30_000,
      'the cycle to close',
    );
    expect(closed.closedReason).toContain('Жоспардың күші жойылды');
    const events = await tdb.db.selectFrom('events').select('type').where('subject_id', '=', cycleId()).execute();
    expect(events.map((e) => e.type)).toContain('cycle.closed');
  });
});
