// What protects the service from one caller (issue 17, point 4), on the real API bed: a token over its rate limit is answered
// 429 in the API's error shape with Retry-After while another token goes on; bodies over their route's limit are 413 (a
// report's route has a larger one, an import its own); a plan over the measure or party limit is refused naming the count
// and the limit, with nothing stored; a backfill over the period cap is 400 naming the range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft } from '../../db/repositories/plans.js';
import { exportCanonical } from '../../domain/import/canonical.js';
import { DEFAULT_LIMITS } from '../../api/limits.js';
import { caller, startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { measure, testPlan } from '../helpers/plans.js';

const LIMITS = {
  ...DEFAULT_LIMITS,
  ratePerToken: 5,
  ratePerAddress: 3,
  rateWindowMs: 60_000,
  bodyBytes: 4 * 1024,
  reportBodyBytes: 32 * 1024,
  planMaxMeasures: 4,
  planMaxParties: 4,
  backfillMaxPeriods: 3,
};

let s: ApiTestStack;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  s = await startApiTestStack('limits', { limits: LIMITS });
  call = caller(s.app);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('rate limits', () => {
  it('a token over its limit gets 429 with Retry-After in the one error shape; another token is unaffected', async () => {
    const busy = await s.token('busy', 'admin');
    const other = await s.token('other', 'admin');
    for (let i = 0; i < LIMITS.ratePerToken; i++) {
      const ok = await call('GET', '/api/v1/me', busy);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-limit']).toBe(String(LIMITS.ratePerToken));
    }
    const refused = await call('GET', '/api/v1/me', busy);
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('at most 5') } });
    expect((await call('GET', '/api/v1/me', other)).statusCode).toBe(200);
  });

  it('anonymous callers are counted per address; health probes are not counted', async () => {
    const anon = (remoteAddress: string) =>
      s.app.inject({ method: 'GET', url: '/api/v1/me', remoteAddress }).then((r) => r.statusCode);
    for (let i = 0; i < LIMITS.ratePerAddress; i++) expect(await anon('10.0.0.1')).toBe(401);
    expect(await anon('10.0.0.1')).toBe(429);
    expect(await anon('10.0.0.2')).toBe(401);
    for (let i = 0; i < LIMITS.ratePerAddress + 2; i++)
      expect((await s.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.3' })).statusCode).not.toBe(
        429,
      );
  });

  it('a page over the limit answers a 429 page in Kazakh or Russian, with Retry-After', async () => {
    const res = await s.app.inject({
      method: 'GET',
      url: '/app/sign-in',
      remoteAddress: '10.0.0.9',
      headers: { 'accept-language': 'ru' },
    });
    expect(res.statusCode).not.toBe(429);
    let last = res;
    for (let i = 0; i < LIMITS.ratePerAddress; i++)
      last = await s.app.inject({
        method: 'GET',
        url: '/app/sign-in',
        remoteAddress: '10.0.0.9',
        headers: { 'accept-language': 'ru' },
      });
    expect(last.statusCode).toBe(429);
    expect(last.headers['retry-after']).toBeDefined();
    expect(last.headers['content-type']).toContain('text/html');
    expect(last.body).toMatch(/Слишком много запросов|Сұрау тым көп/);
  });
});

