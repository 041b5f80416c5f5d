// A cycle's consolidated summary through the API on the real stack (PostgreSQL, the Temporal dev server, a worker): a report
// submitted and accepted through the obligation's Updates, then the summary read back as JSON, as DOCX (mammoth) and as XLSX
// (exceljs), with the plan's indicator target, the agency still missing named, and who may see it.
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import {
  BGM_NARRATIVE as NARRATIVE,
  startSummaryBed,
  SUMMARY_YEAR as YEAR,
  type SummaryBed,
} from '../helpers/summary-bed.js';

let bed: SummaryBed;
let tdb: TestDatabase;
let app: FastifyInstance;
let call: SummaryBed['call'];
let planId: string;
let tokens: Record<string, string>;

beforeAll(async () => {
  bed = await startSummaryBed('summary-api');
  ({ tdb, app, call, planId, tokens } = bed);
});

afterAll(async () => {
  await bed?.close();
});

describe('the consolidated summary through the API', () => {
  const cycleId = (): string => encodeURIComponent(bed.cycleId());
  const summaryUrl = (query = ''): string => `/api/v1/cycles/${cycleId()}/summary${query}`;

  it('opens the cycle; БҒМ submits and the coordinator accepts, through the Updates', async () => {
    await bed.openCycle();
    await bed.submitBgm();
    // Under review, it blocks the summary by name.
    const review = await call('GET', summaryUrl(), tokens.coordinator!);
    expect(review.statusCode, review.body).toBe(200);
    expect(review.json().blockers).toContainEqual(
      expect.objectContaining({ kind: 'under_review', agency: expect.objectContaining({ code: 'БҒМ' }) }),
    );
    await bed.acceptBgm();
  }, 180_000);

  it('as JSON: the accepted report per measure, the plan target, the agency missing named, not ready', async () => {
    const res = await call('GET', summaryUrl('?format=json'), tokens.coordinator!);
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.plan).toMatchObject({ id: planId, number: '580' });
    expect(s.period).toBe(String(YEAR));
    expect(s.sender.code).toBe('АҚДМ');
    expect(s.recipient.code).toBe('ПМК');
    expect(s.measures.map((m: { number: string }) => m.number)).toEqual(['1']);
    const [m1] = s.measures;
    expect(m1.executors).toEqual([
      expect.objectContaining({
        kind: 'reported',
        agency: expect.objectContaining({ code: 'БҒМ' }),
        status: 'done',
        narrative: { kk: NARRATIVE, ru: null },
        reportVersion: 1,
      }),
      expect.objectContaining({ kind: 'missing', agency: expect.objectContaining({ code: 'ІІМ' }), mark: null }),
    ]);
    expect(m1.totals).toEqual([
      expect.objectContaining({ key: '1', unit: 'мектеп', planned: 200, achieved: 0, reportedBy: 0, percent: 0 }),
    ]);
    expect(s.missing.map((m: { agency: { code: string } }) => m.agency.code)).toEqual(['ІІМ']);
    expect(s.blockers).toEqual([
      expect.objectContaining({ kind: 'not_submitted', agency: expect.objectContaining({ code: 'ІІМ' }) }),
    ]);
    expect(s.ready).toBe(false);
    expect(s.counts).toEqual({ parties: 2, accepted: 1, missing: 1, late: 0 });
  });

  it('as DOCX in Kazakh and Russian, an attachment that mammoth reads', async () => {
    for (const [lang, title, agency] of [
      ['kk', 'Жиынтық ақпарат', 'Ақпарат және қоғамдық даму министрлігі'],
      ['ru', 'Сводная информация', 'Министерство информации и общественного развития'],
    ] as const) {
      const res = await call('GET', summaryUrl(`?format=docx&lang=${lang}`), tokens.pm!);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );
      expect(res.headers['content-disposition']).toBe(`attachment; filename="merzim-summary-${YEAR}-${lang}.docx"`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const text = (await mammoth.extractRawText({ buffer: res.rawPayload })).value;
      for (const expected of [title, String(YEAR), 'Мектептерде дінтану курсын енгізу', NARRATIVE, agency])
        expect(text, expected).toContain(expected);
    }
  });

  it('as XLSX: the report line and the target as a number', async () => {
    const res = await call('GET', summaryUrl('?format=xlsx&lang=ru'), tokens.admin!);
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const [reports, , totals] = wb.worksheets;
    const lines: unknown[][] = [];
    reports!.eachRow((row) => lines.push((row.values as unknown[]).slice(1)));
    expect(lines).toContainEqual([
      '1',
      'Мектептерде дінтану курсын енгізу',
      'БҒМ',
      'Министерство образования и науки',
      'Исполнено',
      NARRATIVE,
      1,
    ]);
    expect((totals!.getRow(2).values as unknown[]).slice(1, 6)).toEqual(['1', 'Школы с курсом', 'мектеп', 200, 0]);
  });

  it("the coordinator's part: a missing mark with a reason makes it ready, texts appear, both are audited", async () => {
    const markUrl = (agency: string): string => summaryUrl(`/marks/${encodeURIComponent(agency)}`);
    const put = (url: string, token: string, payload: object) =>
      app.inject({ method: 'PUT', url, headers: bearer(token), payload });
    const REASON = 'Есеп мерзімінде ұсынылмады, хат жіберілді';

    // Refusals, each naming its field, and nothing stored.
    const blank = await put(markUrl('ІІМ'), tokens.coordinator!, { reason: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.message).toMatch(/^reason: /);
    const stranger = await put(markUrl('АҚДМ'), tokens.coordinator!, { reason: REASON });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.message).toMatch(/^agency: АҚДМ owes no report/);
    const accepted = await put(markUrl('БҒМ'), tokens.coordinator!, { reason: REASON });
    expect(accepted.statusCode).toBe(409);
    expect(accepted.json().error.message).toMatch(/^agency: /);
    expect((await put(markUrl('ІІМ'), tokens.pm!, { reason: REASON })).statusCode).toBe(403);
    expect((await put(markUrl('ІІМ'), tokens.bgm!, { reason: REASON })).statusCode).toBe(403);
    expect(await tdb.db.selectFrom('summary_marks').selectAll().execute()).toEqual([]);

    const marked = await put(markUrl('ІІМ'), tokens.coordinator!, { reason: REASON });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ agencyCode: 'ІІМ', reason: REASON, markedBy: 'token:akdm' });
    const texts = await put(summaryUrl('/texts'), tokens.coordinator!, {
      preface: { kk: 'Жоспар негізінен орындалды.', ru: null },
      conclusions: { kk: 'Жұмыс жалғасады.', ru: '  ' },
    });
    expect(texts.statusCode, texts.body).toBe(200);
    expect(texts.json().conclusions).toEqual({ kk: 'Жұмыс жалғасады.', ru: null });

    const ready = (await call('GET', summaryUrl(), tokens.pm!)).json();
    expect(ready.blockers).toEqual([]);
    expect(ready.ready).toBe(true);
    expect(ready.missing).toEqual([expect.objectContaining({ mark: expect.objectContaining({ reason: REASON }) })]);
    expect(ready.texts.preface).toEqual({ kk: 'Жоспар негізінен орындалды.', ru: null });
    const docx = await call('GET', summaryUrl('?format=docx&lang=kk'), tokens.coordinator!);
    const text = (await mammoth.extractRawText({ buffer: docx.rawPayload })).value;
    for (const expected of [REASON, 'Жоспар негізінен орындалды.', 'Жұмыс жалғасады.'])
      expect(text, expected).toContain(expected);

    const removed = await call('DELETE', markUrl('ІІМ'), tokens.coordinator!);
    expect(removed.json()).toEqual({ removed: true });
    expect((await call('DELETE', markUrl('ІІМ'), tokens.coordinator!)).json()).toEqual({ removed: false });
    expect((await call('GET', summaryUrl(), tokens.coordinator!)).json().ready).toBe(false);

    const events = await tdb.db
      .selectFrom('events')
      .select(['type', 'actor', 'subject_id'])
      .where('type', 'like', 'summary.%')
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { type: 'summary.agency_marked_missing', actor: 'token:akdm', subject_id: 'ІІМ' },
      { type: 'summary.texts_saved', actor: 'token:akdm', subject_id: decodeURIComponent(cycleId()) },
      { type: 'summary.mark_removed', actor: 'token:akdm', subject_id: 'ІІМ' },
    ]);
  });

  it('is refused to a reporter (403), hidden from another coordinator (404), and names a bad query field (400)', async () => {
    expect((await call('GET', summaryUrl(), tokens.bgm!)).statusCode).toBe(403);
    expect((await call('GET', summaryUrl(), tokens.otherCoordinator!)).statusCode).toBe(404);
    const badLang = await call('GET', summaryUrl('?lang=en'), tokens.coordinator!);
    expect(badLang.statusCode).toBe(400);
    expect(badLang.json().error.message).toContain('lang');
    const badStage = await call('GET', summaryUrl('?stage=nowhere'), tokens.coordinator!);
    expect(badStage.statusCode).toBe(400);
    expect(badStage.json().error.message).toMatch(/^stage: /);
    const unknown = await call(
      'GET',
      `/api/v1/cycles/${encodeURIComponent(`cycle:${randomUUID()}:${YEAR}`)}/summary`,
      tokens.admin!,
    );
    expect(unknown.statusCode).toBe(404);
  });
});
