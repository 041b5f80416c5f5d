// The obligation's state machine without a server: guards refuse what the Updates must refuse, transitions move status and deadline.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { computeObligationTimeline, type ObligationTimeline } from '../../../domain/cycle-timeline.js';
import type { IsoDate } from '../../../domain/dates.js';
import { ObligationState, Refusal } from '../../../workflows/obligation-state.js';
import type { ObligationStatus } from '../../../domain/cycle-model.js';
import type { ObligationInput } from '../../../workflows/shared.js';
import { AQDM, BGM, PA, PMO, smallPlanSpec } from '../../fixtures/small-plan.js';

const spec = smallPlanSpec({ planId: 'plan-1', year: 2025, stages: 'executors' });
const stage = spec.stages[0]!;
const input: ObligationInput = {
  planId: spec.planId,
  planTitle: spec.planTitle,
  period: spec.period,
  policyId: spec.policyId,
  stage: { id: stage.id, from: stage.from, to: stage.to },
  party: BGM,
  dueDate: stage.dueDate,
  shift: spec.shift,
  reminders: spec.reminders,
  escalation: spec.escalation,
  chain: { coordinator: AQDM, pmOffice: PMO, presidentialAdministration: PA },
};
const ID = 'obligation:plan-1:2025:БҒМ:executors';
const T0 = '2025-11-01T05:00:00.000Z';

function timelineFor(dueDate: IsoDate): ObligationTimeline {
  const { stage: s, party, chain, shift, reminders, escalation } = input;
  return computeObligationTimeline(
    { stage: s, party, chain, dueDate, shift, reminders, escalation },
    KZ_WORKING_CALENDAR,
  );
}

/** A state with its status changes recorded, planned (as the workflow would) on its input's deadline at `nowMs`. */
function planned(opts: { openWithFirstPlan?: boolean; nowMs?: number } = {}): {
  state: ObligationState;
  statuses: ObligationStatus[];
} {
  const statuses: ObligationStatus[] = [];
  const state = new ObligationState(
    input,
    {
      obligationId: ID,
      runId: 'run-1',
      cycleId: 'cycle:plan-1:2025',
      openedAt: T0,
      openWithFirstPlan: opts.openWithFirstPlan ?? true,
    },
    (s) => statuses.push(s),
  );
  const { requested } = state.beginPlan();
  expect(state.takePlan(timelineFor(requested), requested, opts.nowMs ?? Date.parse(T0))).toBe(true);
  return { state, statuses };
}

function refusal(f: () => void): { type: string; message: string; details?: unknown[] } {
  try {
    f();
  } catch (err) {
    if (err instanceof Refusal)
      return { type: err.type, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
    throw err;
  }
  throw new Error('expected a refusal');
}

const report = { submittedBy: 'reporter@БҒМ', items: [{ measure: '1', status: 'done' as const, text: 'Өткізілді.' }] };

describe('ObligationState guards', () => {
  it('refuses a report that fails validation with InvalidReport and the list of problems', () => {
    const { state } = planned();
    expect(refusal(() => state.validateSubmit({ submittedBy: 'r', items: [] }))).toEqual({
      type: 'InvalidReport',
      message: 'items: a report covers at least one measure',
      details: [['items: a report covers at least one measure']],
    });
    expect(() => state.validateSubmit(report)).not.toThrow();
  });

  it('refuses accept and return before a submission, and submit after acceptance, as InvalidTransition', () => {
    const { state } = planned();
    expect(refusal(() => state.validateAccept({ acceptedBy: 'c' })).type).toBe('InvalidTransition');
    expect(
      refusal(() => state.validateReturn({ returnedBy: 'c', comment: 'x', newDueDate: '2026-02-01' })).message,
    ).toBe('only a submitted report can be returned; the obligation is pending');
    state.submit(report, T0);
    expect(refusal(() => state.validateAccept({ acceptedBy: ' ' }))).toEqual({
      type: 'InvalidInput',
      message: 'acceptedBy: must name who accepts',
    });
    state.accept(T0);
    expect(refusal(() => state.validateSubmit(report))).toEqual({
      type: 'InvalidTransition',
      message: 'the report is already accepted: nothing can be submitted any more',
    });
    expect(refusal(() => state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: '2027-01-01' })).type).toBe(
      'InvalidTransition',
    );
  });

  it('names the bad field of a return or an extension', () => {
    const { state } = planned();
    expect(refusal(() => state.validateExtend({ extendedBy: 'c', reason: '', newDueDate: '2027-01-01' })).message).toBe(
      'reason: say why the deadline is extended',
    );
    expect(
      refusal(() => state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: '2026-02-30' })).message,
    ).toBe('newDueDate: not a date (YYYY-MM-DD): "2026-02-30"');
    expect(
      refusal(() => state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: input.dueDate })).message,
    ).toBe(`newDueDate: an extension must be later than ${input.dueDate}`);
    state.submit(report, T0);
    expect(
      refusal(() => state.validateReturn({ returnedBy: 'c', comment: ' ', newDueDate: '2026-02-01' })).message,
    ).toBe('comment: say what must be fixed');
    expect(
      refusal(() => state.validateReturn({ returnedBy: 'c', comment: 'x', newDueDate: 'soon' as IsoDate })).type,
    ).toBe('InvalidInput');
  });
});

