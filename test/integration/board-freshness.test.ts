// The board page keeps its body, its charts and each reader's frame between requests (issue 17): these tests change, one kind
// at a time, everything the page shows — an obligation of the cycle, one of another cycle of the same plan (the on-time
// chart spans them), a cycle opened, a cycle closed, a plan renamed, an agency renamed, an escalation, the reader's name and
// language — and expect it on the very next request, with no time passing. They also hold the scopes apart: two reporters of
// different agencies never see each other's cells, a cycle the reader may not see is a 404, and two sessions never share a
// frame (its CSRF token, its flash). Rows are written as the projections write them (revision up, updated_at now).
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildApp } from '../../api/app.js';
import { newToken, SESSION_COOKIE } from '../../api/web/session.js';
import { getAgency, seedAgencies, upsertAgency } from '../../db/repositories/agencies.js';
import { upsertCycle, upsertObligations, type ObligationProjection } from '../../db/repositories/cycles.js';
import { appendEvent } from '../../db/repositories/events.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken, findActiveToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import { seedReferenceData } from '../../db/seed.js';
import { createDb } from '../../db/connect.js';
import { PREPARED, preparedName } from '../../db/prepared.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

let tdb: TestDatabase;
let app: FastifyInstance;
let temporal: Client;
let planId: string;
let otherPlanId: string;
/** Session secrets by reader. */
const sessions: Record<string, string> = {};
const csrf: Record<string, string> = {};

const AGENCIES = ['АҚДМ', 'БҒМ', 'ІІМ'] as const;
const STAGE = 'executors';
const enc = encodeURIComponent;
const cycleOf = (plan: string, period: string) => `cycle:${plan}:${period}`;
const boardUrl = (plan: string, period: string) => `/app/board?cycle=${enc(cycleOf(plan, period))}`;

/** What the cycle projection writes for a cycle of one stage. */
async function writeCycle(plan: string, period: string, status: 'open' | 'closed', revision: number): Promise<void> {
  await upsertCycle(tdb.db, {
    workflowId: cycleOf(plan, period),
    runId: `run-${period}`,
    revision,
    planId: plan,
    period,
    policyId: 'annual-cascade-580',
    status,
    stage: STAGE,
    closedReason: status === 'closed' ? 'completed' : null,
    spec: { stages: [{ id: STAGE, from: 'executors', to: 'coordinator', dueDate: `${period}-12-01` }] },
    openedAt: `${period}-01-01T00:00:00Z`,
    finishedAt: status === 'closed' ? `${period}-12-31T00:00:00Z` : null,
  });
}

/** What the obligation projection writes. */
function obligation(
  plan: string,
  period: string,
  agency: string,
  status: ObligationProjection['status'],
  revision: number,
): ObligationProjection {
  const reported = status === 'submitted' || status === 'accepted';
  return {
    workflowId: `obligation:${plan}:${period}:${agency}:${STAGE}`,
    runId: `run-${period}`,
    revision,
    cycleWorkflowId: cycleOf(plan, period),
    planId: plan,
    period,
    stageId: STAGE,
    agencyCode: agency,
    status,
    dueDate: `${period}-12-01`,
    effectiveDueDate: null,
    dueAt: `${period}-12-01T18:59:59.999Z`,
    reportVersion: reported ? 1 : 0,
    report: null,
    submittedAt: reported ? `${period}-11-20T10:00:00Z` : null,
    workingDaysLate: reported ? 0 : null,
    acceptedAt: status === 'accepted' ? `${period}-11-25T10:00:00Z` : null,
    closedReason: null,
    openedAt: `${period}-01-01T00:00:00Z`,
    finishedAt: null,
  };
}

async function writeObligations(rows: ObligationProjection[]): Promise<void> {
  await upsertObligations(tdb.db, rows);
}

async function page(
  who: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; etag: string }> {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: { cookie: `${SESSION_COOKIE}=${enc(sessions[who]!)}`, ...headers },
  });
  const body =
    res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload).toString('utf8') : res.body.toString();
  return { status: res.statusCode, body, etag: String(res.headers.etag ?? '') };
}

const count = (body: string, state: string) =>
  Number(new RegExp(`<li><span class="badge s-${state}">[^<]+</span> (\\d+)</li>`).exec(body)?.[1] ?? 0);
