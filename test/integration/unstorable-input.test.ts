// Issue 10 item 1 against the real stack: text PostgreSQL cannot store (NUL, lone surrogates) is refused at every door with a 4xx
// naming the field, nothing is stored, and the obligation it was aimed at stays healthy (no activity left retrying, history still).
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { dataRejected, isPermanentDataError } from '../../activities/db-errors.js';
import { createDraft } from '../../db/repositories/plans.js';
import { cycleWorkflowId, planScheduleId } from '../../domain/cycle-model.js';
import { changeDeadlineSignal, FailureType, obligationStatusQuery } from '../../workflows/shared.js';
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
  stack = await startApiTestStack('unstorable');
  ({ tdb, client, app } = stack);
  tokens.admin = await stack.token('admin', 'admin');
  tokens.coordinator = await stack.token('akdm', 'coordinator', 'АҚДМ');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
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
  await client?.workflow
    .getHandle(cycleWorkflowId(planId, String(YEAR)))
    .terminate('test over')
    .catch(() => undefined);
  await stack?.close();
});

/** A raw JSON body, so that escapes like \u0000 and \ud800 reach the server exactly as an attacker writes them. */
const raw = (method: 'POST' | 'PUT', url: string, token: string | undefined, json: string) =>
  app.inject({
    method,
    url,
    headers: { ...(token === undefined ? {} : bearer(token)), 'content-type': 'application/json' },
    payload: json,
  });

const obligationId = (): string => `obligation:${planId}:${YEAR}:БҒМ:executors`;

/** What shows an obligation healthy: running, no activity pending (none retrying), its status and its history length. */
async function health(id: string) {
  const handle = client.workflow.getHandle(id);
  const d = await handle.describe();
  const view = await handle.query(obligationStatusQuery);
  return {
    status: d.status.name,
    pendingActivities: d.raw.pendingActivities?.length ?? 0,
    obligation: view.summary.status,
    historyLength: d.historyLength,
  };
}

/** The obligation's health once it has finished what it was doing (two snapshots a second apart agree); a loop never settles. */
async function settled(id: string): Promise<Awaited<ReturnType<typeof health>>> {
  let last = await health(id);
  return waitFor(
    async () => {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await health(id);
      const same = JSON.stringify(now) === JSON.stringify(last);
      last = now;
      return same ? now : undefined;
    },
    30_000,
    `${id} to settle`,
  );
}

