// Reads the "орындау мерзімі" (deadline) column of Kazakh and Russian action plans into structured rules — and says so when it cannot.
import { isValidCivilDate, lastDayOfMonth, formatIsoDate, type IsoDate } from './dates.js';
import { formatPeriodKey, makePeriod, periodEnd, type PeriodKey } from './periods.js';
import type { RelativeDeadline } from './policies.js';

/** A day that recurs every year; day 'last' is the month's last day. fromMonth marks a window ("тамыз-қыркүйек": August–September). */
export interface DayOfYear {
  readonly month: number;
  readonly day: number | 'last';
  readonly fromMonth?: number;
}

/** Years a recurring rule applies to; an open end is unbounded. */
export interface YearRange {
  readonly from?: number;
  readonly to?: number;
}

export type OncePrecision = 'day' | 'month' | 'quarter' | 'half' | 'year';

/** Qualifiers a plan adds that do not change the dates: "жыл сайын жаңарту қажет", "ақпарат есептік кезеңнің нәтижесі бойынша". */
export type DeadlineNote = 'update_annually' | 'report_on_period_results';

/** What sets off a measure that has no calendar deadline. */
export type AsNeededTrigger = 'analysis_results' | 'pre_trial_investigation';

export type DeadlineRule =
  /** One-off: by `due` (the end of the month/quarter/half/year when that is all the plan says). */
  | { readonly kind: 'once'; readonly due: IsoDate; readonly precision: OncePrecision; readonly period?: PeriodKey }
  /** Several one-off dates, each of its own year ("2022 жылғы 1 шілде, 2023 жылғы 1 шілде"). */
  | { readonly kind: 'several_once'; readonly dates: readonly OnceDate[] }
  /** Once a year: by a fixed day, by a deadline relative to the year's end, or (neither) by the plan policy's date. */
  | {
      readonly kind: 'annual';
      readonly by?: DayOfYear;
      readonly deadline?: RelativeDeadline;
      readonly years?: YearRange;
      readonly note?: DeadlineNote;
    }
  /** Several fixed days every year ("by 25 July and 25 December"). */
  | { readonly kind: 'periodic_dates'; readonly dates: readonly DayOfYear[]; readonly years?: YearRange }
  | { readonly kind: 'semiannual'; readonly deadline?: RelativeDeadline; readonly years?: YearRange }
  | { readonly kind: 'quarterly'; readonly deadline?: RelativeDeadline; readonly years?: YearRange }
  | { readonly kind: 'monthly'; readonly deadline?: RelativeDeadline; readonly years?: YearRange }
  /** "үнемі", "постоянно": reported in the plan's regular cycle. */
  | { readonly kind: 'continuous'; readonly years?: YearRange; readonly note?: DeadlineNote }
  /** "2019-2023 ж.ж.": carried out during those years, reported in the regular cycle. */
  | {
      readonly kind: 'during_years';
      readonly years: { readonly from: number; readonly to: number };
      readonly note?: DeadlineNote;
    }
  /** No calendar deadline: flagged for a human, never guessed. */
  | { readonly kind: 'as_needed'; readonly years?: YearRange; readonly trigger?: AsNeededTrigger }
  | { readonly kind: 'unparsed'; readonly reason: string };

export type DeadlineKind = DeadlineRule['kind'];

/** One date of a 'several_once' rule: the same fields as a one-off rule. */
export interface OnceDate {
  readonly due: IsoDate;
  readonly precision: OncePrecision;
  readonly period?: PeriodKey;
}

// ---- Normalisation: what real tables do to a cell ----

const ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  quot: '"',
  laquo: '«',
  raquo: '»',
  ndash: '-',
  mdash: '-',
  minus: '-',
  lt: '<',
  gt: '>',
  apos: "'",
};

/**
 * Lower-cases and cleans a cell: HTML tags and entities, footnote marks, every kind of dash and
 * space, the abbreviations "ж.", "ж.ж.", "г.", "гг.". Exported so tools can show what the parser saw.
 */
