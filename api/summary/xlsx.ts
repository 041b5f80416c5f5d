// The consolidated summary as an .xlsx: what each executor reported per measure, the indicator values per executor, the totals
// against the plan's targets, and the agencies missing. Numbers are number cells (a ministry sums them); every text cell is
// formula-neutralised (domain/spreadsheet-safety.ts), since a narrative comes from an agency and may start with "=".
import ExcelJS from 'exceljs';
import { neutraliseFormula } from '../../domain/spreadsheet-safety.js';
import { textIn, type ConsolidatedSummary } from '../../domain/summary.js';
import { formatDate } from '../web/i18n/index.js';
import { SUMMARY_WORDS, summaryPeriodLabel, type SummaryLang } from './words.js';

type Cell = string | number | null;

const safe = (value: Cell): Cell => (typeof value === 'string' ? neutraliseFormula(value) : value);

function sheet(
  workbook: ExcelJS.Workbook,
  name: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  widths: readonly number[],
  preamble: readonly string[] = [],
): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name);
  for (const line of preamble) ws.addRow([safe(line)]).font = { bold: true };
  if (preamble.length > 0) ws.addRow([]);
  const headerRow = ws.addRow(header.map(safe));
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'top' };
  for (const row of rows) ws.addRow(row.map(safe)).alignment = { wrapText: true, vertical: 'top' };
  widths.forEach((width, i) => {
    ws.getColumn(i + 1).width = width;
  });
  ws.views = [{ state: 'frozen', ySplit: headerRow.number }];
  return ws;
}

/** The first rows of the reports sheet: title, plan, period, sender and recipient. */
export const XLSX_PREAMBLE_ROWS = 5;

/** The summary as an .xlsx in Kazakh or Russian. */
export async function summaryXlsx(summary: ConsolidatedSummary, lang: SummaryLang): Promise<Buffer> {
  const w = SUMMARY_WORDS[lang];
  const name = (body: { code: string; name: { kk: string | null; ru: string | null } }): string =>
    textIn(body.name, lang) || body.code;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Merzim';

  const reportRows: Cell[][] = [];
  const indicatorRows: Cell[][] = [];
  const totalRows: Cell[][] = [];
  for (const measure of summary.measures) {
    const title = textIn(measure.title, lang);
    for (const entry of measure.executors) {
      const [status, text, version] =
        entry.kind === 'reported'
          ? [w.measureStatus[entry.status], textIn(entry.narrative, lang), entry.reportVersion]
          : entry.kind === 'not_covered'
            ? ['', w.notCovered, entry.reportVersion]
            : [w.notSubmitted, entry.mark === null ? '' : w.markedMissing(entry.mark.reason), null];
      reportRows.push([measure.number, title, entry.agency.code, name(entry.agency), status, text, version]);
      if (entry.kind !== 'reported') continue;
      for (const value of entry.indicators) {
        if (value.value === null) continue;
        const indicator = measure.totals.find((t) => t.key === value.key)!;
        indicatorRows.push([
          measure.number,
          textIn(indicator.name, lang),
          indicator.unit,
          entry.agency.code,
          name(entry.agency),
          value.value,
        ]);
      }
    }
    for (const total of measure.totals) {
      totalRows.push([
        measure.number,
        textIn(total.name, lang),
        total.unit,
        total.planned,
        total.achieved,
        total.percent,
        total.reportedBy,
      ]);
    }
  }

  sheet(
    workbook,
    w.sheets.reports,
    [w.measure, w.measure, w.executor, w.agency, w.status, w.whatWasDone, w.reportVersion],
    reportRows,
    [10, 40, 12, 30, 16, 80, 10],
    [
      w.title,
      w.onPlan(textIn(summary.plan.title, lang), summary.plan.number),
      w.period(summaryPeriodLabel(summary.period, lang)),
      `${w.from}: ${name(summary.sender)}`,
      `${w.to}: ${name(summary.recipient)}`,
    ],
  );
  sheet(
    workbook,
    w.sheets.indicators,
    [w.measure, w.indicator, w.unit, w.executor, w.agency, w.achieved],
    indicatorRows,
    [10, 50, 14, 12, 30, 12],
  );
  const totals = sheet(
    workbook,
    w.sheets.totals,
    [w.measure, w.indicator, w.unit, w.planned, w.achieved, w.percent, w.reportedBy],
    totalRows,
    [10, 50, 14, 12, 12, 14, 12],
  );
  totals.getColumn(6).numFmt = '0.0';
  sheet(
    workbook,
    w.sheets.missing,
    [w.agency, w.agency, w.status, w.dueDate, w.workingDaysLate, w.reason],
    summary.missing.map((m) => [
      m.agency.code,
      name(m.agency),
      w.obligationStatus[m.status],
      formatDate(m.dueDate, lang),
      m.workingDaysLate,
      m.mark?.reason ?? null,
    ]),
    [12, 40, 16, 22, 14, 50],
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
