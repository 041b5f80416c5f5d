// Bad input gets a diagnostic naming line and field, and the storing rule (hasErrors) keeps it out of the database.
import { describe, expect, it } from 'vitest';
import { importUpload } from '../../../api/import/index.js';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { importPlan, type TextImportFormat } from '../../../domain/import/index.js';
import { hasErrors, type ImportResult } from '../../../domain/import/result.js';
import { compact } from './helpers.js';

const opts = { directory: AGENCIES_SEED };

/** A small Kazakh decree with one good row and whatever rows a test adds. */
function decree(...rows: string[]): string {
  return [
    'Жоспарды бекіту туралы',
    '',
    'Қазақстан Республикасы Үкіметінің 2019 жылғы 5 наурыздағы № 100 қаулысы.',
    '',
    '2) жылына бір рет, есепті жылдан кейінгі айдың 10 күнінен кешіктірмей Қазақстан Республикасының Ақпарат және қоғамдық даму министрлігіне ақпарат берсін.',
    '3. Министрлік есепті жылдан кейінгі 25 ақпаннан кешіктірмей Премьер-Министрдің Кеңсесіне жиынтық ақпарат берсін.',
    '4. Премьер-Министрдің Кеңсесі есепті жылдан кейінгі 15 наурыздан кешіктірмей Президент Әкімшілігіне ақпарат берсін.',
    '',
    '2019 – 2021 жылдарға арналған іс-шаралар жоспары',
    '',
    '№ р/с\tІс-шаралар\tАяқталу нысаны\tЖауапты орындаушылар\tОрындау мерзімі\tБолжамды шығыстар (млн. теңге)\tҚаржыландыру көзі',
    '1\t2\t3\t4\t5\t6\t7',
    '1.\tДұрыс іс-шара\tАҚДМ-ға ақпарат\tБҒМ, ҰҚК (келісім бойынша)\tжыл сайын\t-\tталап етілмейді',
    ...rows,
  ].join('\n');
}

