// The summary builder in a real browser (Debian's chromium through playwright-core) on the real stack: the coordinator sees
// the summary blocked (the submit button disabled, the blocker linked to its report), writes the preface (autosaved), and
// once the report is accepted submits it to the PM Office; the PM Office returns it with a remark on a measure (in Russian),
// the coordinator sees the remark and resubmits version 2 (in Kazakh), the PM Office accepts. Each state of the page in each
// language: labels in that language, axe-core with no serious or critical violation, a screenshot; no console error.
import { beforeAll, describe, expect, it } from 'vitest';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { obligationHref } from '../../api/web/view.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { addDays } from '../../domain/dates.js';
import { localDateOf } from '../../domain/tz.js';
import { bearer } from '../helpers/app.js';
import { waitFor } from '../helpers/mail.js';
import { useBrowserBed } from '../helpers/browser.js';
import { WEB_USERS, YEAR, type WebStack } from '../helpers/web.js';

const bed = useBrowserBed();
const { consoleErrors, newPage, signIn, switchLanguage, checkPage } = bed;
let stack: WebStack;
let base: string;
beforeAll(() => {
  stack = bed.stack;
  base = bed.base;
});

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
