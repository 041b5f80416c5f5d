// Kazakhstan's working days: specific facts per year, the rules behind them, and the engine on edited data.
import { describe, expect, it } from 'vitest';
import {
  deriveMovedDaysOff,
  validateCalendarEntries,
  WorkingCalendar,
  type CalendarEntry,
} from '../../../domain/calendar.js';
import {
  KURBAN_AIT_FIRST_DAY,
  KZ_CALENDAR_SEED,
  KZ_CALENDAR_YEARS,
  KZ_WORKING_CALENDAR,
} from '../../../domain/calendar-seed-kz.js';

const kz = KZ_WORKING_CALENDAR;
const holidayDates = (year: number): string[] =>
  kz
    .nonWorkingDays(year)
    .filter((d) => d.kind !== 'weekend')
    .map((d) => d.date);

describe('specific facts', () => {
  it('moves a deadline on Saturday 23 March 2024 (Nauryz) past the moved day off to Tuesday 26 March', () => {
    expect(kz.isWorkingDay('2024-03-23')).toBe(false);
    expect(kz.nonWorkingReason('2024-03-25')?.kind).toBe('holiday_moved');
    expect(kz.shift('2024-03-23', 'next')).toBe('2024-03-26');
    expect(kz.shift('2024-03-23', 'previous')).toBe('2024-03-20');
    expect(kz.shift('2024-03-23', 'none')).toBe('2024-03-23');
  });

  it('does not move Orthodox Christmas on Sunday 7 January 2024', () => {
    expect(kz.nonWorkingReason('2024-01-07')?.reason.en).toBe('Orthodox Christmas');
    expect(kz.isWorkingDay('2024-01-08')).toBe(true);
  });

  it('does not move Kurban ait on a weekend (Sunday 16 June 2024)', () => {
    expect(kz.nonWorkingReason('2024-06-16')?.reason.en).toBe('Kurban Ait (first day)');
    expect(kz.isWorkingDay('2024-06-17')).toBe(true);
  });

  it('knows the 2022 amendment: 25 Oct restored, 1 Dec and 17 Dec no longer days off', () => {
    expect(holidayDates(2022)).toEqual([
      '2022-01-01',
      '2022-01-02',
      '2022-01-03',
      '2022-01-04',
      '2022-01-07',
      '2022-03-07',
      '2022-03-08',
      '2022-03-21',
      '2022-03-22',
      '2022-03-23',
      '2022-05-01',
      '2022-05-02',
      '2022-05-07',
      '2022-05-09',
      '2022-05-10',
      '2022-07-06',
      '2022-07-09',
      '2022-08-29',
      '2022-08-30',
      '2022-10-24',
      '2022-10-25',
      '2022-12-16',
    ]);
    expect(kz.isWorkingDay('2022-12-01')).toBe(true);
    expect(kz.isWorkingDay('2021-12-01')).toBe(false);
    expect(kz.isWorkingDay('2021-12-17')).toBe(false);
    expect(kz.isWorkingDay('2023-10-25')).toBe(false);
  });

  it('applies a transfer year (2018: five Saturdays made working days for five bridge days)', () => {
    expect(kz.workingWeekendDays(2018).map((e) => e.date)).toEqual([
      '2018-03-03',
      '2018-04-28',
      '2018-05-05',
      '2018-08-25',
      '2018-12-29',
    ]);
    for (const bridge of ['2018-03-09', '2018-04-30', '2018-05-08', '2018-08-31', '2018-12-31']) {
      expect(kz.nonWorkingReason(bridge)?.kind).toBe('transfer_day_off');
    }
    expect(kz.isWorkingDay('2018-03-03')).toBe(true);
  });

  it('lets a transfer act make a moved day off a working day (11 May 2020 → 8 May)', () => {
    expect(kz.isWorkingDay('2020-05-11')).toBe(true);
    expect(kz.isWorkingDay('2020-05-08')).toBe(false);
  });

  it('moves two weekend holidays in a row to consecutive working days (Nauryz 2020: 21–25 March off)', () => {
    expect(
      ['2020-03-21', '2020-03-22', '2020-03-23', '2020-03-24', '2020-03-25'].every((d) => !kz.isWorkingDay(d)),
    ).toBe(true);
    expect(kz.isWorkingDay('2020-03-26')).toBe(true);
  });

  it('knows 2026 without 30 August and 2027 with Constitution Day on 15 March', () => {
    expect(kz.isWorkingDay('2026-08-31')).toBe(true);
    expect(kz.nonWorkingReason('2027-03-15')?.reason.en).toBe('Constitution Day');
    expect(kz.isWorkingDay('2027-08-30')).toBe(true);
  });

  it('counts 117 non-working days in 2024 and 119 in 2025 (five-day week)', () => {
    expect(kz.nonWorkingDays(2024)).toHaveLength(117);
    expect(kz.nonWorkingDays(2025)).toHaveLength(119);
  });

  it('handles the deadlines MISSION.md names: 10 January 2026 (Saturday) and 2027 (Sunday)', () => {
    expect(kz.shift('2026-01-10')).toBe('2026-01-12');
    expect(kz.shift('2027-01-10')).toBe('2027-01-11');
    expect(kz.shift('2026-01-10', 'previous')).toBe('2026-01-09');
  });
});

