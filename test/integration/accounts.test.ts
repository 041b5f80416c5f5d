// Accounts hardening (issue 10, points 5 and 6), over the real API and PostgreSQL: sign-in rate limits and lockouts per
// username and per address that hold across API processes, every sign-in outcome in the audit log, the password policy
// everywhere a password is set, sessions revoked by a password change, sign-out, own sessions beside own tokens, an
// admin disabling a user and resetting a password, and token ids that are not sequential.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createUser } from '../../db/repositories/users.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES } from '../helpers/plans.js';

let tdb: TestDatabase;
let t: TestApp;
/** A second API process over the same database: limits and lockouts must hold there too. */
let t2: TestApp;

const STRONG = 'correct-horse-battery-staple';

function login(app: FastifyInstance, username: string, password: string, remoteAddress = '127.0.0.1') {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
}

/** A user created by the admin whose one-time password is already changed to STRONG; their session token. */
async function activeUser(username: string): Promise<{ id: string; token: string }> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(t.adminToken),
    payload: { username, displayName: username, role: 'reporter', agencyCode: TEST_AGENCIES[0]!.code },
  });
  expect(created.statusCode).toBe(201);
  const first = await login(t.app, username, created.json().oneTimePassword as string, '10.9.9.9');
  const token = first.json().token as string;
  const changed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/password',
    headers: bearer(token),
    payload: { currentPassword: created.json().oneTimePassword, newPassword: STRONG },
  });
  expect(changed.statusCode).toBe(200);
  return { id: created.json().user.id as string, token };
}

async function eventsOf(type: string, username: string) {
  return tdb.db
    .selectFrom('events')
    .selectAll()
    .where('type', '=', type)
    .where(sql<string>`payload->>'username'`, '=', username)
    .execute();
}

/** Whether the user gets the daily digests, as the digest e-mails read it. */
async function digestsOfUser(username: string): Promise<boolean> {
  return (await tdb.db.selectFrom('users').select('digests').where('username', '=', username).executeTakeFirstOrThrow())
    .digests;
}

/** The audit events of a user's digest setting changes (the page and the API write the same one). */
function digestChangesBy(username: string) {
  return tdb.db
    .selectFrom('events')
    .select(['actor', 'payload'])
    .where('type', '=', 'user.digests_changed')
    .where('actor', '=', `user:${username}`)
    .execute();
}

async function healthy(): Promise<void> {
  expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb);
  t2 = await createTestApp(tdb);
});
afterAll(async () => {
  await t2?.close();
  await t?.close();
  await tdb?.drop();
});

