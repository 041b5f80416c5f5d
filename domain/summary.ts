// The consolidated summary (жиынтық ақпарат) a coordinator sends up the chain: assembled from the accepted reports of one stage,
// with indicator totals against the plan's targets, the agencies missing or late, and the rule for when it may be submitted.
// The PM Office's report to the Presidential Administration is the same model over the coordinators' summaries. Pure: the
// inputs are plain data that whoever reads the reports (the report versions, the read model) builds; the calendar is passed in.
import type { WorkingCalendar } from './calendar.js';
import type { MeasureStatus, ObligationStatus } from './cycle-model.js';
import { workingDaysLate, type DueResolution } from './cycle-timeline.js';
import { addDays } from './dates.js';
import { localDateOf } from './tz.js';
import type { BilingualName } from './plan.js';

/** What an executor says of a measure: the report's statuses, plus "not yet due" for a measure whose own deadline is later. */
export type SummaryMeasureStatus = MeasureStatus | 'not_yet_due';

export const SUMMARY_MEASURE_STATUSES: readonly SummaryMeasureStatus[] = [
  'done',
  'in_progress',
  'not_done',
  'not_yet_due',
];

/** A body of the chain: who sends the summary, who receives it, who reported. */
export interface SummaryBody {
  readonly code: string;
  readonly name: BilingualName;
}

/** One of the plan's indicators of a measure, with its unit and its planned value for the summary's year (null: no target). */
export interface SummaryIndicatorInput {
  /** Stable within the measure ("1", "videos"): what a report's indicator value refers to. */
  readonly key: string;
  readonly name: BilingualName;
  readonly unit: string | null;
  readonly planned: number | null;
}

/** A measure the summary covers, as the plan has it. */
export interface SummaryMeasureInput {
  /** As printed in the plan: "1", "12.", "2.3". */
  readonly number: string;
  readonly title: BilingualName;
  readonly indicators: readonly SummaryIndicatorInput[];
}

/**
 * A party that owes a report in the stage the summary consolidates: its obligation's state, due date and the measures it
 * owes. `status` only names what blocks the summary; whether its report counts is decided by an accepted report being given.
 */
export interface SummaryPartyInput {
  readonly agency: SummaryBody;
  readonly status: ObligationStatus;
  /** The obligation's due date after the shift off non-working days and its instant (as on ObligationSummary). */
  readonly due: DueResolution;
  /** Measure numbers it owes, in the plan's order. */
  readonly measures: readonly string[];
}

/** What an executor wrote on one measure in its accepted report. */
export interface SummaryReportItemInput {
  readonly measure: string;
  readonly status: SummaryMeasureStatus;
  /** What was done, in Kazakh and/or Russian (null where it wrote nothing in that language). */
  readonly narrative: BilingualName;
  /** Values achieved, in the indicator's unit (the report checked the unit): indicator key → value. */
  readonly indicators: readonly { readonly key: string; readonly value: number }[];
}

/** A party's accepted report: the version the recipient accepted. */
export interface AcceptedReportInput {
  readonly agencyCode: string;
  readonly version: number;
  /** ISO instant the accepted version's report first arrived (its lateness is counted from the due date to it). */
  readonly submittedAt: string;
  readonly items: readonly SummaryReportItemInput[];
}

/** The coordinator's explicit mark that an agency's report is missing; only one with a reason lets the summary go up. */
export interface MissingMarkInput {
  readonly agencyCode: string;
  readonly reason: string;
  readonly markedBy: string;
  readonly markedAt: string;
}

/** The texts the coordinator writes around the tables. */
export interface SummaryTextsInput {
  readonly preface: BilingualName;
  readonly conclusions: BilingualName;
}

