// The charts' data on the real servers, from the living demo's real cycle: on-time rates, overdue per day and the timeline
// of deadlines, reminders and escalations — scoped as the API is (a reporter sees its own agency; others' cycles are 404).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleEngine } from '../../api/cycle-engine.js';
import { localDateOf } from '../../domain/tz.js';
import { createLivingDemo, loadDemoData, type LivingDemo } from '../../worker/demo.js';
import { driveLivingDemo } from '../../worker/embedded/living-demo.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { bearer } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/mail.js';

let stack: ApiTestStack;
let taskQueue: string;
let tdb: TestDatabase;
let client: Client;
let app: FastifyInstance;
let dataDir: string;
let living: LivingDemo;
let cycleId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startApiTestStack('charts', { testAgencies: false });
  ({ tdb, client, app, taskQueue } = stack);
  dataDir = mkdtempSync(join(tmpdir(), 'merzim-charts-'));
  const demo = await loadDemoData(tdb.db, {
    seedsDir: resolve(import.meta.dirname, '../../../shared/seeds'),
    dataDir,
    log: () => undefined,
  });
  living = (await createLivingDemo(tdb.db, demo.living!, { leadMs: 12_000 }))!;
  cycleId = cycleWorkflowId(living.planId, living.period);
  await driveLivingDemo(
    { db: tdb.db, client, engine: createCycleEngine({ client, db: tdb.db, taskQueue }), log: () => undefined },
    living,
  );
  // Wait for the notices: the two escalation notices of ІІМ (party, coordinator) and the reminders of Алматы and ДСМ.
  const sent = async (type: string) =>
    (
      await tdb.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', type)
        .where('subject_id', 'like', `obligation:${living.planId}:%`)
        .execute()
    ).length;
  await waitFor(
    async () => ((await sent('escalation.sent')) >= 2 && (await sent('reminder.sent')) >= 2 ? true : undefined),
    60_000,
    'the notices',
  );
  tokens.admin = await stack.token('admin', 'admin');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
  tokens.iim = await stack.token('iim', 'reporter', 'ІІМ');
  tokens.stranger = await stack.token('other', 'coordinator', 'ҰҚК');
});

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (url: string, token: string | undefined) => app.inject({ method: 'GET', url, headers: bearer(token!) });
const cycleUrl = (chart: string, query = '') => `/api/v1/cycles/${encodeURIComponent(cycleId)}/charts/${chart}${query}`;

function wellFormed(xml: string): void {
  const parser = new SaxesParser();
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(xml).close();
}

describe('chart data', () => {
  it('on-time rate per agency: the overdue agency 0, the early reporter 1, nothing due yet is null', async () => {
    const res = await get(`/api/v1/plans/${living.planId}/charts/on-time`, tokens.admin);
    expect(res.statusCode).toBe(200);
    const data = res.json() as {
      periods: string[];
      agencies: { code: string; rates: (number | null)[]; counts: { onTime: number; due: number }[] }[];
    };
    expect(data.periods).toEqual([living.period]);
    const rate = (code: string) => data.agencies.find((a) => a.code === code)!;
    expect(rate('ІІМ')).toMatchObject({ rates: [0], counts: [{ onTime: 0, due: 1 }] });
    expect(rate('МСМ')).toMatchObject({ rates: [1], counts: [{ onTime: 1, due: 1 }] });
    expect(rate('Алматы').rates).toEqual([null]);
    // A reporter's chart has its own row only.
    const own = (await get(`/api/v1/plans/${living.planId}/charts/on-time`, tokens.bgm)).json() as typeof data;
    expect(own.agencies.map((a) => a.code)).toEqual(['БҒМ']);
  });

  it('overdue per day: none at the end of yesterday (the deadline day), one today', async () => {
    const res = await get(cycleUrl('overdue'), tokens.admin);
    expect(res.statusCode).toBe(200);
    const today = localDateOf(Date.now());
    const days = (res.json() as { days: { date: string; overdue: number }[] }).days;
    expect(days.at(-1)).toEqual({ date: today, overdue: 1 });
    expect(days[0]).toEqual({ date: living.obligations[0]!.dueDate, overdue: 0 });
    expect(days.reduce((n, d) => n + d.overdue, 0)).toBe(1);
    // БҒМ's reporter sees its own agency: nothing of it was ever overdue.
    const own = (await get(cycleUrl('overdue'), tokens.bgm)).json() as { days: { overdue: number }[] };
    expect(own.days.every((d) => d.overdue === 0)).toBe(true);
  });

  it('timeline: deadlines per due date, and the reminders and escalations sent today, as the events log has them', async () => {
    const res = await get(cycleUrl('timeline'), tokens.admin);
    const data = res.json() as {
      deadlines: { date: string; count: number }[];
      reminders: { date: string; count: number }[];
      escalations: { date: string; count: number }[];
    };
    const obligations = await tdb.db
      .selectFrom('obligations')
      .select(['effective_due_date'])
      .where('cycle_workflow_id', '=', cycleId)
      .execute();
    expect(data.deadlines.reduce((n, d) => n + d.count, 0)).toBe(obligations.length);
    expect(data.deadlines.find((d) => d.date === living.obligations[0]!.dueDate)?.count).toBe(1);
    const sent = async (type: string) =>
      (
        await tdb.db
          .selectFrom('events')
          .select('id')
          .where('type', '=', type)
          .where('subject_id', 'like', `obligation:${living.planId}:%`)
          .execute()
      ).length;
    const today = localDateOf(Date.now());
    expect(data.escalations).toEqual([{ date: today, count: await sent('escalation.sent') }]);
    expect(data.reminders).toEqual([{ date: today, count: await sent('reminder.sent') }]);
    expect(data.reminders[0]!.count).toBeGreaterThanOrEqual(2);
    // ІІМ's reporter: its one deadline and its escalations, no reminder.
    const iim = (await get(cycleUrl('timeline'), tokens.iim)).json() as typeof data;
    expect(iim.deadlines).toEqual([{ date: living.obligations[0]!.dueDate, count: 1 }]);
    expect(iim.reminders).toEqual([]);
    expect(iim.escalations[0]!.count).toBeGreaterThanOrEqual(1);
  });

  it('renders the same data as SVG and as a table, in the language asked for', async () => {
    const svg = await get(cycleUrl('timeline', '?format=svg&lang=ru'), tokens.admin);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    wellFormed(svg.body);
    expect(svg.body).toContain('Хронология цикла');
    const table = await get(cycleUrl('overdue', '?format=table&lang=kk'), tokens.admin);
    wellFormed(table.body);
    expect(table.body).toContain('<caption>Циклдың күндері бойынша мерзімі өткен міндеттемелер</caption>');
    expect(
      (await get(`/api/v1/plans/${living.planId}/charts/on-time?format=svg&lang=en`, tokens.admin)).body,
    ).toContain('On-time reporting rate');
    expect((await get(cycleUrl('timeline', '?lang=xx'), tokens.admin)).statusCode).toBe(400);
  });

  it("hides other plans' cycles and charts: 404, as the cycle itself", async () => {
    expect((await get(cycleUrl('timeline'), tokens.stranger)).statusCode).toBe(404);
    expect((await get(cycleUrl('overdue'), tokens.stranger)).statusCode).toBe(404);
    expect((await get(`/api/v1/plans/${living.planId}/charts/on-time`, tokens.stranger)).statusCode).toBe(404);
    expect((await get('/api/v1/plans/not-a-uuid/charts/on-time', tokens.admin)).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: cycleUrl('timeline') })).statusCode).toBe(401);
  });
});
