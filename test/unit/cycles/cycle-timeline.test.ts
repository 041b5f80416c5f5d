// The cycle's time, computed once: reminder, deadline and escalation instants for real Kazakhstan calendars, and lateness.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { WorkingCalendar } from '../../../domain/calendar.js';
import {
  computeObligationTimeline,
  previewCycle,
  recordingCalendar,
  replayCalendar,
  resolveDue,
  timelineFromAnswers,
  workingDaysLate,
  type ObligationTimelineInput,
  type TimelineItem,
} from '../../../domain/cycle-timeline.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS } from '../../../domain/plan.js';
import type { PartySpec } from '../../../domain/cycle-model.js';
import { AQDM, BGM, PA, PMO, UQK, smallPlanSpec } from '../../fixtures/small-plan.js';

const chain = { coordinator: AQDM, pmOffice: PMO, presidentialAdministration: PA };

function executorsInput(party: PartySpec, dueDate: string): ObligationTimelineInput {
  return {
    stage: { id: 'executors', from: 'executors', to: 'coordinator' },
    party,
    chain,
    dueDate,
    shift: 'next',
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
  };
}

/** "kind detail → agency @ instant", the timeline in one readable line per item. */
function lines(items: readonly TimelineItem[]): string[] {
  return items.map((i) => {
    switch (i.kind) {
      case 'reminder':
        return `reminder ${i.offset} → ${i.agencyCode} (${i.lang}) @ ${i.at}`;
      case 'deadline':
        return `deadline @ ${i.at}`;
      case 'escalation':
        return `escalation ${i.step} ${i.audience} → ${i.agencyCode} [${i.recipients.join(',')}] (${i.lang}) @ ${i.at}`;
    }
  });
}