/** Everything a summary is assembled from. */
export interface SummaryInputs {
  readonly plan: {
    readonly id: string;
    /** The number of the act that approved the plan ("580"); null when unknown. */
    readonly number: string | null;
    readonly title: BilingualName;
  };
  /** The cycle's period key: "2019", "2019-H1", "2019-Q3". */
  readonly period: string;
  /** Whose summary it is (the coordinator) and to whom it goes (the PM Office). */
  readonly sender: SummaryBody;
  readonly recipient: SummaryBody;
  /** The measures in the plan's order. */
  readonly measures: readonly SummaryMeasureInput[];
  readonly parties: readonly SummaryPartyInput[];
  readonly reports: readonly AcceptedReportInput[];
  readonly marks: readonly MissingMarkInput[];
  readonly texts: SummaryTextsInput;
  /** ISO instant the summary is built at: how late a missing report is counts up to it. */
  readonly asOf: string;
}

/** One executor's line in a measure's table. */
export type SummaryExecutorEntry =
  | {
      readonly kind: 'reported';
      readonly agency: SummaryBody;
      readonly status: SummaryMeasureStatus;
      readonly narrative: BilingualName;
      /** In the measure's indicator order; null where the report gave no value. */
      readonly indicators: readonly { readonly key: string; readonly value: number | null }[];
      readonly reportVersion: number;
    }
  | { readonly kind: 'not_covered'; readonly agency: SummaryBody; readonly reportVersion: number }
  | { readonly kind: 'missing'; readonly agency: SummaryBody; readonly mark: MissingMarkInput | null };

export interface SummaryIndicatorTotal {
  readonly key: string;
  readonly name: BilingualName;
  readonly unit: string | null;
  readonly planned: number | null;
  /** Sum of the executors' values; 0 when nobody reported one (then `reportedBy` is 0). */
  readonly achieved: number;
  readonly reportedBy: number;
  /** achieved / planned in per cent, one decimal; null without a positive target. */
  readonly percent: number | null;
}

export interface SummaryMeasure {
  readonly number: string;
  readonly title: BilingualName;
  readonly executors: readonly SummaryExecutorEntry[];
  readonly totals: readonly SummaryIndicatorTotal[];
}

/** An agency whose report is not (yet) accepted: named, with how many working days late it is as of the summary. */
export interface SummaryMissingAgency {
  readonly agency: SummaryBody;
  readonly status: ObligationStatus;
  readonly dueDate: string;
  readonly workingDaysLate: number;
  readonly mark: MissingMarkInput | null;
}

/** An agency whose accepted report arrived after its due date. */
export interface SummaryLateAgency {
  readonly agency: SummaryBody;
  readonly dueDate: string;
  readonly submittedAt: string;
  readonly workingDaysLate: number;
}

/** Why the summary cannot be submitted upward yet, per agency. */
export type SummaryBlocker =
  | { readonly kind: 'not_submitted'; readonly agency: SummaryBody; readonly status: ObligationStatus }
  | { readonly kind: 'under_review'; readonly agency: SummaryBody }
  | { readonly kind: 'returned'; readonly agency: SummaryBody }
  | { readonly kind: 'mark_without_reason'; readonly agency: SummaryBody };

/** Input the assembly could not place: said, never silently dropped. */
export type SummaryWarning =
  | { readonly kind: 'report_from_non_party'; readonly agencyCode: string }
  | { readonly kind: 'duplicate_report'; readonly agencyCode: string }
  | { readonly kind: 'measure_not_owed'; readonly agencyCode: string; readonly measure: string }
  | { readonly kind: 'unknown_indicator'; readonly agencyCode: string; readonly measure: string; readonly key: string }
  | { readonly kind: 'mark_for_accepted_report'; readonly agencyCode: string }
  | { readonly kind: 'mark_for_non_party'; readonly agencyCode: string };

export interface ConsolidatedSummary {
  readonly plan: SummaryInputs['plan'];
  readonly period: string;
  readonly sender: SummaryBody;
  readonly recipient: SummaryBody;
  readonly asOf: string;
  readonly texts: SummaryTextsInput;
  readonly measures: readonly SummaryMeasure[];
  /** Parties without an accepted report, in the parties' order. */
  readonly missing: readonly SummaryMissingAgency[];
  readonly late: readonly SummaryLateAgency[];
  readonly counts: {
    readonly parties: number;
    readonly accepted: number;
    readonly missing: number;
    readonly late: number;
  };
  readonly blockers: readonly SummaryBlocker[];
  /** True when every party's report is accepted or marked missing with a reason (no blockers). */
  readonly ready: boolean;
  readonly warnings: readonly SummaryWarning[];
}

