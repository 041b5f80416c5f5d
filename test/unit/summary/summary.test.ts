// The consolidated summary's model: per-measure executor lines, indicator totals against targets, lateness in working days
// (holidays and moved days off skipped), and the rule that only accepted or reasoned-missing reports let it go up.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { resolveDue } from '../../../domain/cycle-timeline.js';
import { assembleSummary, summaryBlockers, textIn } from '../../../domain/summary.js';
import {
  BGM,
  BGM_REPORT,
  IIM,
  IIM_REPORT,
  MSM,
  PARTIES,
  smallSummaryInputs,
  UQK,
  UQK_MARK,
} from '../../fixtures/summary-fixtures.js';

const kz = KZ_WORKING_CALENDAR;

describe('assembleSummary', () => {
  const summary = assembleSummary(smallSummaryInputs(), kz);

  it('lists, per measure, every executor that owes it with what its accepted report says or that it is missing', () => {
    const [m1, m2, m3] = summary.measures;
    expect(m1!.executors.map((e) => [e.agency.code, e.kind])).toEqual([
      [IIM.code, 'reported'],
      [BGM.code, 'reported'],
      [MSM.code, 'missing'],
    ]);
    const iim = m1!.executors[0]!;
    expect(iim.kind === 'reported' && iim.status).toBe('done');
    expect(iim.kind === 'reported' && iim.narrative.ru).toBe(IIM_REPORT.items[0]!.narrative.ru);
    expect(iim.kind === 'reported' && iim.indicators).toEqual([
      { key: 'videos', value: 7 },
      { key: 'covered', value: 1250.5 },
    ]);
    expect(m2!.executors.map((e) => [e.agency.code, e.kind])).toEqual([
      [IIM.code, 'reported'],
      [UQK.code, 'missing'],
    ]);
    const uqk = m2!.executors[1]!;
    expect(uqk.kind === 'missing' && uqk.mark?.reason).toBe(UQK_MARK.reason);
    const bgm3 = m3!.executors[0]!;
    expect(bgm3.kind === 'reported' && bgm3.status).toBe('not_yet_due');
    expect(bgm3.kind === 'reported' && bgm3.reportVersion).toBe(2);
  });

  it('totals each indicator over the executors against the plan target, in per cent', () => {
    expect(summary.measures[0]!.totals).toEqual([
      expect.objectContaining({ key: 'videos', planned: 10, achieved: 9, reportedBy: 2, percent: 90 }),
      expect.objectContaining({ key: 'covered', planned: 5000, achieved: 4250.75, reportedBy: 2, percent: 85 }),
    ]);
    expect(summary.measures[1]!.totals).toEqual([
      expect.objectContaining({ key: 'events', planned: 40, achieved: 25, reportedBy: 1, percent: 62.5 }),
    ]);
    expect(summary.measures[2]!.totals).toEqual([]);
  });

  it('gives no percentage without a positive target, and sums decimals without binary noise', () => {
    const inputs = smallSummaryInputs();
    const measures = inputs.measures.map((m) =>
      m.number === '1'
        ? {
            ...m,
            indicators: m.indicators.map((i) => (i.key === 'videos' ? { ...i, planned: null } : { ...i, planned: 0 })),
          }
        : m,
    );
    const reports = [
      {
        ...IIM_REPORT,
        items: IIM_REPORT.items.map((item) =>
          item.measure === '1' ? { ...item, indicators: [{ key: 'covered', value: 0.1 }] } : item,
        ),
      },
      {
        ...BGM_REPORT,
        items: BGM_REPORT.items.map((item) =>
          item.measure === '1' ? { ...item, indicators: [{ key: 'covered', value: 0.2 }] } : item,
        ),
      },
    ];
    const totals = assembleSummary({ ...inputs, measures, reports }, kz).measures[0]!.totals;
    expect(totals[0]).toMatchObject({ key: 'videos', planned: null, achieved: 0, reportedBy: 0, percent: null });
    expect(totals[1]).toMatchObject({ key: 'covered', planned: 0, achieved: 0.3, reportedBy: 2, percent: null });
  });

  it('names the agencies missing, with working days late as of the summary, and those whose accepted report came late', () => {
    expect(summary.missing.map((m) => [m.agency.code, m.status, m.workingDaysLate, m.mark?.reason ?? null])).toEqual([
      [UQK.code, 'overdue', 29, UQK_MARK.reason],
      [MSM.code, 'submitted', 29, null],
    ]);
    // Due Friday 10 January 2020; arrived Wednesday 15 January: Mon 13, Tue 14, Wed 15.
    expect(summary.late.map((l) => [l.agency.code, l.workingDaysLate])).toEqual([[BGM.code, 3]]);
    expect(summary.counts).toEqual({ parties: 4, accepted: 2, missing: 2, late: 1 });
  });

  it('counts lateness in working days: Nauryz 2024 and its moved day off are not counted', () => {
    // Due Wednesday 20 March 2024; 21–23 March are Nauryz, Monday 25 the moved day off; arrived Wednesday 27: Tue 26 and Wed 27.
    const due = resolveDue('2024-03-20', 'next', kz);
    const inputs = smallSummaryInputs({
      period: '2023',
      parties: PARTIES.map((p) => ({ ...p, due })),
      reports: [
        { ...BGM_REPORT, submittedAt: '2024-03-27T05:00:00.000Z' },
        { ...IIM_REPORT, submittedAt: '2024-03-20T18:00:00.000Z' },
      ],
      asOf: '2024-03-22T05:00:00.000Z',
    });
    const s = assembleSummary(inputs, kz);
    expect(s.late.map((l) => [l.agency.code, l.workingDaysLate])).toEqual([[BGM.code, 2]]);
    // 18:00 UTC on the 20th is 23:00 in Astana (UTC+5 since March 2024): on time.
    expect(s.late.some((l) => l.agency.code === IIM.code)).toBe(false);
    // As of Friday 22 March (a holiday) nobody is a working day late yet.
    expect(s.missing.map((m) => m.workingDaysLate)).toEqual([0, 0]);
    // As of Tuesday 26 March, the first working day after the holidays, they are one working day late.
    const tuesday = assembleSummary({ ...inputs, asOf: '2024-03-26T04:00:00.000Z' }, kz);
    expect(tuesday.missing.map((m) => m.workingDaysLate)).toEqual([1, 1]);
  });

  it('is not ready while a report is under review, and names it', () => {
    expect(summary.ready).toBe(false);
    expect(summary.blockers).toEqual([{ kind: 'under_review', agency: MSM }]);
  });

  it('is ready once every report is accepted or marked missing with a reason', () => {
    const marks = [UQK_MARK, { ...UQK_MARK, agencyCode: MSM.code, reason: 'есеп мерзімінде келмеді' }];
    const s = assembleSummary(smallSummaryInputs({ marks }), kz);
    expect(s.blockers).toEqual([]);
    expect(s.ready).toBe(true);
    expect(s.missing.map((m) => m.mark?.reason)).toEqual([UQK_MARK.reason, 'есеп мерзімінде келмеді']);
  });

  it('does not take a missing mark with a blank reason', () => {
    const marks = [{ ...UQK_MARK, reason: '  \n ' }];
    const s = assembleSummary(smallSummaryInputs({ marks, reports: [IIM_REPORT, BGM_REPORT] }), kz);
    expect(s.blockers).toEqual([
      { kind: 'mark_without_reason', agency: UQK },
      { kind: 'under_review', agency: MSM },
    ]);
  });
});

