// The web interface in a real browser (Debian's chromium driven by playwright-core) on the real stack: every role signs in;
// a report is submitted, returned with a comment, seen, resubmitted and accepted; the language switch changes every label;
// no console errors; axe-core finds no serious or critical violation; screenshots of each page in each language.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kk } from '../../api/web/i18n/kk.js';
import { addDays } from '../../domain/dates.js';
import { localDateOf } from '../../domain/tz.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import { ARTIFACTS, useBrowserBed } from '../helpers/browser.js';
import { WEB_USERS, YEAR, type WebStack } from '../helpers/web.js';

const SEED_000 = new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url).pathname;

const bed = useBrowserBed();
const { consoleErrors, newPage, signIn, checkPage } = bed;
let stack: WebStack;
let base: string;
beforeAll(() => {
  stack = bed.stack;
  base = bed.base;
});

const today = localDateOf(Date.now());

describe('the web interface in a browser', () => {
  it('the sign-in page: every language, accessible', async () => {
    const page = await newPage();
    await page.goto(`${base}/app/sign-in`);
    expect(await page.textContent('h1')).toBe(kk['signin.title']);
    await checkPage(page, 'sign-in');
    await page.close();
  });

  it('a report goes round: submitted, returned with a comment, seen and resubmitted, accepted', async () => {
    const reporter = await newPage();
    await signIn(reporter, WEB_USERS.reporter.username);
    expect(new URL(reporter.url()).pathname).toBe('/app/inbox');
    await Promise.all([reporter.waitForURL(/\/app\/obligations\//), reporter.click('main table a')]);
    await reporter.selectOption('select[name="status:1"]', 'done');
    await reporter.fill('textarea[name="kk:1"]', 'Курс 120 мектепте енгізілді');
    await reporter.fill('input[name="event-name:0"]', 'Дөңгелек үстел');
    await reporter.fill('input[name="event-date:0"]', today);
    await reporter.fill('input[name="event-place:0"]', 'Астана');
    await reporter.fill('input[name="event-participants:0"]', '40');
    await reporter.fill('input[name="annex-title:0"]', 'Бейнежазба');
    await reporter.fill('input[name="annex-url:0"]', 'https://example.kz/video');
    await reporter.fill('#signatory-name', 'А. Нұрланов');
    await reporter.fill('#signatory-position', 'Департамент директоры');
    await reporter.fill('#signed-on', today);
    // htmx saves the draft as the reporter types: the status line says so.
    await reporter.locator('#draft-status', { hasText: /сақталды/ }).waitFor({ timeout: 10_000 });
    expect(await stack.tdb.db.selectFrom('report_drafts').select('obligation_id').execute()).toHaveLength(1);
    await Promise.all([reporter.waitForURL(/msg=submitted/), reporter.click('#report-form button.primary')]);
    expect(await reporter.textContent('.flash')).toContain('Есеп тапсырылды (1-нұсқа)');

    const coordinator = await newPage();
    await signIn(coordinator, WEB_USERS.coordinator.username);
    expect(new URL(coordinator.url()).pathname).toBe('/app/board');
    const cell = coordinator.locator('table.matrix tr', { hasText: 'Білім және ғылым министрлігі' }).locator('td a');
    expect(await cell.textContent()).toBe(kk['board.onTime']);
    await Promise.all([coordinator.waitForURL(/\/app\/obligations\//), cell.click()]);
    await coordinator.fill('#return-comment', 'Мектептер тізімін қосыңыз');
    await coordinator.fill('#return-date', addDays(today, 21));
    await coordinator.fill('textarea[name="remark:1"]', 'Мектептер санын жазыңыз');
    await coordinator.selectOption('select[name="remark-field:1"]', 'narrative.kk');
    await Promise.all([coordinator.waitForURL(/msg=returned/), coordinator.click('form[action$="/return"] button')]);
    expect(await coordinator.textContent('.flash')).toContain('қайтарылды');

    await reporter.goto(reporter.url().replace(/\?.*$/, ''));
    expect(await reporter.textContent('.returned .comment')).toBe('Мектептер тізімін қосыңыз');
    expect(await reporter.textContent('.badge')).toBe(kk['status.returned']);
    // The remark on measure 1 is shown beside what the reporter wrote there.
    expect(await reporter.textContent('fieldset.measure .remark')).toContain('Мектептер санын жазыңыз');
    await reporter.fill('textarea[name="kk:1"]', 'Курс 120 мектепте енгізілді; тізім қоса беріледі');
    await Promise.all([reporter.waitForURL(/msg=submitted/), reporter.click('#report-form button.primary')]);
    expect(await reporter.textContent('.flash')).toContain('2-нұсқа');
    // Both versions are kept; the diff shows the change.
    await Promise.all([reporter.waitForURL(/\/diff\?/), reporter.click('form[action$="/diff"] button')]);
    expect(await reporter.textContent('table.diff')).toContain('тізім қоса беріледі');
    expect(await reporter.textContent('table.diff')).toContain('measures[measure=1].narrative.kk');
    await reporter.goBack();

    await coordinator.goto(coordinator.url().replace(/\?.*$/, ''));
    expect(await coordinator.textContent('table.report')).toContain('тізім қоса беріледі');
    await Promise.all([coordinator.waitForURL(/msg=accepted/), coordinator.click('form[action$="/accept"] button')]);
    expect(await coordinator.textContent('.flash')).toBe(kk['review.accepted']);
    expect(await coordinator.textContent('dl.facts .badge')).toBe(kk['status.accepted']);
    const row = await stack.tdb.db
      .selectFrom('obligations')
      .select(['status', 'report_version'])
      .where('workflow_id', '=', stack.obligationId('БҒМ'))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'accepted', report_version: 2 });
    await reporter.close();
    await coordinator.close();
  });

  it('each role signs in to its own pages; each main page in each language: labels, accessibility, screenshots', async () => {
    const page = await newPage();

    await signIn(page, WEB_USERS.reporter.username);
    expect(await page.locator('nav a').allTextContents()).toEqual([kk['nav.inbox'], kk['nav.account']]);
    await checkPage(page, 'inbox');
    await page.goto(`${base}/app/obligations/${encodeURIComponent(stack.obligationId('БҒМ'))}`);
    await checkPage(page, 'obligation-accepted');

    await signIn(page, WEB_USERS.coordinator.username);
    expect(await page.locator('nav a').allTextContents()).toEqual([
      kk['nav.board'],
      kk['nav.inbox'],
      kk['nav.plans'],
      kk['nav.account'],
    ]);
    await checkPage(page, 'board');
    await page.goto(`${base}/app/obligations/${encodeURIComponent(stack.obligationId('ІІМ', 'measure-2-due-1'))}`);
    await checkPage(page, 'obligation-review');
    await page.goto(`${base}/app/board`);
    await Promise.all([page.waitForURL(/timeline/), page.click('a[href*="/timeline"]')]);
    await checkPage(page, 'timeline');

    await signIn(page, WEB_USERS.other.username);
    await page.goto(`${base}/app/obligations/${encodeURIComponent(stack.obligationId('ІІМ', 'measure-2-due-1'))}`);
    await checkPage(page, 'report-form');

    await signIn(page, WEB_USERS.pm.username);
    expect(new URL(page.url()).pathname).toBe('/app/pm');
    await checkPage(page, 'pm-office');

    await signIn(page, WEB_USERS.admin.username);
    expect(new URL(page.url()).pathname).toBe('/app/board');
    expect(await page.locator('nav a').allTextContents()).toEqual([
      kk['nav.board'],
      kk['nav.pm'],
      kk['nav.inbox'],
      kk['nav.plans'],
      kk['nav.calendar'],
      kk['nav.agencies'],
      kk['nav.outbox'],
      kk['nav.sink'],
      kk['nav.history'],
      kk['nav.replay'],
      kk['nav.users'],
      kk['nav.account'],
    ]);
    await page.goto(`${base}/app/admin/outbox`);
    await checkPage(page, 'outbox');
    await page.goto(`${base}/app/admin/history?workflow=${encodeURIComponent(stack.obligationId('БҒМ'))}`);
    await checkPage(page, 'history');
    await page.goto(`${base}/app/board`);

    // A phone-sized screen: the board still fits and scrolls inside its table, not the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'board-phone-kk.png'), fullPage: true });
    const overflow = (await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    // The on-time chart's agency names, in Kazakh and Russian, on a phone: set on two lines where long, none starting left
    // of the picture's edge (measured in the browser's own font), the whole name in the table and the title.
    for (const lang of ['ru', 'kk'] as const) {
      await Promise.all([
        page.waitForSelector(`html[lang=${lang}]`, { state: 'attached' }),
        page.click(`form.lang button[value=${lang}]`),
      ]);
      await page.waitForLoadState('load');
      const chart = page.locator('svg.chart-ontime');
      await chart.scrollIntoViewIfNeeded();
      await chart.screenshot({ path: join(ARTIFACTS, `board-phone-ontime-${lang}.png`) });
      const labels = (await page.evaluate(`[...document.querySelectorAll('svg.chart-ontime > text[text-anchor=end]')]
        .map((t) => ({ text: t.textContent, x: t.getBBox().x }))`)) as { text: string; x: number }[];
      expect(labels.length).toBeGreaterThan(1);
      expect(labels.filter((l) => l.x < 0)).toEqual([]);
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(`document.activeElement?.getAttribute('href')`)).toBe('#main');
    await page.close();
  });

  it('the admin imports a plan through the pages, reviews its diagnostics and confirms it; edits a calendar day; opens the sink', async () => {
    const page = await newPage();
    await signIn(page, WEB_USERS.admin.username);
    await page.goto(`${base}/app/admin/plans`);
    await checkPage(page, 'admin-plans');
    await page.setInputFiles('#imp-file', SEED_000);
    await Promise.all([page.waitForURL(/\/app\/admin\/imports\//), page.click('form[enctype] button[type=submit]')]);
    const reviewUrl = page.url();
    expect(await page.locator('table td code', { hasText: 'unknown_abbreviation' }).count()).toBeGreaterThan(0);
    await checkPage(page, 'admin-import-review');
    // Each unknown code answered: ПМ is the Interior Ministry, the rest owe no report; the act is given another number
    // (the stack's own plan holds act № 580).
    for (const select of await page.locator('select[name^="answer."]').all()) {
      const id = (await select.getAttribute('id'))!;
      const code = await page.locator(`label[for="${id}"]`).textContent();
      await select.selectOption(code === 'ПМ' ? 'ІІМ' : '-');
    }
    await page.fill('#imp-actNumber', '580-browser');
    await page.fill('#imp-actDate', '2017-09-19');
    await Promise.all([page.waitForLoadState('load'), page.click('form.stack button.secondary')]);
    expect(page.url()).toBe(reviewUrl);
    await Promise.all([
      page.waitForURL(/\/app\/admin\/plans\/[0-9a-f-]{36}/),
      page.click(`form[action$="/store"] button`),
    ]);
    const planId = new URL(page.url()).pathname.split('/').pop()!;
    try {
      expect(await page.locator('.flash.ok').textContent()).toBe(kk['imp.stored']);
      await Promise.all([page.waitForURL(/msg=confirmed/), page.click('form[action$="/confirm"] button')]);
      expect(await page.locator('.flash.ok').textContent()).toBe(kk['plan.confirmed']);
      await checkPage(page, 'admin-plan');
    } finally {
      await stack.client.schedule
        .getHandle(planScheduleId(planId))
        .delete()
        .catch(() => undefined);
    }

    await page.goto(`${base}/app/admin/calendar?year=${YEAR}`);
    await page.fill('#entry-date', `${YEAR}-12-30`);
    await page.selectOption('#entry-kind', 'transfer_day_off');
    await page.fill('#entry-kk', 'Ауыстырылған демалыс');
    await page.fill('#entry-ru', 'Перенесённый выходной');
    await page.fill('#entry-en', 'Transferred day off');
    await page.fill('#entry-source', 'Browser test order');
    await Promise.all([page.waitForURL(/msg=saved/), page.click('form[action="/app/admin/calendar/entries"] button')]);
    expect(await page.locator('td', { hasText: 'Browser test order' }).count()).toBe(1);
    await checkPage(page, 'admin-calendar');

    await page.goto(`${base}/app/admin/agencies`);
    await checkPage(page, 'admin-agencies');

    await storeSinkMessage(stack.tdb.db, {
      messageId: '<browser@test>',
      mailFrom: 'merzim@test',
      rcptTo: ['akimat@example.kz'],
      subject: 'Еске салу',
      raw: Buffer.from(
        'From: merzim@test\r\nTo: akimat@example.kz\r\nSubject: =?UTF-8?B?0JXRgdC60LUg0YHQsNC70YM=?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nМерзім жақын.\r\n',
      ),
    });
    await page.goto(`${base}/app/admin/sink`);
    await checkPage(page, 'admin-sink');
    await Promise.all([page.waitForURL(/\/app\/admin\/sink\/\d+$/), page.click('table a >> nth=0')]);
    await checkPage(page, 'admin-sink-message');
    await page.close();
  });

  it('no page logged a console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});