export function normalizeDeadlineText(text: string): string {
  return (
    text
      .replace(/\u00ad/g, '')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
        if (name.startsWith('#')) {
          const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
          return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
        }
        return ENTITIES[name.toLowerCase()] ?? whole;
      })
      .replace(/[*¹²³⁰⁴-⁹†‡]+/g, ' ')
      .toLowerCase()
      .replace(/[‐‑‒–—―−]/g, '-')
      .replace(/\s+/gu, ' ')
      // "2019.ж." and "2019ж" → "2019 ж."
      .replace(/(\d)\.?(?=\s*[жг]\.?(?![\p{L}]))/gu, '$1 ')
      .replace(/(?<![\p{L}])ж\.?\s*ж(?:\.|(?![\p{L}]))/gu, 'жж ')
      .replace(/(?<![\p{L}])г\.?\s*г(?:\.|(?![\p{L}]))/gu, 'гг ')
      .replace(/(?<![\p{L}])([жг])\./gu, '$1 ')
      .replace(/\s*-\s*/g, '-')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,.;:]+|[\s,.;:]+$/g, '')
  );
}

// ---- Lexicon ----

const KK_MONTHS = [
  'қаңтар',
  'ақпан',
  'наурыз',
  'сәуір',
  'мамыр',
  'маусым',
  'шілде',
  'тамыз',
  'қыркүйек',
  'қазан',
  'қараша',
  'желтоқсан',
];
const RU_MONTHS = [
  'январ',
  'феврал',
  'март',
  'апрел',
  'ма',
  'июн',
  'июл',
  'август',
  'сентябр',
  'октябр',
  'ноябр',
  'декабр',
];
// Kazakh case endings months take in deadlines (dative "шілдеге", genitive "желтоқсанның", locative "наурызда"…).
const KK_MONTH = `(?:${KK_MONTHS.join('|')})(?:ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|на|не|нда|нде|да|де|та|те|дан|ден|тан|тен|нан|нен|ынан|інен|ына|іне|ында|інде|ы|і)?`;
const RU_MONTH =
  'январ[ьяюе]|феврал[ьяюе]|март[аеу]?|апрел[ьяюе]|ма[йяюе]|июн[ьяюе]|июл[ьяюе]|август[аеу]?|сентябр[ьяюе]|октябр[ьяюе]|ноябр[ьяюе]|декабр[ьяюе]';
const MONTH = `(?:${KK_MONTH}|${RU_MONTH})`;

function monthNumber(word: string): number {
  const kk = KK_MONTHS.findIndex((stem) => word.startsWith(stem));
  if (kk >= 0) return kk + 1;
  // "март" before "ма…" (май): the longer stem wins.
  if (word.startsWith('март')) return 3;
  return RU_MONTHS.findIndex((stem) => word.startsWith(stem)) + 1;
}

const ROMAN: Readonly<Record<string, number>> = { i: 1, ii: 2, iii: 3, iv: 4 };

function ordinal(word: string): number {
  // Kazakh documents often type the Roman I with the Cyrillic "і".
  const latin = word.replace(/і/g, 'i');
  return ROMAN[latin] ?? Number(latin);
}

const S = '(?<![\\p{L}\\d/@])';
const E = '(?![\\p{L}\\d])';
const YEAR = '((?:19|20|21)\\d{2})';
const YEAR_WORD = '(?:жылғы|жылдың|жылы|жыл|ж|года|году|год|г)';
const RANGE_WORD = '(?:жылдары|жылдарда|жылдарға|жылдар|жылы|жыл|жж|ж|годы|годах|годов|гг|г)';
const ORDINAL_SUFFIX = '(?:-?(?:ші|шы|інші|ыншы|й|го))?';
const ROMAN_OR_DIGIT = '([1-4]|[iі]{1,3}|[iі]v)';
const DAY = '([0-3]?\\d)';

const rx = (source: string): RegExp => new RegExp(source, 'gu');