describe('a decree text with a bad row', () => {
  it('is clean with only its good row: a storable plan', () => {
    const result = importDecreeText(decree(), opts);
    expect(result.plan?.measures).toHaveLength(1);
    expect(result.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(hasErrors(result)).toBe(false);
  });

  it('an unknown abbreviation: error with line and field, the executor kept as printed', () => {
    const result = importDecreeText(decree('2.\tЕкінші\tхаттама\tБҒМ, ХЮЗ\t2020 жылғы қаңтар\t-\t-'), opts);
    expect(compact(result.diagnostics.filter((d) => d.severity === 'error'))).toEqual([
      'error unknown_abbreviation L14 measures[1].executors[1] ХЮЗ',
    ]);
    expect(result.plan?.measures[1]?.executors.map((e) => e.code)).toEqual(['БҒМ', 'ХЮЗ']);
    expect(hasErrors(result)).toBe(true);
  });

  it('a broken row (more filled cells than columns, no repair possible): error with its line, the measure skipped', () => {
    const result = importDecreeText(
      decree('2.\tЕкінші\tхаттама\tБҒМ\t2020 жылғы қаңтар\t-\t-\tартық\tтағы', '3.\tҮшінші\tхаттама\tДСМ\tүнемі\t-\t-'),
      opts,
    );
    expect(result.diagnostics.filter((d) => d.code === 'broken_row')).toEqual([
      {
        severity: 'error',
        code: 'broken_row',
        line: 14,
        message: 'the row has 9 cells where the table has 7: the row is skipped',
      },
    ]);
    expect(result.plan?.measures.map((m) => m.number)).toEqual(['1.', '3.']);
    expect(hasErrors(result)).toBe(true);
  });

  it('a row cut short that the next lines do not complete: broken_row', () => {
    const result = importDecreeText(decree('2.\tЕкінші\tхаттама', '3.\tҮшінші\tхаттама\tДСМ\tүнемі\t-\t-'), opts);
    expect(compact(result.diagnostics.filter((d) => d.code === 'broken_row'))).toEqual(['error broken_row L14 -']);
    expect(result.plan?.measures.map((m) => m.number)).toEqual(['1.', '3.']);
  });

  it('a row cut short just before a section heading: the heading stays a heading', () => {
    const result = importDecreeText(
      decree('2.\tЕкінші\tхаттама', '2-бөлім. Екінші бөлім', '3.\tҮшінші\tхаттама\tДСМ\tүнемі\t-\t-'),
      opts,
    );
    expect(compact(result.diagnostics.filter((d) => d.severity === 'error'))).toEqual(['error broken_row L14 -']);
    expect(result.plan?.sections).toEqual([{ number: '2', title: { kk: 'Екінші бөлім', ru: null } }]);
    expect(result.plan?.measures.map((m) => [m.number, m.section])).toEqual([
      ['1.', null],
      ['3.', 0],
    ]);
  });

  it('a row broken over two lines by a newline inside a cell is put back together', () => {
    const result = importDecreeText(decree('2.\tЕкінші іс-шараның', 'атауы\tхаттама\tДСМ\tүнемі\t-\t-'), opts);
    expect(result.plan?.measures[1]).toMatchObject({
      number: '2.',
      title: { kk: 'Екінші іс-шараның атауы' },
      executors: [{ code: 'ДСМ' }],
      deadline: { rule: { kind: 'continuous' } },
    });
    expect(hasErrors(result)).toBe(false);
  });

  it('an impossible date in a deadline: error naming line and field', () => {
    const result = importDecreeText(decree('2.\tЕкінші\tхаттама\tБҒМ\t2019 жылғы 31 ақпан\t-\t-'), opts);
    const impossible = result.diagnostics.filter((d) => d.code === 'deadline_impossible_date');
    expect(impossible).toEqual([
      {
        severity: 'error',
        code: 'deadline_impossible_date',
        line: 14,
        field: 'measures[1].deadline',
        message: 'measure 2.: the deadline "2019 жылғы 31 ақпан" is impossible (no such date: day 31 of month 2 2019)',
      },
    ]);
    expect(result.plan?.measures[1]?.deadline.rule.kind).toBe('unparsed');
  });

  it('a deadline nobody can read is a warning, and does not block storing', () => {
    const result = importDecreeText(decree('2.\tЕкінші\tхаттама\tБҒМ\tкелісілген мерзімде\t-\t-'), opts);
    expect(compact(result.diagnostics.filter((d) => d.severity !== 'info'))).toEqual([
      'warning deadline_unparsed L14 measures[1].deadline',
    ]);
    expect(hasErrors(result)).toBe(false);
  });

  it('a row without a title is skipped with an error', () => {
    const result = importDecreeText(decree('2.\t\tхаттама\tБҒМ\tүнемі\t-\t-'), opts);
    expect(compact(result.diagnostics.filter((d) => d.severity === 'error'))).toEqual([
      'error missing_title L14 measures[1].title',
    ]);
    expect(result.plan?.measures).toHaveLength(1);
  });

  it('a text without a plan table gives no plan', () => {
    const result = importDecreeText(
      'Қазақстан Республикасы Үкіметінің қаулысы.\n\nОсы қаулы қол қойылған күнінен бастап қолданысқа енгізіледі.',
      opts,
    );
    expect(result.plan).toBeNull();
    expect(compact(result.diagnostics)).toEqual(['error no_table - -']);
  });
});

describe('empty input', () => {
  it.each<TextImportFormat>(['adilet', 'csv', 'yaml', 'json'])('%s: empty_file, no plan', (format) => {
    for (const text of ['', ' \n\t\n', '\ufeff']) {
      const result = importPlan({ format, text }, opts);
      expect(result.plan).toBeNull();
      expect(compact(result.diagnostics)).toEqual(['error empty_file - -']);
      expect(hasErrors(result)).toBe(true);
    }
  });

  it('an upload of no bytes', async () => {
    expect(compact((await importUpload({ data: new Uint8Array(), filename: 'plan.xlsx' }, opts)).diagnostics)).toEqual([
      'error empty_file - -',
    ]);
  });
});

describe('the storing rule', () => {
  const base: ImportResult = { plan: importDecreeText(decree(), opts).plan, abbreviations: {}, diagnostics: [] };

  it('stores a plan with warnings and infos, never one with an error or without a plan', () => {
    expect(hasErrors(base)).toBe(false);
    expect(
      hasErrors({
        ...base,
        diagnostics: [
          { severity: 'warning', code: 'deadline_unparsed', message: '' },
          { severity: 'info', code: 'x', message: '' },
        ],
      }),
    ).toBe(false);
    expect(
      hasErrors({ ...base, diagnostics: [{ severity: 'error', code: 'unknown_abbreviation', message: '' }] }),
    ).toBe(true);
    expect(hasErrors({ ...base, plan: null })).toBe(true);
  });
});
