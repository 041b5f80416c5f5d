// Issue 13, point 4 over the real stack: a Russian decree whose footnotes set the reporting goes through the admin pages —
// the review shows each measure's rule quoting its note, a body nobody knows is answered like an unknown code, the plan's
// page shows the rule — and confirming it opens the year's cycle with the note's obligations to ҰҚК.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCycle } from '../../db/repositories/cycles.js';
import { cycleWorkflowId, planScheduleId } from '../../domain/cycle-model.js';
import { waitFor } from '../helpers/mail.js';
import { PageBrowser } from '../helpers/page-browser.js';
import { WEB_USERS, startWebStack, type WebStack } from '../helpers/web.js';

let stack: WebStack;

beforeAll(async () => {
  stack = await startWebStack();
});

afterAll(async () => {
  await stack?.close();
});

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('footnotes on the admin pages', () => {
  it('reviews, answers, stores and confirms a plan whose footnotes set the reporting; its cycle owes ҰҚК', async () => {
    const year = new Date().getUTCFullYear();
    const fixture = readFileSync(new URL('../fixtures/import/footnotes-ru.txt', import.meta.url), 'utf8')
      .replaceAll('2026 – 2028', `${year} – ${year + 2}`)
      // The second note gives the information to a body nobody knows, by two dates.
      .replace(
        '**Информация представляется в Комитет национальной безопасности по результатам анализа.',
        '**Информация представляется в Агентство водных ресурсов Республики Казахстан два раза в год, к 25 декабря и 5 января.',
      );
    const admin = new PageBrowser(stack.app, '10.0.7.1');
    await admin.signIn(WEB_USERS.admin.username);
    const uploaded = await admin.upload(
      '/app/admin/plans/import',
      { _csrf: await admin.csrf('/app/admin/plans') },
      { name: 'footnotes-ru.txt', bytes: Buffer.from(fixture) },
    );
    expect(uploaded.statusCode).toBe(303);
    const reviewUrl = uploaded.headers.location as string;
    const review = await admin.get(reviewUrl);
    expect(review.statusCode).toBe(200);
    // The rules quoted in the page's language (Kazakh by default), the unknown body offered for an answer, not storable.
    expect(review.body).toContain('id="footnote-rules"');
    expect(review.body).toContain('Сілтемелер белгілейтін есеп беру тәртібі');
    expect(review.body).toContain('Информация представляется в Комитет национальной безопасности Республики Казахстан');
    expect(review.body).toContain('жыл сайын: 20 желтоқсан, 5 қаңтар');
    expect(review.body).toContain('footnote_unknown_recipient');
    expect(review.body).not.toContain('/store"');
    const codes = [...review.body.matchAll(/name="code\.(\d+)" value="([^"]+)"/g)].map(
      (m) => [m[1]!, unescape(m[2]!)] as const,
    );
    expect(codes.map(([, c]) => c)).toContain('Агентство водных ресурсов');
    const answers: Record<string, string> = { _csrf: await admin.csrf(reviewUrl) };
    for (const [i, code] of codes) {
      answers[`code.${i}`] = code;
      answers[`answer.${i}`] = code === 'Агентство водных ресурсов' ? 'ҰҚК' : '-';
    }
    expect((await admin.post(reviewUrl, answers)).statusCode).toBe(303);
    const again = await admin.get(reviewUrl);
    expect(again.body).toContain('footnote_recipient_mapped');
    expect(again.body).toContain(`${reviewUrl}/store`);
    const stored = await admin.post(`${reviewUrl}/store`, { _csrf: await admin.csrf(reviewUrl) });
    expect(stored.statusCode).toBe(303);
    const planUrl = (stored.headers.location as string).split('?')[0]!;
    const planId = planUrl.split('/').pop()!;
    const page = await admin.get(planUrl);
    expect(page.body).toContain('id="footnote-rules"');
    expect(page.body).toContain('два раза в год, к 20 декабря и 5 января');
    expect(page.body.match(/<blockquote>/g)).toHaveLength(2);

    // Confirming part-way through the year opens its cycle (catch-up): the note's dates are stages to ҰҚК.
    const confirmed = await admin.post(`${planUrl}/confirm`, { _csrf: await admin.csrf(planUrl) });
    expect(confirmed.statusCode).toBe(303);
    const cycleId = cycleWorkflowId(planId, String(year));
    try {
      const cycle = await waitForCycle(cycleId);
      const notes = cycle.spec!.stages.filter((s) => s.footnote !== undefined);
      expect(notes.map((s) => [s.id, s.recipient?.agencyCode, s.dueDate, s.parties.map((p) => p.agencyCode)])).toEqual(
        expect.arrayContaining([
          ['measure-1-note-1', 'ҰҚК', `${year}-12-20`, ['ІІМ', 'БҒМ']],
          ['measure-1-note-2', 'ҰҚК', `${year + 1}-01-05`, ['ІІМ', 'БҒМ']],
          ['measure-2-note-1', 'ҰҚК', `${year}-12-25`, ['ІІМ']],
          ['measure-2-note-2', 'ҰҚК', `${year + 1}-01-05`, ['ІІМ']],
        ]),
      );
      // The obligations themselves, as their workflows recorded them.
      const noteRows = async () => {
        const rows = await stack.tdb.db
          .selectFrom('obligations')
          .select(['stage_id', 'agency_code', 'due_date'])
          .where('plan_id', '=', planId)
          .where('stage_id', 'like', 'measure-%-note-%')
          .execute();
        return rows.length >= 6 ? rows : undefined;
      };
      const rows = await waitFor(noteRows, 30_000, 'the note obligations');
      expect(rows.map((r) => [r.stage_id, r.agency_code, String(r.due_date)]).sort()).toEqual([
        ['measure-1-note-1', 'ІІМ', `${year}-12-20`],
        ['measure-1-note-1', 'БҒМ', `${year}-12-20`],
        ['measure-1-note-2', 'ІІМ', `${year + 1}-01-05`],
        ['measure-1-note-2', 'БҒМ', `${year + 1}-01-05`],
        ['measure-2-note-1', 'ІІМ', `${year}-12-25`],
        ['measure-2-note-2', 'ІІМ', `${year + 1}-01-05`],
      ]);
    } finally {
      await stack.client.schedule
        .getHandle(planScheduleId(planId))
        .delete()
        .catch(() => undefined);
      await stack.client.workflow
        .getHandle(cycleId)
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});

async function waitForCycle(cycleId: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await getCycle(stack.tdb.db, cycleId);
    if (row?.spec !== undefined && row.spec !== null) return row;
    if (Date.now() > deadline) throw new Error(`cycle ${cycleId} not recorded`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
