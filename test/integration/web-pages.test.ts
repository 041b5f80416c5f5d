// The web pages over the real stack through app.inject: sessions in cookies, CSRF on every form, the one-time password,
// scoping shared with the JSON API (another agency's obligation is a 404), drafts, the remembered language.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import { appendEvent } from '../../db/repositories/events.js';
import { claimNotification } from '../../db/repositories/notifications.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { planScheduleId } from '../../domain/cycle-model.js';
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

  async upload(
    url: string,
    fields: Record<string, string>,
    file?: { name: string; bytes: Buffer },
  ): Promise<LightMyRequestResponse> {
    const body = multipart(fields, file);
    const res = await stack.app.inject({
      method: 'POST',
      url,
      payload: body.payload,
      remoteAddress: this.address,
      headers: { cookie: this.header(), 'content-type': body.contentType },
    });
    this.remember(res);
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await stack.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.header(), ...headers },
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

const seed000 = readFileSync(new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url));

/** A multipart/form-data body as a browser sends it: text fields, then one file. */
function multipart(fields: Record<string, string>, file?: { name: string; bytes: Buffer }) {
  const boundary = `----merzim${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file !== undefined)
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: text/plain\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

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
    const form = { 'status:1': 'done', 'kk:1': 'forged' };
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
          'kk:1': 'x',
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
      { _csrf: token, 'status:1': 'in_progress', 'kk:1': 'Жоба <b>мәтіні</b>', 'event-name:0': 'Семинар' },
      { 'hx-request': 'true' },
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toMatch(/Жоба \d\d:\d\d сақталды/);
    const page = await b.get(url);
    expect(page.body).toContain('Жоба &lt;b&gt;мәтіні&lt;/b&gt;');
    expect(page.body).toMatch(/<option value="in_progress" selected>/);
    expect(page.body).toContain('value="Семинар"');
    const incomplete = await b.post(`${url}/submit`, { _csrf: token, 'status:1': 'done', 'kk:1': '  ' });
    expect(incomplete.statusCode).toBe(422);
    expect(incomplete.body).toContain('1-іс-шара: мәртебесін және не істелгенін көрсетіңіз.');
    // A bad indicator-free report is refused naming the field, and the values typed are shown again.
    const unsigned = await b.post(`${url}/submit`, {
      _csrf: token,
      'status:1': 'done',
      'ru:1': 'Курс внедрён',
      'signed-on': 'yesterday',
    });
    expect(unsigned.statusCode).toBe(422);
    expect(unsigned.body).toContain('content.signatory.name: required');
    expect(unsigned.body).toContain('Курс внедрён');
    const row = await stack.tdb.db.selectFrom('report_versions').select('id').where('obligation_id', '=', id).execute();
    expect(row).toEqual([]);
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
    // Its cycle opened it (patch cycle-opens-obligations): the cycle's page shows the openings recorded, a local activity.
    const cycleId = `cycle:${stack.planId}:${id.split(':')[2]}`;
    const cycleHistory = await admin.get(`/app/admin/history?workflow=${encodeURIComponent(cycleId)}`);
    expect(cycleHistory.statusCode).toBe(200);
    expect(cycleHistory.body).toContain('recordObligationsOpened');
    // The raw history of the run shown (a workflow that continued as new has several).
    expect(history.body).toContain(`href="/app/admin/history/raw?workflow=${encodeURIComponent(id)}&amp;run=`);
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

  describe('admin pages', () => {
    const adminPages = (planId: string) => [
      '/app/admin/plans',
      `/app/admin/plans/${planId}`,
      '/app/admin/calendar?year=2026',
      '/app/admin/agencies',
      `/app/admin/agencies/${enc('БҒМ')}`,
      '/app/admin/sink',
    ];

    it('each admin page answers each role as the API does: the admin sees all, others what their role may (403/404 otherwise)', async () => {
      const expected: Record<string, number[]> = {
        // plans, plan, calendar, agencies, agency, sink
        admin: [200, 200, 200, 200, 200, 200],
        coordinator: [200, 200, 403, 403, 403, 403],
        pm: [403, 200, 403, 403, 403, 403],
        reporter: [403, 403, 403, 403, 403, 403],
      };
      for (const [role, statuses] of Object.entries(expected)) {
        const b = new Browser(`10.0.1.${Object.keys(expected).indexOf(role) + 1}`);
        await b.signIn(WEB_USERS[role as keyof typeof WEB_USERS].username);
        const got = [];
        for (const url of adminPages(stack.planId)) got.push((await b.get(url)).statusCode);
        expect(got, role).toEqual(statuses);
      }
      // A reporter is refused plan pages whatever the plan; an admin gets 404 for a plan that does not exist.
      const other = new Browser('10.0.1.9');
      await other.signIn(WEB_USERS.other.username);
      expect((await other.get(`/app/admin/plans/${stack.planId}`)).statusCode).toBe(403);
      expect((await other.get('/app/admin/plans/00000000-0000-4000-8000-000000000000')).statusCode).toBe(403);
      const admin = new Browser('10.0.1.10');
      await admin.signIn(WEB_USERS.admin.username);
      expect((await admin.get('/app/admin/plans/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    });

    it('the admin’s forms refuse other roles and posts without the CSRF token; nothing is written', async () => {
      const reporter = new Browser('10.0.1.20');
      await reporter.signIn(WEB_USERS.reporter.username);
      const csrf = await reporter.csrf('/app/inbox');
      const entry = {
        date: '2026-12-31',
        kind: 'transfer_day_off',
        nameKk: 'Сынақ',
        nameRu: 'Тест',
        nameEn: 'Test',
        source: 'Test order',
      };
      expect((await reporter.post('/app/admin/calendar/entries', { _csrf: csrf, ...entry })).statusCode).toBe(403);
      expect(
        (await reporter.post(`/app/admin/plans/${stack.planId}/pause`, { _csrf: csrf, note: 'no' })).statusCode,
      ).toBe(403);
      expect(
        (
          await reporter.post(`/app/admin/agencies/${enc('БҒМ')}`, {
            _csrf: csrf,
            nameKk: 'x',
            kind: 'ministry',
            lang: 'kk',
          })
        ).statusCode,
      ).toBe(403);
      const admin = new Browser('10.0.1.21');
      await admin.signIn(WEB_USERS.admin.username);
      expect((await admin.post('/app/admin/calendar/entries', entry)).statusCode).toBe(403);
      // A multipart upload without its CSRF field is refused before the file is kept.
      const before = await stack.tdb.db.selectFrom('plan_uploads').select('id').execute();
      expect((await admin.upload('/app/admin/plans/import', {}, { name: '000.txt', bytes: seed000 })).statusCode).toBe(
        403,
      );
      expect(await stack.tdb.db.selectFrom('plan_uploads').select('id').execute()).toEqual(before);
      expect(
        await stack.tdb.db.selectFrom('calendar_entries').select('id').where('date', '=', '2026-12-31').execute(),
      ).toEqual([]);
    });

    it('a plan file goes through the pages: uploaded, its diagnostics reviewed by line, unknown codes answered, stored, confirmed', async () => {
      const admin = new Browser('10.0.1.30');
      await admin.signIn(WEB_USERS.admin.username);
      const csrf = await admin.csrf('/app/admin/plans');
      const uploaded = await admin.upload(
        '/app/admin/plans/import',
        { _csrf: csrf },
        { name: '000.txt', bytes: seed000 },
      );
      expect(uploaded.statusCode).toBe(303);
      const reviewUrl = uploaded.headers.location as string;
      expect(reviewUrl).toMatch(/^\/app\/admin\/imports\/[0-9a-f-]{36}$/);
      const review = await admin.get(reviewUrl);
      expect(review.statusCode).toBe(200);
      // Each problem with its line; unknown codes offered for an answer; not storable yet.
      expect(review.body).toMatch(/\d+-жол/);
      expect(review.body).toContain('unknown_abbreviation');
      expect(review.body).not.toContain('/store"');
      const codes = [...review.body.matchAll(/name="code\.(\d+)" value="([^"]+)"/g)].map(
        (m) => [m[1]!, m[2]!] as const,
      );
      expect(codes.map(([, c]) => c)).toContain('ПМ');
      // Another admin cannot open this upload.
      const someoneElse = new Browser('10.0.1.31');
      await someoneElse.signIn(WEB_USERS.coordinator.username);
      expect((await someoneElse.get(reviewUrl)).statusCode).toBe(404);
      // The test plan already holds act № 580: the reviewer gives this import another act through the metadata fields.
      const answers: Record<string, string> = {
        _csrf: await admin.csrf(reviewUrl),
        actNumber: '580-web',
        actDate: '2017-09-19',
      };
      for (const [i, code] of codes) {
        answers[`code.${i}`] = code
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&amp;/g, '&');
        answers[`answer.${i}`] = code === 'ПМ' ? 'ІІМ' : '-';
      }
      const answered = await admin.post(reviewUrl, answers);
      expect(answered.statusCode).toBe(303);
      const again = await admin.get(reviewUrl);
      expect(again.body).toContain(`${reviewUrl}/store`);
      expect(again.body).toContain('executor_mapped');
      const stored = await admin.post(`${reviewUrl}/store`, { _csrf: await admin.csrf(reviewUrl) });
      expect(stored.statusCode).toBe(303);
      const planUrl = (stored.headers.location as string).split('?')[0]!;
      const planId = planUrl.split('/').pop()!;
      const plan = await admin.get(stored.headers.location as string);
      expect(plan.statusCode).toBe(200);
      expect(plan.body).toContain('Жоспар жоба ретінде сақталды');
      // The upload is gone once stored.
      expect((await admin.get(reviewUrl)).statusCode).toBe(404);
      const confirmed = await admin.post(`${planUrl}/confirm`, { _csrf: await admin.csrf(planUrl) });
      expect(confirmed.statusCode, confirmed.body.replace(/[\s\S]*<main/, '').slice(0, 600)).toBe(303);
      try {
        const after = await admin.get(confirmed.headers.location as string);
        expect(after.body).toContain('Жоспар бекітілді.');
        const api = await stack.app.inject({
          method: 'GET',
          url: `/api/v1/plans/${planId}`,
          headers: bearer((await createApiToken(stack.tdb.db, { name: 'check', role: 'admin' })).secret),
        });
        expect(api.json().status).toBe('confirmed');
        const events = await stack.tdb.db
          .selectFrom('events')
          .select('type')
          .where('subject_id', '=', planId)
          .orderBy('id')
          .execute();
        expect(events.map((e) => e.type)).toEqual(['plan.imported', 'plan.confirmed']);
      } finally {
        await stack.client.schedule
          .getHandle(planScheduleId(planId))
          .delete()
          .catch(() => undefined);
      }
    });

    it('a plan’s page: schedule paused and resumed, cycles linked to the board and to the Temporal web UI', async () => {
      const coordinator = new Browser('10.0.1.40');
      await coordinator.signIn(WEB_USERS.coordinator.username);
      const url = `/app/admin/plans/${stack.planId}`;
      const page = await coordinator.get(url);
      expect(page.body).toContain(
        `http://127.0.0.1:8233/namespaces/default/workflows/${enc(`cycle:${stack.planId}:${new Date().getUTCFullYear()}`)}`,
      );
      const paused = await coordinator.post(`${url}/pause`, { _csrf: await coordinator.csrf(url), note: 'web test' });
      expect(paused.statusCode).toBe(303);
      // The coordinator reads in the language it chose in an earlier test.
      expect((await coordinator.get(paused.headers.location as string)).body).toMatch(
        /class="flash ok" role="status">(Кесте тоқтатылды\.|Расписание приостановлено\.|The schedule has been paused\.)/,
      );
      expect((await stack.client.schedule.getHandle(planScheduleId(stack.planId)).describe()).state.paused).toBe(true);
      // Backfill is the admin's only, as in the API.
      expect(
        (await coordinator.post(`${url}/backfill`, { _csrf: await coordinator.csrf(url), from: '2026', to: '2026' }))
          .statusCode,
      ).toBe(403);
      const resumed = await coordinator.post(`${url}/unpause`, { _csrf: await coordinator.csrf(url) });
      expect(resumed.statusCode).toBe(303);
      expect((await stack.client.schedule.getHandle(planScheduleId(stack.planId)).describe()).state.paused).toBe(false);
    });

    it('the calendar editor saves and removes a day with its source, as the API then reads it', async () => {
      const admin = new Browser('10.0.1.50');
      await admin.signIn(WEB_USERS.admin.username);
      const url = '/app/admin/calendar?year=2026';
      const saved = await admin.post('/app/admin/calendar/entries', {
        _csrf: await admin.csrf(url),
        date: '2026-12-30',
        kind: 'transfer_day_off',
        nameKk: 'Ауыстырылған демалыс',
        nameRu: 'Перенесённый выходной',
        nameEn: 'Transferred day off',
        source: 'ҚР Үкіметінің қаулысы <test>',
        relatedDate: '2026-12-19',
      });
      expect(saved.statusCode).toBe(303);
      const page = await admin.get(saved.headers.location as string);
      expect(page.body).toContain('Сақталды: 2026 жылғы 30 желтоқсан.');
      expect(page.body).toContain('ҚР Үкіметінің қаулысы &lt;test&gt;');
      const token = (await createApiToken(stack.tdb.db, { name: 'cal', role: 'admin' })).secret;
      const read = async () =>
        (
          await stack.app.inject({ method: 'GET', url: '/api/v1/calendar?year=2026', headers: bearer(token) })
        ).json() as { nonWorkingDays: { date: string }[] };
      expect((await read()).nonWorkingDays.map((d) => d.date)).toContain('2026-12-30');
      const removed = await admin.post('/app/admin/calendar/entries/2026-12-30/transfer_day_off/remove', {
        _csrf: await admin.csrf(url),
      });
      expect(removed.statusCode).toBe(303);
      expect((await read()).nonWorkingDays.map((d) => d.date)).not.toContain('2026-12-30');
    });

    it('an agency is edited through its page; the sink lists a received message and shows it as text', async () => {
      const admin = new Browser('10.0.1.60');
      await admin.signIn(WEB_USERS.admin.username);
      const url = `/app/admin/agencies/${enc('ІІМ')}`;
      const form = await admin.get(url);
      expect(form.statusCode).toBe(200);
      const saved = await admin.post(url, {
        _csrf: await admin.csrf(url),
        nameKk: 'Ішкі істер министрлігі',
        nameRu: 'Министерство внутренних дел',
        kind: 'ministry',
        lang: 'ru',
        contacts: 'reporter iim@example.kz Есепші\nhead head.iim@example.kz',
        aliases: '',
        note: '',
      });
      expect(saved.statusCode).toBe(303);
      const token = (await createApiToken(stack.tdb.db, { name: 'ag', role: 'admin' })).secret;
      const agency = (
        await stack.app.inject({ method: 'GET', url: `/api/v1/agencies/${enc('ІІМ')}`, headers: bearer(token) })
      ).json();
      expect(agency).toMatchObject({
        lang: 'ru',
        contacts: [
          { role: 'reporter', email: 'iim@example.kz', name: 'Есепші' },
          { role: 'head', email: 'head.iim@example.kz' },
        ],
      });
      const bad = await admin.post(url, {
        _csrf: await admin.csrf(url),
        nameKk: 'x',
        kind: 'ministry',
        lang: 'kk',
        contacts: 'boss nobody',
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('contacts, line 1');

      const id = await storeSinkMessage(stack.tdb.db, {
        messageId: '<sink-page@test>',
        mailFrom: 'merzim@test',
        rcptTo: ['sink.page@example.kz'],
        subject: 'Sink page <test>',
        raw: Buffer.from(
          'From: merzim@test\r\nTo: sink.page@example.kz\r\nSubject: Sink page <test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nМерзім <b>жақын</b>\r\n',
        ),
      });
      const list = await admin.get(`/app/admin/sink?to=${enc('sink.page@example.kz')}`);
      expect(list.body).toContain(`/app/admin/sink/${id}`);
      const message = await admin.get(`/app/admin/sink/${id}`);
      expect(message.statusCode).toBe(200);
      expect(message.body).toContain('Мерзім &lt;b&gt;жақын&lt;/b&gt;');
      expect((await admin.get(`/app/admin/sink/${id}/raw`)).headers['content-type']).toMatch(/^text\/plain/);
      expect((await admin.get('/app/admin/sink/99999999')).statusCode).toBe(404);
    });
  });

  it('a reporter issues, reissues and revokes its agency’s calendar feed from the inbox; the feed serves only while live', async () => {
    const reporter = new Browser('10.0.2.1');
    await reporter.signIn(WEB_USERS.reporter.username);
    const first = await reporter.post('/app/inbox/feed', { _csrf: await reporter.csrf('/app/inbox'), action: 'issue' });
    expect(first.statusCode).toBe(303);
    const url = (body: string) => /id="feed-url" readonly value="([^"]+)"/.exec(body)?.[1];
    const issued = url((await reporter.get('/app/inbox')).body)!;
    expect(issued).toMatch(/\/ics\/[A-Za-z0-9_-]{20,}\.ics$/);
    const path = new URL(issued).pathname;
    expect((await stack.app.inject({ method: 'GET', url: path })).statusCode).toBe(200);
    await reporter.post('/app/inbox/feed', { _csrf: await reporter.csrf('/app/inbox'), action: 'issue' });
    const reissued = url((await reporter.get('/app/inbox')).body)!;
    expect(reissued).not.toBe(issued);
    expect((await stack.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    const revoked = await reporter.post('/app/inbox/feed', {
      _csrf: await reporter.csrf('/app/inbox'),
      action: 'revoke',
    });
    expect(revoked.statusCode).toBe(303);
    expect(url((await reporter.get('/app/inbox')).body)).toBeUndefined();
    expect((await stack.app.inject({ method: 'GET', url: new URL(reissued).pathname })).statusCode).toBe(404);
    // A coordinator may not manage feeds, on the page as in the API.
    const coordinator = new Browser('10.0.2.2');
    await coordinator.signIn(WEB_USERS.coordinator.username);
    expect(
      (await coordinator.post('/app/inbox/feed', { _csrf: await coordinator.csrf('/app/inbox'), action: 'issue' }))
        .statusCode,
    ).toBe(403);
  });

  it('a cycle’s timeline page shows its charts with a table alternative, and links to the Temporal web UI', async () => {
    const coordinator = new Browser('10.0.2.3');
    await coordinator.signIn(WEB_USERS.coordinator.username);
    const cycle = `cycle:${stack.planId}:${new Date().getUTCFullYear()}`;
    const page = await coordinator.get(`/app/cycles/${enc(cycle)}/timeline`);
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<svg[^>]*role="img"/g)?.length).toBe(2);
    expect(page.body.match(/<details><summary>/g)?.length).toBe(2);
    expect(page.body).toContain(`http://127.0.0.1:8233/namespaces/default/workflows/${enc(cycle)}`);
    const reporter = new Browser('10.0.2.4');
    await reporter.signIn(WEB_USERS.other.username);
    expect((await reporter.get(`/app/cycles/${enc(cycle)}/timeline`)).statusCode).toBe(200);
    expect((await reporter.get(`/app/cycles/${enc('cycle:nope:2026')}/timeline`)).statusCode).toBe(404);
    // The PM Office reaches each current cycle's charts from its page.
    const pm = new Browser('10.0.2.6');
    await pm.signIn(WEB_USERS.pm.username);
    expect((await pm.get('/app/pm')).body).toContain(`/app/cycles/${enc(cycle)}/timeline`);
  });

  it('the board kept from the last request is redrawn when an obligation or the directory changes', async () => {
    const coordinator = new Browser('10.0.2.5');
    await coordinator.signIn(WEB_USERS.coordinator.username);
    const url = `/app/board?cycle=${enc(`cycle:${stack.planId}:${new Date().getUTCFullYear()}`)}`;
    const count = (body: string, state: string) =>
      Number(new RegExp(`<li><span class="badge s-${state}">[^<]+</span> (\\d+)</li>`).exec(body)?.[1] ?? 0);
    const before = (await coordinator.get(url)).body;
    const row = await stack.tdb.db
      .selectFrom('obligations')
      .select(['workflow_id', 'status', 'agency_code'])
      .where('plan_id', '=', stack.planId)
      .where('status', '!=', 'closed')
      .orderBy('workflow_id')
      .executeTakeFirstOrThrow();
    // What a projection writes when a workflow moves on: a new status, the next revision, updated_at.
    await stack.tdb.db
      .updateTable('obligations')
      .set((eb) => ({ status: 'closed', revision: eb('revision', '+', 1), updated_at: new Date() }))
      .where('workflow_id', '=', row.workflow_id)
      .execute();
    try {
      const after = (await coordinator.get(url)).body;
      expect(count(after, 'closed')).toBe(count(before, 'closed') + 1);
      // A renamed agency is renamed on the board too.
      await stack.tdb.db
        .updateTable('agencies')
        .set({ name_kk: 'Қайта аталған орган', name_ru: 'Переименованный орган', updated_at: new Date() })
        .where('code', '=', row.agency_code)
        .execute();
      const renamed = (await coordinator.get(url)).body;
      expect(renamed).toMatch(/Қайта аталған орган|Переименованный орган/);
    } finally {
      await stack.tdb.db
        .updateTable('obligations')
        .set((eb) => ({ status: row.status, revision: eb('revision', '+', 1), updated_at: new Date() }))
        .where('workflow_id', '=', row.workflow_id)
        .execute();
    }
  });
  it('the kept board never crosses scopes, follows every change, answers an unchanged board with 304, and gzip says the same', async () => {
    const cycleId = `cycle:${stack.planId}:${new Date().getUTCFullYear()}`;
    const url = `/app/board?cycle=${enc(cycleId)}`;
    const reporter = new Browser('10.0.2.8');
    await reporter.signIn(WEB_USERS.other.username);
    const coordinator = new Browser('10.0.2.7');
    await coordinator.signIn(WEB_USERS.coordinator.username);
    const matrix = (body: string) => body.split('<table class="matrix">')[1]?.split('</table>')[0] ?? '';
    const rows = (body: string) => [...matrix(body).matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    const cells = (body: string) =>
      [...body.matchAll(/<td><a href="\/app\/obligations\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    const owed = await stack.tdb.db
      .selectFrom('obligations')
      .select(['workflow_id', 'agency_code', 'status', 'revision'])
      .where('cycle_workflow_id', '=', cycleId)
      .orderBy('workflow_id')
      .execute();
    const agencies = new Set(owed.map((o) => o.agency_code));
    expect(agencies.size).toBeGreaterThan(1);
    // The reporter first (its board is kept), then the coordinator, then the reporter again: each sees its own rows only.
    for (const [who, b] of [
      ['reporter', reporter],
      ['coordinator', coordinator],
      ['reporter', reporter],
      ['coordinator', coordinator],
    ] as const) {
      const page = await b.get(url);
      expect(page.statusCode).toBe(200);
      if (who === 'reporter') {
        expect(rows(page.body)).toHaveLength(1);
        expect(cells(page.body).length).toBeGreaterThan(0);
        for (const id of cells(page.body)) expect(id).toContain(':ІІМ:');
      } else {
        expect(rows(page.body)).toHaveLength(agencies.size);
        expect(new Set(cells(page.body).map((id) => id.split(':')[3]))).toEqual(agencies);
      }
    }

    // 304 while nothing changed; the tag is this reader's: the reporter sending the coordinator's gets its own page.
    const first = await coordinator.get(url);
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const unchanged = await coordinator.get(url, { 'if-none-match': etag });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    const other = await reporter.get(url, { 'if-none-match': etag });
    expect(other.statusCode).toBe(200);
    expect(rows(other.body)).toHaveLength(1);

    // gzip, spliced from the kept body and this request's frame, decodes to the same page.
    const gz = await coordinator.get(url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(first.body);

    // A change to an obligation: the same tag now gets the new board, at once.
    const row = owed.find((o) => o.status !== 'closed')!;
    const count = (body: string, state: string) =>
      Number(new RegExp(`<li><span class="badge s-${state}">[^<]+</span> (\\d+)</li>`).exec(body)?.[1] ?? 0);
    await stack.tdb.db
      .updateTable('obligations')
      .set((eb) => ({ status: 'closed', revision: eb('revision', '+', 1), updated_at: new Date() }))
      .where('workflow_id', '=', row.workflow_id)
      .execute();
    try {
      const changed = await coordinator.get(url, { 'if-none-match': etag });
      expect(changed.statusCode).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(count(changed.body, 'closed')).toBe(count(first.body, 'closed') + 1);
      // An escalation recorded about one of the cycle's obligations is on the next answer too.
      // (Whom it reached is shown in the escalations table, whatever the reader's language.)
      const escalationRows = (body: string) => body.split('board-cache-head@example.kz').length - 1;
      const escalatedBefore = escalationRows(changed.body);
      await appendEvent(stack.tdb.db, {
        idempotencyKey: `board-cache-test-${row.workflow_id}`,
        type: 'escalation.sent',
        actor: 'system',
        subjectType: 'obligation',
        subjectId: row.workflow_id,
        payload: { to: ['board-cache-head@example.kz'], notice: { kind: 'escalation', audience: 'coordinator_head' } },
      });
      const escalated = await coordinator.get(url, { 'if-none-match': String(changed.headers.etag) });
      expect(escalated.statusCode).toBe(200);
      expect(escalationRows(escalated.body)).toBe(escalatedBefore + 1);
    } finally {
      // Back as the projection left it (its next write must still be newer than this row).
      await stack.tdb.db
        .updateTable('obligations')
        .set({ status: row.status, revision: row.revision, updated_at: new Date() })
        .where('workflow_id', '=', row.workflow_id)
        .execute();
    }
  });
});