describe('summaryBlockers', () => {
  it('names each party by what it lacks: not submitted (with its status), under review, returned', () => {
    const parties = [
      { ...PARTIES[0]!, status: 'pending' as const },
      { ...PARTIES[1]!, status: 'returned' as const },
      { ...PARTIES[2]!, status: 'overdue' as const },
      { ...PARTIES[3]!, status: 'submitted' as const },
    ];
    expect(summaryBlockers(parties, new Set(), [])).toEqual([
      { kind: 'not_submitted', agency: IIM, status: 'pending' },
      { kind: 'returned', agency: BGM },
      { kind: 'not_submitted', agency: UQK, status: 'overdue' },
      { kind: 'under_review', agency: MSM },
    ]);
    expect(summaryBlockers(parties, new Set([IIM.code, BGM.code, UQK.code, MSM.code]), [])).toEqual([]);
  });

  it('lets a cycle with no parties go up', () => {
    expect(assembleSummary(smallSummaryInputs({ parties: [], reports: [], marks: [] }), kz).ready).toBe(true);
  });
});

describe('what the assembly cannot place is warned of, not dropped silently', () => {
  it('warns of a report from a non-party, an item on a measure not owed, an unknown indicator, a mark for an accepted report', () => {
    const reports = [
      {
        ...IIM_REPORT,
        items: [
          ...IIM_REPORT.items.map((item) =>
            item.measure === '2' ? { ...item, indicators: [...item.indicators, { key: 'nope', value: 1 }] } : item,
          ),
          { measure: '3', status: 'done' as const, narrative: { kk: 'x', ru: null }, indicators: [] },
        ],
      },
      BGM_REPORT,
      { ...BGM_REPORT, agencyCode: 'ЖОҚ' },
      { ...BGM_REPORT, version: 1 },
    ];
    const marks = [UQK_MARK, { ...UQK_MARK, agencyCode: IIM.code }, { ...UQK_MARK, agencyCode: 'ЖОҚ' }];
    const s = assembleSummary(smallSummaryInputs({ reports, marks }), kz);
    expect(s.warnings).toEqual([
      { kind: 'report_from_non_party', agencyCode: 'ЖОҚ' },
      { kind: 'duplicate_report', agencyCode: BGM.code },
      { kind: 'mark_for_accepted_report', agencyCode: IIM.code },
      { kind: 'mark_for_non_party', agencyCode: 'ЖОҚ' },
      { kind: 'unknown_indicator', agencyCode: IIM.code, measure: '2', key: 'nope' },
      { kind: 'measure_not_owed', agencyCode: IIM.code, measure: '3' },
    ]);
    // The first report of an agency counts; the measure not owed is not in its lines.
    expect(s.measures[2]!.executors.map((e) => e.agency.code)).toEqual([BGM.code]);
  });

  it('shows an accepted report that says nothing on a measure it owes as "not covered"', () => {
    const reports = [IIM_REPORT, { ...BGM_REPORT, items: BGM_REPORT.items.filter((i) => i.measure !== '3') }];
    const s = assembleSummary(smallSummaryInputs({ reports }), kz);
    expect(s.measures[2]!.executors).toEqual([{ kind: 'not_covered', agency: BGM, reportVersion: 2 }]);
  });
});

describe('textIn', () => {
  it('takes the language asked for, else the other one', () => {
    expect(textIn({ kk: 'а', ru: 'б' }, 'ru')).toBe('б');
    expect(textIn({ kk: 'а', ru: null }, 'ru')).toBe('а');
    expect(textIn({ kk: null, ru: null }, 'kk')).toBe('');
  });
});
