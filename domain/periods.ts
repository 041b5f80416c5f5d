// Reporting periods (year, half-year, quarter, month): the unit a reporting cycle covers, with stable string keys for ids and URLs.
import { dayNumberFromCivil, formatIsoDate, lastDayOfMonth, parseIsoDate, type IsoDate } from './dates.js';
import type { Lang } from './lang.js';

export type PeriodKind = 'year' | 'half' | 'quarter' | 'month';

export type Period =
  | { readonly kind: 'year'; readonly year: number }
  | { readonly kind: 'half'; readonly year: number; readonly half: 1 | 2 }
  | { readonly kind: 'quarter'; readonly year: number; readonly quarter: 1 | 2 | 3 | 4 }
  | { readonly kind: 'month'; readonly year: number; readonly month: number };

/** "2019", "2019-H1", "2019-Q3", "2019-07". */
export type PeriodKey = string;

export const PERIOD_KINDS: readonly PeriodKind[] = ['year', 'half', 'quarter', 'month'];

const MONTHS_PER: Readonly<Record<PeriodKind, number>> = { year: 12, half: 6, quarter: 3, month: 1 };
const PER_YEAR: Readonly<Record<PeriodKind, number>> = { year: 1, half: 2, quarter: 4, month: 12 };
const PERIOD_KEY = /^(\d{4})(?:-(?:H([12])|Q([1-4])|(0[1-9]|1[0-2])))?$/;

export function isPeriodKind(value: unknown): value is PeriodKind {
  return value === 'year' || value === 'half' || value === 'quarter' || value === 'month';
}

/** Parses a period key; throws a RangeError quoting the bad key. */
export function parsePeriodKey(key: string): Period {
  const m = PERIOD_KEY.exec(key);
  if (m === null) {
    throw new RangeError(`not a period key (expected YYYY, YYYY-H1, YYYY-Q3 or YYYY-MM): ${JSON.stringify(key)}`);
  }
  const year = Number(m[1]);
  if (m[2] !== undefined) return { kind: 'half', year, half: Number(m[2]) as 1 | 2 };
  if (m[3] !== undefined) return { kind: 'quarter', year, quarter: Number(m[3]) as 1 | 2 | 3 | 4 };
  if (m[4] !== undefined) return { kind: 'month', year, month: Number(m[4]) };
  return { kind: 'year', year };
}

export function isPeriodKey(value: unknown): value is PeriodKey {
  return typeof value === 'string' && PERIOD_KEY.test(value);
}

export function formatPeriodKey(period: Period): PeriodKey {
  const y = String(period.year).padStart(4, '0');
  switch (period.kind) {
    case 'year':
      return y;
    case 'half':
      return `${y}-H${period.half}`;
    case 'quarter':
      return `${y}-Q${period.quarter}`;
    case 'month':
      return `${y}-${period.month < 10 ? '0' : ''}${period.month}`;
  }
}

/** Position of the period within its year, 1-based (the month of a month, the quarter of a quarter…). */
export function periodIndex(period: Period): number {
  switch (period.kind) {
    case 'year':
      return 1;
    case 'half':
      return period.half;
    case 'quarter':
      return period.quarter;
    case 'month':
      return period.month;
  }
}

/** Builds the index-th period of `kind` in `year` (1-based). */
export function makePeriod(kind: PeriodKind, year: number, index: number): Period {
  if (!Number.isInteger(index) || index < 1 || index > PER_YEAR[kind]) {
    throw new RangeError(`a ${kind} index must be 1..${PER_YEAR[kind]}, got ${index}`);
  }
  switch (kind) {
    case 'year':
      return { kind, year };
    case 'half':
      return { kind, year, half: index as 1 | 2 };
    case 'quarter':
      return { kind, year, quarter: index as 1 | 2 | 3 | 4 };
    case 'month':
      return { kind, year, month: index };
  }
}

