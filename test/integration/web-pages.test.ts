// The web pages over the real stack through app.inject: sessions in cookies, CSRF on every form, the one-time password,
// scoping shared with the JSON API (another agency's obligation is a 404), drafts, the remembered language.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { claimNotification } from '../../db/repositories/notifications.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { PASSWORD, WEB_USERS, startWebStack, type WebStack } from '../helpers/web.js';

let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A browser's cookie jar, reduced to what these pages set. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly address = '10.0.0.1') {}

  private remember(res: LightMyRequestResponse): void {
    const raw = res.headers['set-cookie'];
    for (const c of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const value = decodeURIComponent(pair!.slice(eq + 1));
      if (value === '' || /Max-Age=0/.test(c)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await stack.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.header() },
      remoteAddress: this.address,
    });
    this.remember(res);
    return res;
  }

  async post(
    url: string,
    form: Record<string, string>,
    extra: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const res = await stack.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      remoteAddress: this.address,
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded', ...extra },
    });
    this.remember(res);
    return res;
  }

  /** The CSRF token of the forms on `url`. */
  async csrf(url: string): Promise<string> {
    const res = await this.get(url);
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m === null) throw new Error(`no CSRF token on ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    return m[1]!;
  }

  async signIn(username: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.post('/app/sign-in', { _csrf: await this.csrf('/app/sign-in'), username, password });
  }
}

const enc = encodeURIComponent;

describe('web pages', () => {
  it('the sign-in page is Kazakh by default, with a strict CSP and no inline script', async () => {
    const res = await new Browser().get('/app/sign-in');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="kk">');
    expect(res.body).toContain('Жүйеге кіру');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(res.body).not.toMatch(/\sstyle=/);
  });

  it('signing in sets an HttpOnly, SameSite=Lax session cookie; a page without one redirects to sign-in', async () => {
    const b = new Browser();
    expect((await b.get('/app/inbox')).headers.location).toBe(`/app/sign-in?expired=1&next=${enc('/app/inbox')}`);
    const res = await b.signIn(WEB_USERS.reporter.username);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/app');
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] as string[])
      .find((c) => c.startsWith('merzim_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; Secure is set when served over TLS
    expect((await b.get('/app')).headers.location).toBe('/app/inbox');
    const inbox = await b.get('/app/inbox');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('Білім және ғылым министрлігі');
  });

  it('a form post without the CSRF token is refused, and nothing is written', async () => {
    const anonymous = new Browser();
    await anonymous.get('/app/sign-in');
    const noToken = await anonymous.post('/app/sign-in', { username: WEB_USERS.reporter.username, password: PASSWORD });
    expect(noToken.statusCode).toBe(403);
    expect(anonymous.cookies.has('merzim_session')).toBe(false);

    const b = new Browser();
    await b.signIn(WEB_USERS.reporter.username);
    const id = stack.obligationId('БҒМ');
    const url = `/app/obligations/${enc(id)}`;
    const form = { 'status:1': 'done', 'text:1': 'forged' };
    expect((await b.post(`${url}/submit`, form)).statusCode).toBe(403);
    expect((await b.post(`${url}/submit`, { ...form, _csrf: 'x'.repeat(32) })).statusCode).toBe(403);
    expect((await b.post(`${url}/draft`, form)).statusCode).toBe(403);
    const row = await stack.tdb.db
      .selectFrom('obligations')
      .select(['status', 'report_version'])
      .where('workflow_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', report_version: 0 });
    expect(
      await stack.tdb.db.selectFrom('report_drafts').selectAll().where('obligation_id', '=', id).execute(),
    ).toEqual([]);
    // Another browser's token is not this session's.
    const other = new Browser();
    await other.signIn(WEB_USERS.reporter.username);
    expect((await b.post(`${url}/draft`, { ...form, _csrf: await other.csrf(url) })).statusCode).toBe(403);
  });

  it('an expired session redirects to sign-in', async () => {
    const b = new Browser();
    await b.signIn(WEB_USERS.coordinator.username);
    expect((await b.get('/app/board')).statusCode).toBe(200);
    await stack.tdb.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('name', '=', `session:${WEB_USERS.coordinator.username}`)
      .execute();
    const res = await b.get('/app/board');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/app/sign-in?expired=1&next=${enc('/app/board')}`);
    expect((await b.get(res.headers.location!)).body).toContain('Сеанс аяқталды');
  });

  it('a reporter who types another agency’s obligation URL gets 404, like the API', async () => {
    const b = new Browser();
    await b.signIn(WEB_USERS.reporter.username);
    expect((await b.get(`/app/obligations/${enc(stack.obligationId('БҒМ'))}`)).statusCode).toBe(200);
    const theirs = await b.get(`/app/obligations/${enc(stack.obligationId('АҚДМ'))}`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Ақпарат және қоғамдық даму');
    const token = await b.csrf('/app/inbox');
    expect(
      (
        await b.post(`/app/obligations/${enc(stack.obligationId('АҚДМ'))}/draft`, {
          _csrf: token,
          'status:1': 'done',
          'text:1': 'x',
        })
      ).statusCode,
    ).toBe(404);
    expect((await b.get(`/app/obligations/${enc('obligation:nope')}`)).statusCode).toBe(404);
    // The board and the PM Office view are not a reporter's: the board shows only what the API would list.
    expect((await b.get('/app/pm')).statusCode).toBe(403);
  });

  it('a one-time password must be changed before anything else', async () => {
    const b = new Browser();
    const res = await b.signIn(WEB_USERS.fresh.username);
    expect(res.headers.location).toBe('/app/password');
    expect((await b.get('/app/inbox')).headers.location).toBe('/app/password');
    const token = await b.csrf('/app/password');
    const short = await b.post('/app/password', {
      _csrf: token,
      currentPassword: PASSWORD,
      newPassword: 'short',
      repeatPassword: 'short',
    });
    expect(short.statusCode).toBe(400);
    const wrong = await b.post('/app/password', {
      _csrf: token,
      currentPassword: 'wrong-password',
      newPassword: 'a-new-long-password',
      repeatPassword: 'a-new-long-password',
    });
    expect(wrong.statusCode).toBe(400);
    const ok = await b.post('/app/password', {
      _csrf: token,
      currentPassword: PASSWORD,
      newPassword: 'a-new-long-password',
      repeatPassword: 'a-new-long-password',
    });
    expect(ok.headers.location).toBe('/app?msg=password');
    expect((await b.get('/app/inbox')).statusCode).toBe(200);
    expect(
      (await new Browser('10.0.0.9').signIn(WEB_USERS.fresh.username, 'a-new-long-password')).headers.location,
    ).toBe('/app');
  });

  it('sign-in is rate-limited per username and address', async () => {
    const b = new Browser('10.0.0.77');
    for (let i = 0; i < 5; i++) expect((await b.signIn(WEB_USERS.pm.username, 'wrong-password')).statusCode).toBe(401);
    const blocked = await b.signIn(WEB_USERS.pm.username);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toMatch(/минуттан кейін/);
    // Another address is not blocked by this one's failures.
    expect((await new Browser('10.0.0.78').signIn(WEB_USERS.pm.username)).statusCode).toBe(303);
  });

  it('the language switch is remembered for the user, in every later session', async () => {
    const b = new Browser();
    await b.signIn(WEB_USERS.coordinator.username);
    const res = await b.post('/app/lang', { _csrf: await b.csrf('/app/board'), lang: 'ru', next: '/app/board' });
    expect(res.headers.location).toBe('/app/board');
    const board = await b.get('/app/board');
    expect(board.body).toContain('<html lang="ru">');
    expect(board.body).toContain('Панель координатора');
    const user = await stack.tdb.db
      .selectFrom('users')
      .select('ui_lang')
      .where('username', '=', WEB_USERS.coordinator.username)
      .executeTakeFirstOrThrow();
    expect(user.ui_lang).toBe('ru');
    const fresh = new Browser('10.0.0.5');
    await fresh.signIn(WEB_USERS.coordinator.username);
    expect((await fresh.get('/app/board')).body).toContain('<html lang="ru">');
    // Off-site "next" is never followed.
    expect(
      (await b.post('/app/lang', { _csrf: await b.csrf('/app/board'), lang: 'en', next: '//evil.example/' })).headers
        .location,
    ).toBe('/app');
  });

  it('drafts are kept as the reporter types and restored on the next visit; an incomplete report is refused naming the measure', async () => {
    const b = new Browser();
    await b.signIn(WEB_USERS.reporter.username);
    const id = stack.obligationId('БҒМ');
    const url = `/app/obligations/${enc(id)}`;
    const token = await b.csrf(url);
    const saved = await b.post(
      `${url}/draft`,
      { _csrf: token, 'status:1': 'in_progress', 'text:1': 'Жоба <b>мәтіні</b>' },
      { 'hx-request': 'true' },
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toMatch(/Жоба \d\d:\d\d сақталды/);
    const page = await b.get(url);
    expect(page.body).toContain('Жоба &lt;b&gt;мәтіні&lt;/b&gt;');
    expect(page.body).toMatch(/<option value="in_progress" selected>/);
    const incomplete = await b.post(`${url}/submit`, { _csrf: token, 'status:1': 'done', 'text:1': '  ' });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.body).toContain('1-іс-шара: мәртебесін және не істелгенін көрсетіңіз.');
  });

  it('over TLS (a proxy saying so) the session cookie is Secure', async () => {
    const b = new Browser('10.0.0.31');
    const token = await b.csrf('/app/sign-in');
    const res = await stack.app.inject({
      method: 'POST',
      url: '/app/sign-in',
      remoteAddress: '10.0.0.31',
      payload: new URLSearchParams({ _csrf: token, username: WEB_USERS.pm.username, password: PASSWORD }).toString(),
      headers: {
        cookie: `merzim_pre=${enc(b.cookies.get('merzim_pre')!)}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
      },
    });
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] as string[])
      .find((c) => c.startsWith('merzim_session='))!;
    expect(cookie).toMatch(/; Secure/);
  });

  it('the outbox page is the admin’s only, like the API’s; an unknown page is a 404 page', async () => {
    const admin = new Browser('10.0.0.41');
    await admin.signIn(WEB_USERS.admin.username);
    await claimNotification(stack.tdb.db, {
      dedupeKey: 'web-test',
      to: ['a@example.kz'],
      subject: 'Еске салу <b>1</b>',
      bodyText: 'x',
      lang: 'kk',
      messageId: '<web-test@merzim>',
      workflowId: null,
      runId: null,
    });
    const page = await admin.get('/app/admin/outbox');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Еске салу &lt;b&gt;1&lt;/b&gt;');
    expect(page.body).toContain('Әлі жіберілмеді');
    expect(page.body).toContain('Жергілікті SMTP жәшігіне келген хаттар');
    const reporter = new Browser('10.0.0.42');
    await reporter.signIn(WEB_USERS.reporter.username);
    expect((await reporter.get('/app/admin/outbox')).statusCode).toBe(403);
    // The history page: a workflow's timeline beside its events, the raw download and the Temporal UI link; admins only.
    const id = stack.obligationId('БҒМ');
    const history = await admin.get(`/app/admin/history?workflow=${encodeURIComponent(id)}`);
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain('Процесс тарихы');
    expect(history.body).toContain('openObligation');
    expect(history.body).toContain(`href="/app/admin/history/raw?workflow=${encodeURIComponent(id)}"`);
    expect(history.body).toContain('http://127.0.0.1:8233/namespaces/default/workflows/');
    const download = await admin.get(`/app/admin/history/raw?workflow=${encodeURIComponent(id)}`);
    expect(download.statusCode).toBe(200);
    expect(JSON.parse(download.body).workflowId).toBe(id);
    expect((await admin.get('/app/admin/history?workflow=obligation%3Anone')).statusCode).toBe(404);
    expect((await reporter.get(`/app/admin/history?workflow=${encodeURIComponent(id)}`)).statusCode).toBe(403);
    const missing = await reporter.get('/app/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/text\/html/);
  });

  it('API bearer tokens keep working for machines, and a browser cookie does not open the API', async () => {
    const token = (await createApiToken(stack.tdb.db, { name: 'bgm-system', role: 'reporter', agencyCode: 'БҒМ' }))
      .secret;
    const res = await stack.app.inject({ method: 'GET', url: '/api/v1/obligations', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((o: { agencyCode: string }) => o.agencyCode)).toEqual(['БҒМ']);
    const b = new Browser();
    await b.signIn(WEB_USERS.reporter.username);
    expect(
      (
        await stack.app.inject({
          method: 'GET',
          url: '/api/v1/obligations',
          headers: { cookie: `merzim_session=${enc(b.cookies.get('merzim_session')!)}` },
        })
      ).statusCode,
    ).toBe(401);
    // And an API token in a cookie does not open the pages.
    expect(
      (
        await stack.app.inject({
          method: 'GET',
          url: '/app/inbox',
          headers: { cookie: `merzim_session=${enc(token)}` },
        })
      ).statusCode,
    ).toBe(303);
  });
});
