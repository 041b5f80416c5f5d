// The browser tests' bed: the real web stack listening on a loopback port, Debian's chromium driven by playwright-core, and
// what every browser test checks on a page — console errors, labels all in the page's language, axe-core, screenshots.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { en } from '../../api/web/i18n/en.js';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { PASSWORD, startWebStack, type WebStack } from './web.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'screenshots');
export const CATALOGUES = { kk, ru, en } as const;
export type Lang = keyof typeof CATALOGUES;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface BrowserBed {
  readonly stack: WebStack;
  /** The stack's URL on the loopback interface. */
  readonly base: string;
  /** Console errors and uncaught exceptions of every page opened by newPage (a CSP violation is one). */
  readonly consoleErrors: string[];
  newPage(): Promise<Page>;
  signIn(page: Page, username: string): Promise<void>;
  switchLanguage(page: Page, lang: Lang): Promise<void>;
  labels(page: Page): Promise<string[]>;
  axeViolations(page: Page): Promise<string[]>;
  /** Each language in turn: labels all in that language, no serious accessibility problem, a screenshot. */
  checkPage(page: Page, name: string): Promise<void>;
}

/** No label is another language's message unless this language says the same. */
export function foreignLabels(found: readonly string[], lang: Lang): string[] {
  const own = new Set(Object.values(CATALOGUES[lang]));
  const foreign = new Set(
    (Object.keys(CATALOGUES) as Lang[]).filter((l) => l !== lang).flatMap((l) => Object.values(CATALOGUES[l])),
  );
  return found.filter((text) => foreign.has(text) && !own.has(text));
}

/** Starts the stack and chromium before the file's tests and stops both after them. */
export function useBrowserBed(): BrowserBed {
  let stack: WebStack | undefined;
  let base = '';
  let browser: Browser | undefined;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
    stack = await startWebStack();
    base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
    mkdirSync(ARTIFACTS, { recursive: true });
    // launch() starts chromium on a fresh temporary --user-data-dir of its own, removed when it closes; each role gets its
    // own browser context (its own cookie jar), as separate people on separate machines would.
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

  async function newPage(): Promise<Page> {
    const page = await (await browser!.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

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

  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(axeSource);
    const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
    };
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  async function checkPage(page: Page, name: string): Promise<void> {
    for (const lang of ['ru', 'en', 'kk'] as const) {
      await switchLanguage(page, lang);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(foreignLabels(await labels(page), lang), `${name} in ${lang}`).toEqual([]);
      expect(await axeViolations(page), `${name} in ${lang}`).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${lang}.png`), fullPage: true });
    }
  }

  return {
    get stack() {
      return stack!;
    },
    get base() {
      return base;
    },
    consoleErrors,
    newPage,
    signIn,
    switchLanguage,
    labels,
    axeViolations,
    checkPage,
  };
}