const picker = (body: string) =>
  [
    ...(body.split('<select id="cycle" name="cycle">')[1]?.split('</select>')[0] ?? '').matchAll(
      /<option value="([^"]+)"[^>]*>([^<]*)<\/option>/g,
    ),
  ].map((m) => ({ id: m[1]!, label: m[2]! }));
const selected = (body: string) => /<option value="([^"]+)" selected>/.exec(body)?.[1];
const cells = (body: string) =>
  [...body.matchAll(/<td><a href="\/app\/obligations\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
/** The charts' part of the page: from the first figure to the last figure's table. */
const charts = (body: string) => body.slice(body.indexOf('<figure'), body.lastIndexOf('</details>'));

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  const draft = (coordinator: string) =>
    createDraft(tdb.db, {
      plan: testPlan({ coordinator }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'test',
    });
  planId = await draft('АҚДМ');
  otherPlanId = await draft('ҰҚК');
  await writeCycle(planId, '2025', 'closed', 5);
  await writeCycle(planId, '2026', 'open', 1);
  await writeCycle(otherPlanId, '2026', 'open', 1);
  await writeObligations([
    ...AGENCIES.map((a) => obligation(planId, '2025', a, 'pending', 1)),
    ...AGENCIES.map((a) => obligation(planId, '2026', a, 'pending', 1)),
    obligation(otherPlanId, '2026', 'ҰҚК', 'pending', 1),
  ]);
  // The board never talks to Temporal: a client that is never connected.
  temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  app = await buildApp({
    db: tdb.db,
    temporal,
    taskQueue: 'board-freshness',
    sinkEnabled: false,
    probes: {
      temporal: async () => ({ ok: true, latencyMs: 0 }),
      postgres: async () => ({ ok: true, latencyMs: 0 }),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
  });
  const readers = {
    coordinator: { role: 'coordinator', agencyCode: 'АҚДМ' },
    coordinator2: { role: 'coordinator', agencyCode: 'АҚДМ' },
    iim: { role: 'reporter', agencyCode: 'ІІМ' },
    bgm: { role: 'reporter', agencyCode: 'БҒМ' },
    nqk: { role: 'reporter', agencyCode: 'ҰҚК' },
  } as const;
  for (const [who, r] of Object.entries(readers)) {
    const user =
      who === 'coordinator2'
        ? undefined
        : await createUser(tdb.db, {
            username: `board.${who}`,
            displayName: `Оқырман ${who}`,
            role: r.role,
            agencyCode: r.agencyCode,
            password: 'board-freshness-password',
          });
    // coordinator2: a second session of the coordinator's user (another browser).
    const userId =
      user?.id ??
      (
        await tdb.db
          .selectFrom('users')
          .select('id')
          .where('username', '=', 'board.coordinator')
          .executeTakeFirstOrThrow()
      ).id;
    csrf[who] = newToken();
    sessions[who] = (
      await createApiToken(tdb.db, {
        // As openSession names it: two sessions of one user differ in their secret and CSRF token only.
        name: `session:board.${who === 'coordinator2' ? 'coordinator' : who}`,
        role: r.role,
        agencyCode: r.agencyCode,
        userId,
        kind: 'session',
        expiresAt: new Date(Date.now() + 3600_000),
        csrfToken: csrf[who],
      })
    ).secret;
  }
});

afterAll(async () => {
  await app?.close();
  await temporal?.connection.close();
  await tdb?.drop();
});

describe('the kept board follows every change on the next request', () => {
  it('an obligation of the cycle, one of another cycle of the plan, a cycle opened and closed, a plan and an agency renamed, an escalation', async () => {
    const url = boardUrl(planId, '2026');
    const first = await page('coordinator', url);
    expect(first.status).toBe(200);
    expect(count(first.body, 'pending')).toBe(3);
    // Unchanged: the same page, answered 304 to its tag.
    const again = await page('coordinator', url);
    expect(again.body).toBe(first.body);
    expect((await page('coordinator', url, { 'if-none-match': first.etag })).status).toBe(304);

    // An obligation of this cycle.
    await writeObligations([obligation(planId, '2026', 'БҒМ', 'submitted', 2)]);
    const submitted = await page('coordinator', url, { 'if-none-match': first.etag });
    expect(submitted.status).toBe(200);
    expect(count(submitted.body, 'pending')).toBe(2);
    expect(count(submitted.body, 'ontime')).toBe(1);

    // An obligation of the plan's other cycle: the on-time chart (across the plan's cycles) counts it.
    await writeObligations([obligation(planId, '2025', 'ІІМ', 'accepted', 2)]);
    const otherCycle = await page('coordinator', url, { 'if-none-match': submitted.etag });
    expect(otherCycle.status).toBe(200);
    expect(charts(otherCycle.body)).not.toBe(charts(submitted.body));
    expect(count(otherCycle.body, 'ontime')).toBe(1);

    // A cycle opened: in the picker at once, and the board without a cycle asked for opens on it (newest open first).
    await writeCycle(planId, '2027', 'open', 1);
    await writeObligations(AGENCIES.map((a) => obligation(planId, '2027', a, 'pending', 1)));
    const opened = await page('coordinator', url);
    expect(picker(opened.body).map((o) => o.id)).toEqual([
      cycleOf(planId, '2027'),
      cycleOf(planId, '2026'),
      cycleOf(planId, '2025'),
    ]);
    expect(selected(opened.body)).toBe(cycleOf(planId, '2026'));
    expect(selected((await page('coordinator', '/app/board')).body)).toBe(cycleOf(planId, '2027'));

    // A cycle closed: its label says so, on its own board and in the picker of another.
    const labelOf = (body: string, period: string) => picker(body).find((o) => o.id === cycleOf(planId, period))!.label;
    expect(labelOf(opened.body, '2026')).toContain('Ашық');
    await writeCycle(planId, '2026', 'closed', 2);
    const closed = await page('coordinator', url);
    expect(labelOf(closed.body, '2026')).toContain('Жабылды');
    expect(labelOf((await page('coordinator', boardUrl(planId, '2027'))).body, '2026')).toContain('Жабылды');

    // A plan renamed: the picker's title.
    await tdb.db.updateTable('plans').set({ title_kk: 'Қайта аталған жоспар' }).where('id', '=', planId).execute();
    expect(labelOf((await page('coordinator', url)).body, '2026')).toContain('Қайта аталған жоспар');

    // An agency renamed through the directory.
    const bgm = (await getAgency(tdb.db, 'БҒМ'))!;
    await upsertAgency(tdb.db, { ...bgm, name: { kk: 'Жаңа атаулы министрлік', ru: 'Министерство с новым именем' } });
    const renamed = await page('coordinator', url);
    expect(renamed.body).toContain('Жаңа атаулы министрлік');

    // An escalation about one of the cycle's obligations.
    const escalations = (body: string) => body.split('board-freshness-head@example.kz').length - 1;
    expect(escalations(renamed.body)).toBe(0);
    await appendEvent(tdb.db, {
      idempotencyKey: 'board-freshness-escalation',
      type: 'escalation.sent',
      actor: 'system',
      subjectType: 'obligation',
      subjectId: `obligation:${planId}:2026:ІІМ:${STAGE}`,
      payload: {
        to: ['board-freshness-head@example.kz'],
        notice: { kind: 'escalation', audience: 'coordinator_head' },
      },
    });
    const escalated = await page('coordinator', url, { 'if-none-match': renamed.etag });
    expect(escalated.status).toBe(200);
    expect(escalations(escalated.body)).toBe(1);
    // The reporter it is about sees it; another agency's reporter does not.
    expect(escalations((await page('iim', url)).body)).toBe(1);
    expect(escalations((await page('bgm', url)).body)).toBe(0);
  });

  it('the reader’s own name and language, in the kept frame', async () => {
    const url = boardUrl(planId, '2026');
    const before = await page('bgm', url);
    expect(before.body).toContain('Оқырман bgm');
    try {
      await tdb.db
        .updateTable('users')
        .set({ display_name: 'Жаңа есім' })
        .where('username', '=', 'board.bgm')
        .execute();
      const renamed = await page('bgm', url);
      expect(renamed.body).toContain('Жаңа есім');
      expect(renamed.body).not.toContain('Оқырман bgm');
      await tdb.db.updateTable('users').set({ ui_lang: 'ru' }).where('username', '=', 'board.bgm').execute();
      const russian = await page('bgm', url);
      expect(russian.body).toContain('<html lang="ru">');
      expect(russian.body).toContain('<title>Панель координатора');
    } finally {
      // As it was: the tests below compare this reader with another of the same language.
      await tdb.db
        .updateTable('users')
        .set({ display_name: 'Оқырман bgm', ui_lang: null })
        .where('username', '=', 'board.bgm')
        .execute();
    }
  });
});

describe('the kept board never crosses readers', () => {
  it('two reporters of different agencies see their own cells only, whichever asks first', async () => {
    // A cycle where the two differ only by agency: the same picker, no escalations, so nothing but the scope tells them apart.
    await writeCycle(planId, '2024', 'closed', 3);
    await writeObligations(AGENCIES.map((a) => obligation(planId, '2024', a, 'accepted', 1)));
    const url = boardUrl(planId, '2024');
    for (const who of ['iim', 'bgm', 'iim', 'bgm', 'coordinator'] as const) {
      const { status, body } = await page(who, url);
      expect(status).toBe(200);
      const agencies = new Set(cells(body).map((id) => id.split(':')[3]));
      expect(agencies).toEqual(who === 'iim' ? new Set(['ІІМ']) : who === 'bgm' ? new Set(['БҒМ']) : new Set(AGENCIES));
    }
  });

  it('a cycle the reader may not see is a 404: another plan’s, one its agency owes nothing in, one that does not exist', async () => {
    expect((await page('coordinator', boardUrl(otherPlanId, '2026'))).status).toBe(404);
    expect((await page('nqk', boardUrl(planId, '2026'))).status).toBe(404);
    expect((await page('coordinator', boardUrl(planId, '1999'))).status).toBe(404);
    // What it may see is there, and the picker lists only that.
    const own = await page('nqk', boardUrl(otherPlanId, '2026'));
    expect(own.status).toBe(200);
    expect(picker(own.body).map((o) => o.id)).toEqual([cycleOf(otherPlanId, '2026')]);
    expect((await page('coordinator', boardUrl(otherPlanId, '2026'))).status).toBe(404);
    // A reporter whose agency comes to owe in a cycle sees it on the next request.
    await writeObligations([obligation(planId, '2025', 'ҰҚК', 'pending', 1)]);
    expect((await page('nqk', boardUrl(planId, '2025'))).status).toBe(200);
  });

  it('two sessions of one user each get their own frame (CSRF token, flash), and a flash is only on the page it was for', async () => {
    const url = boardUrl(planId, '2026');
    const one = await page('coordinator', url);
    const two = await page('coordinator2', url);
    expect(one.body).toContain(`value="${csrf.coordinator}"`);
    expect(one.body).not.toContain(csrf.coordinator2);
    expect(two.body).toContain(`value="${csrf.coordinator2}"`);
    expect(two.body).not.toContain(csrf.coordinator);
    expect(two.etag).not.toBe(one.etag);
    // The same again, gzip spliced from the kept pieces.
    const gz = await page('coordinator2', url, { 'accept-encoding': 'gzip' });
    expect(gz.body).toBe(two.body);
    const flashed = await page('coordinator', `${url}&msg=accepted`);
    expect(flashed.body).toContain('class="flash ok"');
    expect((await page('coordinator', url)).body).not.toContain('class="flash ok"');
    expect((await page('coordinator2', `${url}&msg=accepted`)).body).not.toContain(csrf.coordinator);
  });
});

describe('statements marked PREPARED', () => {
  it('are prepared once per connection under their text’s name, and run as before', async () => {
    // One connection, so that what it prepared can be read back from it.
    const db = createDb(tdb.url, { max: 1 });
    try {
      const found = await findActiveToken(db, sessions.coordinator!);
      expect(found?.csrfToken).toBe(csrf.coordinator);
      expect(await findActiveToken(db, 'no-such-secret')).toBeUndefined();
      const { rows } = await sql<{ name: string; statement: string }>`
        SELECT name, statement FROM pg_prepared_statements`.execute(db);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.statement.startsWith(PREPARED)).toBe(true);
      expect(rows[0]!.name).toBe(preparedName(rows[0]!.statement));
    } finally {
      await db.destroy();
    }
  });
});
