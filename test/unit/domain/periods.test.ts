// Reporting periods: keys, containment, neighbours, bounds and labels in three languages.
import { describe, expect, it } from 'vitest';
import {
  comparePeriods,
  formatPeriodKey,
  isPeriodKey,
  nextPeriod,
  parsePeriodKey,
  periodContainsDate,
  periodContaining,
  periodEnd,
  periodLabel,
  periodsOfYear,
  periodStart,
  previousPeriod,
} from '../../../domain/periods.js';

describe('period keys', () => {
  it.each([
    ['2019', { kind: 'year', year: 2019 }],
    ['2019-H1', { kind: 'half', year: 2019, half: 1 }],
    ['2019-Q3', { kind: 'quarter', year: 2019, quarter: 3 }],
    ['2019-07', { kind: 'month', year: 2019, month: 7 }],
  ] as const)('%s parses and formats back', (key, period) => {
    expect(parsePeriodKey(key)).toEqual(period);
    expect(formatPeriodKey(period)).toBe(key);
  });

  it('recognises keys without throwing', () => {
    expect(['2019', '2019-H2', '2019-Q4', '2019-12'].every(isPeriodKey)).toBe(true);
    expect(['2019-Q0', 2019, null].some(isPeriodKey)).toBe(false);
  });

  it.each(['19', '2019-Q5', '2019-H3', '2019-13', '2019-7', '2019-q1', ' 2019', '2019-00'])(
    'rejects %j naming it',
    (key) => {
      expect(() => parsePeriodKey(key)).toThrow(JSON.stringify(key));
    },
  );
});

describe('which period a date falls in', () => {
  it.each([
    ['year', '2019-07-15', '2019'],
    ['half', '2019-06-30', '2019-H1'],
    ['half', '2019-07-01', '2019-H2'],
    ['quarter', '2019-03-31', '2019-Q1'],
    ['quarter', '2019-10-01', '2019-Q4'],
    ['month', '2019-02-28', '2019-02'],
  ] as const)('%s of %s is %s', (kind, date, key) => {
    expect(formatPeriodKey(periodContaining(kind, date))).toBe(key);
  });
});

describe('bounds and neighbours', () => {
  it('knows first and last days, leap years included', () => {
    expect(periodStart(parsePeriodKey('2019-Q3'))).toBe('2019-07-01');
    expect(periodEnd(parsePeriodKey('2019-Q3'))).toBe('2019-09-30');
    expect(periodEnd(parsePeriodKey('2024-02'))).toBe('2024-02-29');
    expect(periodEnd(parsePeriodKey('2019-H1'))).toBe('2019-06-30');
    expect(periodEnd(parsePeriodKey('2019'))).toBe('2019-12-31');
  });

  it('knows which dates a period contains', () => {
    expect(periodContainsDate(parsePeriodKey('2019-Q3'), '2019-07-01')).toBe(true);
    expect(periodContainsDate(parsePeriodKey('2019-Q3'), '2019-10-01')).toBe(false);
  });

  it('steps across year boundaries', () => {
    expect(formatPeriodKey(nextPeriod(parsePeriodKey('2019-Q4')))).toBe('2020-Q1');
    expect(formatPeriodKey(previousPeriod(parsePeriodKey('2020-01')))).toBe('2019-12');
    expect(formatPeriodKey(nextPeriod(parsePeriodKey('2019-H2')))).toBe('2020-H1');
    expect(formatPeriodKey(previousPeriod(parsePeriodKey('2019')))).toBe('2018');
  });

  it('lists a year’s periods in order', () => {
    expect(periodsOfYear('quarter', 2019).map(formatPeriodKey)).toEqual(['2019-Q1', '2019-Q2', '2019-Q3', '2019-Q4']);
    expect(periodsOfYear('month', 2019)).toHaveLength(12);
    const mixed = ['2019-Q2', '2019', '2019-04', '2019-H1']
      .map(parsePeriodKey)
      .sort(comparePeriods)
      .map(formatPeriodKey);
    expect(mixed).toEqual(['2019', '2019-H1', '2019-Q2', '2019-04']);
  });
});

describe('labels', () => {
  it.each([
    ['2019-Q1', 'kk', '2019 жылғы 1-тоқсан'],
    ['2019-Q1', 'ru', 'I квартал 2019 года'],
    ['2019-Q1', 'en', 'Q1 2019'],
    ['2019-H2', 'kk', '2019 жылғы 2-жартыжылдық'],
    ['2019-H2', 'ru', 'II полугодие 2019 года'],
    ['2019-01', 'kk', '2019 жылғы қаңтар'],
    ['2019-01', 'ru', 'январь 2019 года'],
    ['2019-12', 'en', 'December 2019'],
    ['2019', 'kk', '2019 жыл'],
    ['2019', 'ru', '2019 год'],
  ] as const)('%s in %s is %s', (key, lang, label) => {
    expect(periodLabel(parsePeriodKey(key), lang)).toBe(label);
  });
});
