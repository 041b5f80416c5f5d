// The board's charts and date-time picker, the PM Office page's charts, the replay page, the links to the history and the
// import review's localised diagnostics in a real browser (Debian's chromium, playwright-core) on the real stack: signed in,
// opened, seen, no console errors, axe-core finds no serious or critical violation; screenshots in Kazakh and Russian at
// laptop and phone widths under test-artifacts/screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { PASSWORD, WEB_USERS, YEAR, startWebStack, type WebStack } from '../helpers/web.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const SEED_000 = new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url).pathname;
const CATALOGUES = { kk, ru } as const;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = { laptop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

let stack: WebStack;
let base: string;
let browser: Browser;
let cycleId: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  stack = await startWebStack();
  cycleId = `cycle:${stack.planId}:${YEAR}`;
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function signedIn(username: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: WIDTHS.laptop })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  await page.goto(`${base}/app/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/sign-in')),
    page.click('button[type=submit].primary'),
  ]);
  return page;
}

async function switchLanguage(page: Page, lang: 'kk' | 'ru'): Promise<void> {
  if ((await page.getAttribute('html', 'lang')) === lang) return;
  await Promise.all([
    page.waitForSelector(`html[lang=${lang}]`, { state: 'attached' }),
    page.click(`form.lang button[value=${lang}]`),
  ]);
  await page.waitForLoadState('load');
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** In Kazakh and Russian: `see` holds, axe is clean, and a screenshot at each width; no console error on the way. */
async function checkPage(
  page: Page,
  name: string,
  see: (lang: 'kk' | 'ru', catalogue: typeof kk) => Promise<void>,
): Promise<void> {
  for (const lang of ['ru', 'kk'] as const) {
    await switchLanguage(page, lang);
    await see(lang, CATALOGUES[lang]);
    expect(await axeViolations(page), `${name} in ${lang}`).toEqual([]);
    for (const [width, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize(WIDTHS.laptop);
  }
  expect(consoleErrors).toEqual([]);
}

const text = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

describe('history pages in a browser', () => {
  it('the board: its charts with their tables, the picker, the board as of an instant and back to now', async () => {
    const page = await signedIn(WEB_USERS.coordinator.username);
    await page.goto(`${base}/app/board?cycle=${encodeURIComponent(cycleId)}`);
    await checkPage(page, 'board-charts', async (_lang, t) => {
      expect(await page.locator('figure.chart svg[role=img]').count()).toBe(2);
      expect(await text(page, 'h2')).toEqual(expect.arrayContaining([t['chart.overdue'], t['chart.onTime']]));
      await page.locator('details summary').first().click();
      expect(await page.locator('details[open] table.chart-table').count()).toBe(1);
      expect(await page.locator('label[for=at]').innerText()).toBe(t['board.asOfLabel']);
    });
    // The board as of "now" through the picker: read-only (no links in the matrix), with the way back.
    await page.fill('#at', `${YEAR + 1}-01-10T23:59`);
    await Promise.all([page.waitForURL(/at=/), page.click('form.asof button[type=submit]')]);
    await checkPage(page, 'board-as-of', async (_lang, t) => {
      expect(await page.locator('.asof-note').innerText()).toContain(t['board.asOfNow']);
      expect(await page.locator('table.matrix td .badge').count()).toBeGreaterThan(0);
      expect(await page.locator('table.matrix a').count()).toBe(0);
      expect(await page.inputValue('#at')).toBe(`${YEAR + 1}-01-10T23:59`);
    });
    await Promise.all([page.waitForURL((u) => !u.search.includes('at=')), page.click('.asof-note a')]);
    expect(await page.locator('table.matrix a').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('the PM Office page: charts per plan', async () => {
    const page = await signedIn(WEB_USERS.pm.username);
    await page.goto(`${base}/app/pm`);
    await checkPage(page, 'pm-charts', async (_lang, t) => {
      expect(await text(page, 'h2')).toContain(t['pm.charts']);
      expect(await page.locator('section.plan-charts figure.chart svg').count()).toBe(2);
      expect(await page.locator('a[href^="/app/admin/history"]').count()).toBe(0);
    });
    await page.context().close();
  });

  it('an admin follows the history link from an obligation, and runs the replay check on its cycle', async () => {
    const page = await signedIn(WEB_USERS.admin.username);
    await page.goto(`${base}/app/obligations/${encodeURIComponent(stack.obligationId('БҒМ'))}`);
    await Promise.all([
      page.waitForURL(/\/app\/admin\/history\?workflow=/),
      page.click('main a[href^="/app/admin/history?workflow="]'),
    ]);
    expect(await page.locator('h2').first().innerText()).toBe(stack.obligationId('БҒМ'));
    // The results are the answer to the form's POST: the language is switched first, then the form is sent.
    for (const lang of ['ru', 'kk'] as const) {
      await page.goto(`${base}/app/admin/replay`);
      await switchLanguage(page, lang);
      await page.check('input[name=kind][value=workflow]');
      await page.fill('#replay-workflow', cycleId);
      await Promise.all([page.waitForLoadState('load'), page.click('form.replay-form button[type=submit]')]);
      await page.waitForSelector('.replay-summary', { timeout: 180_000 });
      expect(await page.locator('h1').innerText()).toBe(CATALOGUES[lang]['replay.title']);
      expect(await page.locator('table.replay-results .badge').allInnerTexts()).toEqual([
        CATALOGUES[lang]['replay.ok'],
      ]);
      expect(await axeViolations(page), `replay in ${lang}`).toEqual([]);
      for (const [width, size] of Object.entries(WIDTHS)) {
        await page.setViewportSize(size);
        await page.screenshot({ path: join(ARTIFACTS, `replay-${lang}-${width}.png`), fullPage: true });
      }
      await page.setViewportSize(WIDTHS.laptop);
    }
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('the import review: diagnostics in Kazakh and Russian', async () => {
    const page = await signedIn(WEB_USERS.admin.username);
    await page.goto(`${base}/app/admin/plans`);
    await page.setInputFiles('input[type=file]', SEED_000);
    await Promise.all([
      page.waitForURL(/\/app\/admin\/imports\//),
      page.locator('input[type=file]').locator('xpath=ancestor::form').locator('button[type=submit]').click(),
    ]);
    await checkPage(page, 'import-review', async (_lang, t) => {
      const messages = await page.locator('table tbody tr td:nth-child(4)').allInnerTexts();
      expect(messages.length).toBeGreaterThan(0);
      for (const m of messages) expect(m.replace(/«[^»]*»/g, '')).not.toMatch(/[A-Za-z]{4,}/);
      expect(await text(page, 'th[scope=col]')).toContain(t['imp.message']);
    });
    await page.context().close();
  });
});