describe('body limits', () => {
  it('an ordinary JSON route refuses a body over its limit with 413 naming it; nothing is created', async () => {
    const admin = await s.token('body-admin', 'admin');
    const res = await call('POST', '/api/v1/users', admin, {
      username: 'big',
      displayName: 'x'.repeat(LIMITS.bodyBytes),
      role: 'admin',
      password: 'correct horse battery staple 42',
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({
      code: 'body_too_large',
      message: 'body: larger than this route accepts (4 KB)',
    });
    expect(await s.tdb.db.selectFrom('users').select('id').where('username', '=', 'big').execute()).toHaveLength(0);
  });

  it("a report's routes take a larger body (up to theirs), and refuse one over it", async () => {
    const admin = await s.token('body-admin-2', 'admin');
    const url = `/api/v1/obligations/${encodeURIComponent('obligation:none:2020:X')}/draft`;
    const within = await call('PUT', url, admin, { content: { narrative: 'x'.repeat(16 * 1024) } });
    expect(within.statusCode).not.toBe(413);
    const over = await call('PUT', url, admin, { content: { narrative: 'x'.repeat(LIMITS.reportBodyBytes) } });
    expect(over.statusCode).toBe(413);
    expect(over.json().error.code).toBe('body_too_large');
  });

  it('a plan import keeps its own (larger) limit', async () => {
    const admin = await s.token('body-admin-3', 'admin');
    const yaml = exportCanonical(testPlan({ title: { kk: 'Ж'.repeat(6 * 1024), ru: null } }), 'yaml');
    expect(yaml.length).toBeGreaterThan(LIMITS.bodyBytes);
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import?dryRun=true&filename=plan.yaml',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('plan size on import', () => {
  const executors = (codes: string[]): [string, boolean][] => codes.map((c) => [c, false]);

  it('more measures than the limit: 413 naming the count and the limit, nothing stored (a dry run too)', async () => {
    const admin = await s.token('size-admin', 'admin');
    const measures = Array.from({ length: 5 }, (_, i) =>
      measure(String(i + 1), `Іс-шара ${i + 1}`, executors(['БҒМ']), 'жыл сайын'),
    );
    const yaml = exportCanonical(testPlan({ measures }), 'yaml');
    const before = (await s.tdb.db.selectFrom('plans').select('id').execute()).length;
    for (const dry of ['true', 'false']) {
      const res = await s.app.inject({
        method: 'POST',
        url: `/api/v1/plans/import?dryRun=${dry}&filename=plan.yaml`,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' },
        payload: yaml,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error).toEqual({
        code: 'plan_too_large',
        message: 'The plan has 5 measures; at most 4 are accepted in one plan (measures)',
      });
    }
    expect(await s.tdb.db.selectFrom('plans').select('id').execute()).toHaveLength(before);
  });

  it('more parties than the limit: 413 naming the count and the limit, nothing stored', async () => {
    const admin = await s.token('size-admin-2', 'admin');
    const measures = [
      measure('1', 'Бірінші', executors(['БҒМ', 'АҚДМ']), 'жыл сайын'),
      measure('2', 'Екінші', executors(['ІІМ', 'ПМК', 'ҰҚК']), 'жыл сайын'),
    ];
    const before = (await s.tdb.db.selectFrom('plans').select('id').execute()).length;
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import?filename=plan.yaml',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' },
      payload: exportCanonical(testPlan({ measures }), 'yaml'),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toBe(
      'The plan names 5 parties (executor agencies); at most 4 are accepted in one plan (parties)',
    );
    expect(await s.tdb.db.selectFrom('plans').select('id').execute()).toHaveLength(before);
  });

  it('a plan within the limits is stored', async () => {
    const admin = await s.token('size-admin-3', 'admin');
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/plans/import?filename=plan.yaml',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' },
      payload: exportCanonical(testPlan(), 'yaml'),
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('backfill range', () => {
  it('a range over the cap is 400 naming it, before anything is opened; within the cap it goes on', async () => {
    const admin = await s.token('backfill-admin', 'admin');
    const planId = await createDraft(s.tdb.db, {
      plan: testPlan({ years: { from: 2015, to: 2025 } }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    const over = await call('POST', `/api/v1/plans/${planId}/schedule/backfill`, admin, {
      from: '2016',
      to: '2020',
      mode: 'record-only',
    });
    expect(over.statusCode).toBe(400);
    expect(over.json().error).toEqual({
      code: 'backfill_too_long',
      message: 'to: the range 2016–2020 spans 5 periods; at most 3 are opened in one backfill',
    });
    // Within the cap the request reaches the engine, which finds no schedule for a draft.
    const within = await call('POST', `/api/v1/plans/${planId}/schedule/backfill`, admin, {
      from: '2016',
      to: '2018',
      mode: 'record-only',
    });
    expect(within.statusCode).toBe(409);
    expect(within.json().error.code).toBe('no_schedule');
  });
});
