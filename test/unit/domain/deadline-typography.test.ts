// The deadline language on cells as real tables type them: words hyphenated at a line break, line breaks, capitals, several dates, ranges, "не позднее …", "есепті жылдан кейінгі …".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeadline } from '../../../domain/deadline-language.js';

describe('typography does not change the reading', () => {
  it.each([
    ['10 нау-рызға дейін', '10 наурызға дейін'],
    ['20 қаң- тарға', '20 қаңтарға'],
    ['2019 жыл-\nғы 4-тоқ-\nсан', '2019 жылғы 4-тоқсан'],
    ['Жыл Сайын, 10 Қаңтарға Және 10 Шілдеге', 'жыл сайын, 10 қаңтарға және 10 шілдеге'],
    ['ЕЖЕКВАРТАЛЬНО', 'ежеквартально'],
    ['2021 ж', '2021 жылы'],
    ['2021', '2021 ж.'],
    ['декабрь 2021 г.', 'декабрь 2021 года'],
    ['жыл сай\u00adын', 'жыл сайын'],
  ])('%j reads as %j', (typed, clean) => {
    const rule = parseDeadline(typed);
    expect(rule.kind).not.toBe('unparsed');
    expect(rule).toEqual(parseDeadline(clean));
  });

  it('keeps a window of months ("тамыз-қыркүйек") a window, not one word', () => {
    expect(parseDeadline('2020 жылғы тамыз-қыркүйек')).toEqual({
      kind: 'once',
      due: '2020-09-30',
      precision: 'month',
      period: '2020-09',
    });
  });
});

describe('forms of real plans outside the seeds', () => {
  it.each([
    ['ежегодно, не позднее 20 января года, следующего за отчетным', { kind: 'annual', by: { month: 1, day: 20 } }],
    ['есепті жылдан кейінгі жылдың 20 қаңтарынан кешіктірмей', { kind: 'annual', by: { month: 1, day: 20 } }],
    [
      'жылына екі рет, 10 шілдеге және 10 қаңтарға дейін',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 7, day: 10 },
          { month: 1, day: 10 },
        ],
      },
    ],
    ['не позднее 1 декабря 2021 года', { kind: 'once', due: '2021-12-01', precision: 'day' }],
    [
      '2022 жылғы 1 шілде, 2023 жылғы 1 шілде',
      {
        kind: 'several_once',
        dates: [
          { due: '2022-07-01', precision: 'day' },
          { due: '2023-07-01', precision: 'day' },
        ],
      },
    ],
    [
      '1 июля 2022 года и 1 июля 2023 года',
      {
        kind: 'several_once',
        dates: [
          { due: '2022-07-01', precision: 'day' },
          { due: '2023-07-01', precision: 'day' },
        ],
      },
    ],
    [
      '2021 жылғы желтоқсан, 2022 жылғы желтоқсан',
      {
        kind: 'several_once',
        dates: [
          { due: '2021-12-31', precision: 'month', period: '2021-12' },
          { due: '2022-12-31', precision: 'month', period: '2022-12' },
        ],
      },
    ],
    [
      '2019 ж., 2020 ж.',
      {
        kind: 'several_once',
        dates: [
          { due: '2019-12-31', precision: 'year', period: '2019' },
          { due: '2020-12-31', precision: 'year', period: '2020' },
        ],
      },
    ],
    ['2021 жылғы 1 наурыз – 2021 жылғы 30 сәуір', { kind: 'once', due: '2021-04-30', precision: 'day' }],
    ['с 1 марта по 30 апреля 2021 года', { kind: 'once', due: '2021-04-30', precision: 'day' }],
    ['2021 жылғы 1 наурыздан 30 сәуірге дейін', { kind: 'once', due: '2021-04-30', precision: 'day' }],
    ['2019 - 2021 жылдары**', { kind: 'during_years', years: { from: 2019, to: 2021 } }],
    ['2021 – 2023 жылдар, жылына 2 рет', { kind: 'semiannual', years: { from: 2021, to: 2023 } }],
    [
      'два раза в год, до 10 июля и 10 января',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 7, day: 10 },
          { month: 1, day: 10 },
        ],
      },
    ],
    ['до конца 2021 года', { kind: 'once', due: '2021-12-31', precision: 'year', period: '2021' }],
    ['2021 жылдың соңына дейін', { kind: 'once', due: '2021-12-31', precision: 'year', period: '2021' }],
    [
      'ежегодно до 15 января, 15 июля',
      {
        kind: 'periodic_dates',
        dates: [
          { month: 1, day: 15 },
          { month: 7, day: 15 },
        ],
      },
    ],
  ])('%j', (text, rule) => {
    expect(parseDeadline(text)).toEqual(rule);
  });

  it.each([
    ['2021 жылғы 30 сәуір – 2021 жылғы 1 наурыз', 'runs backwards'],
    ['жыл сайын, 2019 ж., 2020 ж.', 'more than one year with a schedule'],
    ['нау-рыз-ға келісім бойынша', 'unrecognised wording'],
    ['жылына екі рет, тоқсан сайын', 'two different frequencies'],
    ['2022 жылғы 1 наурызға дейін, одан әрі – жыл сайын', 'unrecognised wording'],
  ])('%j stays unparsed (%s)', (text, reason) => {
    const rule = parseDeadline(text);
    expect(rule.kind).toBe('unparsed');
    expect(rule.kind === 'unparsed' && rule.reason).toContain(reason);
  });
});

