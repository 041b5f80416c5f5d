// The working-day calendar engine: which days are working days, given weekends and an editable table of holidays and transfers.
import {
  addDays,
  fromDayNumber,
  isIsoDate,
  parseIsoDate,
  toDayNumber,
  weekdayOfDayNumber,
  type DayNumber,
  type IsoDate,
  type Weekday,
} from './dates.js';
import type { LocalizedText } from './lang.js';

/**
 * - holiday: a non-working public holiday on its own date;
 * - holiday_moved: the day off a holiday that fell on a weekend gives the next working day;
 * - transfer_day_off: a working day made a day off by the yearly transfer act (a bridge day);
 * - transfer_working_day: a day off (usually a Saturday) made a working day by that act.
 */
export type CalendarEntryKind = 'holiday' | 'holiday_moved' | 'transfer_day_off' | 'transfer_working_day';

export const CALENDAR_ENTRY_KINDS: readonly CalendarEntryKind[] = [
  'holiday',
  'holiday_moved',
  'transfer_day_off',
  'transfer_working_day',
];

export type DataStatus = 'official' | 'provisional';

/** One row of the calendar table: plain, serialisable, editable by an admin. */
export interface CalendarEntry {
  readonly date: IsoDate;
  readonly kind: CalendarEntryKind;
  readonly nameKk: string;
  readonly nameRu: string;
  readonly nameEn: string;
  /** The act that makes it so: a law, a Government decree, an order of the Minister of Labour. */
  readonly source: string;
  /** The other day of the swap: the weekend holiday of a holiday_moved, the other half of a transfer. */
  readonly relatedDate?: IsoDate;
  /** Holidays only: false for days off that never move to a working day (7 January, Kurban ait). */
  readonly movable?: boolean;
  readonly status?: DataStatus;
  readonly note?: string;
}

/** What is known about one year of the calendar: 'provisional' until the year's transfer act is out. */
export interface CalendarYearInfo {
  readonly year: number;
  readonly status: DataStatus;
  readonly note?: string;
}

export type NonWorkingReason = CalendarEntryKind | 'weekend';

export interface NonWorkingDay {
  readonly date: IsoDate;
  readonly kind: NonWorkingReason;
  readonly reason: LocalizedText;
  readonly source: string;
  readonly status: DataStatus;
}

/** What a deadline on a non-working day does: move to the next working day (the default), to the previous one, or stay. */
export type ShiftDirection = 'next' | 'previous' | 'none';

export function isShiftDirection(value: unknown): value is ShiftDirection {
  return value === 'next' || value === 'previous' || value === 'none';
}

/** Reminder offsets count either plain calendar days or working days. */
export type DayCountUnit = 'calendar' | 'working';

export interface WorkingCalendarOptions {
  /** Weekdays that are days off (0 = Sunday). Kazakhstan's five-day week: Saturday and Sunday. */
  readonly weekend?: readonly Weekday[];
  /** Which years the table covers and how firmly; a year not listed is "unknown" (weekends only). */
  readonly years?: readonly CalendarYearInfo[];
}

const WEEKEND_REASON: LocalizedText = { kk: 'Демалыс күні', ru: 'Выходной день', en: 'Weekend' };
const WEEKEND_SOURCE =
  'Labour Code of the RK No. 414-V of 23 Nov 2015, art. 84 (five-day working week: Saturday and Sunday off)';
// A shift or count that walks further than this has met a calendar with no working days at all.
const MAX_WALK_DAYS = 3660;

export class CalendarDataError extends Error {
  override readonly name = 'CalendarDataError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/**
 * Answers working-day questions from weekends plus entries. Every lookup is O(1): the entries are
 * folded once into two sets of day numbers (extra days off, weekend days made working).
 */
export class WorkingCalendar {
  private readonly daysOff = new Set<DayNumber>();
  private readonly workingOverrides = new Set<DayNumber>();
  private readonly byDay = new Map<DayNumber, CalendarEntry[]>();
  private readonly weekend: ReadonlySet<Weekday>;
  private readonly years = new Map<number, CalendarYearInfo>();

  private constructor(entries: readonly CalendarEntry[], options: WorkingCalendarOptions) {
    this.weekend = new Set(options.weekend ?? [0, 6]);
    for (const info of options.years ?? []) this.years.set(info.year, info);
    entries.forEach((entry, i) => {
      if (!isIsoDate(entry.date))
        throw new CalendarDataError(`entries[${i}].date`, `not a date: ${JSON.stringify(entry.date)}`);
      const day = toDayNumber(entry.date);
      const list = this.byDay.get(day);
      if (list === undefined) this.byDay.set(day, [entry]);
      else list.push(entry);
      if (entry.kind === 'transfer_working_day') this.workingOverrides.add(day);
      else this.daysOff.add(day);
    });
  }

