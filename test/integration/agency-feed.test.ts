// Agencies' deadline feeds on the real servers: a secret .ics URL per agency, parsed with ical.js, listing exactly that
// agency's open obligations (from the living demo's real cycle); rotation and revocation make the old URL answer 404.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleEngine } from '../../api/cycle-engine.js';
import { listObligations } from '../../db/repositories/cycles.js';
import { createLivingDemo, loadDemoData, type LivingDemo } from '../../worker/demo.js';
import { driveLivingDemo } from '../../worker/embedded/living-demo.js';
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
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startApiTestStack('agency-feed', { testAgencies: false, publicUrl: 'https://merzim.example.kz' });
  ({ tdb, client, app, taskQueue } = stack);
  dataDir = mkdtempSync(join(tmpdir(), 'merzim-feed-'));
  // Real obligations of several agencies in several states: the living demo's cycle (its notices 10 minutes away: not needed here).
  const demo = await loadDemoData(tdb.db, {
    seedsDir: resolve(import.meta.dirname, '../../../shared/seeds'),
    dataDir,
    log: () => undefined,
  });
  living = (await createLivingDemo(tdb.db, demo.living!, { leadMs: 600_000 }))!;
  const engine = createCycleEngine({ client, db: tdb.db, taskQueue });
  await driveLivingDemo({ db: tdb.db, client, engine, log: () => undefined }, living);
  await waitFor(
    async () =>
      (await listObligations(tdb.db, { planId: living.planId, agencyCode: 'ІІМ', status: 'overdue' })).length > 0
        ? true
        : undefined,
    30_000,
    'ІІМ overdue',
  );
  tokens.admin = await stack.token('admin', 'admin');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
  tokens.coordinator = await stack.token('akdm', 'coordinator', 'АҚДМ');
});

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string | undefined) =>
  app.inject({ method, url, headers: bearer(token!) });
const pathOf = (url: string): string => new URL(url).pathname;

function parse(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.toString(),
      allDay: e.startDate.isDate,
      organizer: String(v.getFirstPropertyValue('organizer')),
      alarms: v.getAllSubcomponents('valarm').length,
    };
  });
}

describe('agency deadline feeds', () => {
  let bgmUrl: string;

  it("lets an agency's reporter issue its feed URL; the feed lists exactly that agency's open obligations", async () => {
    expect((await call('GET', '/api/v1/agencies/%D0%91%D2%92%D0%9C/feed', tokens.bgm)).json()).toMatchObject({
      agencyCode: 'БҒМ',
      url: null,
    });
    const issued = await call('POST', `/api/v1/agencies/${encodeURIComponent('БҒМ')}/feed`, tokens.bgm);
    expect(issued.statusCode).toBe(201);
    bgmUrl = issued.json().url;
    expect(bgmUrl).toMatch(/^https:\/\/merzim\.example\.kz\/ics\/[A-Za-z0-9_-]{32}\.ics$/);
    expect((await call('GET', `/api/v1/agencies/${encodeURIComponent('БҒМ')}/feed`, tokens.bgm)).json().url).toBe(
      bgmUrl,
    );

    const res = await app.inject({ method: 'GET', url: pathOf(bgmUrl) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    const events = parse(res.body);
    const open = (await listObligations(tdb.db, { agencyCode: 'БҒМ' })).filter((o) =>
      ['pending', 'overdue', 'returned'].includes(o.status),
    );
    expect(open.length).toBeGreaterThan(0);
    expect(events.map((e) => e.uid).sort()).toEqual(open.map((o) => `${o.workflow_id}@merzim`).sort());
    // Nothing of any other agency.
    expect(events.every((e) => e.uid.includes(':БҒМ:'))).toBe(true);
    const returned = open.find((o) => o.status === 'returned')!;
    const event = events.find((e) => e.uid === `${returned.workflow_id}@merzim`)!;
    expect(event.allDay).toBe(true);
    expect(event.start).toBe(returned.effective_due_date);
    expect(event.summary).toMatch(/^Есеп мерзімі: .*қайтарылды.* \/ Срок отчёта: .*возвращён/);
    expect(event.organizer).toMatch(/^mailto:.+@/);
    expect(event.alarms).toBe(1);
  });

  it("keeps other agencies' feeds from a reporter, and lets an admin manage any", async () => {
    expect((await call('GET', `/api/v1/agencies/${encodeURIComponent('Алматы')}/feed`, tokens.bgm)).statusCode).toBe(
      403,
    );
    expect(
      (await call('POST', `/api/v1/agencies/${encodeURIComponent('Алматы')}/feed`, tokens.coordinator)).statusCode,
    ).toBe(403);
    expect((await call('GET', `/api/v1/agencies/NOPE/feed`, tokens.admin)).statusCode).toBe(404);
    const almaty = await call('POST', `/api/v1/agencies/${encodeURIComponent('Алматы')}/feed`, tokens.admin);
    expect(almaty.statusCode).toBe(201);
    const events = parse((await app.inject({ method: 'GET', url: pathOf(almaty.json().url) })).body);
    expect(events.length).toBe(1);
    expect(events[0]!.uid).toContain(':Алматы:');
    expect(events[0]!.summary).toContain('Срок отчёта');
  });

  it('names every demo plan in Russian too, so Russian pages do not show the Kazakh title', async () => {
    const plans = await tdb.db.selectFrom('plans').select(['document']).execute();
    expect(plans.length).toBeGreaterThanOrEqual(3);
    for (const { document } of plans) {
      const title = (document as { title: { kk: string | null; ru: string | null } }).title;
      expect(title.ru, title.kk ?? '').toMatch(/[а-яё]/i);
      // Russian, not the Kazakh text again: no letter only Kazakh has.
      expect(title.ru, title.kk ?? '').not.toMatch(/[әғқңөұүһі]/i);
    }
  });

  it('lists nothing submitted: an agency that has reported owes nothing in its feed', async () => {
    const msm = await call('POST', `/api/v1/agencies/${encodeURIComponent('МСМ')}/feed`, tokens.admin);
    expect(parse((await app.inject({ method: 'GET', url: pathOf(msm.json().url) })).body)).toEqual([]);
  });

  it('rotation retires the old URL (404) and revocation the new one', async () => {
    const rotated = await call('POST', `/api/v1/agencies/${encodeURIComponent('БҒМ')}/feed`, tokens.bgm);
    const fresh = rotated.json().url as string;
    expect(fresh).not.toBe(bgmUrl);
    expect((await app.inject({ method: 'GET', url: pathOf(bgmUrl) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: pathOf(fresh) })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/agencies/${encodeURIComponent('БҒМ')}/feed`, tokens.bgm)).statusCode).toBe(
      200,
    );
    expect((await app.inject({ method: 'GET', url: pathOf(fresh) })).statusCode).toBe(404);
    expect((await call('DELETE', `/api/v1/agencies/${encodeURIComponent('БҒМ')}/feed`, tokens.bgm)).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: 'GET', url: '/ics/not-a-secret.ics' })).statusCode).toBe(404);
    // The audit log says who issued and revoked, never the secret.
    const events = await tdb.db
      .selectFrom('events')
      .select(['type', 'payload', 'idempotency_key'])
      .where('subject_id', '=', 'БҒМ')
      .execute();
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['feed.rotated', 'feed.revoked']));
    expect(JSON.stringify(events)).not.toContain(new URL(fresh).pathname.slice(5, -4));
  });
});