export function firstMonthOf(period: Period): number {
  return (periodIndex(period) - 1) * MONTHS_PER[period.kind] + 1;
}

export function lastMonthOf(period: Period): number {
  return periodIndex(period) * MONTHS_PER[period.kind];
}

export function periodStart(period: Period): IsoDate {
  return formatIsoDate(period.year, firstMonthOf(period), 1);
}

/** The period's last day (a deadline "by the end of Q4 2017" is this date). */
export function periodEnd(period: Period): IsoDate {
  return lastDayOfMonth(period.year, lastMonthOf(period));
}

export function periodContaining(kind: PeriodKind, date: IsoDate): Period {
  const { year, month } = parseIsoDate(date);
  return makePeriod(kind, year, Math.ceil(month / MONTHS_PER[kind]));
}

export function nextPeriod(period: Period): Period {
  const index = periodIndex(period);
  return index === PER_YEAR[period.kind]
    ? makePeriod(period.kind, period.year + 1, 1)
    : makePeriod(period.kind, period.year, index + 1);
}

export function previousPeriod(period: Period): Period {
  const index = periodIndex(period);
  return index === 1
    ? makePeriod(period.kind, period.year - 1, PER_YEAR[period.kind])
    : makePeriod(period.kind, period.year, index - 1);
}

export function periodsOfYear(kind: PeriodKind, year: number): Period[] {
  return Array.from({ length: PER_YEAR[kind] }, (_, i) => makePeriod(kind, year, i + 1));
}

/** The periods of a kind that start between the starts of `from` and `to`, both included (a backfill's range). */
export function periodsBetween(kind: PeriodKind, from: Period, to: Period): Period[] {
  const periods: Period[] = [];
  for (let y = from.year; y <= to.year; y++)
    for (const p of periodsOfYear(kind, y))
      if (periodStart(p) >= periodStart(from) && periodStart(p) <= periodStart(to)) periods.push(p);
  return periods;
}

/** Orders periods by their start; periods of different kinds that start together are ordered longest first. */
export function comparePeriods(a: Period, b: Period): number {
  const byStart = dayNumberFromCivil(a.year, firstMonthOf(a), 1) - dayNumberFromCivil(b.year, firstMonthOf(b), 1);
  return byStart !== 0 ? byStart : MONTHS_PER[b.kind] - MONTHS_PER[a.kind];
}

export function periodContainsDate(period: Period, date: IsoDate): boolean {
  return date >= periodStart(period) && date <= periodEnd(period);
}

const MONTHS_KK = [
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
const MONTHS_RU = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ROMAN = ['I', 'II', 'III', 'IV'];

/** The period as decrees and reports write it: "2019 жылғы 1-тоқсан", "I квартал 2019 года", "Q1 2019". */
export function periodLabel(period: Period, lang: Lang): string {
  const y = period.year;
  const i = periodIndex(period);
  if (lang === 'kk') {
    switch (period.kind) {
      case 'year':
        return `${y} жыл`;
      case 'half':
        return `${y} жылғы ${i}-жартыжылдық`;
      case 'quarter':
        return `${y} жылғы ${i}-тоқсан`;
      case 'month':
        return `${y} жылғы ${MONTHS_KK[i - 1]}`;
    }
  }
  if (lang === 'ru') {
    switch (period.kind) {
      case 'year':
        return `${y} год`;
      case 'half':
        return `${ROMAN[i - 1]} полугодие ${y} года`;
      case 'quarter':
        return `${ROMAN[i - 1]} квартал ${y} года`;
      case 'month':
        return `${MONTHS_RU[i - 1]} ${y} года`;
    }
  }
  switch (period.kind) {
    case 'year':
      return `${y}`;
    case 'half':
      return `H${i} ${y}`;
    case 'quarter':
      return `Q${i} ${y}`;
    case 'month':
      return `${MONTHS_EN[i - 1]} ${y}`;
  }
}
