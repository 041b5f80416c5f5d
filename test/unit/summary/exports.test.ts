// The consolidated summary's exports, read back as a recipient would: the DOCX's text through mammoth (title, period, each
// measure and executor's narrative, the missing agencies with reasons), the XLSX through exceljs (numbers equal to the
// reports', as number cells; agency text formula-neutralised), in Kazakh and in Russian.
import ExcelJS from 'exceljs';
import mammoth from 'mammoth';
import { describe, expect, it } from 'vitest';
import { summaryDocx } from '../../../api/summary/docx.js';
import { SUMMARY_WORDS, type SummaryLang } from '../../../api/summary/words.js';
import { summaryXlsx, XLSX_PREAMBLE_ROWS } from '../../../api/summary/xlsx.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { assembleSummary } from '../../../domain/summary.js';
import {
  BGM,
  BGM_REPORT,
  IIM,
  IIM_REPORT,
  MEASURES,
  MSM,
  smallSummaryInputs,
  UQK,
  UQK_MARK,
} from '../../fixtures/summary-fixtures.js';

const summary = assembleSummary(smallSummaryInputs(), KZ_WORKING_CALENDAR);
/** Intl's thousands separators (narrow no-break spaces) as plain spaces, so expectations can be typed. */
const plain = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

async function docxText(lang: SummaryLang): Promise<string> {
  const buffer = await summaryDocx(summary, lang);
  expect(buffer.subarray(0, 2).toString()).toBe('PK');
  return plain((await mammoth.extractRawText({ buffer })).value);
}

async function workbook(lang: SummaryLang): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await summaryXlsx(summary, lang)) as unknown as ArrayBuffer);
  return wb;
}

/** A sheet's rows from `from` (1-based) as arrays of cell values, column A first. */
function rows(ws: ExcelJS.Worksheet, from: number): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow((row, n) => {
    if (n >= from) out.push((row.values as unknown[]).slice(1));
  });
  return out;
}

describe('DOCX', () => {
  it('in Kazakh: title, plan, period, each measure with each executor, totals, missing and late agencies, texts', async () => {
    const text = await docxText('kk');
    for (const expected of [
      'Премьер-Министрдің Кеңсесі',
      'Жиынтық ақпарат',
      '№ 580',
      'Есепті кезең: 2019 жыл',
      'Жіберуші: Ақпарат және қоғамдық даму министрлігі',
      'Жоспар 2019 жылы негізінен орындалды.',
      `1. ${MEASURES[0]!.title.kk}`,
      `2. ${MEASURES[1]!.title.kk}`,
      `3. ${MEASURES[2]!.title.kk}`,
      'Орындаушы',
      'Атқарылған жұмыс',
      // ІІМ wrote measure 1 in Russian only: shown as written; measure 2 in both: the Kazakh one.
      IIM_REPORT.items[0]!.narrative.ru!,
      IIM_REPORT.items[1]!.narrative.kk!,
      // Formula characters are not touched in a DOCX.
      BGM_REPORT.items[0]!.narrative.kk!,
      'Мерзімі келмеген',
      'Анимациялық бейнероликтер: 7 дана',
      'Қамтылған адамдар: 1 250,5 адам',
      'Жиыны — Анимациялық бейнероликтер: жоспар 10 дана, нақты 9 (90%)',
      'Жиыны — Іс-шаралар: жоспар 40 дана, нақты 25 (62,5%)',
      'Есебі қабылданбаған органдар',
      `Есеп ұсынылмады: ${UQK_MARK.reason}`,
      '29 жұмыс күні',
      '2020 жылғы 10 қаңтар',
      'Есебін кешіктіріп ұсынған органдар',
      '2020 жылғы 15 қаңтар',
      '3 жұмыс күні',
      'Жұмыс жалғасуда.',
      'Құрылған күні: 2020 жылғы 20 ақпан',
    ]) {
      expect(text, expected).toContain(expected);
    }
    for (const body of [IIM, BGM, UQK, MSM]) expect(text).toContain(body.name.kk);
    expect(text).not.toContain(IIM_REPORT.items[1]!.narrative.ru!);
  });

  it('in Russian: the same in Russian, a text written only in Kazakh shown as written', async () => {
    const text = await docxText('ru');
    for (const expected of [
      'Канцелярия Премьер-Министра',
      'Сводная информация',
      'Отчётный период: 2019 год',
      `1. ${MEASURES[0]!.title.ru}`,
      `3. ${MEASURES[2]!.title.kk}`,
      IIM_REPORT.items[1]!.narrative.ru!,
      BGM_REPORT.items[0]!.narrative.kk!,
      'Срок не наступил',
      'Итоги — Анимационные видеоролики: план 10 дана, факт 9 (90%)',
      'Органы, отчёты которых не приняты',
      `Отчёт не представлен: ${UQK_MARK.reason}`,
      '29 рабочих дней',
      '10 января 2020 года',
      '3 рабочих дня',
      'План в 2019 году в основном исполнен.',
      'Работа продолжается.',
    ]) {
      expect(text, expected).toContain(expected);
    }
    for (const body of [IIM, BGM, UQK, MSM]) expect(text).toContain(body.name.ru);
  });
});