describe('ObligationState transitions', () => {
  it('queues review e-mails for the main loop (an Update never waits for SMTP), waking it, in order, each to its audience', () => {
    const { state } = planned();
    const before = state.wake;
    state.queueNotice({
      key: `arrived:${ID}:v1`,
      notice: { kind: 'report_arrived', version: 1, late: false, workingDaysLate: 0 },
      to: 'receiver',
    });
    state.queueNotice({
      key: `accepted:${ID}:v1`,
      notice: { kind: 'accepted', version: 1, acceptedBy: 'din@АҚДМ', comment: null },
    });
    expect(state.wake).toBe(before + 2);
    expect(state.nextNotice()).toMatchObject({ key: `arrived:${ID}:v1`, to: 'receiver' });
    expect(state.nextNotice()).toMatchObject({ key: `accepted:${ID}:v1`, notice: { kind: 'accepted' } });
    expect(state.nextNotice()).toBeUndefined();
  });

  it('opens with the first plan only under the patch, and numbers events and read-model revisions per run', () => {
    const fresh = new ObligationState(input, {
      obligationId: ID,
      runId: 'run-1',
      cycleId: null,
      openedAt: T0,
      openWithFirstPlan: true,
    });
    expect(fresh.planned()).toBe(false);
    expect(fresh.beginPlan().opening).toBe(true);
    expect(fresh.beginPlan().opening).toBe(false);
    const old = new ObligationState(input, {
      obligationId: ID,
      runId: 'run-1',
      cycleId: null,
      openedAt: T0,
      openWithFirstPlan: false,
    });
    expect(old.beginPlan().opening).toBe(false);
    expect([fresh.nextEventKey(), fresh.nextEventKey()]).toEqual([`${ID}/run-1/1`, `${ID}/run-1/2`]);
    expect([fresh.projection(T0).revision, fresh.projection(T0).revision]).toEqual([1, 2]);
  });

  it('walks the timeline in order, skips notices already past at planning but never the deadline', () => {
    const timeline = timelineFor(input.dueDate);
    const deadline = timeline.items.find((i) => i.kind === 'deadline')!;
    // Planned a minute after the deadline: every reminder is past and skipped; the deadline comes first.
    const { state, statuses } = planned({ nowMs: Date.parse(deadline.at) + 60_000 });
    expect(state.nextItem()?.item).toEqual(deadline);
    state.markOverdue();
    state.markDone(state.nextItem()!.key);
    expect(state.nextItem()?.item.kind).toBe('escalation');
    expect([state.status, statuses]).toEqual(['overdue', ['overdue']]);
  });

  it('takes a submission, settles its lateness only if no newer one came, and accepts it as final', () => {
    const { state, statuses } = planned();
    expect(state.submit(report, T0)).toBe(1);
    expect(state.nextItem()).toBeUndefined();
    expect(state.submit(report, T0)).toBe(2);
    state.settleLateness(1, true, 4);
    expect([state.workingDaysLate, state.report?.late]).toEqual([null, false]);
    state.settleLateness(2, true, 3);
    expect([state.workingDaysLate, state.report?.late, state.report?.version]).toEqual([3, true, 2]);
    state.accept('2026-01-05T05:00:00.000Z');
    expect(state.final).toBe(true);
    expect(state.projection('2026-01-05T06:00:00.000Z')).toMatchObject({
      status: 'accepted',
      acceptedAt: '2026-01-05T05:00:00.000Z',
      finishedAt: '2026-01-05T06:00:00.000Z',
      reportVersion: 2,
    });
    expect(statuses).toEqual(['submitted', 'accepted']);
  });

  it('returns a report: re-plans on the new date and queues the notice to the party', () => {
    const { state } = planned();
    state.submit(report, T0);
    state.returnReport({ returnedBy: 'coordinator@АҚДМ', comment: 'Толықтырыңыз', newDueDate: '2026-01-20' }, T0);
    expect([state.status, state.dueDate, state.replan, state.planned()]).toEqual([
      'returned',
      '2026-01-20',
      true,
      false,
    ]);
    expect(state.summary().dueInstant).toBeNull();
    expect(state.nextNotice()).toEqual({
      key: `returned:${ID}:v1`,
      notice: { kind: 'returned', comment: 'Толықтырыңыз', returnedBy: 'coordinator@АҚДМ' },
    });
    expect(state.view().lastReturn).toEqual({ comment: 'Толықтырыңыз', returnedBy: 'coordinator@АҚДМ', at: T0 });
  });

  it('takes a versioned report by id, hash and statuses; refuses a new version while one is under review', () => {
    const { state } = planned();
    const versioned = {
      submittedBy: 'reporter@БҒМ',
      versionId: '0b6f8a52-6a55-4f0e-9f57-3d5b3c6b2d11',
      contentHash: 'a'.repeat(64),
      statuses: [{ measure: '1', status: 'not_yet_due' as const }],
    };
    expect(
      refusal(() => state.validateSubmit({ ...versioned, statuses: [{ measure: '2', status: 'done' }] })),
    ).toMatchObject({
      type: 'InvalidReport',
      message: expect.stringContaining('statuses[0].measure: "2" is not a measure БҒМ reports on'),
    });
    expect(refusal(() => state.validateSubmit({ ...versioned, contentHash: 'x' })).message).toContain('contentHash');
    state.validateSubmit(versioned);
    expect(state.submit(versioned, T0)).toBe(1);
    expect(state.view().report).toMatchObject({ versionId: versioned.versionId, statuses: versioned.statuses });
    expect(state.view().report).not.toHaveProperty('items');
    expect(refusal(() => state.validateSubmit(versioned))).toMatchObject({
      type: 'InvalidTransition',
      message: expect.stringContaining('version 1 is under review'),
    });
    const comments = [{ measure: '1', field: 'narrative.kk', text: 'Сандарды көрсетіңіз' }];
    expect(
      refusal(() =>
        state.validateReturn({
          returnedBy: 'c',
          comment: 'x',
          newDueDate: '2026-01-20',
          comments: [{ measure: '9', text: 'y' }],
        }),
      ).message,
    ).toContain('comments[0].measure');
    state.validateReturn({ returnedBy: 'c', comment: 'x', newDueDate: '2026-01-20', comments });
    state.returnReport({ returnedBy: 'c', comment: 'x', newDueDate: '2026-01-20', comments }, T0);
    expect(state.view().lastReturn?.comments).toEqual(comments);
    expect(state.nextNotice()?.notice).toMatchObject({ kind: 'returned', comments });
    expect(() =>
      state.validateSubmit({ ...versioned, versionId: '1b6f8a52-6a55-4f0e-9f57-3d5b3c6b2d11' }),
    ).not.toThrow();
  });

  it('extends an overdue obligation: pending again, and once re-planned one notice of the move with the first date', () => {
    const { state, statuses } = planned();
    state.markOverdue();
    const wake = state.wake;
    expect(state.extend({ extendedBy: 'c', reason: 'сурет жоқ', newDueDate: '2026-01-30' })).toBe(input.dueDate);
    expect([state.status, state.wake > wake, statuses]).toEqual(['pending', true, ['overdue', 'pending']]);
    // A second move before the plan keeps the first date as the one the notice reports.
    state.changeDeadline({ amendmentId: 'a1', newDueDate: '2026-02-02', reason: 'decree', actor: 'admin' });
    const { requested } = state.beginPlan();
    expect(requested).toBe('2026-02-02');
    const timeline = timelineFor(requested);
    expect(state.takePlan(timeline, requested, Date.parse(T0))).toBe(true);
    expect(state.sequence).toBe(1);
    expect(state.nextNotice()).toEqual({
      key: `deadline-changed:${ID}:1:${timeline.dueInstant}`,
      notice: { kind: 'deadline_changed', previousDueDate: input.dueDate, reason: 'сурет жоқ' },
    });
    expect(state.nextNotice()).toBeUndefined();
  });

  it('drops a plan made for a deadline that moved again meanwhile', () => {
    const { state } = planned();
    state.changeDeadline({ amendmentId: 'a1', newDueDate: '2026-01-20', reason: 'r', actor: 'a' });
    const { requested } = state.beginPlan();
    state.changeDeadline({ amendmentId: 'a2', newDueDate: '2026-01-25', reason: 'r', actor: 'a' });
    expect(state.takePlan(timelineFor(requested), requested, Date.parse(T0))).toBe(false);
    expect([state.replan, state.sequence]).toEqual([true, 0]);
  });

  it('ignores a deadline change that is stale, unchanged or not a date, and a close after the end', () => {
    const { state } = planned();
    expect(state.changeDeadline({ amendmentId: 'a', newDueDate: input.dueDate, reason: 'r', actor: 'a' })).toEqual({
      from: input.dueDate,
      applies: false,
    });
    expect(
      state.changeDeadline({ amendmentId: 'a', newDueDate: '2026-13-01' as IsoDate, reason: 'r', actor: 'a' }).applies,
    ).toBe(false);
    expect(state.close('removed from the plan')).toBe(true);
    expect([state.status, state.closedReason, state.final]).toEqual(['closed', 'removed from the plan', true]);
    expect(state.close('again')).toBe(false);
    expect(state.changeDeadline({ amendmentId: 'b', newDueDate: '2026-03-01', reason: 'r', actor: 'a' }).applies).toBe(
      false,
    );
    expect(state.closedReason).toBe('removed from the plan');
  });
});