  /** Builds a calendar from table rows (the seed or an admin-edited copy); throws CalendarDataError naming a bad row. */
  static fromEntries(entries: readonly CalendarEntry[], options: WorkingCalendarOptions = {}): WorkingCalendar {
    return new WorkingCalendar(entries, options);
  }

  isWorkingDayNumber(day: DayNumber): boolean {
    // A transfer act outranks everything: it can make even a moved holiday a working day (11 May 2020).
    if (this.workingOverrides.has(day)) return true;
    if (this.daysOff.has(day)) return false;
    return !this.weekend.has(weekdayOfDayNumber(day));
  }

  isWorkingDay(date: IsoDate): boolean {
    return this.isWorkingDayNumber(toDayNumber(date));
  }

  /** The table's verdict on a year: undefined when the table does not cover it (only weekends are known). */
  yearInfo(year: number): CalendarYearInfo | undefined {
    return this.years.get(year);
  }

  entriesOn(date: IsoDate): readonly CalendarEntry[] {
    return this.byDay.get(toDayNumber(date)) ?? [];
  }

  /** Why `date` is not a working day, or undefined if it is one. */
  nonWorkingReason(date: IsoDate): NonWorkingDay | undefined {
    const day = toDayNumber(date);
    if (this.isWorkingDayNumber(day)) return undefined;
    const offEntries = (this.byDay.get(day) ?? []).filter((e) => e.kind !== 'transfer_working_day');
    if (offEntries.length === 0) {
      return { date, kind: 'weekend', reason: WEEKEND_REASON, source: WEEKEND_SOURCE, status: this.statusOf(date) };
    }
    const first = offEntries[0] as CalendarEntry;
    const join = (pick: (e: CalendarEntry) => string): string => [...new Set(offEntries.map(pick))].join('; ');
    return {
      date,
      kind: first.kind,
      reason: { kk: join((e) => e.nameKk), ru: join((e) => e.nameRu), en: join((e) => e.nameEn) },
      source: join((e) => e.source),
      status: offEntries.some((e) => e.status === 'provisional') ? 'provisional' : this.statusOf(date),
    };
  }

  /** Every non-working day of `year`, weekends included, in date order. */
  nonWorkingDays(year: number): NonWorkingDay[] {
    const result: NonWorkingDay[] = [];
    const first = toDayNumber(`${String(year).padStart(4, '0')}-01-01`);
    const last = toDayNumber(`${String(year).padStart(4, '0')}-12-31`);
    for (let day = first; day <= last; day++) {
      if (!this.isWorkingDayNumber(day)) result.push(this.nonWorkingReason(fromDayNumber(day)) as NonWorkingDay);
    }
    return result;
  }

  /** Weekend days of `year` that the transfer acts made working days. */
  workingWeekendDays(year: number): CalendarEntry[] {
    const prefix = `${String(year).padStart(4, '0')}-`;
    return [...this.byDay.values()]
      .flat()
      .filter((e) => e.kind === 'transfer_working_day' && e.date.startsWith(prefix))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }

  /** The deadline a plan actually has: `date` itself if it is a working day, else the next / previous working day. Idempotent. */
  shift(date: IsoDate, direction: ShiftDirection = 'next'): IsoDate {
    if (direction === 'none') return date;
    const start = toDayNumber(date);
    const step = direction === 'next' ? 1 : -1;
    for (let day = start, walked = 0; walked <= MAX_WALK_DAYS; day += step, walked++) {
      if (this.isWorkingDayNumber(day)) return day === start ? date : fromDayNumber(day);
    }
    throw new RangeError(`no working day within ${MAX_WALK_DAYS} days of ${date}`);
  }

  /**
   * The date `count` working days before `date` (after it, for a negative count): stepping back
   * one day at a time and counting only working days. Monday minus 1 working day is the Friday.
   */
  subtractWorkingDays(date: IsoDate, count: number): IsoDate {
    if (!Number.isInteger(count)) throw new RangeError(`working-day count must be an integer, got ${count}`);
    const step = count >= 0 ? -1 : 1;
    let day = toDayNumber(date);
    for (let left = Math.abs(count), walked = 0; left > 0; walked++) {
      if (walked > MAX_WALK_DAYS)
        throw new RangeError(`no ${count} working days within ${MAX_WALK_DAYS} days of ${date}`);
      day += step;
      if (this.isWorkingDayNumber(day)) left--;
    }
    return fromDayNumber(day);
  }