/** Fixed phrases → tokens. Longer phrases first: "жыл сайын жаңарту қажет" must win over "жыл сайын". */
const PHRASES: readonly (readonly [string, string])[] = [
  ['жыл сайын жаңарту қажет', '@note/update_annually'],
  // "… года, следующего за отчётным" and "есепті жылдан кейінгі жылдың …": a January date reports on the year just ended, which is how a day without a year is read already.
  ['года,? следующего за отч[её]тным(?: годом)?', '@noise'],
  ['есепті жылдан кейінгі жылдың', '@noise'],
  ['есепті жылдан кейінгі', '@noise'],
  // "Twice a year": the two days when the cell gives them, else every half-year.
  ['(?:бір|1) жылда (?:екі|2) рет', '@twice'],
  ['жылына (?:екі|2) рет', '@twice'],
  ['(?:два|2) раза в год', '@twice'],
  // "до конца 2021 года", "2021 жылдың соңына дейін": by the end of what follows, which is how a bare period reads already.
  ['до конца', '@noise'],
  ['соңына(?: дейін)?', '@noise'],
  ['ақпарат есептік кезеңнің нәтижесі бойынша', '@note/report_on_period_results'],
  ['есептік кезеңнің нәтижесі бойынша', '@note/report_on_period_results'],
  ['есепті кезеңнің қорытындысы бойынша', '@note/report_on_period_results'],
  ['информация по итогам отч[её]тного периода', '@note/report_on_period_results'],
  ['по итогам отч[её]тного периода', '@note/report_on_period_results'],
  ['талдау қорытындылары бойынша', '@trigger/analysis_results'],
  ['талдау нәтижелері бойынша', '@trigger/analysis_results'],
  ['по (?:итогам|результатам) анализа', '@trigger/analysis_results'],
  ['сотқа дейінгі тергеп-тексеру шеңберінде', '@trigger/pre_trial_investigation'],
  ['в рамках досудебного расследования', '@trigger/pre_trial_investigation'],
  ['жартыжылдықта (?:бір|1) рет', '@semiannual'],
  ['жарты жылда (?:бір|1) рет', '@semiannual'],
  ['жартыжылдық сайын', '@semiannual'],
  ['(?:(?:1|один) )?раз в (?:полугодие|полгода)', '@semiannual'],
  ['ежеполугодно', '@semiannual'],
  ['ежеполугодично', '@semiannual'],
  ['по полугодиям', '@semiannual'],
  ['тоқсан сайын', '@quarterly'],
  ['тоқсанына (?:бір|1) рет', '@quarterly'],
  ['ежеквартально', '@quarterly'],
  ['(?:(?:1|один) )?раз в квартал', '@quarterly'],
  ['ай сайын', '@monthly'],
  ['айына (?:бір|1) рет', '@monthly'],
  ['ежемесячно', '@monthly'],
  ['(?:(?:1|один) )?раз в месяц', '@monthly'],
  ['жыл сайын(?:ғы)?', '@annual'],
  ['жылына (?:бір|1) рет', '@annual'],
  ['ежегодно', '@annual'],
  ['(?:(?:1|один) )?раз в год', '@annual'],
  ['тұрақты (?:негізде|түрде)', '@continuous'],
  ['үнемі', '@continuous'],
  ['тұрақты', '@continuous'],
  ['на постоянной основе', '@continuous'],
  ['постоянно', '@continuous'],
  ['қажеттілігіне қарай', '@asneeded'],
  ['қажеттілік бойынша', '@asneeded'],
  ['қажетіне қарай', '@asneeded'],
  ['қажет болған жағдайда', '@asneeded'],
  ['по мере необходимости', '@asneeded'],
  ['при необходимости', '@asneeded'],
];
const PHRASE_SOURCES = PHRASES.map(([p]) => p);
const PHRASE_RE = rx(`${S}(?:${PHRASE_SOURCES.map((p) => `(${p})`).join('|')})${E}`);

// Words that only say "by", "and", "during": the structure carries the meaning. Removed last, so "с 2019 по 2023" is read first.
const CONNECTOR_RE = rx(
  `${S}(?:кешіктірмей|дейін|қарай|және|ішінде|аралығында|не позднее|в течение|до|к|и|в|во|по)${E}`,
);