describe('ObligationState guards against what PostgreSQL or a timeline cannot take (issue 10 items 1 and 4)', () => {
  it('refuses NUL and lone surrogates in every Update, naming the field', () => {
    const { state } = planned();
    expect(
      refusal(() => state.validateSubmit({ ...report, items: [{ ...report.items[0]!, text: 'ok\u0000x' }] })),
    ).toMatchObject({ type: 'InvalidReport', message: expect.stringContaining('items[0].text: contains U+0000') });
    expect(
      refusal(() =>
        state.validateExtend({ extendedBy: 'c', reason: 'a\ud800b', newDueDate: '2026-01-20' }, '2025-11-01'),
      ),
    ).toMatchObject({
      type: 'InvalidInput',
      message: expect.stringContaining('reason: contains an unpaired UTF-16 surrogate'),
    });
  });

  it('bounds a new due date: after today, within the cycle’s year plus two', () => {
    const { state } = planned();
    expect(
      refusal(() => state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: '9999-12-31' }, '2025-11-01'))
        .message,
    ).toMatch(/no later than 2027-12-31/);
    expect(
      refusal(() => state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: '2025-10-01' }, '2025-11-01'))
        .message,
    ).toMatch(/after today/);
    expect(() =>
      state.validateExtend({ extendedBy: 'c', reason: 'r', newDueDate: '2026-02-01' }, '2025-11-01'),
    ).not.toThrow();
  });

  it('an amendment past the bound applies only where the workflow says so (its patch), and is asked only then', () => {
    const { state } = planned();
    let asked = 0;
    expect(
      state.changeDeadline({ amendmentId: 'a', newDueDate: '9999-12-31', reason: 'r', actor: 'x' }, () => {
        asked++;
        return false;
      }).applies,
    ).toBe(false);
    expect(
      state.changeDeadline({ amendmentId: 'b', newDueDate: '2026-01-15', reason: 'r', actor: 'x' }, () => {
        asked++;
        return false;
      }).applies,
    ).toBe(true);
    expect(asked).toBe(1);
  });
});
