// Users, login, one-time passwords, tokens and the agencies directory: who may do what, for real over PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createUser } from '../../db/repositories/users.js';
import type { Agency } from '../../domain/plan.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let t: TestApp;

const agencies: Agency[] = [
  {
    code: 'АҚДМ',
    name: { kk: 'Ақпарат және қоғамдық даму министрлігі', ru: 'Министерство информации и общественного развития' },
    kind: 'ministry',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: 'report@akdm.example.kz' }],
    lang: 'kk',
  },
  {
    code: 'БҒМ',
    name: { kk: 'Білім және ғылым министрлігі', ru: 'Министерство образования и науки' },
    kind: 'ministry',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: 'report@bgm.example.kz' }],
    lang: 'kk',
  },
  {
    code: 'ҰҚК',
    name: { kk: 'Ұлттық қауіпсіздік комитеті', ru: 'Комитет национальной безопасности' },
    kind: 'presidential_body',
    byAgreement: true,
    contacts: [],
    lang: 'ru',
  },
];

async function login(username: string, password: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, agencies);
  t = await createTestApp(tdb);
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

describe('login and one-time passwords', () => {
  it('a new user must change the one-time password before doing anything else', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: {
        username: 'bgm.reporter',
        displayName: 'БҒМ есеп беруші',
        role: 'reporter',
        agencyCode: 'БҒМ',
        lang: 'kk',
      },
    });
    expect(created.statusCode).toBe(201);
    const otp = created.json().oneTimePassword as string;
    expect(JSON.stringify(created.json().user)).not.toContain('password_hash');

    expect((await login('bgm.reporter', 'wrong-password')).statusCode).toBe(401);
    expect((await login('nobody', otp)).statusCode).toBe(401);
    const session = await login('bgm.reporter', otp);
    expect(session.statusCode).toBe(200);
    expect(session.json().mustChangePassword).toBe(true);
    const token = session.json().token as string;

    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(token) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('password_change_required');

    const tooShort = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: bearer(token),
      payload: { currentPassword: otp, newPassword: 'short' },
    });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.message).toContain('newPassword');
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: bearer(token),
      payload: { currentPassword: otp, newPassword: 'a-much-better-passphrase' },
    });
    expect(changed.statusCode).toBe(200);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(me.json()).toMatchObject({
      role: 'reporter',
      agencyCode: 'БҒМ',
      username: 'bgm.reporter',
      mustChangePassword: false,
    });
    expect((await login('bgm.reporter', otp)).statusCode).toBe(401);
    expect((await login('bgm.reporter', 'a-much-better-passphrase')).statusCode).toBe(200);
  });

  it('a reporter needs an agency, and usernames are unique', async () => {
    const noAgency = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username: 'x.reporter', displayName: 'X', role: 'reporter' },
    });
    expect(noAgency.statusCode).toBe(400);
    expect(noAgency.json().error.message).toContain('agencyCode');
    const unknownAgency = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username: 'y.reporter', displayName: 'Y', role: 'reporter', agencyCode: 'ЖОҚ' },
    });
    expect(unknownAgency.statusCode).toBe(400);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username: 'bgm.reporter', displayName: 'again', role: 'pm_office' },
    });
    expect(dup.statusCode).toBe(409);
  });
});

describe('agencies directory', () => {
  it('everyone signed in reads it; contacts only for admins, coordinators and the agency itself', async () => {
    await createUser(tdb.db, {
      username: 'akdm.reporter',
      displayName: 'r',
      role: 'reporter',
      agencyCode: 'АҚДМ',
      password: 'correct-horse-battery',
    });
    const token = (await login('akdm.reporter', 'correct-horse-battery')).json().token as string;
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(token) });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Agency[];
    expect(items.find((a) => a.code === 'АҚДМ')!.contacts).toHaveLength(1);
    expect(items.find((a) => a.code === 'БҒМ')!.contacts).toEqual([]);
    const adminView = (
      await t.app.inject({ method: 'GET', url: '/api/v1/agencies', headers: bearer(t.adminToken) })
    ).json().items as Agency[];
    expect(adminView.find((a) => a.code === 'БҒМ')!.contacts).toHaveLength(1);
  });

  it('only admins change it; bad input names the field and writes nothing', async () => {
    const token = (await login('akdm.reporter', 'correct-horse-battery')).json().token as string;
    const body: Agency = { ...agencies[1]!, successor: { code: 'АҚДМ', date: '2019-06-01' } };
    const url = `/api/v1/agencies/${encodeURIComponent('БҒМ')}`;
    expect((await t.app.inject({ method: 'PUT', url, headers: bearer(token), payload: body })).statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'PUT',
      url,
      headers: bearer(t.adminToken),
      payload: { ...body, contacts: [{ role: 'reporter', email: 'not-mail' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('body/contacts/0/email');
    const unknownSuccessor = await t.app.inject({
      method: 'PUT',
      url,
      headers: bearer(t.adminToken),
      payload: { ...body, successor: { code: 'ЖОҚ', date: '2019-06-01' } },
    });
    expect(unknownSuccessor.statusCode).toBe(400);
    const row = await tdb.db.selectFrom('agencies').selectAll().where('code', '=', 'БҒМ').executeTakeFirstOrThrow();
    expect(row.successor_code).toBeNull();

    const ok = await t.app.inject({ method: 'PUT', url, headers: bearer(t.adminToken), payload: body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().successor).toEqual({ code: 'АҚДМ', date: '2019-06-01' });
    const events = await tdb.db
      .selectFrom('events')
      .select(['type', 'actor'])
      .where('subject_id', '=', 'БҒМ')
      .execute();
    expect(events).toEqual([{ type: 'agency.updated', actor: 'token:test-admin' }]);
  });
});

describe('tokens', () => {
  it('an issued token works until it is revoked or expires; only admins issue them', async () => {
    const user = await createUser(tdb.db, {
      username: 'akdm.system',
      displayName: 'АҚДМ жүйесі',
      role: 'reporter',
      agencyCode: 'АҚДМ',
      password: 'unused-password-1',
    });
    const issued = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(t.adminToken),
      payload: { name: 'akdm-erp', userId: user.id },
    });
    expect(issued.statusCode).toBe(201);
    const { id, token } = issued.json() as { id: string; token: string };
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });
    expect(me.json()).toMatchObject({ role: 'reporter', agencyCode: 'АҚДМ' });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: bearer(token),
          payload: { name: 'x', userId: user.id },
        })
      ).statusCode,
    ).toBe(403);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(t.adminToken) });
    expect(JSON.stringify(listed.json())).not.toContain(token);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer(t.adminToken) })).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);

    const expired = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(t.adminToken),
      payload: { name: 'old', userId: user.id, expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(expired.json().token) })).statusCode,
    ).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('is served and documents the routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/auth/login', '/api/v1/agencies/{code}', '/api/v1/users', '/api/v1/tokens'])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