describe('computeObligationTimeline', () => {
  it('sends reminders and later notices at the configured local time (MERZIM_NOTICE_TIME 10:30), the deadline still at the day’s end', () => {
    const t = computeObligationTimeline(executorsInput(BGM, '2027-01-10'), KZ_WORKING_CALENDAR, {
      noticeHour: 10,
      noticeMinute: 30,
    });
    const at = lines(t.items);
    expect(at[0]).toBe('reminder 14 → БҒМ (kk) @ 2026-12-17T05:30:00.000Z');
    expect(at[5]).toBe('deadline @ 2027-01-11T19:00:00.000Z');
    expect(at[8]).toBe('escalation 1 coordinator_head → АҚДМ [head@aqdm.test] (kk) @ 2027-01-14T05:30:00.000Z');
  });

  it('plans the year 2026 report due "by 10 January" 2027, a Sunday: shifted to Monday 11 January, counted around the holidays', () => {
    const t = computeObligationTimeline(executorsInput(BGM, '2027-01-10'), KZ_WORKING_CALENDAR);
    expect([t.dueDate, t.effectiveDueDate, t.dueInstant]).toEqual([
      '2027-01-10',
      '2027-01-11',
      '2027-01-11T18:59:59.999Z',
    ]);
    // Working days back from 11 Jan skip 7 Jan (Christmas), 4 Jan (2 Jan's day off, moved) and 1 Jan; 16 Dec is Independence Day.
    expect(lines(t.items)).toEqual([
      'reminder 14 → БҒМ (kk) @ 2026-12-17T04:00:00.000Z',
      'reminder 7 → БҒМ (kk) @ 2026-12-28T04:00:00.000Z',
      'reminder 3 → БҒМ (kk) @ 2027-01-05T04:00:00.000Z',
      'reminder 1 → БҒМ (kk) @ 2027-01-08T04:00:00.000Z',
      'reminder 0 → БҒМ (kk) @ 2027-01-11T04:00:00.000Z',
      'deadline @ 2027-01-11T19:00:00.000Z',
      'escalation 0 party → БҒМ [report@bgm.test] (kk) @ 2027-01-11T19:00:00.000Z',
      'escalation 0 coordinator → АҚДМ [report@aqdm.test] (kk) @ 2027-01-11T19:00:00.000Z',
      'escalation 1 coordinator_head → АҚДМ [head@aqdm.test] (kk) @ 2027-01-14T04:00:00.000Z',
      'escalation 2 pm_office → ПМК [report@pmo.test] (kk) @ 2027-01-20T04:00:00.000Z',
    ]);
  });

  it('shifts 10 January 2026, a Saturday, to Monday 12 January', () => {
    const t = computeObligationTimeline(executorsInput(BGM, '2026-01-10'), KZ_WORKING_CALENDAR);
    expect([t.effectiveDueDate, t.dueInstant]).toEqual(['2026-01-12', '2026-01-12T18:59:59.999Z']);
    expect(t.items.filter((i) => i.kind === 'reminder').map((i) => i.date)).toEqual([
      '2025-12-18',
      '2025-12-29',
      '2026-01-06',
      '2026-01-09',
      '2026-01-12',
    ]);
  });

  it('moves a deadline back instead when the plan says so, and keeps it where it is with shift "none"', () => {
    expect(resolveDue('2026-01-10', 'previous', KZ_WORKING_CALENDAR).effectiveDueDate).toBe('2026-01-09');
    expect(resolveDue('2026-01-10', 'none', KZ_WORKING_CALENDAR)).toEqual({
      dueDate: '2026-01-10',
      effectiveDueDate: '2026-01-10',
      dueInstant: '2026-01-10T18:59:59.999Z',
    });
  });

  it('ends a 2023 deadline at midnight UTC+6, as Kazakhstan was before 1 March 2024', () => {
    expect(resolveDue('2023-01-10', 'next', KZ_WORKING_CALENDAR).dueInstant).toBe('2023-01-10T17:59:59.999Z');
  });

  it('never escalates a by-agreement party past the coordinator', () => {
    const t = computeObligationTimeline(executorsInput(UQK, '2027-01-10'), KZ_WORKING_CALENDAR);
    expect(
      t.items
        .filter((i) => i.kind === 'escalation')
        .map((i) => i.kind === 'escalation' && `${i.audience} → ${i.agencyCode} (${i.lang})`),
    ).toEqual(['party → ҰҚК (ru)', 'coordinator → АҚДМ (kk)', 'coordinator_head → АҚДМ (kk)']);
  });

  it("reads the ladder one level up for later stages: the coordinator's summary escalates to the PM Office, the PM Office's report to the Presidential Administration", () => {
    const summary = computeObligationTimeline(
      { ...executorsInput(AQDM, '2027-02-25'), stage: { id: 'summary', from: 'coordinator', to: 'pm_office' } },
      KZ_WORKING_CALENDAR,
    );
    const escalations = (t: typeof summary): string[] =>
      t.items.flatMap((i) => (i.kind === 'escalation' ? [`${i.step} ${i.audience} → ${i.recipients.join(',')}`] : []));
    expect(escalations(summary)).toEqual([
      '0 party → report@aqdm.test',
      '0 coordinator → report@pmo.test',
      '1 coordinator_head → head@pmo.test',
      '2 pm_office → report@akorda.test',
    ]);
    // 15 March is Constitution Day from 2027: the PM Office's "by 15 March" moves to the 16th.
    const pm = computeObligationTimeline(
      {
        ...executorsInput(PMO, '2027-03-15'),
        stage: { id: 'pm-office', from: 'pm_office', to: 'presidential_administration' },
      },
      KZ_WORKING_CALENDAR,
    );
    expect(pm.effectiveDueDate).toBe('2027-03-16');
    expect(escalations(pm)).toEqual([
      '0 party → report@pmo.test',
      '0 coordinator → report@akorda.test',
      '1 coordinator_head → head@akorda.test',
    ]);
  });

  it('ends the ladder at the PM Office (since the patch): the summary escalates to it, its own stage tells its head only, never the Presidential Administration unless the policy opts in', () => {
    const escalations = (t: ReturnType<typeof computeObligationTimeline>): string[] =>
      t.items.flatMap((i) => (i.kind === 'escalation' ? [`${i.step} ${i.audience} → ${i.recipients.join(',')}`] : []));
    const ladder = [
      ...DEFAULT_ESCALATION,
      { after: 10, unit: 'working' as const, notify: ['presidential_administration' as const] },
    ];
    const top = { ladderEndsAtPmOffice: true, escalation: ladder };
    const summary = computeObligationTimeline(
      { ...executorsInput(AQDM, '2027-02-25'), ...top, stage: { id: 'summary', from: 'coordinator', to: 'pm_office' } },
      KZ_WORKING_CALENDAR,
    );
    expect(escalations(summary)).toEqual([
      '0 party → report@aqdm.test',
      '0 coordinator → report@pmo.test',
      '1 coordinator_head → head@pmo.test',
      '2 pm_office → report@pmo.test',
    ]);
    const pmStage = { id: 'pm-office', from: 'pm_office', to: 'presidential_administration' } as const;
    const pm = computeObligationTimeline(
      { ...executorsInput(PMO, '2027-03-15'), ...top, stage: pmStage },
      KZ_WORKING_CALENDAR,
    );
    expect(escalations(pm)).toEqual([
      '0 party → head@pmo.test',
      '1 coordinator_head → head@pmo.test',
      '2 pm_office → head@pmo.test',
    ]);
    // An executors' report owed to the Presidential Administration itself escalates to the PM Office, not to it.
    const toPa = computeObligationTimeline(
      {
        ...executorsInput(BGM, '2027-01-10'),
        ...top,
        stage: { id: 'm', from: 'executors', to: 'presidential_administration' },
      },
      KZ_WORKING_CALENDAR,
    );
    expect(escalations(toPa)).toEqual([
      '0 party → report@bgm.test',
      '0 coordinator → report@pmo.test',
      '1 coordinator_head → head@pmo.test',
      '2 pm_office → report@pmo.test',
    ]);
    // The executors' ladder is as it was; the step naming the Presidential Administration goes out only when the policy opts in.
    const executors = computeObligationTimeline({ ...executorsInput(BGM, '2027-01-10'), ...top }, KZ_WORKING_CALENDAR);
    expect(escalations(executors)).toEqual([
      '0 party → report@bgm.test',
      '0 coordinator → report@aqdm.test',
      '1 coordinator_head → head@aqdm.test',
      '2 pm_office → report@pmo.test',
    ]);
    const optedIn = computeObligationTimeline(
      { ...executorsInput(BGM, '2027-01-10'), ...top, escalateToPresidentialAdministration: true },
      KZ_WORKING_CALENDAR,
    );
    expect(escalations(optedIn).at(-1)).toBe('3 presidential_administration → report@akorda.test');
    const pmOptedIn = computeObligationTimeline(
      { ...executorsInput(PMO, '2027-03-15'), ...top, stage: pmStage, escalateToPresidentialAdministration: true },
      KZ_WORKING_CALENDAR,
    );
    expect(escalations(pmOptedIn).at(-1)).toBe('3 presidential_administration → report@akorda.test');
  });

  it('counts calendar days when the plan says so, and keeps a notice without an address visible with no recipients', () => {
    const noAddress: PartySpec = { ...BGM, emails: { reporter: [], head: [] } };
    const t = computeObligationTimeline(
      { ...executorsInput(noAddress, '2027-01-10'), reminders: { offsets: [10, 0], unit: 'calendar' }, escalation: [] },
      KZ_WORKING_CALENDAR,
    );
    expect(t.items.map((i) => [i.kind, i.date, i.kind === 'reminder' ? i.recipients : null])).toEqual([
      ['reminder', '2027-01-01', []],
      ['reminder', '2027-01-11', []],
      ['deadline', '2027-01-12', null],
    ]);
  });

  it('follows an edited calendar: a transfer that makes Sunday 10 January 2027 a working day keeps the deadline on it', () => {
    const edited = WorkingCalendar.fromEntries([
      {
        date: '2027-01-10',
        kind: 'transfer_working_day',
        nameKk: 'Жұмыс күні',
        nameRu: 'Рабочий день',
        nameEn: 'Working day',
        source: 'test order',
      },
    ]);
    expect(computeObligationTimeline(executorsInput(BGM, '2027-01-10'), edited).effectiveDueDate).toBe('2027-01-10');
  });
});

