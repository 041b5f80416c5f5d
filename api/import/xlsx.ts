// Reads an .xlsx workbook into rows of strings (exceljs) and imports the plan sheet with the spreadsheet importer; anything that is not an .xlsx is told so.
// Before exceljs sees a byte, the archive is checked against XLSX_LIMITS and each sheet's rows and cells are counted (zip-guard.ts).
import ExcelJS from 'exceljs';
import { headerRoles } from '../../domain/import/columns.js';
import { emptyFileResult, type ImportOptions, type ImportResult } from '../../domain/import/result.js';
import { withUnstorableTextDiagnostics } from '../../domain/import/storable.js';
import { importTable, type TableRows } from '../../domain/import/table.js';
import { ArchiveLimitError, guardZip, XLSX_LIMITS } from './zip-guard.js';

// Every .xlsx is a ZIP archive: "PK\x03\x04".
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function looksLikeZip(data: Uint8Array): boolean {
  return ZIP_MAGIC.every((byte, i) => data[i] === byte);
}

function wrongFileType(message: string): ImportResult {
  return { plan: null, abbreviations: {}, diagnostics: [{ severity: 'error', code: 'wrong_file_type', message }] };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A cell as the text a reader sees: rich text joined, a formula's result, a date as YYYY-MM-DD, a hyperlink's text. */
export function cellString(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return isoDay(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    return result === undefined || (typeof result === 'object' && !(result instanceof Date)) ? '' : cellString(result);
  }
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellString(value.text);
  return '';
}

/** Rows and cells one worksheet may hold: a plan is a few hundred rows of about ten columns. */
export const MAX_SHEET_ROWS = 10_000;
export const MAX_SHEET_CELLS = 150_000;

const SHEET_ENTRY = /^xl\/worksheets\/[^/]+\.xml$/;

/** Counts a worksheet's rows and cells in its XML (any namespace prefix) and refuses one over the limits. */
function checkSheet(name: string, xml: Buffer): void {
  // latin1 keeps one character per byte: the tags are ASCII, and nothing is decoded twice.
  const text = xml.toString('latin1');
  const rows = text.match(/<(?:[A-Za-z_][\w.-]*:)?row[\s>/]/g)?.length ?? 0;
  if (rows > MAX_SHEET_ROWS)
    throw new ArchiveLimitError('rows', `${name} has ${rows} rows; at most ${MAX_SHEET_ROWS} per sheet are accepted`);
  const cells = text.match(/<(?:[A-Za-z_][\w.-]*:)?c[\s>/]/g)?.length ?? 0;
  if (cells > MAX_SHEET_CELLS)
    throw new ArchiveLimitError(
      'cells',
      `${name} has ${cells} cells; at most ${MAX_SHEET_CELLS} per sheet are accepted`,
    );
}

// One workbook is parsed at a time in the process: the worker that shares it is never starved by concurrent uploads.
let parsing: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = parsing.then(task, task);
  parsing = run.catch(() => undefined);
  return run;
}

export interface SheetRows extends TableRows {
  readonly name: string;
}

/** Every worksheet as rows of strings, keeping the sheet's row numbers; an error message when the bytes are not a workbook. */
export async function readWorkbook(data: Uint8Array): Promise<{ sheets: SheetRows[] } | { error: string }> {
  if (!looksLikeZip(data))
    return { error: 'not an .xlsx workbook (an .xlsx file is a ZIP archive; this file is something else)' };
  const loaded = await oneAtATime(async (): Promise<{ workbook: ExcelJS.Workbook } | { error: string }> => {
    const workbook = new ExcelJS.Workbook();
    try {
      // Throws ArchiveLimitError (the route answers 413 naming the limit) for a bomb or an oversized sheet.
      guardZip(data, XLSX_LIMITS, (name, bytes) => {
        if (SHEET_ENTRY.test(name)) checkSheet(name, bytes);
      });
      // exceljs types the argument as its own Buffer declaration; at run time it reads Node's Buffer.
      await workbook.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ExcelJS.Buffer);
    } catch (e) {
      if (e instanceof ArchiveLimitError) throw e;
      return { error: `not an .xlsx workbook: ${e instanceof Error ? e.message : String(e)}` };
    }
    return { workbook };
  });
  if ('error' in loaded) return loaded;
  const { workbook } = loaded;
  const sheets: SheetRows[] = [];
  workbook.eachSheet((sheet) => {
    const rows: string[][] = [];
    const rowNumbers: number[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        cells[column - 1] = cellString(cell.value);
      });
      rows.push(Array.from(cells, (c) => c ?? ''));
      rowNumbers.push(number);
    });
    sheets.push({ name: sheet.name, rows, rowNumbers });
  });
  if (sheets.length === 0) return { error: 'the workbook has no worksheets' };
  return { sheets };
}

/**
 * Imports a plan from an .xlsx file: the first sheet with a plan header row (the instructions sheet
 * of the template has none), else the first sheet, whose missing columns are then reported.
 */
export async function importXlsx(data: Uint8Array, opts: ImportOptions): Promise<ImportResult> {
  if (data.byteLength === 0) return emptyFileResult();
  const workbook = await readWorkbook(data);
  if ('error' in workbook) return wrongFileType(workbook.error);
  const sheet =
    workbook.sheets.find((s) => s.rows.slice(0, 100).some((row) => headerRoles(row) !== null)) ??
    (workbook.sheets[0] as SheetRows);
  return withUnstorableTextDiagnostics(importTable(sheet, opts));
}