describe('text PostgreSQL cannot store', () => {
  it('opens a cycle to aim at', async () => {
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/plans/${planId}/confirm`,
          headers: bearer(tokens.coordinator!),
        })
      ).statusCode,
    ).toBe(200);
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('status')
          .where('workflow_id', '=', obligationId())
          .executeTakeFirst();
        return row === undefined ? undefined : true;
      },
      30_000,
      'the obligation of БҒМ',
    );
  });

  it('the exact probes to submit answer 400 naming the field; nothing is stored; the obligation stays healthy', async () => {
    const url = `/api/v1/obligations/${encodeURIComponent(obligationId())}/submit`;
    const before = await settled(obligationId());
    expect(before).toMatchObject({ status: 'RUNNING', pendingActivities: 0, obligation: 'pending' });
    const nul = await raw('POST', url, tokens.bgm, '{"items":[{"measure":"1","status":"done","text":"ok\\u0000x"}]}');
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.message).toContain('body/items/0/text');
    expect(nul.json().error.message).toContain('U+0000');
    const surrogate = await raw(
      'POST',
      url,
      tokens.bgm,
      '{"items":[{"measure":"1","status":"done","text":"a\\ud800b"}]}',
    );
    expect(surrogate.statusCode).toBe(400);
    expect(surrogate.json().error.message).toMatch(/body\/items\/0\/text: .*unpaired UTF-16 surrogate/);
    const lowAlone = await raw('POST', url, tokens.bgm, '{"items":[{"measure":"1","status":"done","text":"\\udc00"}]}');
    expect(lowAlone.statusCode).toBe(400);
    // A well-formed pair (an emoji) is text like any other: not refused by this check.
    const emojiCheck = await raw(
      'POST',
      url,
      tokens.bgm,
      '{"items":[{"measure":"1","status":"bogus","text":"ok \\ud83d\\ude00"}]}',
    );
    expect(emojiCheck.statusCode).toBe(400);
    expect(emojiCheck.json().error.message).toContain('status');
    expect(emojiCheck.json().error.message).not.toMatch(/surrogate/);
    // Give a retrying activity (the bug) time to show itself: the history must not grow and nothing may be pending.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await health(obligationId());
    expect(after).toEqual(before);
    const events = await tdb.db.selectFrom('events').select('type').where('subject_id', '=', obligationId()).execute();
    expect(events.map((e) => e.type)).not.toContain('report.submitted');
    const history = await client.workflow.getHandle(obligationId()).fetchHistory();
    expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes != null)).toHaveLength(
      0,
    );
  });

  it('every other door refuses it too: login names, filters, ids, agency and calendar edits, review comments', async () => {
    const login = await raw(
      'POST',
      '/api/v1/auth/login',
      undefined,
      '{"username":"admin\\u0000","password":"whatever-long"}',
    );
    expect(login.statusCode).toBe(400);
    expect(login.json().error.message).toContain('body/username');
    const filter = await app.inject({
      method: 'GET',
      url: '/api/v1/obligations?agency=%C3%A9%00',
      headers: bearer(tokens.admin!),
    });
    expect(filter.statusCode).toBe(400);
    expect(filter.json().error.message).toContain('querystring/agency');
    const id = await app.inject({
      method: 'GET',
      url: '/api/v1/obligations/obligation%00x',
      headers: bearer(tokens.admin!),
    });
    expect(id.statusCode).toBe(400);
    expect(id.json().error.message).toContain('params/id');
    const agency = await raw(
      'PUT',
      `/api/v1/agencies/${encodeURIComponent('БҒМ')}`,
      tokens.admin,
      '{"name":{"kk":"Б\\u0000","ru":"Б"}}',
    );
    expect(agency.statusCode).toBe(400);
    expect(agency.json().error.message).toContain('body/name/kk');
    const calendar = await raw(
      'PUT',
      '/api/v1/calendar/years/2030',
      tokens.admin,
      '{"status":"official","note":"\\ud800"}',
    );
    expect(calendar.statusCode).toBe(400);
    expect(calendar.json().error.message).toContain('body/note');
    const extend = await raw(
      'POST',
      `/api/v1/obligations/${encodeURIComponent(obligationId())}/extend`,
      tokens.coordinator,
      `{"reason":"x\\u0000","newDueDate":"${YEAR + 1}-01-20"}`,
    );
    expect(extend.statusCode).toBe(400);
    expect(extend.json().error.message).toContain('body/reason');
    const stored = await tdb.db.selectFrom('calendar_years').select('year').where('year', '=', 2030).execute();
    expect(stored).toHaveLength(0);
    expect((await health(obligationId())).pendingActivities).toBe(0);
  });

  it('an imported plan with such a title gets a diagnostic naming the field and is not stored', async () => {
    const before = await tdb.db.selectFrom('plans').select('id').execute();
    const plan = JSON.stringify(testPlan({ years: { from: YEAR, to: YEAR } })).replace(
      '"title":{"kk":"',
      '"title":{"kk":"\\u0000',
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/plans/import?filename=plan.json',
      headers: { ...bearer(tokens.coordinator!), 'content-type': 'application/octet-stream' },
      payload: Buffer.from(plan),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const diagnostics = (res.json().diagnostics ?? []) as { code: string; field?: string }[];
    expect(diagnostics.some((d) => d.code === 'unstorable_text' || /U\+0000|NUL/.test(JSON.stringify(d)))).toBe(true);
    expect(await tdb.db.selectFrom('plans').select('id').execute()).toHaveLength(before.length);
  });

  it('a signal carrying such text (signals cannot be refused) is recorded as rejected, and the obligation goes on', async () => {
    const handle = client.workflow.getHandle(obligationId());
    await handle.signal(changeDeadlineSignal, {
      amendmentId: 'probe',
      newDueDate: `${YEAR + 1}-01-25`,
      reason: 'moved\u0000by probe',
      actor: 'probe',
    });
    const rejected = await waitFor(
      async () => {
        const rows = await tdb.db
          .selectFrom('events')
          .select(['type', 'payload'])
          .where('subject_id', '=', obligationId())
          .where('type', '=', 'event.rejected')
          .execute();
        return rows.length > 0 ? rows : undefined;
      },
      20_000,
      'the event.rejected row',
    );
    expect(JSON.stringify(rejected[0]!.payload)).toContain('deadline.moved');
    // Still running, nothing retrying, and it went on to re-plan for the new date.
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('due_date')
          .where('workflow_id', '=', obligationId())
          .executeTakeFirst();
        return String(row?.due_date ?? '').startsWith(`${YEAR + 1}-01-25`) ? true : undefined;
      },
      20_000,
      'the re-planned read model',
    );
    expect(await settled(obligationId())).toMatchObject({
      status: 'RUNNING',
      pendingActivities: 0,
      obligation: 'pending',
    });
    const ok = await app.inject({
      method: 'POST',
      url: `/api/v1/obligations/${encodeURIComponent(obligationId())}/submit`,
      headers: bearer(tokens.bgm!),
      payload: { items: [{ measure: '1', status: 'done', text: 'Курс енгізілді' }] },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('new due dates in range (issue 10 item 4)', () => {
  const url = (action: string) => `/api/v1/obligations/${encodeURIComponent(obligationId())}/${action}`;
  const send = (action: string, body: object) =>
    app.inject({ method: 'POST', url: url(action), headers: bearer(tokens.coordinator!), payload: body });

  it('return refuses a date past the schema’s years, in the past, or past the cycle plus the margin; takes one in range', async () => {
    expect((await health(obligationId())).obligation).toBe('submitted');
    const far = await send('return', { comment: 'түзету керек', newDueDate: '9999-12-31' });
    expect(far.statusCode).toBe(400);
    expect(far.json().error.message).toContain('newDueDate');
    const past = await send('return', { comment: 'түзету керек', newDueDate: `${YEAR - 1}-06-01` });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.message).toMatch(/newDueDate: must be after today/);
    const late = await send('return', { comment: 'түзету керек', newDueDate: `${YEAR + 3}-01-01` });
    expect(late.statusCode).toBe(400);
    expect(late.json().error.message).toContain(`no later than ${YEAR + 2}-12-31`);
    expect((await health(obligationId())).obligation).toBe('submitted');
    const ok = await send('return', { comment: 'түзету керек', newDueDate: `${YEAR + 1}-02-02` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('returned');
  });

  it('extend likewise; the obligation stays healthy throughout', async () => {
    expect((await send('extend', { reason: 'себеп', newDueDate: '9999-12-31' })).statusCode).toBe(400);
    const late = await send('extend', { reason: 'себеп', newDueDate: `${YEAR + 3}-06-01` });
    expect(late.statusCode).toBe(400);
    expect(late.json().error.message).toContain('newDueDate');
    const ok = await send('extend', { reason: 'себеп', newDueDate: `${YEAR + 1}-03-02` });
    expect(ok.statusCode).toBe(200);
    expect(await settled(obligationId())).toMatchObject({
      status: 'RUNNING',
      pendingActivities: 0,
      obligation: 'returned',
    });
  });
});

describe('the activities classify PostgreSQL’s refusals', () => {
  const activities = () => createActivities({ db: tdb.db, mailer: stack.mailer, mailFrom: 'Merzim <merzim@test>' });

  it.each([
    ['a NUL in jsonb', { text: 'ok\u0000x' }],
    ['a lone surrogate in jsonb', { text: 'a\ud800b' }],
  ])('%s fails recordEvent non-retryably as DataRejected, and writes nothing', async (_what, payload) => {
    const key = `probe-${randomUUID()}`;
    const env = new MockActivityEnvironment();
    const err = await env
      .run(activities().recordEvent, { idempotencyKey: key, type: 'probe', actor: 'test', payload })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.DataRejected);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(/SQLSTATE 22/);
    expect(await tdb.db.selectFrom('events').select('id').where('idempotency_key', '=', key).execute()).toHaveLength(0);
  });

  it('a NUL in a text column (not jsonb) is a data exception too; a connection error is not', async () => {
    const err = await tdb.db
      .insertInto('events')
      .values({ idempotency_key: 'x\u0000', type: 't', actor: 'a', payload: '{}' })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isPermanentDataError(err)).toBe(true);
    expect(dataRejected(err as Error & { code: string }).type).toBe(FailureType.DataRejected);
    expect(isPermanentDataError(Object.assign(new Error('connection terminated'), { code: '57P01' }))).toBe(false);
    expect(isPermanentDataError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isPermanentDataError(Object.assign(new Error('check'), { code: '23514' }))).toBe(true);
    expect(isPermanentDataError(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
  });
});