interface Rewrite {
  /** A cheap test that must pass before the (costlier) pattern is tried: most cells skip most rewrites. */
  readonly when: RegExp;
  readonly pattern: RegExp;
  readonly build: (...groups: string[]) => string;
}

/** Structured pieces → tokens, in an order where longer forms are consumed before their parts. */
const REWRITES: readonly Rewrite[] = [
  // Ranges of years: "2017 – 2020 жылдар", "2019 ж.-2023 ж.", "2019-2023 гг.", "с 2019 по 2023 годы", "2019 жылдан 2023 жылға дейін".
  {
    when: /\d{4}/,
    pattern: rx(`${S}${YEAR} ?(?:${YEAR_WORD}|жж|гг)?-${YEAR} ?${RANGE_WORD}?${E}`),
    build: (a, b) => ` @range/${a}/${b} `,
  },
  {
    when: / по /,
    pattern: rx(`${S}с ${YEAR} ?(?:года|г)? по ${YEAR} ?${RANGE_WORD}?${E}`),
    build: (a, b) => ` @range/${a}/${b} `,
  },
  {
    when: /жылдан/,
    pattern: rx(`${S}${YEAR} ?жылдан (?:бастап )?${YEAR} ?жылға (?:дейін|қоса алғанда)${E}`),
    build: (a, b) => ` @range/${a}/${b} `,
  },
  // "2018 жылдан бастап", "начиная с 2018 года".
  { when: /жылдан/, pattern: rx(`${S}${YEAR} ?жылдан бастап${E}`), build: (a) => ` @from/${a} ` },
  { when: /с \d/, pattern: rx(`${S}(?:начиная )?с ${YEAR} ?(?:года|г)${E}`), build: (a) => ` @from/${a} ` },
  // "by the 5th of the month after the reporting period".
  {
    when: /айдың/,
    pattern: rx(
      `${S}(?:келесі айдың|есепті (?:тоқсаннан|айдан|кезеңнен|жартыжылдықтан|жылдан) кейінгі айдың) ${DAY} ?(?:-?(?:не|на|нан|нен|сіне|ына|іне|і|ы|ші|шы))?(?: ?күніне| ?күнге)?${E}`,
    ),
    build: (d) => ` @nmd/${d} `,
  },
  {
    when: /числа/,
    pattern: rx(
      `${S}${DAY}(?:-?го)? числа(?: месяца)?,? следующего (?:за отч[её]тным(?: (?:кварталом|периодом|месяцем|полугодием|годом))?|месяца)${E}`,
    ),
    build: (d) => ` @nmd/${d} `,
  },
  // Quarters and half-years: "2017 жылғы 4-тоқсан", "IV квартал", "1-жартыжылдық", "I полугодие".
  {
    when: /тоқсан|квартал/,
    pattern: rx(`${S}${ROMAN_OR_DIGIT}${ORDINAL_SUFFIX}[- ]?(?:тоқсан|квартал)(?:ы|да|ға|ына|ында|а|е|у|ом)?${E}`),
    build: (n) => ` @q/${ordinal(n)} `,
  },
  {
    when: /жарты|полугод/,
    pattern: rx(
      `${S}${ROMAN_OR_DIGIT}${ORDINAL_SUFFIX}[- ]?(?:жартыжылдық|жарты жылдық|полугоди[еяюи]м?)(?:та|тың|қа|ы)?${E}`,
    ),
    build: (n) => ` @h/${ordinal(n)} `,
  },
  // Years: "2019 жылғы", "2019 ж.", "2019 года", or a bare 2019.
  { when: /\d{4}/, pattern: rx(`${S}${YEAR} ?${YEAR_WORD}?${E}`), build: (a) => ` @year/${a} ` },
  // Days of months: "1 желтоқсанға", "10 июля", "25-го декабря"; month windows "тамыз-қыркүйек"; bare months.
  {
    when: /\d/,
    pattern: rx(`${S}${DAY}${ORDINAL_SUFFIX}[- ]?(${MONTH})${E}`),
    build: (d, m) => ` @d/${d}/${monthNumber(m)} `,
  },
  {
    when: /-/,
    pattern: rx(`${S}(${MONTH})-(${MONTH})${E}`),
    build: (a, b) => ` @mr/${monthNumber(a)}/${monthNumber(b)} `,
  },
  { when: /\p{L}/u, pattern: rx(`${S}(${MONTH})${E}`), build: (m) => ` @m/${monthNumber(m)} ` },
];