function percentOf(achieved: number, planned: number | null): number | null {
  if (planned === null || !(planned > 0)) return null;
  return Math.round((achieved / planned) * 1000) / 10;
}

/**
 * How many working days a report still missing at `asOf` is late: the working days after the effective due date up to and
 * including asOf's day in Kazakhstan. Unlike a report's arrival (workingDaysLate), a day off is not moved on to the next
 * working day: nobody is a day later on a holiday.
 */
export function workingDaysOverdue(due: DueResolution, asOf: string, calendar: WorkingCalendar): number {
  if (Date.parse(asOf) <= Date.parse(due.dueInstant)) return 0;
  const today = localDateOf(Date.parse(asOf));
  let count = 0;
  for (let day = addDays(due.effectiveDueDate, 1); day <= today; day = addDays(day, 1)) {
    if (calendar.isWorkingDay(day)) count++;
  }
  return count;
}

/**
 * Who stops the summary from going up: every party needs an accepted report or the coordinator's missing mark with a
 * reason (a blank reason does not count). One blocker per party, named, in the parties' order.
 */
export function summaryBlockers(
  parties: readonly SummaryPartyInput[],
  acceptedCodes: ReadonlySet<string>,
  marks: readonly MissingMarkInput[],
): SummaryBlocker[] {
  const markOf = new Map(marks.map((m) => [m.agencyCode, m]));
  const blockers: SummaryBlocker[] = [];
  for (const party of parties) {
    const code = party.agency.code;
    if (acceptedCodes.has(code)) continue;
    const mark = markOf.get(code);
    if (mark !== undefined) {
      if (mark.reason.trim() === '') blockers.push({ kind: 'mark_without_reason', agency: party.agency });
      continue;
    }
    switch (party.status) {
      case 'submitted':
      case 'accepted': // accepted in the workflow, but its report was not given: it is still under review here
        blockers.push({ kind: 'under_review', agency: party.agency });
        break;
      case 'returned':
        blockers.push({ kind: 'returned', agency: party.agency });
        break;
      default:
        blockers.push({ kind: 'not_submitted', agency: party.agency, status: party.status });
    }
  }
  return blockers;
}

/**
 * Assembles the consolidated summary: per measure, each executor that owes it with what its accepted report says (or that it
 * is missing, with the coordinator's mark); indicator totals against the plan's targets; the agencies missing (working days
 * late as of `asOf`) or late (working days late of the accepted report); and the blockers to submitting it upward.
 */
