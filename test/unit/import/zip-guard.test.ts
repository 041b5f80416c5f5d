// XLSX zip bombs and oversized sheets are refused before exceljs sees them, quickly and with bounded memory (issue 10 item 3).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildXlsxTemplate, importXlsx } from '../../../api/import/index.js';
import { MAX_SHEET_ROWS } from '../../../api/import/xlsx.js';
import { ArchiveLimitError, guardZip, XLSX_LIMITS } from '../../../api/import/zip-guard.js';
import { TEST_AGENCIES } from '../../helpers/plans.js';
import { part, repeatedPart, xlsxParts, zip } from '../../helpers/zip.js';

const MB = 1024 * 1024;
const opts = { directory: TEST_AGENCIES };

async function refusal(data: Uint8Array): Promise<ArchiveLimitError> {
  const err = await importXlsx(data, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ArchiveLimitError);
  return err as ArchiveLimitError;
}

describe('zip bombs', () => {
  it('a 200 MB sheet in a ~200 KB upload is refused at once, with bounded memory, naming the limit', async () => {
    const sheet = await repeatedPart('xl/worksheets/sheet1.xml', 'A', 200 * MB);
    const bomb = zip(xlsxParts(sheet));
    expect(bomb.byteLength).toBeLessThan(400 * 1024);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const err = await refusal(bomb);
    const ms = performance.now() - started;
    const grew = (process.memoryUsage().rss - rss) / MB;
    expect(err.limit).toBe('entry_size');
    expect(err.message).toMatch(/sheet1\.xml inflates to 200 MB; at most 16 MB per entry/);
    expect(ms).toBeLessThan(500);
    expect(grew).toBeLessThan(64);
    console.info(
      `bomb ${(bomb.byteLength / 1024).toFixed(0)} KB → refused in ${ms.toFixed(1)} ms, RSS +${grew.toFixed(1)} MB`,
    );
  });

  it('a bomb that lies about its size is stopped one byte past what it declares', async () => {
    const sheet = await repeatedPart('xl/worksheets/sheet1.xml', 'A', 200 * MB);
    const bomb = zip(xlsxParts({ ...sheet, declaredSize: 4096 }));
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const err = await refusal(bomb);
    const ms = performance.now() - started;
    expect(err.limit).toBe('declared_size');
    expect(ms).toBeLessThan(500);
    expect((process.memoryUsage().rss - rss) / MB).toBeLessThan(64);
  });

  it('a compression ratio past 100:1 is refused even under the size limit', async () => {
    const sheet = await repeatedPart('xl/worksheets/sheet1.xml', ' ', 8 * MB);
    expect((await refusal(zip(xlsxParts(sheet)))).limit).toBe('ratio');
  });

  it('too many entries, and too much in total, are refused', async () => {
    const many = Array.from({ length: XLSX_LIMITS.maxEntries + 1 }, (_, i) => part(`x/${i}.xml`, 'x'));
    expect((await refusal(zip(many))).limit).toBe('entries');
    // Three honest entries, each under the per-entry limit, together over the total (limits scaled down to keep the test fast).
    const noise = () => Buffer.from(randomBytes(300 * 1024).toString('hex'));
    const big = zip([part('a.xml', noise()), part('b.xml', noise()), part('c.xml', noise())]);
    expect(() => guardZip(big, { ...XLSX_LIMITS, maxEntryBytes: MB, maxTotalBytes: MB })).toThrow(
      /at most 1 MB is accepted/,
    );
    expect(guardZip(big, XLSX_LIMITS)).toHaveLength(3);
  });

  it('a sheet over the row limit is refused before it is parsed', async () => {
    const rows = Array.from(
      { length: MAX_SHEET_ROWS + 1 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${i}</t></is></c></row>`,
    ).join('');
    const sheet = part(
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
    );
    const err = await refusal(zip(xlsxParts(sheet)));
    expect(err.limit).toBe('rows');
    expect(err.message).toContain(`at most ${MAX_SHEET_ROWS} per sheet`);
  });

  it('the real template passes the guard and still imports', async () => {
    const template = new Uint8Array(await buildXlsxTemplate());
    expect(guardZip(template, XLSX_LIMITS).length).toBeGreaterThan(3);
    const result = await importXlsx(template, opts);
    expect(result.diagnostics.some((d) => d.code === 'wrong_file_type')).toBe(false);
  });

  it('a truncated archive is a wrong file type, not a crash', async () => {
    const template = new Uint8Array(await buildXlsxTemplate());
    const result = await importXlsx(template.subarray(0, template.byteLength - 30), opts);
    expect(result.diagnostics[0]?.code).toBe('wrong_file_type');
  });
});