// ---- Interpretation ----

interface Features {
  freq?: 'annual' | 'semiannual' | 'quarterly' | 'monthly';
  freqConflict: boolean;
  continuous: boolean;
  asNeeded: boolean;
  trigger?: AsNeededTrigger;
  note?: DeadlineNote;
  range?: { from: number; to: number };
  from?: number;
  years: number[];
  dates: { day: number; month: number }[];
  months: number[];
  monthRanges: { from: number; to: number }[];
  quarters: number[];
  halves: number[];
  nextMonthDay?: number;
  /** A dash joined two dates: a range, due at its end. */
  range2?: boolean;
  /** "жылына екі рет", "два раза в год". */
  twice?: boolean;
}

// The start of a date range: "с 1 марта по 30 апреля", "1 наурыздан 30 сәуірге дейін" → "1 марта - 30 апреля".
const RANGE_START_RU = new RegExp(`${S}с (${DAY} ?(?:${RU_MONTH})(?: ${YEAR} ?(?:года|г)?)?) по (?=\\d)`, 'gu');
const RANGE_START_KK = new RegExp(
  `${S}(${DAY}[- ]?(?:${KK_MONTHS.join('|')}))(?:дан|ден|тан|тен|нан|нен|ынан|інен) (?=\\d)`,
  'gu',
);