describe('sign-in limits and lockout', () => {
  it('50 wrong passwords at once: 5 are checked, the rest answer 429 with Retry-After, in every API process', async () => {
    await activeUser('lock.one');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(i % 2 === 0 ? t.app : t2.app, 'lock.one', `wrong-${i}`, '10.0.0.1')),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45);
    const locked = answers.find((a) => a.statusCode === 429)!;
    expect(locked.json().error.code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);

    // Locked out at that address, even with the right password, in the other process too; no session was made.
    expect((await login(t2.app, 'lock.one', STRONG, '10.0.0.1')).statusCode).toBe(429);
    // From another address the right password still works (only 5 failures of the 10 that lock the account).
    expect((await login(t.app, 'lock.one', STRONG, '10.0.0.2')).statusCode).toBe(200);

    // The audit log: each failure, the lockout, the refusals and the sign-in; never a password.
    expect((await eventsOf('auth.sign_in_failed', 'lock.one')).length).toBe(statuses.filter((s) => s === 401).length);
    const lockout = await eventsOf('auth.locked_out', 'lock.one');
    expect(lockout.length).toBe(1);
    expect(lockout[0]!.payload).toMatchObject({ address: '10.0.0.1', scopes: ['user_address'], via: 'api' });
    expect((await eventsOf('auth.sign_in_refused', 'lock.one')).length).toBeGreaterThanOrEqual(46);
    expect((await eventsOf('auth.signed_in', 'lock.one')).length).toBeGreaterThanOrEqual(2);
    const all = await tdb.db.selectFrom('events').select('payload').where('type', 'like', 'auth.%').execute();
    expect(JSON.stringify(all)).not.toMatch(/wrong-\d|correct-horse/);
    await healthy();
  });

  it('10 failures from different addresses lock the account everywhere', async () => {
    await activeUser('lock.two');
    for (let i = 0; i < 10; i++)
      expect((await login(t.app, 'lock.two', 'nope-nope', `10.1.0.${i}`)).statusCode).toBe(401);
    const refused = await login(t2.app, 'lock.two', STRONG, '10.1.1.1');
    expect(refused.statusCode).toBe(429);
    expect((await eventsOf('auth.locked_out', 'lock.two'))[0]!.payload).toMatchObject({ scopes: ['user'] });
    await healthy();
  });

  it('30 failures from one address, any usernames, lock the address out', async () => {
    await activeUser('lock.three');
    for (let i = 0; i < 30; i++)
      expect((await login(t.app, `nobody${i}`, 'whatever-1', '10.2.0.1')).statusCode).toBe(401);
    expect((await login(t.app, 'lock.three', STRONG, '10.2.0.1')).statusCode).toBe(429);
    expect((await login(t.app, 'lock.three', STRONG, '10.2.0.2')).statusCode).toBe(200);
  });

  it('the web sign-in shares the limits with the API login', async () => {
    await activeUser('lock.four');
    for (let i = 0; i < 5; i++) expect((await login(t.app, 'lock.four', 'nope-nope', '10.3.0.1')).statusCode).toBe(401);
    const pre = await t.app.inject({ method: 'GET', url: '/app/sign-in', remoteAddress: '10.3.0.1' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(pre.body)![1]!;
    const cookie = String(pre.headers['set-cookie']).split(';')[0]!;
    const web = await t.app.inject({
      method: 'POST',
      url: '/app/sign-in',
      remoteAddress: '10.3.0.1',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, username: 'lock.four', password: STRONG }).toString(),
    });
    expect(web.statusCode).toBe(429);
    expect(web.headers['set-cookie'] ?? '').not.toContain('merzim_session=mz_');
  });
});

describe('password policy', () => {
  it('refuses blank, repeated, common and username-built passwords with 400 naming the field; nothing changes', async () => {
    const u = await activeUser('policy.user');
    for (const newPassword of [' '.repeat(12), 'aaaaaaaaaaaa', 'password123', '1234567890', 'policy.user2026']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: bearer(u.token),
        payload: { currentPassword: STRONG, newPassword },
      });
      expect(res.statusCode, newPassword).toBe(400);
      expect(res.json().error.code).toBe(newPassword.trim() === '' ? 'weak_password' : 'weak_password');
      expect(res.json().error.message).toMatch(/^body\/newPassword /);
      expect(res.json().error.message).not.toContain(newPassword.trim() || '@@');
    }
    expect((await login(t.app, 'policy.user', STRONG, '10.4.0.1')).statusCode).toBe(200);
    expect((await eventsOf('user.password_changed', 'policy.user')).length).toBe(0);
  });
});

