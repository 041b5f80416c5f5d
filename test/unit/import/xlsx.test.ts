// Spreadsheets: the .xlsx and CSV templates import cleanly, real workbooks are read cell by cell, and what is not a workbook is told so.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildCsvTemplate, buildXlsxTemplate, INSTRUCTIONS_SHEET, PLAN_SHEET } from '../../../api/import/template.js';
import { cellString, importXlsx } from '../../../api/import/xlsx.js';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importCsv } from '../../../domain/import/csv.js';
import { hasErrors } from '../../../domain/import/result.js';
import { compact } from './helpers.js';

const opts = { directory: AGENCIES_SEED };
const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

async function workbook(rows: unknown[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Sheet1');
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('the templates', () => {
  it('.xlsx: a plan sheet and an instructions sheet in Kazakh and Russian; imports without a diagnostic', async () => {
    const bytes = await buildXlsxTemplate();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as never);
    expect(wb.worksheets.map((s) => s.name)).toEqual([PLAN_SHEET, INSTRUCTIONS_SHEET]);
    expect(wb.worksheets[0]?.getRow(10).getCell(3).value).toBe('Іс-шараның атауы / Наименование мероприятия');
    expect(wb.worksheets[1]?.getRow(1).values).toEqual([
      undefined,
      'Өріс / Поле',
      'Міндетті / Обязательно',
      'Нұсқаулық',
      'Инструкция',
    ]);
    const result = await importXlsx(bytes, opts);
    expect(result.diagnostics).toEqual([]);
    expect(result.plan?.measures).toHaveLength(1);
    expect(result.plan?.coordinator).toBe('АҚДМ');
    // ІІМ and the akimats of the act's date (19 Sep 2017): 14 regions, Astana and Almaty — Shymkent was not yet a city of republican significance.
    expect(result.plan?.measures[0]?.executors).toHaveLength(17);
  });

  it('CSV: the same sheet, with a BOM and ";"; imports to the same plan', async () => {
    const csv = buildCsvTemplate();
    expect(csv.startsWith('\ufeffЖоспардың атауы / Наименование плана;')).toBe(true);
    const fromCsv = importCsv(csv, opts);
    const fromXlsx = await importXlsx(await buildXlsxTemplate(), opts);
    expect(fromCsv.diagnostics).toEqual([]);
    expect(fromCsv.plan?.measures.map(({ source: _s, ...m }) => m)).toEqual(
      fromXlsx.plan?.measures.map(({ source: _s, ...m }) => m),
    );
  });
});

describe('importXlsx', () => {
  it('reads numbers, dates, rich text and formula results as text, keeping the sheet’s row numbers', async () => {
    const bytes = await workbook([
      ['Жоспардың атауы', { richText: [{ text: 'Жоспар ' }, { text: '2020-2021', font: { bold: true } }] }],
      ['Акт нөмірі', 12],
      ['Акт күні', new Date(Date.UTC(2020, 0, 15))],
      ['Бекіткен орган', 'Үкімет'],
      ['Үйлестіруші', 'БҒМ'],
      ['Жылдар', { formula: '"2020-2021"', result: '2020-2021' }],
      [],
      ['№', 'Іс-шара', 'Жауапты орындаушылар', 'Орындау мерзімі'],
      [1, 'Бірінші', 'ДСМ', 'тоқсан сайын'],
      [2, 'Екінші', 'ПИК', '2021 ж.'],
    ]);
    const result = await importXlsx(bytes, opts);
    expect(result.plan?.title.kk).toBe('Жоспар 2020-2021');
    expect(result.plan?.approvedBy).toEqual({ issuer: 'government', number: '12', date: '2020-01-15' });
    expect(result.plan?.years).toEqual({ from: 2020, to: 2021 });
    expect(compact(result.diagnostics)).toEqual([
      'info policy_default - policy',
      'error unknown_abbreviation R10 measures[1].executors[0] ПИК',
    ]);
  });

  it('names the missing columns of a sheet', async () => {
    const result = await importXlsx(
      await workbook([
        ['№', 'Іс-шара', 'Аяқталу нысаны'],
        [1, 'a', 'b'],
      ]),
      opts,
    );
    expect(result.plan).toBeNull();
    expect(compact(result.diagnostics)).toEqual([
      'error missing_column R1 executors',
      'error missing_column R1 deadline',
    ]);
  });

  it('says "wrong_file_type" for a PNG, a broken ZIP, and gives empty_file for no bytes', async () => {
    for (const bytes of [PNG, (await buildXlsxTemplate()).subarray(0, 200)]) {
      const result = await importXlsx(bytes, opts);
      expect(result.plan).toBeNull();
      expect(result.diagnostics.map((d) => [d.severity, d.code])).toEqual([['error', 'wrong_file_type']]);
      expect(hasErrors(result)).toBe(true);
    }
    expect(compact((await importXlsx(new Uint8Array(), opts)).diagnostics)).toEqual(['error empty_file - -']);
  });

  it('turns every kind of cell value into text', () => {
    expect(cellString(null)).toBe('');
    expect(cellString(3.5)).toBe('3.5');
    expect(cellString(true)).toBe('true');
    expect(cellString({ text: 'link', hyperlink: 'https://adilet.zan.kz' })).toBe('link');
    expect(cellString({ error: '#N/A' } as never)).toBe('');
    expect(cellString({ formula: '1/0', result: { error: '#DIV/0!' } } as never)).toBe('');
  });
});
