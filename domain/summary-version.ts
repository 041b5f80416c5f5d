// A consolidated summary frozen to be sent up the chain: what a version holds (the summary as built, with its marks, preface
// and conclusions, and the blockers overridden with a reason), the statuses per measure its carrier obligation's `submit`
// Update records, the readiness rule with overrides, and the summary as an "accepted report" one level up (the PM Office's
// report is assembled from the coordinators' accepted summaries the same way a summary is from the executors' reports). Pure.
import type {
  AcceptedReportInput,
  ConsolidatedSummary,
  SummaryBlocker,
  SummaryMeasure,
  SummaryMeasureStatus,
} from './summary.js';

/** A blocker the sender lets the summary go up with anyway, with its reason (audited). */
export interface BlockerOverride {
  readonly agencyCode: string;
  readonly reason: string;
}

/** The content of a summary version: everything the DOCX and XLSX are rendered from, nothing else. */
export interface FrozenSummary {
  readonly kind: 'consolidated_summary';
  /** The consolidated stage (executors' for a coordinator's summary, the coordinator's for the PM Office's report). */
  readonly stageId: string;
  readonly summary: ConsolidatedSummary;
  /** Each blocker left at freezing, with the sender's reason; empty when the summary was ready. */
  readonly overrides: readonly (BlockerOverride & { readonly kind: SummaryBlocker['kind'] })[];
}

/**
 * One status per measure for the carrier obligation's `submit` Update: `done` when every executor reported it done, `not_done`
 * when all that reported say so or nobody reported, `not_yet_due` when all that reported say so, else `in_progress`.
 */
export function summaryMeasureStatus(m: SummaryMeasure): SummaryMeasureStatus {
  const reported = m.executors.flatMap((e) => (e.kind === 'reported' ? [e.status] : []));
  const absent = m.executors.length - reported.length;
  if (reported.length === 0) return 'not_done';
  if (reported.every((s) => s === 'not_yet_due')) return 'not_yet_due';
  const due = reported.filter((s) => s !== 'not_yet_due');
  if (absent === 0 && due.every((s) => s === 'done')) return 'done';
  if (due.every((s) => s === 'not_done')) return 'not_done';
  return 'in_progress';
}

export function summaryStatuses(s: ConsolidatedSummary): { measure: string; status: SummaryMeasureStatus }[] {
  return s.measures.map((m) => ({ measure: m.number, status: summaryMeasureStatus(m) }));
}

/**
 * The blockers that still stop the summary: those without an override with a non-blank reason. Overrides naming an agency
 * that blocks nothing are problems too (said, not silently kept).
 */
export function unresolvedBlockers(
  blockers: readonly SummaryBlocker[],
  overrides: readonly BlockerOverride[],
): { unresolved: SummaryBlocker[]; stray: string[] } {
  const reasons = new Map(overrides.map((o) => [o.agencyCode, o.reason.trim()]));
  const blocking = new Set(blockers.map((b) => b.agency.code));
  return {
    unresolved: blockers.filter((b) => (reasons.get(b.agency.code) ?? '') === ''),
    stray: overrides.map((o) => o.agencyCode).filter((code) => !blocking.has(code)),
  };
}

/** What the summary says of a blocker, for a 409's message ("ІІМ: not_submitted (pending)"). */
export function describeBlocker(b: SummaryBlocker): string {
  return `${b.agency.code}: ${b.kind}${b.kind === 'not_submitted' ? ` (${b.status})` : ''}`;
}

/**
 * A frozen summary as the accepted report of its sender one level up: per measure, the status across executors, the
 * executors' narratives gathered under their codes (the coordinator's narrative summary), and the indicator totals achieved.
 */
export function summaryAsReport(
  frozen: FrozenSummary,
  v: { agencyCode: string; version: number; submittedAt: string },
): AcceptedReportInput {
  const gather = (m: SummaryMeasure, lang: 'kk' | 'ru'): string | null => {
    const lines = m.executors.flatMap((e) => {
      if (e.kind !== 'reported') return [];
      const text = e.narrative[lang] ?? e.narrative[lang === 'kk' ? 'ru' : 'kk'];
      return text === null || text.trim() === '' ? [] : [`${e.agency.code}: ${text}`];
    });
    return lines.length === 0 ? null : lines.join('\n');
  };
  return {
    agencyCode: v.agencyCode,
    version: v.version,
    submittedAt: v.submittedAt,
    items: frozen.summary.measures.map((m) => ({
      measure: m.number,
      status: summaryMeasureStatus(m),
      narrative: { kk: gather(m, 'kk'), ru: gather(m, 'ru') },
      indicators: m.totals.filter((t) => t.reportedBy > 0).map((t) => ({ key: t.key, value: t.achieved })),
    })),
  };
}