describe('sessions', () => {
  it('changing the password revokes every other session; the one it was made from goes on', async () => {
    await activeUser('sess.one');
    const a = (await login(t.app, 'sess.one', STRONG, '10.5.0.1')).json().token as string;
    const b = (await login(t.app, 'sess.one', STRONG, '10.5.0.2')).json().token as string;
    const next = 'another-long-passphrase-42';
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: bearer(a),
      payload: { currentPassword: STRONG, newPassword: next },
    });
    expect(changed.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(b) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(a) })).statusCode).toBe(200);
  });

  it('lists own sessions beside own API tokens, revokes one, and signs out', async () => {
    const u = await activeUser('sess.two');
    const apiToken = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(t.adminToken),
      payload: { name: 'sess-two-system', userId: u.id },
    });
    expect(apiToken.statusCode).toBe(201);
    const other = (await login(t.app, 'sess.two', STRONG, '10.6.0.2')).json().token as string;
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: bearer(u.token) });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; kind: string; current: boolean; name: string }[];
    expect(items.filter((i) => i.kind === 'session').length).toBe(2);
    expect(items.filter((i) => i.kind === 'api').map((i) => i.name)).toEqual(['sess-two-system']);
    expect(items.filter((i) => i.current).length).toBe(1);
    for (const i of items)
      expect(i.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.stringify(items)).not.toContain('mz_');

    const otherId = items.find((i) => i.kind === 'session' && !i.current)!.id;
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/tokens/${otherId}`,
      headers: bearer(u.token),
    });
    expect(revoke.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(other) })).statusCode).toBe(401);
    // Someone else's token is not yours to revoke: 404, and it still works.
    const stranger = await activeUser('sess.stranger');
    const strangers = (
      await t.app.inject({ method: 'GET', url: '/api/v1/me/tokens', headers: bearer(stranger.token) })
    ).json().items as { id: string }[];
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/tokens/${strangers[0]!.id}`,
      headers: bearer(u.token),
    });
    expect(foreign.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(stranger.token) })).statusCode).toBe(
      200,
    );

    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(u.token) });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(u.token) })).statusCode).toBe(401);
  });
});

describe('admin: disable, enable, reset a password', () => {
  it('disabling stops every session and token at once; enabling does not revive them', async () => {
    const u = await activeUser('admin.target');
    const api = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(t.adminToken),
        payload: { name: 'target-system', userId: u.id },
      })
    ).json().token as string;
    const disabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${u.id}/disable`,
      headers: bearer(t.adminToken),
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabledAt).not.toBeNull();
    for (const token of [u.token, api])
      expect((await t2.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);
    expect((await login(t.app, 'admin.target', STRONG, '10.7.0.1')).statusCode).toBe(401);
    // A reporter may not disable anyone.
    const other = await activeUser('admin.other');
    const forbidden = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${u.id}/enable`,
      headers: bearer(other.token),
    });
    expect(forbidden.statusCode).toBe(403);

    const enabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${u.id}/enable`,
      headers: bearer(t.adminToken),
    });
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json().disabledAt).toBeNull();
    for (const token of [u.token, api])
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).statusCode).toBe(401);
    expect((await login(t.app, 'admin.target', STRONG, '10.7.0.2')).statusCode).toBe(200);
    const types = (
      await tdb.db.selectFrom('events').select('type').where('subject_id', '=', u.id).orderBy('id').execute()
    ).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled']));
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users/00000000-0000-4000-8000-000000000000/disable',
      headers: bearer(t.adminToken),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('a reset gives a new one-time password, signs the user out and refuses the old password', async () => {
    const u = await activeUser('reset.target');
    const reset = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${u.id}/password-reset`,
      headers: bearer(t.adminToken),
    });
    expect(reset.statusCode).toBe(200);
    expect(reset.json().user.mustChangePassword).toBe(true);
    const otp = reset.json().oneTimePassword as string;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(u.token) })).statusCode).toBe(401);
    expect((await login(t.app, 'reset.target', STRONG, '10.8.0.1')).statusCode).toBe(401);
    const fresh = await login(t.app, 'reset.target', otp, '10.8.0.2');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().mustChangePassword).toBe(true);
    const events = await tdb.db.selectFrom('events').selectAll().where('type', '=', 'user.password_reset').execute();
    expect(JSON.stringify(events)).not.toContain(otp);
  });
});

describe('token ids', () => {
  it('are random UUIDs, never sequential', async () => {
    const rows = await tdb.db.selectFrom('api_tokens').select('id').execute();
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });
});

