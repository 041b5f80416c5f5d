// Properties that must hold for every date and period, checked with fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { fromDayNumber, toDayNumber } from '../../../domain/dates.js';
import { parseDeadline } from '../../../domain/deadline-language.js';
import {
  formatPeriodKey,
  makePeriod,
  nextPeriod,
  parsePeriodKey,
  periodContaining,
  periodEnd,
  periodStart,
  previousPeriod,
  type PeriodKind,
} from '../../../domain/periods.js';
import { endOfLocalDay, localDateOf } from '../../../domain/tz.js';

const kz = KZ_WORKING_CALENDAR;
const PER_YEAR: Record<PeriodKind, number> = { year: 1, half: 2, quarter: 4, month: 12 };

// Days from 2016-01-01 to 2028-12-31: the seeded years and a margin either side.
const dateArb = fc.integer({ min: toDayNumber('2016-01-01'), max: toDayNumber('2028-12-31') }).map(fromDayNumber);
const directionArb = fc.constantFrom('next' as const, 'previous' as const);
const periodArb = fc
  .constantFrom<PeriodKind>('year', 'half', 'quarter', 'month')
  .chain((kind) =>
    fc
      .record({ year: fc.integer({ min: 1900, max: 2199 }), index: fc.integer({ min: 1, max: PER_YEAR[kind] }) })
      .map(({ year, index }) => makePeriod(kind, year, index)),
  );

describe('working-day shift', () => {
  it('always lands on a working day', () => {
    fc.assert(fc.property(dateArb, directionArb, (date, direction) => kz.isWorkingDay(kz.shift(date, direction))));
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(dateArb, directionArb, (date, direction) => {
        const once = kz.shift(date, direction);
        return kz.shift(once, direction) === once;
      }),
    );
  });

  it('never moves a working day, and moves in the asked direction', () => {
    fc.assert(
      fc.property(dateArb, directionArb, (date, direction) => {
        const shifted = kz.shift(date, direction);
        if (kz.isWorkingDay(date)) return shifted === date;
        return direction === 'next' ? shifted > date : shifted < date;
      }),
    );
  });

  it('counting N working days back and forth returns to a working day', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 40 }), (date, n) => {
        const start = kz.shift(date, 'next');
        return kz.addWorkingDays(kz.subtractWorkingDays(start, n), n) === start;
      }),
    );
  });
});

describe('period arithmetic', () => {
  it('round-trips next(prev(p)) = p and prev(next(p)) = p', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        expect(nextPeriod(previousPeriod(p))).toEqual(p);
        expect(previousPeriod(nextPeriod(p))).toEqual(p);
      }),
    );
  });

  it('round-trips keys', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        expect(parsePeriodKey(formatPeriodKey(p))).toEqual(p);
      }),
    );
  });

  it('tiles time: a period ends the day before the next one starts, and contains its own bounds', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        expect(toDayNumber(periodEnd(p)) + 1).toBe(toDayNumber(periodStart(nextPeriod(p))));
        expect(periodContaining(p.kind, periodStart(p))).toEqual(p);
        expect(periodContaining(p.kind, periodEnd(p))).toEqual(p);
      }),
    );
  });
});

describe('deadline instants', () => {
  it('end of a local day still belongs to that day, and 1 ms later is the next day', () => {
    fc.assert(
      fc.property(dateArb, (date) => {
        const instant = endOfLocalDay(date);
        expect(localDateOf(instant)).toBe(date);
        expect(localDateOf(instant + 1)).toBe(fromDayNumber(toDayNumber(date) + 1));
      }),
    );
  });
});

describe('the parser', () => {
  it('never throws, whatever a cell contains', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(typeof parseDeadline(text).kind).toBe('string');
      }),
    );
  });
});
