// The obligations a reporting year creates under each kind of rule and policy, and their instants after the working-day shift.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { parseDeadline } from '../../../domain/deadline-language.js';
import { dueDatesForYear, obligationsForYear, resolveDeadline } from '../../../domain/due-dates.js';
import { QUARTERLY_POLICY, SEMIANNUAL_POLICY } from '../../../domain/policies.js';

const due = (text: string, year: number, policy = undefined as Parameters<typeof dueDatesForYear>[2]): string[] =>
  dueDatesForYear(parseDeadline(text), year, policy);

describe('due dates as written, default policy (decree 580)', () => {
  it.each([
    ['2018 жылғы 10 шілдеге қарай', 2018, ['2018-07-10']],
    ['2018 жылғы 10 шілдеге қарай', 2019, []],
    ['тоқсан сайын келесі айдың 5-не', 2019, ['2019-04-05', '2019-07-05', '2019-10-05', '2020-01-05']],
    ['2017 жылғы 4-тоқсан', 2017, ['2017-12-31']],
    ['жыл сайын 25 шілдеге, 25 желтоқсанға дейін', 2018, ['2018-07-25', '2018-12-25']],
    ['2018 жылғы қаңтар', 2018, ['2018-01-31']],
    ['жыл сайын', 2019, ['2020-01-10']],
    ['үнемі', 2019, ['2020-01-10']],
    ['жыл сайын, 1 желтоқсанға дейін', 2018, ['2018-12-01']],
    ['жыл сайын, 2017 – 2020 жылдар', 2020, ['2021-01-10']],
    ['жыл сайын, 2017 – 2020 жылдар', 2021, []],
    ['2019-2023 ж.ж.', 2023, ['2024-01-10']],
    ['2019-2023 ж.ж.', 2018, []],
    ['тоқсан сайын', 2019, ['2019-04-10', '2019-07-10', '2019-10-10', '2020-01-10']],
    ['Жартыжылдықта бір рет', 2019, ['2019-07-10', '2020-01-10']],
    ['10 қаңтарға және 10 шілдеге қарай', 2018, ['2018-07-10', '2019-01-10']],
    ['Жыл сайын тамыз-қыркүйек, қараша', 2019, ['2019-09-30', '2019-11-30']],
    ['2018 жылдан бастап, қажеттілігіне қарай', 2019, []],
    ['бір нәрсе', 2019, []],
  ] as const)('%s, year %i', (text, year, expected) => {
    expect(due(text, year)).toEqual(expected);
  });
});

describe('the plan’s policy decides what a rule without its own date owes', () => {
  it('continuous under the semi-annual programme: the half-year by 10 July, the year by 10 January', () => {
    expect(due('үнемі', 2018, SEMIANNUAL_POLICY)).toEqual(['2018-07-10', '2019-01-10']);
  });

  it('a quarterly rule under a quarterly policy: by the 5th', () => {
    expect(due('тоқсан сайын', 2019, QUARTERLY_POLICY)).toEqual([
      '2019-04-05',
      '2019-07-05',
      '2019-10-05',
      '2020-01-05',
    ]);
  });

  it('tells which period each obligation covers', () => {
    expect(obligationsForYear(parseDeadline('тоқсан сайын'), 2019).map((o) => o.period)).toEqual([
      '2019-Q1',
      '2019-Q2',
      '2019-Q3',
      '2019-Q4',
    ]);
    expect(obligationsForYear(parseDeadline('2017 жылғы 4-тоқсан'), 2017)).toEqual([
      { period: '2017-Q4', due: '2017-12-31' },
    ]);
  });
});

describe('from a date as written to an instant', () => {
  it('shifts off non-working days, then takes the end of the local day', () => {
    expect(resolveDeadline('2024-01-10', KZ_WORKING_CALENDAR)).toEqual({
      asWritten: '2024-01-10',
      due: '2024-01-10',
      instant: Date.parse('2024-01-10T17:59:59.999Z'),
    });
    const saturday = resolveDeadline('2026-01-10', KZ_WORKING_CALENDAR);
    expect(saturday.due).toBe('2026-01-12');
    expect(new Date(saturday.instant).toISOString()).toBe('2026-01-12T18:59:59.999Z');
    expect(resolveDeadline('2026-01-10', KZ_WORKING_CALENDAR, { shift: 'previous' }).due).toBe('2026-01-09');
    expect(resolveDeadline('2026-01-10', KZ_WORKING_CALENDAR, { shift: 'none' }).due).toBe('2026-01-10');
  });
});
