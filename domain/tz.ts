// Local wall-clock time ↔ UTC instants from the IANA database via Intl, so Kazakhstan's 2024 move from UTC+6 to UTC+5 is never hard-coded.
import { civilFromDayNumber, dayNumberFromCivil, formatIsoDate, parseIsoDate, type IsoDate } from './dates.js';

/** Kazakhstan's civil time: UTC+6 until 1 March 2024, UTC+5 since (tzdata 2024a+). */
export const KZ_TIME_ZONE = 'Asia/Almaty';

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour?: number;
  readonly minute?: number;
  readonly second?: number;
  readonly millisecond?: number;
}

/**
 * How to resolve a wall-clock time that occurs twice (clocks turned back) or never (clocks
 * turned forward): 'compatible' takes the earlier of two and, for a gap, the instant after it —
 * the behaviour of Temporal and of most calendars.
 */
export type Disambiguation = 'compatible' | 'earlier' | 'later';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

// Formatters are expensive to build and safe to share: one per zone, for the process's lifetime.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown IANA time zone: ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of `epochMs` in `timeZone` (years 1–9999). */
export function instantToLocal(epochMs: number, timeZone: string): Required<LocalDateTime> {
  const parts = formatterFor(timeZone).formatToParts(epochMs);
  let year = 0,
    month = 0,
    day = 0,
    hour = 0,
    minute = 0,
    second = 0;
  for (const part of parts) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  return { year, month, day, hour, minute, second, millisecond: ((epochMs % 1000) + 1000) % 1000 };
}

/** The zone's UTC offset at `epochMs`, in minutes east of Greenwich (Asia/Almaty: 360 before 2024-03-01, 300 after). */
export function offsetMinutesAt(epochMs: number, timeZone: string): number {
  const local = instantToLocal(epochMs, timeZone);
  const wallAsUtc = localAsUtc(local);
  return Math.round((wallAsUtc - epochMs) / MS_PER_MINUTE);
}

function localAsUtc(local: LocalDateTime): number {
  return (
    dayNumberFromCivil(local.year, local.month, local.day) * MS_PER_DAY +
    (local.hour ?? 0) * 3_600_000 +
    (local.minute ?? 0) * MS_PER_MINUTE +
    (local.second ?? 0) * 1000 +
    (local.millisecond ?? 0)
  );
}

/**
 * The UTC instant (epoch ms) at which the clocks of `timeZone` show `local`. Offsets are read a
 * day either side, which is enough for every real zone (transitions are months apart).
 */
export function localToInstant(
  local: LocalDateTime,
  timeZone: string,
  disambiguation: Disambiguation = 'compatible',
): number {
  const wall = localAsUtc(local);
  const before = offsetMinutesAt(wall - MS_PER_DAY, timeZone) * MS_PER_MINUTE;
  const after = offsetMinutesAt(wall + MS_PER_DAY, timeZone) * MS_PER_MINUTE;
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wall - offset;
    if (offsetMinutesAt(instant, timeZone) * MS_PER_MINUTE === offset) candidates.push(instant);
  }
  candidates.sort((a, b) => a - b);
  const first = candidates[0];
  const last = candidates[candidates.length - 1];
  if (first !== undefined && last !== undefined) return disambiguation === 'later' ? last : first;
  // A gap (clocks jumped forward): 'earlier' reads the time with the new offset, the others push past the gap.
  return disambiguation === 'earlier' ? wall - after : wall - before;
}

/** The first instant of the local day `date` in `timeZone`. */
export function startOfLocalDay(date: IsoDate, timeZone: string = KZ_TIME_ZONE): number {
  const { year, month, day } = parseIsoDate(date);
  return localToInstant({ year, month, day }, timeZone, 'compatible');
}

const endOfDayCache = new Map<string, Map<number, number>>();
const END_OF_DAY_CACHE_LIMIT = 50_000;

/**
 * A deadline's instant: the last millisecond of the local day `date`, defined as the start of the
 * next local day minus 1 ms. On ordinary days that is 23:59:59.999 local; on a day whose last hour
 * repeats (Almaty, 29 Feb 2024) it is the end of the repeated hour, never the first pass of it.
 * Memoised per zone and day: a cycle of thousands of obligations shares a handful of due days.
 */
export function endOfLocalDay(date: IsoDate, timeZone: string = KZ_TIME_ZONE): number {
  const { year, month, day } = parseIsoDate(date);
  const dayNumber = dayNumberFromCivil(year, month, day);
  let perZone = endOfDayCache.get(timeZone);
  if (perZone === undefined) {
    perZone = new Map();
    endOfDayCache.set(timeZone, perZone);
  }
  const cached = perZone.get(dayNumber);
  if (cached !== undefined) return cached;
  const next = civilFromDayNumber(dayNumber + 1);
  const instant = localToInstant(next, timeZone, 'compatible') - 1;
  if (perZone.size >= END_OF_DAY_CACHE_LIMIT) perZone.clear();
  perZone.set(dayNumber, instant);
  return instant;
}

/** The local calendar date of `epochMs` in `timeZone` — which day "today" is for a given instant. */
export function localDateOf(epochMs: number, timeZone: string = KZ_TIME_ZONE): IsoDate {
  const { year, month, day } = instantToLocal(epochMs, timeZone);
  return formatIsoDate(year, month, day);
}