describe('previewCycle', () => {
  it('lists every obligation of the cascade and the whole timeline in time order, as if nobody reported', () => {
    const spec = smallPlanSpec({ planId: 'p-1', year: 2026, stages: 'cascade' });
    const preview = previewCycle(spec, KZ_WORKING_CALENDAR);
    expect(preview.obligations.map((o) => [o.obligationId, o.effectiveDueDate])).toEqual([
      ['obligation:p-1:2026:ІІМ:executors', '2027-01-11'],
      ['obligation:p-1:2026:БҒМ:executors', '2027-01-11'],
      ['obligation:p-1:2026:ҰҚК:executors', '2027-01-11'],
      ['obligation:p-1:2026:АҚДМ:summary', '2027-02-25'],
      ['obligation:p-1:2026:ПМК:pm-office', '2027-03-16'],
    ]);
    const instants = preview.timeline.map((e) => e.at);
    expect(instants).toEqual([...instants].sort());
    // 25 reminders, 5 deadlines, escalations: 4 for ІІМ and БҒМ, 3 for ҰҚК (by agreement), 4 for the summary, 3 for the PM Office.
    expect(preview.timeline).toHaveLength(25 + 5 + 4 + 4 + 3 + 4 + 3);
    // The ladder ends at the PM Office: its own stage's last step tells its head, 7 working days after 16 March (Nauryz between).
    expect(preview.timeline.at(-1)).toMatchObject({
      kind: 'escalation',
      party: 'ПМК',
      audience: 'pm_office',
      recipients: ['head@pmo.test'],
      date: '2027-03-30',
    });
    expect(preview.timeline.filter((e) => e.kind === 'escalation' && e.agencyCode === 'ПӘ')).toEqual([]);
  });
});

