// Turns a deadline rule, a reporting year and a plan's policy into the obligations that year creates, and each due date into an instant.
import type { ShiftDirection, WorkingCalendar } from './calendar.js';
import { formatIsoDate, daysInMonth, parseIsoDate, type IsoDate } from './dates.js';
import type { DayOfYear, DeadlineRule, YearRange } from './deadline-language.js';
import { formatPeriodKey, periodsOfYear, type PeriodKey, type PeriodKind } from './periods.js';
import {
  ANNUAL_CASCADE_580,
  deadlineFor,
  executorStage,
  type RelativeDeadline,
  type ReportingPolicy,
} from './policies.js';
import { endOfLocalDay, KZ_TIME_ZONE } from './tz.js';

/** One report owed: the period it covers and its due date as written (before any working-day shift). (period, due) is unique per rule and year. */
export interface Obligation {
  readonly period: PeriodKey;
  readonly due: IsoDate;
}

export function appliesToYear(years: YearRange | undefined, year: number): boolean {
  return years === undefined || ((years.from ?? -Infinity) <= year && year <= (years.to ?? Infinity));
}

/**
 * The date a yearly fixed day falls on for reporting year `year`. A day in January is the report
 * on the year just ended ("by 10 January and 10 July": the half-year is due 10 July, the year
 * 10 January of the next year), so year Y's January obligation falls in January of Y+1.
 */
export function recurringDueDate(day: DayOfYear, year: number): IsoDate {
  const y = day.month === 1 ? year + 1 : year;
  const last = daysInMonth(y, day.month);
  return formatIsoDate(y, day.month, day.day === 'last' ? last : Math.min(day.day, last));
}

function perPeriod(kind: PeriodKind, year: number, deadline: RelativeDeadline): Obligation[] {
  return periodsOfYear(kind, year).map((period) => ({
    period: formatPeriodKey(period),
    due: deadlineFor(period, deadline),
  }));
}

/**
 * Every obligation reporting year `year` creates under `rule`, for the plan's `policy` (decree
 * 580's annual cascade by default). Rules without a date of their own ("жыл сайын", "үнемі",
 * "тоқсан сайын") take the deadline of the policy's executor stage, applied to their own period.
 * One-off rules belong to the year of their due date; "as needed" and unparsed rules create none.
 */
export function obligationsForYear(
  rule: DeadlineRule,
  year: number,
  policy: ReportingPolicy = ANNUAL_CASCADE_580,
): Obligation[] {
  const policyDeadline = executorStage(policy).deadline;
  let obligations: Obligation[];
  switch (rule.kind) {
    case 'once':
      obligations =
        parseIsoDate(rule.due).year === year ? [{ period: rule.period ?? String(year), due: rule.due }] : [];
      break;
    case 'several_once':
      obligations = rule.dates
        .filter((d) => parseIsoDate(d.due).year === year)
        .map((d) => ({ period: d.period ?? String(year), due: d.due }));
      break;
    case 'annual':
      if (!appliesToYear(rule.years, year)) obligations = [];
      else if (rule.by !== undefined) obligations = [{ period: String(year), due: recurringDueDate(rule.by, year) }];
      else obligations = perPeriod('year', year, rule.deadline ?? policyDeadline);
      break;
    case 'periodic_dates':
      obligations = appliesToYear(rule.years, year)
        ? rule.dates.map((d) => ({ period: String(year), due: recurringDueDate(d, year) }))
        : [];
      break;
    case 'semiannual':
      obligations = appliesToYear(rule.years, year) ? perPeriod('half', year, rule.deadline ?? policyDeadline) : [];
      break;
    case 'quarterly':
      obligations = appliesToYear(rule.years, year) ? perPeriod('quarter', year, rule.deadline ?? policyDeadline) : [];
      break;
    case 'monthly':
      obligations = appliesToYear(rule.years, year) ? perPeriod('month', year, rule.deadline ?? policyDeadline) : [];
      break;
    case 'continuous':
    case 'during_years':
      // Reported in the plan's regular cycle, whatever period the policy reports on.
      obligations = appliesToYear(rule.years, year) ? perPeriod(policy.period, year, policyDeadline) : [];
      break;
    case 'as_needed':
    case 'unparsed':
      obligations = [];
      break;
  }
  return obligations.sort((a, b) =>
    a.due < b.due ? -1 : a.due > b.due ? 1 : a.period < b.period ? -1 : a.period > b.period ? 1 : 0,
  );
}

/** The due dates, as written, of every obligation reporting year `year` creates (sorted; repeated dates kept once). */
export function dueDatesForYear(
  rule: DeadlineRule,
  year: number,
  policy: ReportingPolicy = ANNUAL_CASCADE_580,
): IsoDate[] {
  return [...new Set(obligationsForYear(rule, year, policy).map((o) => o.due))];
}

export interface ResolvedDeadline {
  /** The date the plan wrote. */
  readonly asWritten: IsoDate;
  /** After the plan's shift off non-working days. */
  readonly due: IsoDate;
  /** Epoch ms: the end of `due` in local time (see tz.endOfLocalDay). */
  readonly instant: number;
}

export interface ResolveOptions {
  readonly shift?: ShiftDirection;
  readonly timeZone?: string;
}

/** The instant a deadline falls due: shifted off non-working days as the plan chooses, then the end of that local day. */
export function resolveDeadline(
  asWritten: IsoDate,
  calendar: WorkingCalendar,
  options: ResolveOptions = {},
): ResolvedDeadline {
  const due = calendar.shift(asWritten, options.shift ?? 'next');
  return { asWritten, due, instant: endOfLocalDay(due, options.timeZone ?? KZ_TIME_ZONE) };
}