// Cells of the seeds and of plans outside them, each read correctly as typed here.
const KNOWN_CELLS = [
  '2019 жылғы 10 наурызға дейін',
  'жыл сайын, 10 қаңтарға және 10 шілдеге дейін',
  'тоқсан сайын, келесі айдың 5-не',
  'есепті жылдан кейінгі жылдың 20 қаңтарынан кешіктірмей',
  'ежегодно, не позднее 20 января года, следующего за отчетным',
  'ежеквартально, не позднее 10 числа месяца, следующего за отчетным кварталом',
  '2021 жылғы 1 наурыз, 2022 жылғы 1 наурыз',
  '1 декабря 2022 года',
  '2020 жылғы желтоқсан',
  '2019 жылғы 4-тоқсан',
  '2019-2023 жылдар',
];

/** The cell with a hyphen and a line break (or a space) put inside words at the chosen points, and line breaks for some spaces. */
function retype(cell: string, cuts: readonly number[], breaks: readonly boolean[], style: number): string {
  const words = cell.split(' ');
  return words
    .map((word, w) => {
      const letters = [...word];
      const cut = cuts[w] ?? 0;
      // Only inside a run of letters: a hyphen typed into "2019" or "5-не" would be a different text, not a typographic one.
      const inside =
        cut > 0 &&
        cut < letters.length &&
        /\p{L}/u.test(letters[cut - 1] as string) &&
        /\p{L}/u.test(letters[cut] as string);
      const glue = ['-\n', '- ', '-', '\u00ad'][style % 4] as string;
      const typed = inside ? `${letters.slice(0, cut).join('')}${glue}${letters.slice(cut).join('')}` : word;
      return w === 0 ? typed : `${breaks[w] === true ? '\n' : ' '}${typed}`;
    })
    .join('');
}

describe('property: hyphenation and line breaks at random points', () => {
  it('parse to the same rule as the clean cell', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN_CELLS),
        fc.array(fc.integer({ min: 0, max: 14 }), { minLength: 12, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        (cell, cuts, breaks, style) => {
          const clean = parseDeadline(cell);
          expect(clean.kind).not.toBe('unparsed');
          expect(parseDeadline(retype(cell, cuts, breaks, style))).toEqual(clean);
        },
      ),
      { numRuns: 400 },
    );
  });
});