describe('workingDaysLate', () => {
  const due = resolveDue('2027-01-10', 'next', KZ_WORKING_CALENDAR);
  const at = (local: string): string => new Date(`${local}+05:00`).toISOString();

  it.each([
    ['2027-01-11T23:59:59.999', 0, 'by the end of the due day'],
    ['2027-01-12T00:00:01', 1, 'just after midnight'],
    ['2027-01-18T10:00:00', 5, 'on the fifth working day after'],
    ['2027-01-16T10:00:00', 5, 'on a Saturday: counted from the Monday after'],
  ])('%s → %i (%s)', (local, expected) => {
    expect(workingDaysLate(due, at(local), KZ_WORKING_CALENDAR)).toBe(expected);
  });
});

describe('a timeline from the calendar’s answers (patch cycle-opens-obligations)', () => {
  it('computes the same timeline without the calendar, and refuses answers that do not fit', () => {
    // A due date on a Saturday before New Year: shifted, reminders in working days, escalations across the holidays.
    for (const [party, dueDate] of [
      [BGM, '2025-12-27'],
      [UQK, '2026-03-20'],
    ] as const) {
      const input = executorsInput(party, dueDate);
      const recording = recordingCalendar(KZ_WORKING_CALENDAR);
      const planned = computeObligationTimeline(input, recording.calendar, { noticeHour: 10, noticeMinute: 30 });
      expect(recording.answers.length).toBeGreaterThan(3);
      const again = timelineFromAnswers(input, { answers: recording.answers, noticeHour: 10, noticeMinute: 30 });
      expect(again).toEqual(planned);
      expect(again).toEqual(
        computeObligationTimeline(input, KZ_WORKING_CALENDAR, { noticeHour: 10, noticeMinute: 30 }),
      );
      // Without the notice time it was planned with, the instants differ: the answers carry it for that reason.
      expect(timelineFromAnswers(input, { answers: recording.answers })).not.toEqual(planned);
      expect(() => timelineFromAnswers(input, { answers: recording.answers.slice(0, -1) })).toThrow(/recorded answers/);
    }
    expect(() => replayCalendar([]).shift('2026-01-01', 'next')).toThrow(/more than the 0 recorded answers/);
  });
});
