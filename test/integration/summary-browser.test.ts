// The summary builder in a real browser (Debian's chromium through playwright-core) on the real stack: the coordinator sees
// the summary blocked (the submit button disabled, the blocker linked to its report), writes the preface (autosaved), and
// once the report is accepted submits it to the PM Office; the PM Office returns it with a remark on a measure (in Russian),
// the coordinator sees the remark and resubmits version 2 (in Kazakh), the PM Office accepts. Each state of the page in each
// language: labels in that language, axe-core with no serious or critical violation, a screenshot; no console error.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../api/web/i18n/en.js';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { obligationHref } from '../../api/web/view.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { addDays } from '../../domain/dates.js';
import { localDateOf } from '../../domain/tz.js';
import { bearer } from '../helpers/app.js';
import { waitFor } from '../helpers/mail.js';
import { PASSWORD, WEB_USERS, YEAR, startWebStack, type WebStack } from '../helpers/web.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const CATALOGUES = { kk, ru, en } as const;
type Lang = keyof typeof CATALOGUES;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack: WebStack;
let base: string;
let browser: Browser;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  stack = await startWebStack();
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(ARTIFACTS, { recursive: true });
  // launch() starts chromium on a fresh temporary --user-data-dir of its own, removed when it closes; each role below
  // gets its own browser context (its own cookie jar), as separate people on separate machines would.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A page in a new cookie jar that records console errors and uncaught exceptions (a CSP violation is one). */
async function newPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** Signs in as `user` in a clean cookie jar. */
async function signIn(page: Page, username: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/app/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/sign-in')),
    page.click('button[type=submit].primary'),
  ]);
}

// Browser-side code is written as strings: this project's type check has no DOM library, on purpose (product code has no DOM).
async function switchLanguage(page: Page, lang: Lang): Promise<void> {
  // Not waitForFunction: it evaluates a string in the page, which the pages' CSP (rightly) refuses.
  await Promise.all([
    page.waitForSelector(`html[lang=${lang}]`, { state: 'attached' }),
    page.click(`form.lang button[value=${lang}]`),
  ]);
  await page.waitForLoadState('load');
}

/** Labels on the page: headings, column headers, form labels, buttons, navigation, legends, terms, options, statuses. */
async function labels(page: Page): Promise<string[]> {
  // The options of the cycle and agency filters are names from the plan (data), not labels.
  const selector =
    'h1, h2, th[scope=col], label, button, nav a, legend, dt, option:not(#cycle option, #agency option), .badge';
  return page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})]
    .filter((e) => e.offsetParent !== null || e.tagName === 'OPTION')
    .map((e) => (e.textContent || '').trim()).filter((s) => s !== '')`) as Promise<string[]>;
}

/** No label is another language's message unless this language says the same. */
function foreignLabels(found: readonly string[], lang: Lang): string[] {
  const own = new Set(Object.values(CATALOGUES[lang]));
  const foreign = new Set(
    (Object.keys(CATALOGUES) as Lang[]).filter((l) => l !== lang).flatMap((l) => Object.values(CATALOGUES[l])),
  );
  return found.filter((text) => foreign.has(text) && !own.has(text));
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

/** Each language in turn: labels all in that language, no serious accessibility problem, a screenshot. */
async function checkPage(page: Page, name: string): Promise<void> {
  for (const lang of ['ru', 'en', 'kk'] as const) {
    await switchLanguage(page, lang);
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(foreignLabels(await labels(page), lang), `${name} in ${lang}`).toEqual([]);
    expect(await axeViolations(page), `${name} in ${lang}`).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}.png`), fullPage: true });
  }
}

const today = localDateOf(Date.now());

async function statusOf(id: string): Promise<string | undefined> {
  const row = await stack.tdb.db
    .selectFrom('obligations')
    .select('status')
    .where('workflow_id', '=', id)
    .executeTakeFirst();
  return row?.status;
}

async function waitStatus(id: string, status: string): Promise<void> {
  await waitFor(async () => ((await statusOf(id)) === status ? true : undefined), 60_000, `${id} ${status}`);
}