describe('pages: my account and the admin users page', () => {
  /** A browser's cookies, reduced to what the pages set. */
  class Browser {
    private readonly cookies = new Map<string, string>();
    constructor(private readonly address: string) {}
    private remember(res: { headers: Record<string, unknown> }): void {
      const raw = res.headers['set-cookie'] as string | string[] | undefined;
      for (const c of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
        const pair = c.split(';')[0]!;
        const eq = pair.indexOf('=');
        if (/Max-Age=0/.test(c)) this.cookies.delete(pair.slice(0, eq));
        else this.cookies.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
      }
    }
    private header = () => [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    async get(url: string) {
      const res = await t.app.inject({
        method: 'GET',
        url,
        headers: { cookie: this.header() },
        remoteAddress: this.address,
      });
      this.remember(res);
      return res;
    }
    async post(url: string, form: Record<string, string>) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.address,
        headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(form).toString(),
      });
      this.remember(res);
      return res;
    }
    async csrf(url: string) {
      return /name="_csrf" value="([^"]+)"/.exec((await this.get(url)).body)![1]!;
    }
    async signIn(username: string, password = STRONG) {
      return this.post('/app/sign-in', { _csrf: await this.csrf('/app/sign-in'), username, password });
    }
  }

  it('an admin lists, creates, disables, enables and resets users; a reporter may not', async () => {
    await createUser(tdb.db, { username: 'web.admin', displayName: 'Web admin', role: 'admin', password: STRONG });
    const admin = new Browser('10.10.0.1');
    expect((await admin.signIn('web.admin')).statusCode).toBe(303);
    const list = await admin.get('/app/admin/users');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/app/admin/users" aria-current="page"');
    expect(list.body).toContain('web.admin');

    const created = await admin.post('/app/admin/users', {
      _csrf: await admin.csrf('/app/admin/users'),
      username: 'web.made',
      displayName: 'Made on the page',
      role: 'reporter',
      agencyCode: TEST_AGENCIES[0]!.code,
    });
    expect(created.statusCode).toBe(201);
    const otp = /web\.made[^:]*: ([A-Za-z0-9_-]{16})/.exec(created.body)![1]!;
    const made = await tdb.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'web.made')
      .executeTakeFirstOrThrow();
    const session = (await login(t.app, 'web.made', otp, '10.10.0.9')).json().token as string;

    const bad = await admin.post('/app/admin/users', {
      _csrf: await admin.csrf('/app/admin/users'),
      username: 'Bad Name',
      displayName: 'x',
      role: 'reporter',
    });
    expect(bad.statusCode).toBe(400);

    const csrf = await admin.csrf('/app/admin/users');
    expect((await admin.post(`/app/admin/users/${made.id}/disable`, { _csrf: csrf })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session) })).statusCode).toBe(401);
    expect((await admin.post(`/app/admin/users/${made.id}/enable`, { _csrf: csrf })).statusCode).toBe(200);
    const reset = await admin.post(`/app/admin/users/${made.id}/reset`, { _csrf: csrf });
    expect(reset.statusCode).toBe(200);
    const otp2 = /web\.made[^:]*: ([A-Za-z0-9_-]{16})/.exec(reset.body)![1]!;
    expect(otp2).not.toBe(otp);
    expect((await login(t.app, 'web.made', otp2, '10.10.0.9')).statusCode).toBe(200);
    // Without the form's CSRF token nothing happens.
    expect((await admin.post(`/app/admin/users/${made.id}/disable`, { _csrf: 'x'.repeat(32) })).statusCode).toBe(403);
    const still = await tdb.db
      .selectFrom('users')
      .select('disabled_at')
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    expect(still.disabled_at).toBeNull();

    await activeUser('web.reporter');
    const reporter = new Browser('10.10.0.2');
    expect((await reporter.signIn('web.reporter')).statusCode).toBe(303);
    expect((await reporter.get('/app/admin/users')).statusCode).toBe(403);
    expect((await reporter.get('/app/inbox')).body).not.toContain('/app/admin/users');
  });

  it('my account turns the daily digests off and on again (the setting the digest e-mails read), with an audit event', async () => {
    await activeUser('web.digest');
    const me = new Browser('10.12.0.1');
    expect((await me.signIn('web.digest')).statusCode).toBe(303);
    const digestsOf = () => digestsOfUser('web.digest');
    expect(await digestsOf()).toBe(true);
    expect((await me.get('/app/account')).body).toMatch(/id="digests" name="digests" value="on" checked/);
    const csrf = await me.csrf('/app/account');
    expect((await me.post('/app/account/digests', { _csrf: csrf })).headers.location).toBe('/app/account?msg=digests');
    expect(await digestsOf()).toBe(false);
    expect((await me.get('/app/account')).body).not.toMatch(/name="digests" value="on" checked/);
    expect((await me.post('/app/account/digests', { digests: 'on' })).statusCode).toBe(403);
    expect(await digestsOf()).toBe(false);
    await me.post('/app/account/digests', { _csrf: csrf, digests: 'on' });
    expect(await digestsOf()).toBe(true);
    expect(await digestChangesBy('web.digest')).toHaveLength(2);
  });

  it('PUT /api/v1/me/digests goes through the same service as the page: the setting and its audit event; a bare API token 403', async () => {
    const { token } = await activeUser('api.digest');
    const digestsOf = () => digestsOfUser('api.digest');
    const put = (auth: string, enabled: boolean) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/me/digests', headers: bearer(auth), payload: { enabled } });
    const off = await put(token, false);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ digests: false });
    expect(await digestsOf()).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) })).json().digests).toBe(
      false,
    );
    expect((await put(token, true)).statusCode).toBe(200);
    expect(await digestsOf()).toBe(true);
    expect(await digestChangesBy('api.digest')).toHaveLength(2);
    // No user behind an API token: refused by the service, as every "my account" operation is, and nothing written.
    const before = await tdb.db
      .selectFrom('events')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const bare = await put(t.adminToken, false);
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error.code).toBe('not_a_user');
    expect(
      (
        await tdb.db
          .selectFrom('events')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ).toBe(before.n);
  });

  it('my account lists sessions beside tokens; revoking another browser signs it out, revoking this one signs out', async () => {
    await activeUser('web.self');
    const here = new Browser('10.11.0.1');
    const there = new Browser('10.11.0.2');
    expect((await here.signIn('web.self')).statusCode).toBe(303);
    expect((await there.signIn('web.self')).statusCode).toBe(303);
    const page = await here.get('/app/account');
    expect(page.statusCode).toBe(200);
    const rows = [...page.body.matchAll(/action="\/app\/account\/tokens\/([0-9a-f-]{36})\/revoke"/g)].map((m) => m[1]!);
    expect(rows.length).toBe(3);
    const own = (await tdb.db
      .selectFrom('api_tokens')
      .select(['id', 'created_at'])
      .where('name', '=', 'session:web.self')
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute())!;
    const thereId = own[own.length - 1]!.id;
    const csrf = await here.csrf('/app/account');
    const revoked = await here.post(`/app/account/tokens/${thereId}/revoke`, { _csrf: csrf });
    expect(revoked.headers.location).toBe('/app/account?msg=revoked');
    expect((await there.get('/app/account')).headers.location).toMatch(/^\/app\/sign-in\?expired=1/);
    const hereId = own[own.length - 2]!.id;
    const out = await here.post(`/app/account/tokens/${hereId}/revoke`, { _csrf: csrf });
    expect(out.headers.location).toBe('/app/sign-in?out=1');
    expect((await here.get('/app/account')).headers.location).toMatch(/^\/app\/sign-in/);
  });
});
