// CSV as spreadsheets write it (RFC 4180, BOM, ";" or ","), and plans read from rows of cells: header aliases, plan details, per-row diagnostics.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importCsv, parseCsv, sniffDelimiter } from '../../../domain/import/csv.js';
import { hasErrors } from '../../../domain/import/result.js';
import { importTable } from '../../../domain/import/table.js';
import { compact, executorCodes } from './helpers.js';

const opts = { directory: AGENCIES_SEED };

describe('parseCsv', () => {
  it('reads quoted cells with delimiters, doubled quotes and line breaks, and counts lines', () => {
    const csv = parseCsv('a;"b;c";"say ""hi"""\r\n"two\nlines";x;\r\nlast;;z', ';');
    expect(csv.rows).toEqual([
      ['a', 'b;c', 'say "hi"'],
      ['two\nlines', 'x', ''],
      ['last', '', 'z'],
    ]);
    expect(csv.lines).toEqual([1, 2, 4]);
    expect(csv.diagnostics).toEqual([]);
  });

  it('drops a BOM and the empty record after a final line break; takes CR-only line ends', () => {
    expect(parseCsv('\ufeffa,b\n', ',').rows).toEqual([['a', 'b']]);
    expect(parseCsv('a,b\rc,d', ',').rows).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('reports an unterminated quote and keeps text after a closing quote', () => {
    expect(parseCsv('a;"open\nnever closed', ';').diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['csv_unterminated_quote', 1],
    ]);
    const stray = parseCsv('"quoted"tail;b', ';');
    expect(stray.rows).toEqual([['quotedtail', 'b']]);
    expect(stray.diagnostics.map((d) => d.code)).toEqual(['csv_stray_text']);
  });

  it('sniffs ";" even when unquoted Kazakh text has commas, "," when commas are quoted, and tabs', () => {
    expect(sniffDelimiter('№;Іс-шара;Жауапты орындаушылар\n1;Title;АҚДМ, БҒМ, ДСМ\n')).toBe(';');
    expect(sniffDelimiter('No,Measure,Executors\n1,Title,"АҚДМ, БҒМ; ДСМ"\n')).toBe(',');
    expect(sniffDelimiter('No\tMeasure\tExecutors\n1\tTitle\tАҚДМ, БҒМ\n')).toBe('\t');
  });

  it('is linear: a 5 MB file parses in one pass', () => {
    const row = '1;"Іс-шара, ""атауы"" бар";АҚДМ-ға ақпарат;"АҚДМ, БҒМ";2019 ж.;-;талап етілмейді\r\n';
    const text = row.repeat(Math.ceil(5_000_000 / row.length));
    const csv = parseCsv(text, ';');
    expect(csv.rows).toHaveLength(Math.ceil(5_000_000 / row.length));
    expect(csv.rows[1]?.[1]).toBe('Іс-шара, "атауы" бар');
  });
});

const SHEET = [
  '\ufeffЖоспардың атауы / Наименование плана;2019-2023 жылдарға арналған іс-әрекеттер ведомствоаралық жоспары',
  'Бекіткен орган / Кем утверждён;Үкімет',
  'Акт нөмірі / Номер акта;124',
  'Акт күні / Дата акта;15.03.2018',
  'Үйлестіруші орган / Координатор;МИОР',
  'Жоспар жылдары / Годы плана;2019-2023',
  'Есеп беру тәртібі / Порядок отчётности;semiannual',
  ';',
  '№ р/с / № п/п;Бөлім / Раздел;Іс-шараның атауы / Наименование мероприятия;Аяқталу нысаны / Форма завершения;Жауапты орындаушылар / Ответственные исполнители;Орындау мерзімі / Срок исполнения;Болжамды шығыстар (млн. теңге) / Предполагаемые расходы (млн. тенге);Қаржыландыру көзі / Источник финансирования',
  '1;Нормативтік базаны жетілдіру;Куәгерлерді оңалту бағдарламасын әзірлеу;Үкіметке ақпарат;"БҒМ, БП (келісім бойынша)";2019 ж.;1,5;республикалық бюджет',
  '2;Нормативтік базаны жетілдіру;"Көп жолды\nатау";ПӘ ұсыныс;ПМ, ДСМ;2019 жылғы 31 ақпан;-;-',
  '3;;Бейнебақылау;БҒМ ақпарат;"облыс әкімдіктері, Нұр-Сұлтан, Алматы, Шымкент";тоқсан сайын;-;ЖБ',
].join('\r\n');

describe('importCsv: a filled-in template', () => {
  const result = importCsv(SHEET, opts);
  const plan = result.plan;

  it('reads the plan details above the header', () => {
    expect(plan?.title.kk).toBe('2019-2023 жылдарға арналған іс-әрекеттер ведомствоаралық жоспары');
    expect(plan?.approvedBy).toEqual({ issuer: 'government', number: '124', date: '2018-03-15' });
    expect(plan?.coordinator).toBe('АҚДМ');
    expect(plan?.years).toEqual({ from: 2019, to: 2023 });
    expect(plan?.policy.id).toBe('semiannual');
  });

  it('reads each row as the decree importer would, with the section column and amounts in the header’s unit', () => {
    expect(plan?.sections).toEqual([{ number: null, title: { kk: 'Нормативтік базаны жетілдіру', ru: null } }]);
    const [first, second, third] = plan?.measures ?? [];
    expect(first).toMatchObject({
      number: '1',
      section: 0,
      recipient: { role: 'government' },
      cost: { text: '1,5', amount: 1_500_000, currency: 'KZT' },
      fundingSource: 'республикалық бюджет',
      source: { line: 10, row: 10 },
    });
    expect(executorCodes(first as never)).toEqual(['БҒМ*', 'БП(к)']);
    expect(second?.title.kk).toBe('Көп жолды атау');
    expect(third?.section).toBe(0);
    expect(third?.executors).toHaveLength(17);
    expect(third?.recipient).toEqual({ agency: 'БҒМ' });
  });

  it('reports per row, with the row and the line it starts on', () => {
    expect(compact(result.diagnostics)).toEqual([
      'error unknown_abbreviation L11 measures[1].executors[0] ПМ',
      'error deadline_impossible_date L11 measures[1].deadline',
    ]);
    expect(result.diagnostics.filter((d) => d.code !== 'deadline_day_from_policy').map((d) => d.row)).toEqual([11, 11]);
    // "тоқсан сайын" gives no day: the sheet's semi-annual policy sets it, which the measure and an info say.
    const inferred = result.diagnostics.find((d) => d.code === 'deadline_day_from_policy');
    expect(inferred).toMatchObject({ severity: 'info', row: 12, field: 'measures[2].deadline' });
    expect(result.plan?.measures[2]?.inferred).toEqual(['deadline.day']);
    expect(hasErrors(result)).toBe(true);
  });
});

describe('importTable: header aliases and missing columns', () => {
  it('takes English headers as well as Kazakh and Russian', () => {
    const result = importTable(
      {
        rows: [
          ['No.', 'Measure', 'Executors', 'Deadline'],
          ['1', 'Do the thing', 'МОН', 'ежегодно, до 1 декабря'],
        ],
      },
      { ...opts, lang: 'ru' },
    );
    expect(result.plan?.measures[0]).toMatchObject({
      number: '1',
      title: { kk: null, ru: 'Do the thing' },
      executors: [{ code: 'БҒМ', lead: true, byAgreement: false }],
      deadline: { rule: { kind: 'annual', by: { month: 12, day: 1 } } },
    });
    expect(compact(result.diagnostics)).toEqual([
      'info policy_default - policy',
      'error missing_title - title',
      'error missing_act - approvedBy',
      'error missing_years - years',
      'error missing_coordinator - coordinator',
    ]);
  });

  it('names every missing required column, and gives no plan', () => {
    const result = importTable(
      {
        rows: [
          ['Наименование плана', 'X'],
          ['№ п/п', 'Наименование мероприятия', 'Срок исполнения', 'Форма завершения'],
          ['1', 'a', '2019 ж.', 'b'],
        ],
      },
      opts,
    );
    expect(result.plan).toBeNull();
    expect(result.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'missing_column',
        row: 2,
        field: 'executors',
        message: 'missing column "Жауапты орындаушылар / Ответственные исполнители / Executors"',
      },
    ]);
  });

  it('says when no row looks like a header at all', () => {
    const result = importTable(
      {
        rows: [
          ['a', 'b'],
          ['c', 'd'],
        ],
      },
      opts,
    );
    expect(result.plan).toBeNull();
    expect(compact(result.diagnostics)).toEqual(['error missing_header - -']);
  });
});