describe('XLSX', () => {
  for (const lang of ['kk', 'ru'] as const) {
    it(`in ${lang}: indicator values and totals as numbers equal to the reports', narratives neutralised`, async () => {
      const w = SUMMARY_WORDS[lang];
      const wb = await workbook(lang);
      expect(wb.worksheets.map((ws) => ws.name)).toEqual([
        w.sheets.reports,
        w.sheets.indicators,
        w.sheets.totals,
        w.sheets.missing,
      ]);
      const [reports, indicators, totals, missing] = wb.worksheets as [
        ExcelJS.Worksheet,
        ExcelJS.Worksheet,
        ExcelJS.Worksheet,
        ExcelJS.Worksheet,
      ];
      expect(reports.getCell('A1').value).toBe(w.title);
      expect(String(reports.getCell('A3').value)).toContain(lang === 'kk' ? '2019 жыл' : '2019 год');

      const reportRows = rows(reports, XLSX_PREAMBLE_ROWS + 2);
      expect(reportRows[0]!.slice(0, 5)).toEqual([w.measure, w.measure, w.executor, w.agency, w.status]);
      const lines = reportRows.slice(1).map((r) => [r[0], r[2], r[4], r[5], r[6] ?? null]);
      expect(lines).toEqual([
        ['1', IIM.code, w.measureStatus.done, IIM_REPORT.items[0]!.narrative.ru, 1],
        ['1', BGM.code, w.measureStatus.done, `'${BGM_REPORT.items[0]!.narrative.kk}`, 2],
        ['1', MSM.code, w.notSubmitted, '', null],
        ['2', IIM.code, w.measureStatus.in_progress, IIM_REPORT.items[1]!.narrative[lang], 1],
        ['2', UQK.code, w.notSubmitted, w.markedMissing(UQK_MARK.reason), null],
        ['3', BGM.code, w.measureStatus.not_yet_due, BGM_REPORT.items[1]!.narrative[lang], 2],
      ]);

      // Per executor: exactly the values the reports gave, as number cells.
      const given = [IIM_REPORT, BGM_REPORT].flatMap((r) =>
        r.items.flatMap((item) => item.indicators.map((v) => [item.measure, r.agencyCode, v.value])),
      );
      const read = rows(indicators, 2).map((r) => [r[0], r[3], r[5]]);
      expect(read.sort()).toEqual(given.sort());
      for (const r of read) expect(typeof r[2]).toBe('number');

      expect(rows(totals, 2).map((r) => r.slice(0, 7).map((v) => v ?? null))).toEqual([
        ['1', lang === 'kk' ? 'Анимациялық бейнероликтер' : 'Анимационные видеоролики', 'дана', 10, 9, 90, 2],
        ['1', lang === 'kk' ? 'Қамтылған адамдар' : 'Охвачено человек', 'адам', 5000, 4250.75, 85, 2],
        ['2', lang === 'kk' ? 'Іс-шаралар' : 'Мероприятия', 'дана', 40, 25, 62.5, 1],
      ]);

      expect(rows(missing, 2).map((r) => [r[0], r[4], r[5] ?? null])).toEqual([
        [UQK.code, 29, UQK_MARK.reason],
        [MSM.code, 29, null],
      ]);
    });
  }
});
