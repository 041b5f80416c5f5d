// The web interface's history pages over the real stack (app.inject): the board's charts and its date-time picker (the board
// as of a past instant, read-only), the replay page (admin only, CSRF), the links to the admin's history (only where the
// history API would answer), the PM Office page's charts per plan, and the import review's diagnostics in Kazakh and Russian.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../api/web/i18n/en.js';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { createUser } from '../../db/repositories/users.js';
import { instantToLocal, KZ_TIME_ZONE } from '../../domain/tz.js';
import { PageBrowser } from '../helpers/page-browser.js';
import { PASSWORD, WEB_USERS, YEAR, startWebStack, type WebStack } from '../helpers/web.js';

let stack: WebStack;
let cycleId: string;

beforeAll(async () => {
  stack = await startWebStack();
  cycleId = `cycle:${stack.planId}:${YEAR}`;
  // A coordinator of another agency: it coordinates no plan of this stack.
  await createUser(stack.tdb.db, {
    username: 'iim.coordinator',
    displayName: 'ІІМ үйлестірушісі',
    role: 'coordinator',
    agencyCode: 'ІІМ',
    password: PASSWORD,
    mustChangePassword: false,
  });
});

afterAll(async () => {
  await stack?.close();
});

let address = 0;
const as = (username: string) => new PageBrowser(stack.app, `10.0.7.${++address}`).signIn(username);