describe('the seed data', () => {
  it('gives every row a source and names in three languages, and passes validation', () => {
    expect(validateCalendarEntries(KZ_CALENDAR_SEED)).toEqual([]);
    expect(KZ_CALENDAR_SEED.every((e) => e.source.length > 10)).toBe(true);
  });

  it('is plain serialisable data', () => {
    expect(JSON.parse(JSON.stringify(KZ_CALENDAR_SEED))).toEqual(KZ_CALENDAR_SEED);
  });

  it('covers 2017–2027 and marks 2026 and 2027 provisional', () => {
    expect(KZ_CALENDAR_YEARS.map((y) => y.year)).toEqual([
      2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027,
    ]);
    expect(KZ_CALENDAR_YEARS.filter((y) => y.status === 'provisional').map((y) => y.year)).toEqual([2026, 2027]);
    expect(kz.nonWorkingReason('2026-05-27')?.status).toBe('provisional');
    expect(kz.nonWorkingReason('2024-05-08')?.status).toBe('official');
  });

  it('has a first day of Kurban ait for every year, each a non-movable holiday', () => {
    for (let year = 2017; year <= 2027; year++) {
      const kurban = KURBAN_AIT_FIRST_DAY[year];
      expect(kurban, String(year)).toBeDefined();
      const row = KZ_CALENDAR_SEED.find((e) => e.date === kurban?.date && e.kind === 'holiday');
      expect(row?.movable).toBe(false);
    }
  });

  it('cites decrees until 2023 and orders of the Minister of Labour from 2024', () => {
    const transfers = KZ_CALENDAR_SEED.filter((e) => e.kind === 'transfer_day_off');
    expect(transfers.filter((e) => e.date < '2024').every((e) => e.source.startsWith('Government decree'))).toBe(true);
    expect(transfers.filter((e) => e.date >= '2024').every((e) => e.source.includes('Minister of Labour'))).toBe(true);
  });
});

describe('the engine on edited data', () => {
  const row = (date: string, kind: CalendarEntry['kind'], movable = true): CalendarEntry => ({
    date,
    kind,
    nameKk: 'x',
    nameRu: 'x',
    nameEn: date,
    source: 'test',
    movable,
  });

  it('takes a table an admin edited: an added day off counts at once', () => {
    const edited = WorkingCalendar.fromEntries([...KZ_CALENDAR_SEED, row('2024-04-01', 'transfer_day_off')]);
    expect(edited.isWorkingDay('2024-04-01')).toBe(false);
    expect(kz.isWorkingDay('2024-04-01')).toBe(true);
  });

  it('derives moved days off, skipping non-movable holidays', () => {
    const moved = deriveMovedDaysOff(
      [row('2028-01-01', 'holiday'), row('2028-01-02', 'holiday'), row('2028-01-08', 'holiday', false)],
      'law',
    );
    expect(moved.map((m) => [m.date, m.relatedDate])).toEqual([
      ['2028-01-03', '2028-01-01'],
      ['2028-01-04', '2028-01-02'],
    ]);
  });

  it('counts working days back for reminders, and calendar days too', () => {
    expect(kz.subtractWorkingDays('2024-03-26', 1)).toBe('2024-03-20');
    expect(kz.subtractDays('2024-03-26', 3, 'working')).toBe('2024-03-18');
    expect(kz.subtractDays('2024-03-26', 3, 'calendar')).toBe('2024-03-23');
    expect(kz.addWorkingDays('2024-03-20', 1)).toBe('2024-03-26');
    expect(kz.subtractWorkingDays('2024-03-26', 0)).toBe('2024-03-26');
  });

  it('knows only weekends for a year outside the table, and says so', () => {
    expect(kz.yearInfo(2030)).toBeUndefined();
    expect(kz.isWorkingDay('2030-01-01')).toBe(true);
    expect(kz.nonWorkingReason('2030-01-05')?.kind).toBe('weekend');
  });

  it('names bad rows by path', () => {
    expect(
      validateCalendarEntries([
        { date: '2024-02-30', kind: 'feast', nameKk: '', nameRu: 'x', nameEn: 'x', source: 'x' },
      ]),
    ).toEqual([
      { path: 'entries[0].date', message: 'must be a date YYYY-MM-DD' },
      {
        path: 'entries[0].kind',
        message: 'must be one of holiday, holiday_moved, transfer_day_off, transfer_working_day',
      },
      { path: 'entries[0].nameKk', message: 'must be a non-empty string' },
    ]);
    expect(() => WorkingCalendar.fromEntries([row('2024-13-01', 'holiday')])).toThrow('entries[0].date');
  });
});
