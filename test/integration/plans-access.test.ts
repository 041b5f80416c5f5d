// Plans over the API with real PostgreSQL: confirmation rules, amendments as versions, repeal, and who sees what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { bindUserToPlan, createUser } from '../../db/repositories/users.js';
import type { Plan } from '../../domain/plan.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

let tdb: TestDatabase;
let t: TestApp;
let planId: string;
const tokens: Record<string, string> = {};

async function tokenFor(
  username: string,
  role: 'coordinator' | 'pm_office' | 'reporter',
  agencyCode: string | null,
): Promise<{ token: string; userId: string }> {
  const user = await createUser(tdb.db, {
    username,
    displayName: username,
    role,
    agencyCode,
    password: 'not-used-here-123',
  });
  return {
    token: (await createApiToken(tdb.db, { name: username, role, agencyCode, userId: user.id })).secret,
    userId: user.id,
  };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb);
  planId = await createDraft(tdb.db, {
    plan: testPlan(),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: 'test.json',
    createdBy: 'token:test-admin',
  });
  const coordinator = await tokenFor('akdm.coordinator', 'coordinator', 'АҚДМ');
  tokens.coordinator = coordinator.token;
  tokens.otherCoordinator = (await tokenFor('iim.coordinator', 'coordinator', 'ІІМ')).token;
  tokens.pm = (await tokenFor('pm.office', 'pm_office', 'ПМК')).token;
  tokens.bgm = (await tokenFor('bgm.reporter', 'reporter', 'БҒМ')).token;
  tokens.knb = (await tokenFor('knb.reporter', 'reporter', 'ҰҚК')).token;
  tokens.pmReporter = (await tokenFor('pm.reporter', 'reporter', 'ПМК')).token;
  await bindUserToPlan(tdb.db, coordinator.userId, planId);
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
const post = (url: string, token: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

describe('plans', () => {
  it('a draft is visible only to whoever manages it', async () => {
    expect((await get(`/api/v1/plans/${planId}`, tokens.coordinator!)).statusCode).toBe(200);
    expect((await get(`/api/v1/plans/${planId}`, tokens.pm!)).statusCode).toBe(404);
    expect((await get(`/api/v1/plans/${planId}`, tokens.bgm!)).statusCode).toBe(404);
    expect((await get('/api/v1/plans', tokens.bgm!)).json().items).toEqual([]);
  });

  it('a draft with error diagnostics cannot be confirmed, and nothing is written', async () => {
    const bad = await createDraft(tdb.db, {
      plan: testPlan({ coordinator: '' }),
      diagnostics: [
        { severity: 'error', code: 'missing_coordinator', message: 'the decree names no coordinating body' },
      ],
      sourceFormat: 'adilet',
      sourceName: 'x.txt',
      createdBy: 'token:test-admin',
    });
    const res = await post(`/api/v1/plans/${bad}/confirm`, t.adminToken);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('has_errors');
    expect(await tdb.db.selectFrom('measures').select('idx').where('plan_id', '=', bad).execute()).toEqual([]);
  });

  it('another coordinator cannot confirm it; its own coordinator can, and then executors see their measures only', async () => {
    expect((await post(`/api/v1/plans/${planId}/confirm`, tokens.otherCoordinator!)).statusCode).toBe(404);
    expect((await post(`/api/v1/plans/${planId}/confirm`, tokens.bgm!)).statusCode).toBe(404);
    const res = await post(`/api/v1/plans/${planId}/confirm`, tokens.coordinator!);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'confirmed', version: 1, measures: 3 });
    expect((await post(`/api/v1/plans/${planId}/confirm`, tokens.coordinator!)).statusCode).toBe(409);

    const bgm = await get(`/api/v1/plans/${planId}`, tokens.bgm!);
    expect(bgm.statusCode).toBe(200);
    expect((bgm.json().plan as Plan).measures.map((m) => m.number)).toEqual(['1']);
    expect(bgm.json().diagnostics).toBeUndefined();
    const knb = await get(`/api/v1/plans/${planId}`, tokens.knb!);
    expect((knb.json().plan as Plan).measures.map((m) => m.number)).toEqual(['2']);
    expect((await get(`/api/v1/plans/${planId}`, tokens.pmReporter!)).statusCode).toBe(404);
    expect((await get(`/api/v1/plans/${planId}`, tokens.pm!)).json().plan.measures).toHaveLength(3);
    expect((await get('/api/v1/plans', tokens.bgm!)).json().items.map((p: { id: string }) => p.id)).toEqual([planId]);
    const events = await tdb.db
      .selectFrom('events')
      .select(['type', 'actor'])
      .where('subject_id', '=', planId)
      .execute();
    expect(events).toEqual([{ type: 'plan.confirmed', actor: 'user:akdm.coordinator' }]);
  });

  it('an amendment is a new version, validated field by field, and reporters cannot make one', async () => {
    const act = { issuer: 'Қазақстан Республикасының Үкіметі', number: '180', date: '2019-04-11' };
    const bad = await post(`/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act,
      summary: 'x',
      changes: [
        { op: 'set_deadline', measure: '9', text: 'жыл сайын' },
        { op: 'add_executor', measure: '1', code: 'ЖОҚ' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('body/changes/0/measure: no measure "9"');
    expect(bad.json().error.message).toContain('body/changes/1/code: unknown agency "ЖОҚ"');
    expect(
      (
        await post(`/api/v1/plans/${planId}/amend`, tokens.bgm!, {
          act,
          summary: 'x',
          changes: [{ op: 'remove_executor', measure: '1', code: 'АҚДМ' }],
        })
      ).statusCode,
    ).toBe(403);

    const ok = await post(`/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act,
      summary: 'Мерзімі өзгертілді, орындаушы қосылды',
      expectedVersion: 1,
      changes: [
        { op: 'set_deadline', measure: '2', text: 'жыл сайын, 15 желтоқсанға дейін' },
        { op: 'add_executor', measure: '3', code: 'БҒМ' },
      ],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(2);
    expect(ok.json().applied).toEqual([
      {
        op: 'set_deadline',
        measure: '2',
        from: 'жыл сайын, 1 желтоқсанға дейін',
        to: 'жыл сайын, 15 желтоқсанға дейін',
      },
      { op: 'add_executor', measure: '3', code: 'БҒМ' },
    ]);
    const bgm = (await get(`/api/v1/plans/${planId}`, tokens.bgm!)).json().plan as Plan;
    expect(bgm.measures.map((m) => m.number)).toEqual(['1', '3']);
    const stale = await post(`/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act,
      summary: 'y',
      expectedVersion: 1,
      changes: [{ op: 'remove_executor', measure: '3', code: 'БҒМ' }],
    });
    expect(stale.statusCode).toBe(409);
    const versions = (await get(`/api/v1/plans/${planId}/versions`, tokens.coordinator!)).json().items as {
      version: number;
    }[];
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('a repeal records the act and the reason; a repealed plan cannot be amended', async () => {
    const act = { issuer: 'Қазақстан Республикасының Үкіметі', number: '1014', date: '2022-09-15' };
    const res = await post(`/api/v1/plans/${planId}/repeal`, tokens.coordinator!, {
      act,
      date: '2022-09-15',
      reason: 'Күші жойылды',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('repealed');
    const again = await post(`/api/v1/plans/${planId}/amend`, tokens.coordinator!, {
      act,
      summary: 'x',
      changes: [{ op: 'remove_executor', measure: '3', code: 'БҒМ' }],
    });
    expect(again.statusCode).toBe(409);
    const plan = (await get(`/api/v1/plans/${planId}`, t.adminToken)).json().plan as Plan;
    expect(plan.repeal).toEqual({ date: '2022-09-15', act });
  });
});
