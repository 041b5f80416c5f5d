// A summary frozen to go up the chain: one status per measure for the carrier obligation's Update, the readiness rule with
// overrides (each needs a reason; one that resolves nothing is named), and the summary as a report one level up.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { assembleSummary, type SummaryMeasure } from '../../../domain/summary.js';
import {
  describeBlocker,
  summaryAsReport,
  summaryMeasureStatus,
  summaryStatuses,
  unresolvedBlockers,
  type FrozenSummary,
} from '../../../domain/summary-version.js';
import { smallSummaryInputs } from '../../fixtures/summary-fixtures.js';

const agency = (code: string) => ({ code, name: { kk: code, ru: code } });
const measure = (executors: SummaryMeasure['executors']): SummaryMeasure => ({
  number: '1',
  title: { kk: 'Іс-шара', ru: null },
  executors,
  totals: [],
});
const reported = (code: string, status: 'done' | 'in_progress' | 'not_done' | 'not_yet_due') =>
  ({
    kind: 'reported',
    agency: agency(code),
    status,
    narrative: { kk: `${code} жасады`, ru: null },
    indicators: [],
    reportVersion: 1,
  }) as const;
const missing = (code: string) => ({ kind: 'missing', agency: agency(code), mark: null }) as const;

describe('summaryMeasureStatus', () => {
  it('is done only when every executor reported it done', () => {
    expect(summaryMeasureStatus(measure([reported('А', 'done'), reported('Б', 'done')]))).toBe('done');
    expect(summaryMeasureStatus(measure([reported('А', 'done'), missing('Б')]))).toBe('in_progress');
    expect(summaryMeasureStatus(measure([reported('А', 'done'), reported('Б', 'not_done')]))).toBe('in_progress');
  });

  it('is not done when nobody reported it or all that did say so, not yet due when all say that', () => {
    expect(summaryMeasureStatus(measure([missing('А')]))).toBe('not_done');
    expect(summaryMeasureStatus(measure([reported('А', 'not_done'), missing('Б')]))).toBe('not_done');
    expect(summaryMeasureStatus(measure([reported('А', 'not_yet_due')]))).toBe('not_yet_due');
    expect(summaryMeasureStatus(measure([reported('А', 'not_yet_due'), reported('Б', 'done')]))).toBe('done');
  });
});

describe('readiness with overrides', () => {
  const summary = assembleSummary(smallSummaryInputs({ marks: [] }), KZ_WORKING_CALENDAR);
  const codes = summary.blockers.map((b) => b.agency.code);

  it('keeps every blocker without an override that gives a reason', () => {
    expect(codes.length).toBeGreaterThan(0);
    expect(unresolvedBlockers(summary.blockers, []).unresolved).toHaveLength(codes.length);
    const blank = unresolvedBlockers(
      summary.blockers,
      codes.map((agencyCode) => ({ agencyCode, reason: '  ' })),
    );
    expect(blank.unresolved).toHaveLength(codes.length);
    const all = unresolvedBlockers(
      summary.blockers,
      codes.map((agencyCode) => ({ agencyCode, reason: 'хат жіберілді' })),
    );
    expect(all).toEqual({ unresolved: [], stray: [] });
  });

  it('names an override of an agency that blocks nothing', () => {
    expect(unresolvedBlockers(summary.blockers, [{ agencyCode: 'ЖОҚ', reason: 'x' }]).stray).toEqual(['ЖОҚ']);
  });

  it('describes a blocker for a 409 by agency and kind', () => {
    expect(describeBlocker({ kind: 'not_submitted', agency: agency('ІІМ'), status: 'overdue' })).toBe(
      'ІІМ: not_submitted (overdue)',
    );
    expect(describeBlocker({ kind: 'returned', agency: agency('БҒМ') })).toBe('БҒМ: returned');
  });
});

describe('a frozen summary one level up', () => {
  const summary = assembleSummary(smallSummaryInputs(), KZ_WORKING_CALENDAR);
  const frozen: FrozenSummary = { kind: 'consolidated_summary', stageId: 'executors', summary, overrides: [] };

  it('is the sender’s accepted report: a status per measure, the executors’ narratives under their codes, totals', () => {
    const report = summaryAsReport(frozen, { agencyCode: 'АҚДМ', version: 2, submittedAt: '2027-02-20T05:00:00Z' });
    expect(report).toMatchObject({ agencyCode: 'АҚДМ', version: 2 });
    expect(report.items.map((i) => [i.measure, i.status])).toEqual(
      summaryStatuses(summary).map((s) => [s.measure, s.status]),
    );
    const first = summary.measures[0]!;
    const narrated = first.executors.filter((e) => e.kind === 'reported');
    for (const e of narrated) expect(report.items[0]!.narrative.kk ?? '').toContain(`${e.agency.code}: `);
    expect(report.items[0]!.indicators).toEqual(
      first.totals.filter((t) => t.reportedBy > 0).map((t) => ({ key: t.key, value: t.achieved })),
    );
  });
});
