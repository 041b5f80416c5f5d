// Reads an .xlsx workbook into rows of strings (exceljs) and imports the plan sheet with the spreadsheet importer; anything that is not an .xlsx is told so.
// Before exceljs sees a byte, the archive is checked against XLSX_LIMITS and each sheet's rows and cells are counted (zip-guard.ts).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { headerRoles } from '../../domain/import/columns.js';
import { emptyFileResult, type ImportOptions, type ImportResult } from '../../domain/import/result.js';
import { withUnstorableTextDiagnostics } from '../../domain/import/storable.js';
import { importTable } from '../../domain/import/table.js';
import { ArchiveLimitError, guardZip, XLSX_LIMITS } from './zip-guard.js';
import type { SheetRows } from './xlsx-read.js';

export { cellString, type SheetRows } from './xlsx-read.js';

// Every .xlsx is a ZIP archive: "PK\x03\x04".
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function looksLikeZip(data: Uint8Array): boolean {
  return ZIP_MAGIC.every((byte, i) => data[i] === byte);
}

function wrongFileType(message: string): ImportResult {
  return { plan: null, abbreviations: {}, diagnostics: [{ severity: 'error', code: 'wrong_file_type', message }] };
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

// One workbook is parsed at a time in the process, in a worker thread with its own heap ceiling: the Temporal worker and the API
// that share the process are never starved by an upload, and a workbook that needs more memory than the ceiling is refused.
let parsing: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = parsing.then(task, task);
  parsing = run.catch(() => undefined);
  return run;
}

/** The heap a workbook may use while it is parsed (MB), and how long it may take. */
export const PARSE_HEAP_MB = 256;
export const PARSE_TIMEOUT_MS = 60_000;

/** What the parsing thread answers. */
export type ThreadReply = { readonly ok: { sheets: SheetRows[] } | { error: string } } | { readonly failed: string };

// tsx's ESM entry (its CommonJS one cannot register ESM hooks): found beside the one require resolves.
const TSX_API = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;
const THREAD = new URL(`./xlsx-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

/** Parses in a worker thread under PARSE_HEAP_MB and PARSE_TIMEOUT_MS; over either, ArchiveLimitError ('memory', 'time'). */
function parseInThread(data: Uint8Array, heapMb: number): Promise<{ sheets: SheetRows[] } | { error: string }> {
  return new Promise((resolve, reject) => {
    // The thread loads TypeScript through tsx (as npm start, npm run api and the tests do), whatever loader its parent has.
    const worker = new Worker(
      `import(${JSON.stringify(TSX_API)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(THREAD)}); });`,
      {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(32, heapMb) },
        stdout: false,
        stderr: false,
      },
    );
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new ArchiveLimitError(
              'time',
              `the workbook took longer than ${PARSE_TIMEOUT_MS / 1000} s to read; it is refused`,
            ),
          ),
        ),
      PARSE_TIMEOUT_MS,
    );
    worker.once('message', (reply: ThreadReply) =>
      finish(() => {
        if ('ok' in reply) resolve(reply.ok);
        else reject(new Error(`the workbook parser failed: ${reply.failed}`));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      finish(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ArchiveLimitError('memory', `the workbook needs more than ${heapMb} MB to read; it is refused`)
            : err,
        ),
      ),
    );
    worker.once('exit', (code) => finish(() => reject(new Error(`the workbook parser stopped (exit ${code})`))));
    worker.postMessage(data);
  });
}

/** Every worksheet as rows of strings, keeping the sheet's row numbers; an error message when the bytes are not a workbook. */
export async function readWorkbook(
  data: Uint8Array,
  options: { readonly heapMb?: number } = {},
): Promise<{ sheets: SheetRows[] } | { error: string }> {
  if (!looksLikeZip(data))
    return { error: 'not an .xlsx workbook (an .xlsx file is a ZIP archive; this file is something else)' };
  return oneAtATime(async () => {
    try {
      // Here, before the thread starts: a bomb or an oversized sheet is refused at once (ArchiveLimitError, 413), one capped
      // entry inflated at a time.
      guardZip(data, XLSX_LIMITS, (name, bytes) => {
        if (SHEET_ENTRY.test(name)) checkSheet(name, bytes);
      });
    } catch (e) {
      if (e instanceof ArchiveLimitError) throw e;
      return { error: `not an .xlsx workbook: ${e instanceof Error ? e.message : String(e)}` };
    }
    return parseInThread(data, options.heapMb ?? PARSE_HEAP_MB);
  });
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