describe('the summary builder in a browser', () => {
  it('coordinator builds and submits, PM Office returns with a remark, coordinator resubmits, PM Office accepts', async () => {
    const summaryPath = `/app/cycles/${encodeURIComponent(cycleWorkflowId(stack.planId, String(YEAR)))}/summary`;
    const carrier = stack.obligationId('АҚДМ', 'summary');
    const bgm = (await createApiToken(stack.tdb.db, { name: 'bgm', role: 'reporter', agencyCode: 'БҒМ' })).secret;
    const admin = (await createApiToken(stack.tdb.db, { name: 'adm', role: 'admin' })).secret;
    const submitted = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/obligations/${encodeURIComponent(stack.obligationId('БҒМ'))}/submit`,
      headers: bearer(bgm),
      payload: { items: [{ measure: '1', status: 'done', text: 'Курс 120 мектепте енгізілді' }] },
    });
    expect(submitted.statusCode, submitted.body).toBe(200);

    // Blocked: БҒМ's report is under review; the button is disabled and the blocker links to the report.
    const coordinator = await newPage();
    await signIn(coordinator, WEB_USERS.coordinator.username);
    await Promise.all([coordinator.waitForURL(/\/summary$/), coordinator.click('main a[href$="/summary"]')]);
    expect(await coordinator.isDisabled('form[action$="/submit"] button.primary')).toBe(true);
    expect(await coordinator.textContent('ul.blockers')).toContain('БҒМ');
    expect(await coordinator.getAttribute('ul.blockers a', 'href')).toBe(
      `/app/obligations/${encodeURIComponent(stack.obligationId('БҒМ'))}`,
    );
    await checkPage(coordinator, 'summary-blocked');
    // The preface is saved as it is typed (htmx), CSRF token and all.
    await coordinator.fill('#preface-kk', 'Жоспар негізінен орындалды.');
    await coordinator.locator('#texts-status', { hasText: /Сақталды/ }).waitFor({ timeout: 15_000 });

    const accepted = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/obligations/${encodeURIComponent(stack.obligationId('БҒМ'))}/accept`,
      headers: bearer(admin),
      payload: {},
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    await waitStatus(stack.obligationId('БҒМ'), 'accepted');
    await coordinator.goto(`${base}${summaryPath}`);
    expect(await coordinator.inputValue('#preface-kk')).toBe('Жоспар негізінен орындалды.');
    expect(await coordinator.isDisabled('form[action$="/submit"] button.primary')).toBe(false);
    await checkPage(coordinator, 'summary-ready');
    await Promise.all([
      coordinator.waitForURL(/msg=submitted/),
      coordinator.click('form[action$="/submit"] button.primary'),
    ]);
    expect(await coordinator.textContent('.flash')).toBe(kk['sum.submitted'].replace('{n}', '1'));
    await waitStatus(carrier, 'submitted');

    // The PM Office, in Russian, returns it with a remark on measure 1.
    const pm = await newPage();
    await signIn(pm, WEB_USERS.pm.username);
    await switchLanguage(pm, 'ru');
    await Promise.all([pm.waitForURL(/\/summary$/), pm.click('main a[href$="/summary"]')]);
    expect(await pm.textContent('ul.versions')).toContain('1');
    await checkPage(pm, 'summary-review');
    await switchLanguage(pm, 'ru');
    await pm.fill('#return-comment', 'Уточните данные по мероприятию 1');
    await pm.fill('#return-date', addDays(today, 7));
    await pm.fill('textarea[name="remark:1"]', 'Укажите число школ по регионам');
    await Promise.all([pm.waitForURL(/msg=returned/), pm.click('form[action$="/return"] button')]);
    expect(await pm.textContent('.flash')).toBe(ru['sum.returnedNote']);
    await waitStatus(carrier, 'returned');

    // The coordinator sees the remark beside the summary and resubmits version 2.
    await coordinator.goto(`${base}${summaryPath}`);
    expect(await coordinator.textContent('.returned')).toContain('Укажите число школ по регионам');
    await checkPage(coordinator, 'summary-returned');
    await Promise.all([
      coordinator.waitForURL(/msg=submitted/),
      coordinator.click('form[action$="/submit"] button.primary'),
    ]);
    expect(await coordinator.textContent('.flash')).toBe(kk['sum.submitted'].replace('{n}', '2'));
    await waitStatus(carrier, 'submitted');

    await pm.goto(`${base}${summaryPath}`);
    await Promise.all([pm.waitForURL(/msg=accepted/), pm.click('form[action$="/accept"] button')]);
    expect(await pm.textContent('.flash')).toBe(ru['sum.acceptedNote']);
    await waitStatus(carrier, 'accepted');
    // The carrier obligation's own page links to the summary page instead of an empty report table.
    await pm.goto(`${base}${obligationHref(carrier)}`);
    expect(await pm.getAttribute('section[aria-labelledby="summary-h"] a', 'href')).toBe(summaryPath);
    expect(await pm.textContent('section[aria-labelledby="summary-h"]')).toContain(ru['obligation.openSummary']);
    const versions = await stack.tdb.db.selectFrom('summary_versions').select('version').orderBy('version').execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    // The PM Office's own report, built from the accepted summary.
    await pm.goto(`${base}${summaryPath}?stage=summary`);
    expect(await pm.textContent('table.report')).toContain('Курс 120 мектепте енгізілді');
    await checkPage(pm, 'pm-report');
    await coordinator.close();
    await pm.close();
    expect(consoleErrors).toEqual([]);
    // A reporter may not see the summary page (the browser logs the 403 it is shown: expected here, so checked last).
    const reporter = await newPage();
    await signIn(reporter, WEB_USERS.reporter.username);
    expect((await reporter.goto(`${base}${summaryPath}`))!.status()).toBe(403);
    await reporter.close();
  }, 300_000);
});
