// Spreadsheets Merzim writes never carry a live formula (issue 10 item 11): CSV cells starting with = + - @ tab CR get an apostrophe,
// XLSX cells are typed strings; Merzim's own CSV reader reads the neutralised cells back as they were.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildCsvTemplate, buildXlsxTemplate } from '../../../api/import/index.js';
import { csvField } from '../../../api/import/template.js';
import { importCsv } from '../../../domain/import/index.js';
import { neutraliseFormula, restoreNeutralised } from '../../../domain/spreadsheet-safety.js';
import { TEST_AGENCIES } from '../../helpers/plans.js';

describe('formula neutralisation', () => {
  it.each(['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    '%j is written inert and read back unchanged',
    (cell) => {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
      expect(restoreNeutralised(neutraliseFormula(cell))).toBe(cell);
      expect(csvField(cell).replace(/^"|"$/g, '').replace(/""/g, '"').startsWith("'")).toBe(true);
    },
  );

  it('leaves ordinary cells alone', () => {
    for (const cell of ['7', 'АҚДМ-ға ақпарат', "it's", "'quoted", '2017-09-19', ''])
      expect(neutraliseFormula(cell)).toBe(cell);
    expect(restoreNeutralised("'quoted")).toBe("'quoted");
  });

  it('the CSV template has no cell a spreadsheet would evaluate, and still imports without errors', () => {
    const csv = buildCsvTemplate();
    const cells = csv
      .replace(/^\ufeff/, '')
      .split('\r\n')
      .flatMap((line) => line.split(';'));
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    expect(cells).toContain("'-");
    const result = importCsv(csv, { directory: TEST_AGENCIES });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.plan?.measures[0]?.cost ?? null).not.toBe("'-");
  });

  it('every cell of the XLSX template is a plain typed value, never a formula', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildXlsxTemplate()) as unknown as ExcelJS.Buffer);
    let cells = 0;
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          cells++;
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          expect(cell.formula ?? null).toBeNull();
        }),
      ),
    );
    expect(cells).toBeGreaterThan(20);
  });
});