/** The picker's value for an instant: Almaty local time, YYYY-MM-DDTHH:MM. */
function almaty(ms: number): string {
  const l = instantToLocal(ms, KZ_TIME_ZONE);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}`;
}

const enc = encodeURIComponent;
const historyLink = (id: string) => `/app/admin/history?workflow=${enc(id)}`;

describe('the board: charts and the date-time picker', () => {
  it('shows the overdue and on-time charts with their tables, the picker, and (to an admin) the history link', async () => {
    const admin = await as(WEB_USERS.admin.username);
    const board = await admin.get(`/app/board?cycle=${enc(cycleId)}`);
    expect(board.statusCode).toBe(200);
    expect(board.body.match(/<figure class="chart">/g)).toHaveLength(2);
    expect(board.body).toContain('class="chart chart-overdue"');
    expect(board.body).toContain('class="chart chart-ontime"');
    expect(board.body.match(/<details><summary>/g)).toHaveLength(2);
    expect(board.body).toContain('type="datetime-local"');
    expect(board.body).toContain(kk['board.asOfLabel']);
    expect(board.body).toContain(historyLink(cycleId));
  });

  it('renders the matrix as of a past instant, read-only, with a link back to now', async () => {
    const coordinator = await as(WEB_USERS.coordinator.username);
    const now = await coordinator.get(`/app/board?cycle=${enc(cycleId)}`);
    expect(now.body).toContain('type="datetime-local"');
    expect(now.body).not.toContain('/app/admin/history');
    expect(now.body).toMatch(/<td><a href="\/app\/obligations\//);
    const at = almaty(Date.now() + 60_000);
    const past = await coordinator.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(at)}`);
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain('asof-note');
    expect(past.body).toContain(kk['board.asOfNow']);
    expect(past.body).toContain(`value="${at}"`);
    // The obligations exist as of now (the cycle opened): the matrix has cells, none a link; no charts, no escalations.
    expect(past.body).toMatch(/<td><span class="badge s-/);
    expect(past.body).not.toMatch(/<td><a href="\/app\/obligations\//);
    expect(past.body).not.toContain('<figure class="chart">');
    expect(past.body).not.toContain(kk['board.escalations']);
    // Before the cycle existed, the board as of then is empty.
    const before = await coordinator.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(`${YEAR - 1}-01-10T23:59`)}`);
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(kk['board.none']);
  });

  it('refuses a malformed instant with a 400 naming the field', async () => {
    const coordinator = await as(WEB_USERS.coordinator.username);
    for (const bad of ['yesterday', `${YEAR}-02-30T10:00`, `${YEAR}-01-10T24:00`]) {
      const res = await coordinator.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(bad)}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body, bad).toContain('at: ');
    }
  });

  it('as the as-of API: a reporter gets no picker and a 403; a coordinator of another plan a 404', async () => {
    const reporter = await as(WEB_USERS.reporter.username);
    const own = await reporter.get('/app/board');
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('type="datetime-local"');
    expect(own.body).not.toContain('/app/admin/history');
    expect((await reporter.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(almaty(Date.now()))}`)).statusCode).toBe(403);
    const other = await as(WEB_USERS.other.username);
    expect([403, 404]).toContain(
      (await other.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(almaty(Date.now()))}`)).statusCode,
    );
    const stranger = await as('iim.coordinator');
    expect((await stranger.get(`/app/board?cycle=${enc(cycleId)}&at=${enc(almaty(Date.now()))}`)).statusCode).toBe(404);
  });
});

describe('links to the history', () => {
  it('the obligation, timeline and PM Office pages link to the history for an admin only', async () => {
    const obligation = `/app/obligations/${enc(stack.obligationId('БҒМ'))}`;
    const timeline = `/app/cycles/${enc(cycleId)}/timeline`;
    const admin = await as(WEB_USERS.admin.username);
    expect((await admin.get(obligation)).body).toContain(historyLink(stack.obligationId('БҒМ')));
    expect((await admin.get(timeline)).body).toContain(historyLink(cycleId));
    expect((await admin.get('/app/pm')).body).toContain(historyLink(cycleId));
    const reporter = await as(WEB_USERS.reporter.username);
    const own = await reporter.get(obligation);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('/app/admin/history');
    const coordinator = await as(WEB_USERS.coordinator.username);
    expect((await coordinator.get(timeline)).body).not.toContain('/app/admin/history');
    expect((await coordinator.get(obligation)).body).not.toContain('/app/admin/history');
    const pm = await as(WEB_USERS.pm.username);
    const pmPage = await pm.get('/app/pm');
    expect(pmPage.statusCode).toBe(200);
    expect(pmPage.body).not.toContain('/app/admin/history');
    // The PM Office page: per plan, the overdue and on-time charts with their tables.
    expect(pmPage.body).toContain(kk['pm.charts']);
    expect(pmPage.body.match(/<figure class="chart">/g)).toHaveLength(2);
    expect(pmPage.body).toContain('class="chart chart-ontime"');
  });
});

describe('the replay page', () => {
  it('is the admin’s only', async () => {
    for (const who of [WEB_USERS.reporter.username, WEB_USERS.coordinator.username, WEB_USERS.pm.username]) {
      const b = await as(who);
      expect((await b.get('/app/admin/replay')).statusCode, who).toBe(403);
      expect(
        (await b.post('/app/admin/replay', { _csrf: await b.csrf('/app/account'), kind: 'open' })).statusCode,
        who,
      ).toBe(403);
    }
  });

  it('needs the CSRF token and names a missing field', async () => {
    const admin = await as(WEB_USERS.admin.username);
    expect((await admin.post('/app/admin/replay', { kind: 'open' })).statusCode).toBe(403);
    const csrf = await admin.csrf('/app/admin/replay');
    const noId = await admin.post('/app/admin/replay', { _csrf: csrf, kind: 'workflow', workflowId: ' ' });
    expect(noId.statusCode).toBe(400);
    expect(noId.body).toContain('workflowId: ');
    const badPeriod = await admin.post('/app/admin/replay', {
      _csrf: csrf,
      kind: 'plan',
      planId: stack.planId,
      period: 'last year',
    });
    expect(badPeriod.statusCode).toBe(400);
    expect(badPeriod.body).toContain('period: ');
    expect(badPeriod.body).toContain('value="last year"');
  });

  it('replays a workflow and a plan and says per workflow ok', { timeout: 240_000 }, async () => {
    const admin = await as(WEB_USERS.admin.username);
    const csrf = await admin.csrf('/app/admin/replay');
    const one = await admin.post('/app/admin/replay', { _csrf: csrf, kind: 'workflow', workflowId: cycleId });
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('replay-summary');
    expect(one.body).toContain(`<span class="badge s-accepted">${kk['replay.ok']}</span>`);
    expect(one.body).not.toContain('s-overdue');
    const plan = await admin.post('/app/admin/replay', { _csrf: csrf, kind: 'plan', planId: stack.planId });
    expect(plan.statusCode).toBe(200);
    // The cycle and its obligations, all agreeing with this release's code.
    expect(plan.body.match(/class="badge s-accepted"/g)!.length).toBeGreaterThanOrEqual(5);
    expect(plan.body).not.toContain('s-overdue');
    expect(plan.body).toContain(historyLink(stack.obligationId('БҒМ')));
  });
});

describe('the import review page in Kazakh and Russian', () => {
  const seed000 = readFileSync(new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url));

  it('shows every diagnostic in the reader’s language, no English message', { timeout: 60_000 }, async () => {
    const admin = await as(WEB_USERS.admin.username);
    const uploaded = await admin.upload(
      '/app/admin/plans/import',
      { _csrf: await admin.csrf('/app/admin/plans') },
      {
        name: '000.txt',
        bytes: seed000,
      },
    );
    expect(uploaded.statusCode).toBe(303);
    const reviewUrl = uploaded.headers.location as string;
    for (const [lang, catalogue] of [
      ['kk', kk],
      ['ru', ru],
    ] as const) {
      await admin.language(lang);
      const review = await admin.get(reviewUrl);
      expect(review.statusCode).toBe(200);
      expect(review.body).toContain(`<html lang="${lang}">`);
      const rows = [...review.body.matchAll(/<tr><td><span class="badge s-[a-z]+">[^<]*<\/span><\/td>(.*?)<\/tr>/gs)];
      expect(rows.length).toBeGreaterThan(0);
      for (const [, row] of rows) {
        // The message cell: no English word (the code is a <code>, quoted values are the plan's own words in « »).
        const message = row!
          .split('</td>')
          .at(-2)!
          .replace(/<td>/, '')
          .replace(/«[^»]*»/g, '');
        expect(message, `${lang}: ${row}`).not.toMatch(/[A-Za-z]{4,}/);
      }
      for (const text of Object.entries(en)
        .filter(([k]) => k.startsWith('diag.'))
        .map(([, v]) => v))
        expect(review.body).not.toContain(text);
      // And each message is one of this language's catalogue messages.
      const pieces = Object.entries(catalogue)
        .filter(([k]) => k.startsWith('diag.'))
        .map(([, v]) =>
          v
            .split('{value}')
            .sort((a, b) => b.length - a.length)[0]!
            .trim(),
        );
      for (const [, row] of rows)
        expect(
          pieces.some((p) => row!.includes(p)),
          row,
        ).toBe(true);
    }
    await admin.language('kk');
  });
});