function tokenize(normalized: string): { tokens: string[]; leftover: string[] } {
  let text = normalized;
  if (/ по \d/.test(text)) text = text.replace(RANGE_START_RU, '$1 - ');
  if (/(?:дан|ден|тан|тен|нан|нен) \d/.test(text)) text = text.replace(RANGE_START_KK, '$1 - ');
  text = text.replace(PHRASE_RE, (...args: unknown[]) => {
    const index = PHRASE_SOURCES.findIndex((_, i) => args[i + 1] !== undefined);
    return ` ${PHRASES[index]?.[1] ?? ''} `;
  });
  for (const { when, pattern, build } of REWRITES) {
    if (when.test(text)) text = text.replace(pattern, (_m, ...g: string[]) => build(...g));
  }
  text = text.replace(CONNECTOR_RE, ' ');
  const tokens: string[] = [];
  const leftover: string[] = [];
  for (const word of text.split(/[\s,;:()"«»]+/)) {
    if (word === '' || word === '.') continue;
    // A dash between two dates makes a range ("1 наурыз – 30 сәуір"); elsewhere it says nothing.
    if (word === '-') {
      if (tokens.length > 0) tokens.push('@to');
      continue;
    }
    if (word.startsWith('@')) tokens.push(word);
    else leftover.push(word);
  }
  return { tokens, leftover };
}

function collect(tokens: readonly string[]): Features {
  const f: Features = {
    freqConflict: false,
    continuous: false,
    asNeeded: false,
    years: [],
    dates: [],
    months: [],
    monthRanges: [],
    quarters: [],
    halves: [],
  };
  for (const token of tokens) {
    const [head, a = '', b = ''] = token.slice(1).split('/');
    switch (head) {
      case 'annual':
      case 'semiannual':
      case 'quarterly':
      case 'monthly':
        if (f.freq !== undefined && f.freq !== head) f.freqConflict = true;
        f.freq = head;
        break;
      case 'continuous':
        f.continuous = true;
        break;
      case 'asneeded':
        f.asNeeded = true;
        break;
      case 'trigger':
        f.trigger = a as AsNeededTrigger;
        break;
      case 'note':
        f.note = a as DeadlineNote;
        break;
      case 'range':
        f.range = { from: Number(a), to: Number(b) };
        break;
      case 'from':
        f.from = Number(a);
        break;
      case 'year':
        f.years.push(Number(a));
        break;
      case 'd':
        f.dates.push({ day: Number(a), month: Number(b) });
        break;
      case 'm':
        f.months.push(Number(a));
        break;
      case 'mr':
        f.monthRanges.push({ from: Number(a), to: Number(b) });
        break;
      case 'q':
        f.quarters.push(Number(a));
        break;
      case 'h':
        f.halves.push(Number(a));
        break;
      case 'nmd':
        f.nextMonthDay = Number(a);
        break;
      case 'noise':
        break;
      case 'twice':
        f.twice = true;
        break;
      case 'to':
        f.range2 = true;
        break;
    }
  }
  return f;
}

const unparsed = (reason: string): DeadlineRule => ({ kind: 'unparsed', reason });

function yearsOf(f: Features): YearRange | undefined {
  if (f.range !== undefined) return { from: f.range.from, to: f.range.to };
  if (f.from !== undefined) return { from: f.from };
  return undefined;
}

/** Counts the date-like pieces, to tell "one date" from "several" from "a date plus a stray quarter". */
function pointCount(f: Features): number {
  return f.dates.length + f.months.length + f.monthRanges.length + f.quarters.length + f.halves.length;
}

function checkDates(f: Features, year?: number): string | undefined {
  for (const d of f.dates) {
    // Without a year, 29 February is allowed (it exists in some years); with one it must exist that year.
    if (!isValidCivilDate(year ?? 2024, d.month, d.day))
      return `no such date: day ${d.day} of month ${d.month}${year === undefined ? '' : ` ${year}`}`;
  }
  for (const r of f.monthRanges) if (r.to < r.from) return `month window runs backwards (${r.from}–${r.to})`;
  if (f.range !== undefined && f.range.to < f.range.from)
    return `year range runs backwards (${f.range.from}–${f.range.to})`;
  if (f.nextMonthDay !== undefined && (f.nextMonthDay < 1 || f.nextMonthDay > 31))
    return `no such day of a month: ${f.nextMonthDay}`;
  return undefined;
}

function recurringDays(f: Features): DayOfYear[] {
  return [
    ...f.dates.map((d): DayOfYear => ({ month: d.month, day: d.day })),
    ...f.monthRanges.map((r): DayOfYear => ({ month: r.to, day: 'last', fromMonth: r.from })),
    ...f.months.map((m): DayOfYear => ({ month: m, day: 'last' })),
  ];
}

function oneOff(f: Features, year: number): DeadlineRule {
  const points = pointCount(f);
  if (points === 2 && f.range2 === true && f.dates.length === 2) {
    const [a, b] = f.dates as [{ day: number; month: number }, { day: number; month: number }];
    const end = b.month * 100 + b.day >= a.month * 100 + a.day ? b : undefined;
    if (end === undefined) return unparsed('date range runs backwards');
    return { kind: 'once', due: formatIsoDate(year, end.month, end.day), precision: 'day' };
  }
  if (points > 1) return unparsed('several dates for a one-off deadline');
  const date = f.dates[0];
  if (date !== undefined) return { kind: 'once', due: formatIsoDate(year, date.month, date.day), precision: 'day' };
  const month = f.months[0] ?? f.monthRanges[0]?.to;
  if (month !== undefined) {
    return {
      kind: 'once',
      due: lastDayOfMonth(year, month),
      precision: 'month',
      period: formatPeriodKey(makePeriod('month', year, month)),
    };
  }
  const quarter = f.quarters[0];
  if (quarter !== undefined) {
    const period = makePeriod('quarter', year, quarter);
    return { kind: 'once', due: periodEnd(period), precision: 'quarter', period: formatPeriodKey(period) };
  }
  const half = f.halves[0];
  if (half !== undefined) {
    const period = makePeriod('half', year, half);
    return { kind: 'once', due: periodEnd(period), precision: 'half', period: formatPeriodKey(period) };
  }
  return { kind: 'once', due: formatIsoDate(year, 12, 31), precision: 'year', period: String(year) };
}

const DATE_TOKEN = /^@(?:d|m|mr|q|h)\//;

/**
 * Several one-off dates, each with its own year: "2022 жылғы 1 шілде, 2023 жылғы 1 шілде" (the
 * year first) or "1 июля 2022 года и 1 июля 2023 года" (the year last). The order of the first
 * date and the first year tells which; each year then takes the dates on its side of it.
 */
function severalOnce(tokens: readonly string[]): DeadlineRule {
  const yearAt = tokens.findIndex((t) => t.startsWith('@year/'));
  const dateAt = tokens.findIndex((t) => DATE_TOKEN.test(t));
  const yearFirst = dateAt < 0 || yearAt < dateAt;
  const groups: string[][] = [];
  let current: string[] = [];
  for (const token of tokens) {
    const isYear = token.startsWith('@year/');
    if (yearFirst && isYear && current.length > 0) {
      groups.push(current);
      current = [];
    }
    current.push(token);
    if (!yearFirst && isYear) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) {
    if (!yearFirst) return unparsed('a date after the last year');
    groups.push(current);
  }
  // "2021 жылғы 1 наурыз – 2022 жылғы 30 сәуір": a range over years, due at its end.
  const isRange =
    groups.length === 2 && ((groups[0] as string[]).at(-1) === '@to' || (groups[1] as string[])[0] === '@to');
  const dates: OnceDate[] = [];
  for (const raw of groups) {
    const group = raw.filter((t) => t !== '@to');
    if (group.some((t) => !t.startsWith('@year/') && !DATE_TOKEN.test(t)))
      return unparsed('more than one year with a schedule');
    const f = collect(group);
    const year = f.years[0] as number;
    const invalid = checkDates(f, year);
    if (invalid !== undefined) return unparsed(invalid);
    const rule = oneOff(f, year);
    if (rule.kind !== 'once') return rule;
    dates.push({ due: rule.due, precision: rule.precision, ...(rule.period !== undefined && { period: rule.period }) });
  }
  const sorted = [...dates].sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  if (isRange) {
    const [first, last] = dates as [OnceDate, OnceDate];
    if (last.due < first.due) return unparsed('date range runs backwards');
    return { kind: 'once', ...last };
  }
  return { kind: 'several_once', dates: sorted };
}

function interpret(f: Features, tokens: readonly string[]): DeadlineRule {
  if (f.twice === true) {
    const frequency = f.dates.length > 0 ? 'annual' : 'semiannual';
    if (f.freq !== undefined && f.freq !== frequency) return unparsed('two different frequencies');
    f.freq = frequency;
  }
  const years = yearsOf(f);
  const points = pointCount(f);
  const single = f.years.length === 1 ? f.years[0] : undefined;
  if (f.years.length > 1) {
    if (
      f.freq !== undefined ||
      f.continuous ||
      f.asNeeded ||
      f.range !== undefined ||
      f.from !== undefined ||
      f.nextMonthDay !== undefined
    )
      return unparsed('more than one year with a schedule');
    return severalOnce(tokens);
  }
  if (f.range !== undefined && f.from !== undefined) return unparsed('both a year range and a start year');
  if (f.freqConflict) return unparsed('two different frequencies');
  const invalid = checkDates(f, single);
  if (invalid !== undefined) return unparsed(invalid);

  if (f.trigger !== undefined || f.asNeeded) {
    if (f.freq !== undefined || f.continuous || points > 0 || single !== undefined || f.nextMonthDay !== undefined) {
      return unparsed('"as needed" together with a schedule');
    }
    return { kind: 'as_needed', ...(years && { years }), ...(f.trigger && { trigger: f.trigger }) };
  }

  if (f.freq !== undefined) {
    if (single !== undefined) return unparsed(`a recurring deadline tied to the single year ${single}`);
    if (f.freq === 'annual') {
      if (f.quarters.length > 0 || f.halves.length > 0)
        return unparsed('an annual deadline with a quarter or half-year');
      if (f.nextMonthDay !== undefined) {
        if (points > 0) return unparsed('both a fixed date and a date after the period');
        return { kind: 'annual', deadline: { monthsAfterPeriodEnd: 1, day: f.nextMonthDay }, ...(years && { years }) };
      }
      const days = recurringDays(f);
      if (days.length === 0) return { kind: 'annual', ...(years && { years }), ...(f.note && { note: f.note }) };
      if (days.length === 1 && f.months.length === 0 && f.monthRanges.length === 0) {
        return { kind: 'annual', by: days[0] as DayOfYear, ...(years && { years }) };
      }
      return { kind: 'periodic_dates', dates: days, ...(years && { years }) };
    }
    if (points > 0) return unparsed(`a ${f.freq} deadline with fixed dates`);
    const deadline = f.nextMonthDay === undefined ? undefined : { monthsAfterPeriodEnd: 1, day: f.nextMonthDay };
    return { kind: f.freq, ...(deadline && { deadline }), ...(years && { years }) };
  }

  if (f.nextMonthDay !== undefined) return unparsed('a day of "the next month" without saying how often');

  if (f.continuous) {
    if (points > 0 || single !== undefined) return unparsed('"continuously" together with a date');
    return { kind: 'continuous', ...(years && { years }), ...(f.note && { note: f.note }) };
  }

  if (single !== undefined) {
    if (years !== undefined) return unparsed('a single year together with a year range');
    return oneOff(f, single);
  }

  if (f.range !== undefined) {
    if (points > 0) return unparsed('a year range together with a date but no frequency');
    return { kind: 'during_years', years: { from: f.range.from, to: f.range.to }, ...(f.note && { note: f.note }) };
  }

  if (f.dates.length > 0 && f.quarters.length === 0 && f.halves.length === 0 && f.months.length === 0) {
    // Days without a year recur every year of the plan ("10 қаңтарға және 10 шілдеге қарай").
    const days = recurringDays(f);
    return days.length === 1
      ? { kind: 'annual', by: days[0] as DayOfYear, ...(years && { years }) }
      : { kind: 'periodic_dates', dates: days, ...(years && { years }) };
  }
  if (points > 0) return unparsed('a month, quarter or half-year without a year');
  if (f.from !== undefined) return unparsed(`a start year (${f.from}) without a schedule`);
  if (f.note !== undefined) return unparsed('a remark without a deadline');
  return unparsed('no deadline found');
}

/**
 * Parses one deadline cell. Understands the Kazakh and Russian forms of one-off dates, periods,
 * frequencies, year ranges, "continuously" and "as needed"; anything else — including a cell
 * with words it does not know — comes back as { kind: 'unparsed', reason }, never as a guess.
 */
export function parseDeadline(text: string): DeadlineRule {
  const normalized = normalizeDeadlineText(text);
  if (normalized === '' || normalized === '-') return unparsed('empty cell');
  let { tokens, leftover } = tokenize(normalized);
  if (leftover.length > 0 && HYPHEN_IN_WORD.test(normalized))
    ({ tokens, leftover } = tokenize(joinHyphenated(normalized)));
  if (leftover.length > 0)
    return unparsed(`unrecognised wording: ${leftover.map((w) => JSON.stringify(w)).join(', ')}`);
  if (tokens.length === 0) return unparsed('no deadline found');
  return interpret(collect(tokens), tokens);
}

const HYPHEN_IN_WORD = /\p{L}-\p{L}/u;

/**
 * Words a line break hyphenated ("нау-рызға", "қаң- тарға", "жыл-ғы"): each hyphen between two
 * letters is dropped when that leaves no more words the parser does not know, tried left to right.
 * "тамыз-қыркүйек" (a window of months) reads without joining, so it is never joined.
 */
function joinHyphenated(normalized: string): string {
  let text = normalized;
  const unknown = (t: string): number => tokenize(t).leftover.length;
  let best = unknown(text);
  for (let from = 0; best > 0;) {
    const m = /(\p{L})-(\p{L})/u.exec(text.slice(from));
    if (m === null) break;
    const at = from + m.index + 1;
    const joined = `${text.slice(0, at)}${text.slice(at + 1)}`;
    const score = unknown(joined);
    // A tie is taken too: a phrase broken in two places ("ч-исла месяца, с-ледующего") reads only once both are joined.
    if (score <= best) {
      text = joined;
      best = score;
      from = at;
    } else {
      from = at + 1;
    }
  }
  return text;
}