export function assembleSummary(inputs: SummaryInputs, calendar: WorkingCalendar): ConsolidatedSummary {
  const warnings: SummaryWarning[] = [];
  const partyOf = new Map(inputs.parties.map((p) => [p.agency.code, p]));
  const reportOf = new Map<string, AcceptedReportInput>();
  for (const report of inputs.reports) {
    if (!partyOf.has(report.agencyCode))
      warnings.push({ kind: 'report_from_non_party', agencyCode: report.agencyCode });
    else if (reportOf.has(report.agencyCode))
      warnings.push({ kind: 'duplicate_report', agencyCode: report.agencyCode });
    else reportOf.set(report.agencyCode, report);
  }
  const markOf = new Map<string, MissingMarkInput>();
  for (const mark of inputs.marks) {
    if (!partyOf.has(mark.agencyCode)) warnings.push({ kind: 'mark_for_non_party', agencyCode: mark.agencyCode });
    else if (reportOf.has(mark.agencyCode))
      warnings.push({ kind: 'mark_for_accepted_report', agencyCode: mark.agencyCode });
    else markOf.set(mark.agencyCode, mark);
  }

  const measureByNumber = new Map(inputs.measures.map((m) => [m.number, m]));
  // Items per agency per measure; items on a measure the agency does not owe, or on an unknown indicator, are warned of.
  const itemsOf = new Map<string, Map<string, SummaryReportItemInput>>();
  for (const [code, report] of reportOf) {
    const owed = new Set(partyOf.get(code)!.measures);
    const items = new Map<string, SummaryReportItemInput>();
    for (const item of report.items) {
      const measure = measureByNumber.get(item.measure);
      if (!owed.has(item.measure) || measure === undefined) {
        warnings.push({ kind: 'measure_not_owed', agencyCode: code, measure: item.measure });
        continue;
      }
      for (const value of item.indicators) {
        if (!measure.indicators.some((i) => i.key === value.key))
          warnings.push({ kind: 'unknown_indicator', agencyCode: code, measure: item.measure, key: value.key });
      }
      items.set(item.measure, item);
    }
    itemsOf.set(code, items);
  }

  const measures: SummaryMeasure[] = inputs.measures.map((measure) => {
    const executors: SummaryExecutorEntry[] = [];
    const sums = new Map<string, { achieved: number; reportedBy: number }>(
      measure.indicators.map((i) => [i.key, { achieved: 0, reportedBy: 0 }]),
    );
    for (const party of inputs.parties) {
      if (!party.measures.includes(measure.number)) continue;
      const report = reportOf.get(party.agency.code);
      if (report === undefined) {
        executors.push({ kind: 'missing', agency: party.agency, mark: markOf.get(party.agency.code) ?? null });
        continue;
      }
      const item = itemsOf.get(party.agency.code)?.get(measure.number);
      if (item === undefined) {
        executors.push({ kind: 'not_covered', agency: party.agency, reportVersion: report.version });
        continue;
      }
      const values = measure.indicators.map((indicator) => {
        const given = item.indicators.find((v) => v.key === indicator.key);
        if (given === undefined) return { key: indicator.key, value: null };
        const sum = sums.get(indicator.key)!;
        sum.achieved += given.value;
        sum.reportedBy += 1;
        return { key: indicator.key, value: given.value };
      });
      executors.push({
        kind: 'reported',
        agency: party.agency,
        status: item.status,
        narrative: item.narrative,
        indicators: values,
        reportVersion: report.version,
      });
    }
    const totals = measure.indicators.map((indicator): SummaryIndicatorTotal => {
      const sum = sums.get(indicator.key)!;
      // Summing decimals (12.5 + 0.1) must not print 12.600000000000001.
      const achieved = Math.round(sum.achieved * 1e6) / 1e6;
      return {
        key: indicator.key,
        name: indicator.name,
        unit: indicator.unit,
        planned: indicator.planned,
        achieved,
        reportedBy: sum.reportedBy,
        percent: percentOf(achieved, indicator.planned),
      };
    });
    return { number: measure.number, title: measure.title, executors, totals };
  });

  const missing: SummaryMissingAgency[] = [];
  const late: SummaryLateAgency[] = [];
  for (const party of inputs.parties) {
    const report = reportOf.get(party.agency.code);
    if (report === undefined) {
      missing.push({
        agency: party.agency,
        status: party.status,
        dueDate: party.due.effectiveDueDate,
        workingDaysLate: workingDaysOverdue(party.due, inputs.asOf, calendar),
        mark: markOf.get(party.agency.code) ?? null,
      });
      continue;
    }
    const daysLate = workingDaysLate(party.due, report.submittedAt, calendar);
    if (daysLate > 0)
      late.push({
        agency: party.agency,
        dueDate: party.due.effectiveDueDate,
        submittedAt: report.submittedAt,
        workingDaysLate: daysLate,
      });
  }

  const blockers = summaryBlockers(inputs.parties, new Set(reportOf.keys()), [...markOf.values()]);
  return {
    plan: inputs.plan,
    period: inputs.period,
    sender: inputs.sender,
    recipient: inputs.recipient,
    asOf: inputs.asOf,
    texts: inputs.texts,
    measures,
    missing,
    late,
    counts: {
      parties: inputs.parties.length,
      accepted: reportOf.size,
      missing: missing.length,
      late: late.length,
    },
    blockers,
    ready: blockers.length === 0,
    warnings,
  };
}

/** A bilingual text in the language asked for, else the other one, else an empty string (a plan or report may have one only). */
export function textIn(text: BilingualName, lang: 'kk' | 'ru'): string {
  const other = lang === 'kk' ? 'ru' : 'kk';
  return text[lang] ?? text[other] ?? '';
}
