// RFC 4180 CSV as spreadsheets save it (UTF-8 with or without BOM, ";" in Kazakh and Russian locales, "," elsewhere), read in one linear pass.
import { restoreNeutralised } from '../spreadsheet-safety.js';
import type { Diagnostic } from '../plan.js';
import { emptyFileResult, isBlank, type ImportOptions, type ImportResult } from './result.js';
import { importTable } from './table.js';

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvTable {
  readonly rows: string[][];
  /** The 1-based line each row starts on (a quoted cell may hold line breaks). */
  readonly lines: number[];
  readonly delimiter: CsvDelimiter;
  readonly diagnostics: Diagnostic[];
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const SNIFF_LINES = 20;

/** Counts of each candidate delimiter outside quotes, per line, over the first lines. */
function delimiterCounts(text: string): Record<CsvDelimiter, number[]> {
  const counts: Record<CsvDelimiter, number[]> = { ',': [], ';': [], '\t': [] };
  let quoted = false;
  let line: Record<CsvDelimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let lines = 0;
  for (let i = 0; i < text.length && lines < SNIFF_LINES; i++) {
    const ch = text[i] as string;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) line[ch]++;
    else if (!quoted && ch === '\n') {
      for (const d of [',', ';', '\t'] as const) counts[d].push(line[d]);
      line = { ',': 0, ';': 0, '\t': 0 };
      lines++;
    }
  }
  for (const d of [',', ';', '\t'] as const) counts[d].push(line[d]);
  return counts;
}

/**
 * The delimiter a file uses: the one found (outside quotes) on the most of its first lines, then
 * the one found most often. Commas inside unquoted Kazakh text are on some lines only; the real
 * delimiter is on all of them.
 */
export function sniffDelimiter(text: string): CsvDelimiter {
  const counts = delimiterCounts(text);
  const score = (d: CsvDelimiter): [number, number] => [
    counts[d].filter((c) => c > 0).length,
    counts[d].reduce((a, b) => a + b, 0),
  ];
  return ([';', ',', '\t'] as const).reduce((best, d) => {
    const [lines, total] = score(d);
    const [bestLines, bestTotal] = score(best);
    return lines > bestLines || (lines === bestLines && total > bestTotal) ? d : best;
  });
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Parses CSV text. Quoted fields may hold delimiters, line breaks and doubled quotes; CRLF, LF and
 * CR end records; a BOM is dropped. An unterminated quote is an error (the rest of the file is that
 * cell); text after a closing quote is kept with a warning rather than lost.
 */
export function parseCsv(
  input: string,
  delimiter: CsvDelimiter = sniffDelimiter(input.replace(/^\ufeff/, '')),
): CsvTable {
  const text = input.replace(/^\ufeff/, '');
  const sep = delimiter.charCodeAt(0);
  const rows: string[][] = [];
  const lines: number[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let pos = 0;
  let line = 1;
  let row: string[] = [];
  let rowLine = 1;
  while (pos <= n) {
    let value: string;
    if (text.charCodeAt(pos) === QUOTE) {
      const opened = line;
      const parts: string[] = [];
      let p = pos + 1;
      for (;;) {
        const q = text.indexOf('"', p);
        if (q < 0) {
          diagnostics.push({
            severity: 'error',
            code: 'csv_unterminated_quote',
            message: 'a quoted cell is never closed: the rest of the file was read as that cell',
            line: opened,
            row: rows.length + 1,
          });
          parts.push(text.slice(p));
          line += countLineBreaks(text, p, n);
          p = n;
          break;
        }
        parts.push(text.slice(p, q));
        line += countLineBreaks(text, p, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts.push('"');
          p = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      // Text between the closing quote and the delimiter is not RFC 4180; keep it rather than drop data.
      let stray = p;
      while (
        stray < n &&
        text.charCodeAt(stray) !== sep &&
        text.charCodeAt(stray) !== LF &&
        text.charCodeAt(stray) !== CR
      )
        stray++;
      if (stray > p) {
        diagnostics.push({
          severity: 'warning',
          code: 'csv_stray_text',
          message: `text after a closing quote ("${text.slice(p, Math.min(stray, p + 30))}") is kept as part of the cell`,
          line,
          row: rows.length + 1,
        });
        parts.push(text.slice(p, stray));
      }
      value = parts.join('');
      pos = stray;
    } else {
      let end = pos;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === sep || c === LF || c === CR) break;
        end++;
      }
      value = text.slice(pos, end);
      pos = end;
    }
    row.push(value);
    const c = pos < n ? text.charCodeAt(pos) : -1;
    if (c === sep) {
      pos++;
      continue;
    }
    // End of record (or of the file): a file ending with a line break has no empty record after it.
    if (!(pos >= n && row.length === 1 && row[0] === '' && rows.length > 0)) {
      rows.push(row);
      lines.push(rowLine);
    }
    if (c === CR && text.charCodeAt(pos + 1) === LF) pos++;
    pos++;
    line++;
    row = [];
    rowLine = line;
  }
  return { rows, lines, delimiter, diagnostics };
}

/** Imports a plan from CSV text: parse, then read the rows as a spreadsheet (see importTable). */
export function importCsv(text: string, opts: ImportOptions): ImportResult {
  if (isBlank(text)) return emptyFileResult('the CSV file');
  const csv = parseCsv(text);
  // A cell Merzim (or another careful tool) wrote as '=… / '-… is read as what it was.
  const rows = csv.rows.map((row) => row.map(restoreNeutralised));
  const result = importTable({ rows, lines: csv.lines }, opts);
  return { ...result, diagnostics: [...csv.diagnostics, ...result.diagnostics] };
}
