// `merzim calendar`: Kazakhstan's non-working days with their reasons and acts, and moving a date onto a working day.
import type { DayCountUnit, ShiftDirection } from '../../domain/calendar.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { isIsoDate, weekday } from '../../domain/dates.js';
import {
  json,
  optionalChoice,
  parseCommandLine,
  parseYearOption,
  UsageError,
  type CliCommand,
  type CliIO,
} from './command.js';

const USAGE = `usage:
  merzim calendar [list] --year <YYYY> [--exclude-weekends] [--json]
      the non-working days of a year, each with its reason (kk/ru/en) and source
  merzim calendar shift <YYYY-MM-DD> [--direction next|previous|none] [--json]
      the working day a deadline on that date moves to (default: next)
  merzim calendar subtract <YYYY-MM-DD> <N> [--unit working|calendar] [--json]
      the date N working (default) or calendar days before — a reminder date`;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DIRECTIONS: readonly ShiftDirection[] = ['next', 'previous', 'none'];
const UNITS: readonly DayCountUnit[] = ['working', 'calendar'];

function dateArgument(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`missing <${name}> (YYYY-MM-DD)`);
  if (!isIsoDate(value)) throw new UsageError(`<${name}> must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

function warnAboutCoverage(year: number, io: CliIO): void {
  const info = KZ_WORKING_CALENDAR.yearInfo(year);
  if (info === undefined) io.err(`warning: no calendar data for ${year}: only weekends are known\n`);
  else if (info.status === 'provisional')
    io.err(`note: ${year} is provisional${info.note === undefined ? '' : `: ${info.note}`}\n`);
}

function list(args: readonly string[], io: CliIO): number {
  const { positionals, values } = parseCommandLine(args, {
    year: { type: 'string' },
    json: { type: 'boolean' },
    'exclude-weekends': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const year = parseYearOption(values);
  warnAboutCoverage(year, io);
  const days = KZ_WORKING_CALENDAR.nonWorkingDays(year).filter(
    (d) => values['exclude-weekends'] !== true || d.kind !== 'weekend',
  );
  const workingWeekendDays = KZ_WORKING_CALENDAR.workingWeekendDays(year);
  const info = KZ_WORKING_CALENDAR.yearInfo(year);
  if (values.json === true) {
    io.out(
      json({
        year,
        status: info?.status ?? 'unknown',
        ...(info?.note === undefined ? {} : { note: info.note }),
        nonWorkingDays: days.map((d) => ({
          date: d.date,
          weekday: WEEKDAYS[weekday(d.date)],
          kind: d.kind,
          reason: d.reason,
          source: d.source,
          status: d.status,
        })),
        workingWeekendDays: workingWeekendDays.map((e) => ({
          date: e.date,
          weekday: WEEKDAYS[weekday(e.date)],
          reason: { kk: e.nameKk, ru: e.nameRu, en: e.nameEn },
          source: e.source,
        })),
      }),
    );
    return 0;
  }
  for (const d of days)
    io.out(
      `${d.date} ${WEEKDAYS[weekday(d.date)]}  ${d.kind.padEnd(16)} ${d.reason.en} / ${d.reason.kk}  [${d.source}]\n`,
    );
  for (const e of workingWeekendDays)
    io.out(`${e.date} ${WEEKDAYS[weekday(e.date)]}  working day      ${e.nameEn}  [${e.source}]\n`);
  return 0;
}

function shift(args: readonly string[], io: CliIO): number {
  const { positionals, values } = parseCommandLine(args, { direction: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const date = dateArgument(positionals[0], 'date');
  const direction = optionalChoice(values, 'direction', DIRECTIONS) ?? 'next';
  warnAboutCoverage(Number(date.slice(0, 4)), io);
  const shifted = KZ_WORKING_CALENDAR.shift(date, direction);
  if (values.json === true) {
    const reason = KZ_WORKING_CALENDAR.nonWorkingReason(date);
    io.out(
      json({
        date,
        shifted,
        direction,
        workingDay: reason === undefined,
        ...(reason === undefined ? {} : { reason: reason.reason, source: reason.source }),
      }),
    );
  } else {
    io.out(`${shifted}\n`);
  }
  return 0;
}

function subtract(args: readonly string[], io: CliIO): number {
  const { positionals, values } = parseCommandLine(args, { unit: { type: 'string' }, json: { type: 'boolean' } });
  const date = dateArgument(positionals[0], 'date');
  const rawCount = positionals[1];
  if (rawCount === undefined) throw new UsageError('missing <N>: how many days before the date');
  if (!/^\d{1,4}$/.test(rawCount))
    throw new UsageError(`<N> must be a whole number of days, got ${JSON.stringify(rawCount)}`);
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[2])}`);
  const unit = optionalChoice(values, 'unit', UNITS) ?? 'working';
  const result = KZ_WORKING_CALENDAR.subtractDays(date, Number(rawCount), unit);
  io.out(values.json === true ? json({ date, days: Number(rawCount), unit, result }) : `${result}\n`);
  return 0;
}

export const calendarCommand: CliCommand = {
  name: 'calendar',
  summary: "Kazakhstan's working-day calendar: non-working days, shifting deadlines, reminder dates",
  usage: USAGE,
  run(args, io) {
    const [first, ...rest] = args;
    switch (first) {
      case 'shift':
        return shift(rest, io);
      case 'subtract':
        return subtract(rest, io);
      case 'list':
        return list(rest, io);
      default:
        if (first !== undefined && !first.startsWith('-'))
          throw new UsageError(`unknown subcommand ${JSON.stringify(first)}: expected list, shift or subtract`);
        return list(args, io);
    }
  },
};
