// Reads an .xlsx workbook's worksheets into rows of strings with exceljs — what the parsing thread (xlsx-thread.ts) runs, kept
// apart from the importer so the thread loads only this and exceljs. The archive has been checked before (xlsx.ts).
import ExcelJS from 'exceljs';
import type { TableRows } from '../../domain/import/table.js';

export interface SheetRows extends TableRows {
  readonly name: string;
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

/** Every worksheet as rows of strings, keeping the sheet's row numbers; an error message when exceljs cannot read it. */
export async function readSheets(data: Uint8Array): Promise<{ sheets: SheetRows[] } | { error: string }> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types the argument as its own Buffer declaration; at run time it reads Node's Buffer.
    await workbook.xlsx.load(Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as ExcelJS.Buffer);
  } catch (e) {
    return { error: `not an .xlsx workbook: ${e instanceof Error ? e.message : String(e)}` };
  }
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
