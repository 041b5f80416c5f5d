// The one door into plan import for text formats: pick the reader by format (or guess it from the file), return the same ImportResult from each.
import type { Agency } from '../plan.js';
import { importDecreeText } from './adilet.js';
import { parseCanonical } from './canonical.js';
import { headerRoles } from './columns.js';
import { importCsv, parseCsv } from './csv.js';
import { emptyFileResult, isBlank, type ImportResult } from './result.js';
import { withUnstorableTextDiagnostics } from './storable.js';

export type TextImportFormat = 'yaml' | 'json' | 'csv' | 'adilet';

export { hasErrors, type ImportOptions, type ImportResult } from './result.js';
export { exportCanonical, parseCanonical, CANONICAL_FORMAT, type CanonicalSyntax } from './canonical.js';
export { importDecreeText } from './adilet.js';
export { importCsv, parseCsv, sniffDelimiter } from './csv.js';
export { importTable, META_FIELDS, type TableRows } from './table.js';
export { COLUMNS, type ColumnRole } from './columns.js';
export { withUnstorableTextDiagnostics } from './storable.js';

/**
 * Imports a plan from text in one of Merzim's text formats. The caller enforces the upload size
 * limit; every reader is linear in the size of its input.
 */
export function importPlan(
  input: { readonly format: TextImportFormat; readonly text: string },
  opts: { readonly directory: readonly Agency[]; readonly lang?: 'kk' | 'ru' },
): ImportResult {
  if (isBlank(input.text)) return emptyFileResult();
  return withUnstorableTextDiagnostics(readText(input, opts));
}

function readText(
  input: { readonly format: TextImportFormat; readonly text: string },
  opts: { readonly directory: readonly Agency[]; readonly lang?: 'kk' | 'ru' },
): ImportResult {
  switch (input.format) {
    case 'yaml':
      return parseCanonical(input.text, 'yaml', opts);
    case 'json':
      return parseCanonical(input.text, 'json', opts);
    case 'csv':
      return importCsv(input.text, opts);
    case 'adilet':
      return importDecreeText(input.text, opts);
  }
}

const BY_EXTENSION: Readonly<Record<string, TextImportFormat>> = {
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  csv: 'csv',
  txt: 'adilet',
  htm: 'adilet',
  html: 'adilet',
};

/**
 * The format of an upload: by the file's extension when it names one, else by the text — a JSON
 * object, a canonical YAML document, a CSV whose header row names the plan's columns, or else a
 * decree text. (XLSX is binary: see api/import.)
 */
export function detectFormat(filename: string | undefined, text: string): TextImportFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(filename ?? '')?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : BY_EXTENSION[extension];
  if (known !== undefined) return known;
  const head = text
    .replace(/^\ufeff/, '')
    .slice(0, 20_000)
    .trimStart();
  if (head.startsWith('{')) return 'json';
  if (/^(?:format:\s*merzim-plan\/|---\s*$|(?:title|measures|approvedBy):\s*)/m.test(head.slice(0, 2000)))
    return 'yaml';
  const csv = parseCsv(head);
  if (csv.delimiter !== '\t' && csv.rows.slice(0, 100).some((row) => row.length >= 3 && headerRoles(row) !== null))
    return 'csv';
  return 'adilet';
}
