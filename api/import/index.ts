// The API's door into plan import: an uploaded file's bytes in, an ImportResult out, whatever the format (XLSX included).
import { detectFormat, importPlan, type TextImportFormat } from '../../domain/import/index.js';
import { emptyFileResult, type ImportOptions, type ImportResult } from '../../domain/import/result.js';
import { importXlsx, looksLikeZip } from './xlsx.js';

export type UploadFormat = TextImportFormat | 'xlsx';

export { buildCsvTemplate, buildXlsxTemplate } from './template.js';
export { importXlsx } from './xlsx.js';

function wrongFileType(message: string): ImportResult {
  return { plan: null, abbreviations: {}, diagnostics: [{ severity: 'error', code: 'wrong_file_type', message }] };
}

// Magic numbers of files people upload by mistake; a text format must not start like these.
const BINARY_SIGNATURES: readonly { readonly name: string; readonly bytes: readonly number[] }[] = [
  { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46] },
  { name: 'a legacy Word/Excel file (.doc/.xls)', bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { name: 'a ZIP archive (.xlsx, .docx…)', bytes: [0x50, 0x4b, 0x03, 0x04] },
];

function binaryKind(data: Uint8Array): string | undefined {
  const signature = BINARY_SIGNATURES.find(({ bytes }) => bytes.every((b, i) => data[i] === b));
  if (signature !== undefined) return signature.name;
  // Text never holds NUL bytes; binaries almost always do within their first kilobytes.
  return data.subarray(0, 8192).includes(0) ? 'a binary file' : undefined;
}

/**
 * Imports an uploaded plan. The format is the one given, else the file's extension, else guessed
 * from the content; .xlsx is recognised by its ZIP signature. Text must be UTF-8. The caller
 * enforces the size limit (50 MB).
 */
export async function importUpload(
  upload: { readonly data: Uint8Array; readonly filename?: string; readonly format?: UploadFormat },
  opts: ImportOptions,
): Promise<ImportResult> {
  if (upload.data.byteLength === 0) return emptyFileResult();
  const extension = /\.([a-z0-9]+)$/i.exec(upload.filename ?? '')?.[1]?.toLowerCase();
  const format =
    upload.format ??
    (extension === 'xlsx' || (extension === undefined && looksLikeZip(upload.data)) ? 'xlsx' : undefined);
  if (format === 'xlsx') return importXlsx(upload.data, opts);
  const binary = binaryKind(upload.data);
  if (binary !== undefined)
    return wrongFileType(
      `the file is ${binary}, not a plan in text form (decree text, YAML, JSON or CSV)${binary.startsWith('a ZIP') ? '; upload an .xlsx with the .xlsx extension' : ''}`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(upload.data);
  } catch {
    return wrongFileType('the file is not UTF-8 text: save it as UTF-8 (CSV "UTF-8", text "UTF-8")');
  }
  return importPlan({ format: format ?? detectFormat(upload.filename, text), text }, opts);
}
