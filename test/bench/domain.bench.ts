// Throughput of the domain hot paths (parsing deadline cells, due instants of a year's obligations); prints JSON for docs/benchmarks.md.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { fromDayNumber, toDayNumber } from '../../domain/dates.js';
import { parseDeadline, type DeadlineRule } from '../../domain/deadline-language.js';
import { obligationsForYear, resolveDeadline } from '../../domain/due-dates.js';
import { localToInstant } from '../../domain/tz.js';
import { ACTION_PLAN_SEEDS, deadlineCells } from '../unit/domain/seed-deadlines.js';

const RUSSIAN = [
  'ежегодно, до 1 декабря',
  'ежеквартально, до 5 числа месяца, следующего за отчетным кварталом',
  'IV квартал 2017 года',
  'к 10 июля 2018 года',
  'до 25 июля и 25 декабря ежегодно',
  'постоянно',
  'по мере необходимости',
  '1 раз в полугодие',
  '2019–2023 годы',
];

function time<T>(run: () => T): { seconds: number; result: T } {
  const start = performance.now();
  const result = run();
  return { seconds: (performance.now() - start) / 1000, result };
}

// Every cell of the seeds' deadline column as it occurs (repeats included), plus the Russian forms.
const cells = [...ACTION_PLAN_SEEDS.flatMap(deadlineCells), ...RUSSIAN];

function parseAll(count: number): number {
  let parsed = 0;
  for (let i = 0; i < count; i++) if (parseDeadline(cells[i % cells.length] as string).kind !== 'unparsed') parsed++;
  return parsed;
}

parseAll(20_000); // warm-up: JIT and regex compilation
const PARSES = 200_000;
const parsing = time(() => parseAll(PARSES));

// A year's obligations: every seed rule owed by enough agencies to make 100,000 obligations for 2019.
const rules: DeadlineRule[] = cells.map(parseDeadline);
const YEAR = 2019;
const OBLIGATIONS = 100_000;

function dueInstants(): number {
  let made = 0;
  let checksum = 0;
  for (let agency = 0; made < OBLIGATIONS; agency++) {
    for (const rule of rules) {
      for (const obligation of obligationsForYear(rule, YEAR)) {
        if (made === OBLIGATIONS) return checksum;
        checksum += resolveDeadline(obligation.due, KZ_WORKING_CALENDAR).instant % 1000;
        made++;
      }
    }
  }
  return checksum;
}

const instants = time(dueInstants);

// The uncached path: a local end of day → UTC instant through Intl, for 10,000 distinct days.
const firstDay = toDayNumber('2000-01-01');
const DISTINCT_DAYS = 10_000;
const intl = time(() => {
  let sum = 0;
  for (let d = 0; d < DISTINCT_DAYS; d++) {
    const [year, month, day] = fromDayNumber(firstDay + d)
      .split('-')
      .map(Number) as [number, number, number];
    sum += localToInstant({ year, month, day, hour: 23, minute: 59, second: 59, millisecond: 999 }, 'Asia/Almaty') % 7;
  }
  return sum;
});

process.stdout.write(
  `${JSON.stringify(
    {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        date: new Date().toISOString().slice(0, 10),
      },
      parse: {
        expressions: PARSES,
        distinctCells: new Set(cells).size,
        understood: parsing.result,
        seconds: Number(parsing.seconds.toFixed(3)),
        perSecond: Math.round(PARSES / parsing.seconds),
        target: '>= 50000/s',
      },
      dueInstants: {
        obligations: OBLIGATIONS,
        year: YEAR,
        seconds: Number(instants.seconds.toFixed(3)),
        perSecond: Math.round(OBLIGATIONS / instants.seconds),
        target: '< 1 s',
      },
      uncachedLocalToInstant: {
        distinctDays: DISTINCT_DAYS,
        seconds: Number(intl.seconds.toFixed(3)),
        perSecond: Math.round(DISTINCT_DAYS / intl.seconds),
      },
    },
    null,
    2,
  )}\n`,
);