  addWorkingDays(date: IsoDate, count: number): IsoDate {
    return this.subtractWorkingDays(date, -count);
  }

  /** A reminder date: `count` calendar days or working days before `date`. */
  subtractDays(date: IsoDate, count: number, unit: DayCountUnit): IsoDate {
    if (!Number.isInteger(count)) throw new RangeError(`day count must be an integer, got ${count}`);
    return unit === 'working' ? this.subtractWorkingDays(date, count) : addDays(date, -count);
  }

  private statusOf(date: IsoDate): DataStatus {
    return this.years.get(parseIsoDate(date).year)?.status ?? 'provisional';
  }
}

/** Names for the day off a weekend holiday moves to, derived from the holiday's own names. */
export type MovedDayNaming = (holiday: CalendarEntry) => Pick<CalendarEntry, 'nameKk' | 'nameRu' | 'nameEn'>;

const defaultMovedNaming: MovedDayNaming = (holiday) => ({
  nameKk: `${holiday.nameKk} (демалыс күні ауыстырылды)`,
  nameRu: `${holiday.nameRu} (перенос выходного дня)`,
  nameEn: `${holiday.nameEn} (day off moved from ${holiday.date})`,
});

/**
 * The statutory rule (Law «О праздниках в Республике Казахстан», art. 5): a holiday falling on a weekend gives its day off to
 * the next working day, skipping weekends, other holidays and days already taken by earlier
 * moves — except holidays marked movable: false. Transfer acts are applied later and do not
 * affect where a holiday moves. Returns holiday_moved rows ready for the table.
 */
export function deriveMovedDaysOff(
  holidays: readonly CalendarEntry[],
  source: string,
  options: { weekend?: readonly Weekday[]; naming?: MovedDayNaming } = {},
): CalendarEntry[] {
  const weekend = new Set(options.weekend ?? [0, 6]);
  const naming = options.naming ?? defaultMovedNaming;
  const taken = new Set(holidays.filter((h) => h.kind === 'holiday').map((h) => toDayNumber(h.date)));
  const moved: CalendarEntry[] = [];
  const ordered = holidays
    .filter((h) => h.kind === 'holiday')
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (const holiday of ordered) {
    const day = toDayNumber(holiday.date);
    if (holiday.movable === false || !weekend.has(weekdayOfDayNumber(day))) continue;
    let target = day + 1;
    while (weekend.has(weekdayOfDayNumber(target)) || taken.has(target)) target++;
    taken.add(target);
    moved.push({
      date: fromDayNumber(target),
      kind: 'holiday_moved',
      ...naming(holiday),
      source,
      relatedDate: holiday.date,
      ...(holiday.status === undefined ? {} : { status: holiday.status }),
    });
  }
  return moved;
}

/**
 * Checks rows as they would come from an admin's edit or an import: every problem named by its
 * path, e.g. "entries[3].kind". Returns [] when the rows are usable.
 */
export function validateCalendarEntries(entries: unknown): { path: string; message: string }[] {
  if (!Array.isArray(entries)) return [{ path: 'entries', message: 'must be an array' }];
  const errors: { path: string; message: string }[] = [];
  entries.forEach((raw: unknown, i) => {
    const path = `entries[${i}]`;
    if (typeof raw !== 'object' || raw === null) {
      errors.push({ path, message: 'must be an object' });
      return;
    }
    const e = raw as Record<string, unknown>;
    if (!isIsoDate(e.date)) errors.push({ path: `${path}.date`, message: 'must be a date YYYY-MM-DD' });
    if (!CALENDAR_ENTRY_KINDS.includes(e.kind as CalendarEntryKind)) {
      errors.push({ path: `${path}.kind`, message: `must be one of ${CALENDAR_ENTRY_KINDS.join(', ')}` });
    }
    for (const field of ['nameKk', 'nameRu', 'nameEn', 'source'] as const) {
      if (typeof e[field] !== 'string' || (e[field] as string).trim() === '') {
        errors.push({ path: `${path}.${field}`, message: 'must be a non-empty string' });
      }
    }
    if (e.relatedDate !== undefined && !isIsoDate(e.relatedDate)) {
      errors.push({ path: `${path}.relatedDate`, message: 'must be a date YYYY-MM-DD' });
    }
    if (e.movable !== undefined && typeof e.movable !== 'boolean')
      errors.push({ path: `${path}.movable`, message: 'must be a boolean' });
    if (e.status !== undefined && e.status !== 'official' && e.status !== 'provisional') {
      errors.push({ path: `${path}.status`, message: "must be 'official' or 'provisional'" });
    }
  });
  return errors;
}
