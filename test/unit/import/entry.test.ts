// The doors into import: format detection, dispatch by format, and uploads of bytes (XLSX, text, the wrong file).
import { describe, expect, it } from 'vitest';
import { buildCsvTemplate, buildXlsxTemplate, importUpload } from '../../../api/import/index.js';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { exportCanonical } from '../../../domain/import/canonical.js';
import { detectFormat, importPlan } from '../../../domain/import/index.js';
import type { Plan } from '../../../domain/plan.js';
import { compact, fixtureText, seedText } from './helpers.js';

const opts = { directory: AGENCIES_SEED };
const seed000 = seedText('000_154aa3237ae338bf.txt');
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('detectFormat', () => {
  const plan = importPlan({ format: 'adilet', text: seed000 }, opts).plan as Plan;

  it('trusts a known extension', () => {
    expect(detectFormat('plan.yml', '')).toBe('yaml');
    expect(detectFormat('PLAN.JSON', '')).toBe('json');
    expect(detectFormat('plan.csv', '')).toBe('csv');
    expect(detectFormat('decree.txt', '')).toBe('adilet');
  });

  it('otherwise reads the content', () => {
    expect(detectFormat(undefined, exportCanonical(plan, 'json'))).toBe('json');
    expect(detectFormat('export', exportCanonical(plan, 'yaml'))).toBe('yaml');
    expect(detectFormat(undefined, buildCsvTemplate())).toBe('csv');
    expect(detectFormat(undefined, seed000)).toBe('adilet');
    expect(detectFormat(undefined, fixtureText('decree-580-ru-lines.txt'))).toBe('adilet');
  });
});

describe('importPlan and importUpload', () => {
  it('give the same plan for the same text', async () => {
    const direct = importPlan({ format: 'adilet', text: seed000 }, opts);
    const uploaded = await importUpload({ data: encode(seed000) }, opts);
    expect(uploaded).toEqual(direct);
  });

  it('recognise an .xlsx by its bytes, even without a name', async () => {
    const result = await importUpload({ data: await buildXlsxTemplate() }, opts);
    expect(result.plan?.measures).toHaveLength(1);
  });

  it('refuse a PNG however it is named, and text that is not UTF-8', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    for (const filename of ['plan.xlsx', 'plan.csv', 'plan.yaml', undefined]) {
      const result = await importUpload({ data: png, ...(filename !== undefined && { filename }) }, opts);
      expect(compact(result.diagnostics)).toEqual(['error wrong_file_type - -']);
      expect(result.plan).toBeNull();
    }
    const cp1251 = new Uint8Array([0xcf, 0xeb, 0xe0, 0xed, 0x3b, 0x31]);
    expect(compact((await importUpload({ data: cp1251, filename: 'plan.csv' }, opts)).diagnostics)).toEqual([
      'error wrong_file_type - -',
    ]);
  });
});
