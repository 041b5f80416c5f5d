// The deadline language against every expression of the seeds' deadline column, the Russian forms, and real-table noise.
import { describe, expect, it } from 'vitest';
import { normalizeDeadlineText, parseDeadline, type DeadlineRule } from '../../../domain/deadline-language.js';
import { distinctDeadlineExpressions } from './seed-deadlines.js';

/** Written by hand from the decrees' meaning — not generated from the parser. */
const SEED_EXPRESSIONS: ReadonlyArray<readonly [string, DeadlineRule]> = [
  // Seed 000 (decree No. 580, religion-policy plan 2017–2020).
  ['-', { kind: 'unparsed', reason: 'empty cell' }],
  ['2017 жылғы 1 желтоқсанға дейін', { kind: 'once', due: '2017-12-01', precision: 'day' }],
  ['2017 жылғы 3-тоқсан', { kind: 'once', due: '2017-09-30', precision: 'quarter', period: '2017-Q3' }],
  ['2017 жылғы 4-тоқсан', { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' }],
  ['2017 жылғы желтоқсан', { kind: 'once', due: '2017-12-31', precision: 'month', period: '2017-12' }],
  ['2017 жылғы қараша', { kind: 'once', due: '2017-11-30', precision: 'month', period: '2017-11' }],
  ['2017 жылғы қыркүйек', { kind: 'once', due: '2017-09-30', precision: 'month', period: '2017-09' }],
  ['2018 жылдан бастап, қажеттілігіне қарай', { kind: 'as_needed', years: { from: 2018 } }],
  ['2018 жылғы 1-тоқсан', { kind: 'once', due: '2018-03-31', precision: 'quarter', period: '2018-Q1' }],
  ['2018 жылғы 2-тоқсан', { kind: 'once', due: '2018-06-30', precision: 'quarter', period: '2018-Q2' }],
  ['2018 жылғы ақпан', { kind: 'once', due: '2018-02-28', precision: 'month', period: '2018-02' }],
  ['2018 жылғы қазан', { kind: 'once', due: '2018-10-31', precision: 'month', period: '2018-10' }],
  ['2018 жылғы қаңтар', { kind: 'once', due: '2018-01-31', precision: 'month', period: '2018-01' }],
  [
    'жыл сайын 25 шілдеге, 25 желтоқсанға дейін',
    {
      kind: 'periodic_dates',
      dates: [
        { month: 7, day: 25 },
        { month: 12, day: 25 },
      ],
    },
  ],
  ['жыл сайын, 1 желтоқсанға дейін', { kind: 'annual', by: { month: 12, day: 1 } }],
  ['жыл сайын, 2017 – 2020 жылдар', { kind: 'annual', years: { from: 2017, to: 2020 } }],
  ['жыл сайын, 2018 – 2020 жылдар', { kind: 'annual', years: { from: 2018, to: 2020 } }],
  ['тоқсан сайын, 2017 – 2020 жылдар', { kind: 'quarterly', years: { from: 2017, to: 2020 } }],
  // Seed 002 (plan on protecting children's rights 2019–2023).
  ['2019 -2020 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2020 } }],
  ['2019 ж.', { kind: 'once', due: '2019-12-31', precision: 'year', period: '2019' }],
  ['2019 ж. 5 желтоқсан', { kind: 'once', due: '2019-12-05', precision: 'day' }],
  ['2019 ж. желтоқсан', { kind: 'once', due: '2019-12-31', precision: 'month', period: '2019-12' }],
  ['2019 ж.-2023 ж.', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
  ['2019-2020 ж.ж,', { kind: 'during_years', years: { from: 2019, to: 2020 } }],
  ['2019-2020 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2020 } }],
  [
    '2019-2020 ж.ж. жыл сайын жаңарту қажет',
    { kind: 'during_years', years: { from: 2019, to: 2020 }, note: 'update_annually' },
  ],
  ['2019-2021 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2021 } }],
  ['2019-2022 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2022 } }],
  ['2019-2023 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
  ['2020 ж.', { kind: 'once', due: '2020-12-31', precision: 'year', period: '2020' }],
  ['2020 ж. 25 наурыз', { kind: 'once', due: '2020-03-25', precision: 'day' }],
  ['2020 ж. наурыз', { kind: 'once', due: '2020-03-31', precision: 'month', period: '2020-03' }],
  ['2020- 2021 ж.ж.', { kind: 'during_years', years: { from: 2020, to: 2021 } }],
  [
    '2020-2023 ж.ж. жыл сайын жаңарту қажет',
    { kind: 'during_years', years: { from: 2020, to: 2023 }, note: 'update_annually' },
  ],
  ['<p>2019.ж.</p>', { kind: 'once', due: '2019-12-31', precision: 'year', period: '2019' }],
  ['Жартыжылдықта бір рет', { kind: 'semiannual' }],
  [
    'Жыл сайын тамыз-қыркүйек, қараша',
    {
      kind: 'periodic_dates',
      dates: [
        { month: 9, day: 'last', fromMonth: 8 },
        { month: 11, day: 'last' },
      ],
    },
  ],
  ['Сотқа дейінгі тергеп-тексеру шеңберінде', { kind: 'as_needed', trigger: 'pre_trial_investigation' }],
  ['Талдау қорытындылары бойынша', { kind: 'as_needed', trigger: 'analysis_results' }],
  ['жыл сайын', { kind: 'annual' }],
  ['жыл сайын 25 тамызға дейін', { kind: 'annual', by: { month: 8, day: 25 } }],
  ['жылына бір рет', { kind: 'annual' }],
  ['тоқсан сайын', { kind: 'quarterly' }],
  ['тоқсан сайын келесі айдың 5-не', { kind: 'quarterly', deadline: { monthsAfterPeriodEnd: 1, day: 5 } }],
  ['үнемі', { kind: 'continuous' }],
  ['үнемі, ақпарат есептік кезеңнің нәтижесі бойынша', { kind: 'continuous', note: 'report_on_period_results' }],
];

describe('every distinct expression of the seeds’ deadline column', () => {
  it('is in the hand-written table (extracted from seeds 000 and 002)', () => {
    const extracted = distinctDeadlineExpressions();
    expect(extracted.length).toBeGreaterThan(40);
    const tabled = new Set(SEED_EXPRESSIONS.map(([text]) => text));
    expect(extracted.filter((text) => !tabled.has(text))).toEqual([]);
  });

  it.each(SEED_EXPRESSIONS)('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual(expected);
  });
});

describe('the forms of MISSION.md’s table that the seeds do not use', () => {
  it.each([
    [
      '10 қаңтарға және 10 шілдеге қарай',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 1, day: 10 },
          { month: 7, day: 10 },
        ],
      },
    ],
    ['2018 жылғы 10 шілдеге қарай', { kind: 'once', due: '2018-07-10', precision: 'day' }],
    ['тұрақты', { kind: 'continuous' }],
  ] as const)('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual(expected);
  });
});

describe('Russian forms of the same ideas', () => {
  it.each([
    ['ежегодно, до 1 декабря', { kind: 'annual', by: { month: 12, day: 1 } }],
    [
      'ежеквартально, до 5 числа месяца, следующего за отчетным кварталом',
      { kind: 'quarterly', deadline: { monthsAfterPeriodEnd: 1, day: 5 } },
    ],
    ['IV квартал 2017 года', { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' }],
    ['к 10 июля 2018 года', { kind: 'once', due: '2018-07-10', precision: 'day' }],
    [
      'до 25 июля и 25 декабря ежегодно',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 7, day: 25 },
          { month: 12, day: 25 },
        ],
      },
    ],
    ['постоянно', { kind: 'continuous' }],
    ['по мере необходимости', { kind: 'as_needed' }],
    ['1 раз в полугодие', { kind: 'semiannual' }],
    ['2019–2023 годы', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
    ['2019-2023 гг.', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
    ['с 2019 по 2023 годы', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
    ['ежегодно, 2017 – 2020 годы', { kind: 'annual', years: { from: 2017, to: 2020 } }],
    ['декабрь 2019 г.', { kind: 'once', due: '2019-12-31', precision: 'month', period: '2019-12' }],
    ['до 1 декабря 2017 года', { kind: 'once', due: '2017-12-01', precision: 'day' }],
    ['I полугодие 2020 года', { kind: 'once', due: '2020-06-30', precision: 'half', period: '2020-H1' }],
    [
      'ежемесячно, до 10 числа месяца, следующего за отчетным',
      { kind: 'monthly', deadline: { monthsAfterPeriodEnd: 1, day: 10 } },
    ],
    ['начиная с 2018 года, по мере необходимости', { kind: 'as_needed', years: { from: 2018 } }],
    ['по итогам анализа', { kind: 'as_needed', trigger: 'analysis_results' }],
    [
      'к 10 января и 10 июля',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 1, day: 10 },
          { month: 7, day: 10 },
        ],
      },
    ],
  ] as const)('%s', (text, expected) => {
    expect(parseDeadline(text)).toEqual(expected);
  });
});

describe('noise of real tables', () => {
  it.each([
    ['  жыл сайын,\n 2017 –\u00a02020\tжылдар ', { kind: 'annual', years: { from: 2017, to: 2020 } }],
    ['жыл сайын, 2017 — 2020 жылдар***', { kind: 'annual', years: { from: 2017, to: 2020 } }],
    ['<p>тоқсан&nbsp;сайын</p>', { kind: 'quarterly' }],
    ['<td>2019&ndash;2023 ж.ж.</td>', { kind: 'during_years', years: { from: 2019, to: 2023 } }],
    ['2019 ж.ж. - 2021 ж.ж.', { kind: 'during_years', years: { from: 2019, to: 2021 } }],
    ['2017 ЖЫЛҒЫ 4-ТОҚСАН', { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' }],
    ['2017 жылғы IV тоқсан', { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' }],
    ['2017 жылғы ІV тоқсан', { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' }],
    ['2019ж. 5 желтоқсан', { kind: 'once', due: '2019-12-05', precision: 'day' }],
    ['2019 г. 25-го декабря', { kind: 'once', due: '2019-12-25', precision: 'day' }],
    ['үнемі*', { kind: 'continuous' }],
  ] as const)('%j', (text, expected) => {
    expect(parseDeadline(text)).toEqual(expected);
  });
});

describe('what is not understood is flagged, never guessed', () => {
  it.each([
    ['', 'empty cell'],
    ['   ', 'empty cell'],
    ['<p></p>', 'empty cell'],
    ['2020 жылға дейін', 'unrecognised wording'],
    ['Іс-шара аяқталғаннан кейін', 'unrecognised wording'],
    ['2019 жылғы 31 ақпан', 'no such date'],
    ['желтоқсан', 'without a year'],
    ['4-тоқсан', 'without a year'],
    ['жыл сайын, тоқсан сайын', 'two different frequencies'],
    ['жыл сайын, 2019 ж., 2020 ж.', 'more than one year with a schedule'],
    ['2019 жылғы 1 наурыз, 2020 жылғы 4-тоқсан, тоқсан сайын', 'more than one year with a schedule'],
    ['2021 жылғы 30 сәуір – 2021 жылғы 1 наурыз', 'runs backwards'],
    ['2018 жылдан бастап', 'without a schedule'],
    ['тоқсан сайын 25 желтоқсанға дейін', 'with fixed dates'],
    ['2023-2019 ж.ж.', 'runs backwards'],
    ['по мере необходимости, ежегодно', 'as needed'],
  ])('%j', (text, reason) => {
    const rule = parseDeadline(text);
    expect(rule.kind).toBe('unparsed');
    expect(rule.kind === 'unparsed' && rule.reason).toContain(reason);
  });
});

describe('normalizeDeadlineText', () => {
  it('strips HTML, entities, footnote marks and unifies dashes, spaces and abbreviations', () => {
    expect(normalizeDeadlineText('<p>2019 &ndash; 2020\u00a0ж.ж.***</p>')).toBe('2019-2020 жж');
    expect(normalizeDeadlineText('2019 ж.-2023 ж.')).toBe('2019 ж-2023 ж');
    expect(normalizeDeadlineText(' Жыл сайын,\n1 желтоқсанға дейін. ')).toBe('жыл сайын, 1 желтоқсанға дейін');
  });
});
