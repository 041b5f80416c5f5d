// The cycle's state without a server: what each plan amendment changes and which steps it asks of the workflow, or why it does not apply.
import { describe, expect, it } from 'vitest';
import { CycleState, type AmendmentStep } from '../../../workflows/cycle-state.js';
import type { PlanAmendment } from '../../../domain/cycle-model.js';
import { AQDM, BGM, IIM, MSM, OM, UQK, smallPlanSpec } from '../../fixtures/small-plan.js';

const spec = smallPlanSpec({ planId: 'plan-1', year: 2025, stages: 'cascade' });
const ids = { obl: (code: string, stage = 'executors') => `obligation:plan-1:2025:${code}:${stage}` };

/** A cycle that has started every obligation it owes, as the workflow does on opening. */
function opened(): CycleState {
  const state = new CycleState(spec, 'cycle:plan-1:2025', 'run-1');
  for (const o of state.owed()) state.addEntry(o.stage, o.party, o.dueDate);
  return state;
}

/** The steps, with a started stage shown by its id (not the whole object). */
function steps(list: readonly AmendmentStep[]): unknown[] {
  return list.map((s) =>
    s.kind === 'start'
      ? { kind: 'start', stageId: s.stage.spec.id, agency: s.party.agencyCode, dueDate: s.dueDate }
      : s,
  );
}

const base = { actor: 'admin@test', act: 'decree No. 1003' };
let n = 0;
const am = (a: Record<string, unknown>): PlanAmendment =>
  ({ amendmentId: `am-${++n}`, ...base, ...a }) as PlanAmendment;

describe('CycleState', () => {
  it('opens every stage with the cycle, in the spec’s order, at the first stage', () => {
    const state = opened();
    expect(state.owed().map((o) => `${o.stage.spec.id}:${o.party.agencyCode}`)).toEqual([
      'executors:ІІМ',
      'executors:БҒМ',
      'executors:ҰҚК',
      'summary:АҚДМ',
      'pm-office:ПМК',
    ]);
    expect(state.view()).toMatchObject({ status: 'open', stage: 'executors', closedReason: null, amendments: [] });
    expect(state.view().obligations.map((o) => [o.obligationId, o.status, o.effectiveDueDate])).toContainEqual([
      ids.obl('ІІМ'),
      'pending',
      null,
    ]);
  });

  it('moves a whole stage’s deadline: one signal per party, and a party added later owes the new date', () => {
    const state = opened();
    const a = am({ kind: 'moveDeadline', stageId: 'executors', newDueDate: '2026-01-20' });
    const outcome = state.amend(a);
    expect(outcome.note).toBeNull();
    const signal = {
      amendmentId: a.amendmentId,
      newDueDate: '2026-01-20',
      reason: 'decree No. 1003',
      actor: 'admin@test',
    };
    expect(steps(outcome.steps)).toEqual(
      ['ІІМ', 'БҒМ', 'ҰҚК'].map((agencyCode) => ({ kind: 'changeDeadline', stageId: 'executors', agencyCode, signal })),
    );
    expect(steps(state.amend(am({ kind: 'addParty', stageId: 'executors', party: MSM })).steps)).toEqual([
      { kind: 'start', stageId: 'executors', agency: 'МСМ', dueDate: '2026-01-20' },
    ]);
  });

  it('moves one party’s deadline alone; the stage keeps its own', () => {
    const state = opened();
    const outcome = state.amend(
      am({ kind: 'moveDeadline', stageId: 'executors', agencyCode: 'БҒМ', newDueDate: '2026-01-22' }),
    );
    expect(outcome.steps.map((s) => s.kind === 'changeDeadline' && s.agencyCode)).toEqual(['БҒМ']);
    expect(state.stages[0]!.dueDate).toBe(spec.stages[0]!.dueDate);
    expect(state.stages[0]!.parties.get('БҒМ')!.dueDate).toBe('2026-01-22');
  });

  it('says why an amendment does not apply, and changes nothing then', () => {
    const state = opened();
    expect(state.amend(am({ kind: 'moveDeadline', stageId: 'nope', newDueDate: '2026-01-20' }))).toEqual({
      note: 'no stage "nope" in this cycle',
      steps: [],
    });
    expect(state.amend(am({ kind: 'moveDeadline', stageId: 'executors', newDueDate: '2026-02-30' })).note).toBe(
      'newDueDate: not a date (YYYY-MM-DD): "2026-02-30"',
    );
    expect(
      state.amend(am({ kind: 'moveDeadline', stageId: 'executors', agencyCode: 'МСМ', newDueDate: '2026-01-20' })).note,
    ).toBe('"МСМ" owes nothing in stage executors');
    expect(state.amend(am({ kind: 'addParty', stageId: 'executors', party: IIM })).note).toBe(
      '"ІІМ" already owes stage executors',
    );
    expect(
      state.amend(
        am({ kind: 'addParty', stageId: 'executors', party: { ...MSM, emails: { reporter: ['x'], head: [] } } }),
      ).note,
    ).toBe('party.emails.reporter[0]: not an e-mail address');
    expect(state.amend(am({ kind: 'removeParty', stageId: 'executors', agencyCode: 'МСМ', reason: 'r' })).note).toBe(
      '"МСМ" owes nothing in stage executors',
    );
    expect(
      state.amend(am({ kind: 'replaceParty', stageId: 'executors', agencyCode: 'БҒМ', successor: UQK })).note,
    ).toBe('successor "ҰҚК" already owes stage executors');
    expect([...state.stages[0]!.parties.keys()]).toEqual(['ІІМ', 'БҒМ', 'ҰҚК']);
    expect(state.stages[0]!.dueDate).toBe(spec.stages[0]!.dueDate);
  });

  it('removes a party (a close step) and refuses to add it back while its obligation is still closing', () => {
    const state = opened();
    expect(
      steps(state.amend(am({ kind: 'removeParty', stageId: 'executors', agencyCode: 'БҒМ', reason: 'merged' })).steps),
    ).toEqual([
      {
        kind: 'close',
        stageId: 'executors',
        agencyCode: 'БҒМ',
        signal: { reason: 'removed from the plan: merged', actor: 'admin@test' },
      },
    ]);
    expect(state.amend(am({ kind: 'addParty', stageId: 'executors', party: BGM })).note).toBe(
      'the removed obligation of "БҒМ" is still closing: amend again in a moment',
    );
    const entry = state.entries.get(ids.obl('БҒМ'))!;
    state.childFinished(entry, { ...entry.summary, status: 'closed', closedReason: 'removed from the plan: merged' });
    expect(steps(state.amend(am({ kind: 'addParty', stageId: 'executors', party: BGM })).steps)).toEqual([
      { kind: 'start', stageId: 'executors', agency: 'БҒМ', dueDate: spec.stages[0]!.dueDate },
    ]);
  });

  it('replaces a party by its successor with the party’s own deadline, unless it has already reported', () => {
    const state = opened();
    state.amend(am({ kind: 'moveDeadline', stageId: 'executors', agencyCode: 'БҒМ', newDueDate: '2026-01-22' }));
    expect(
      steps(state.amend(am({ kind: 'replaceParty', stageId: 'executors', agencyCode: 'БҒМ', successor: OM })).steps),
    ).toEqual([
      {
        kind: 'close',
        stageId: 'executors',
        agencyCode: 'БҒМ',
        signal: { reason: 'replaced by ОМ', actor: 'admin@test' },
      },
      { kind: 'start', stageId: 'executors', agency: 'ОМ', dueDate: '2026-01-22' },
    ]);
    expect([...state.stages[0]!.parties.keys()]).toEqual(['ІІМ', 'ҰҚК', 'ОМ']);
    const iim = state.entries.get(ids.obl('ІІМ'))!;
    state.obligationChanged({ ...iim.summary, status: 'accepted' });
    expect(
      state.amend(am({ kind: 'replaceParty', stageId: 'executors', agencyCode: 'ІІМ', successor: MSM })).note,
    ).toBe('"ІІМ" has already reported for 2025; nothing passes to "МСМ"');
  });

  it('records each amendment once: a repeated id is a duplicate', () => {
    const state = opened();
    const a = am({ kind: 'removeParty', stageId: 'executors', agencyCode: 'ҰҚК', reason: 'r' });
    state.enqueueAmendment(a);
    state.enqueueAmendment(a);
    const first = state.nextAmendment()!;
    expect(state.isDuplicate(first)).toBe(false);
    state.noteAmendment(first, state.amend(first).note);
    expect(state.isDuplicate(state.nextAmendment()!)).toBe(true);
    expect(state.nextAmendment()).toBeUndefined();
    expect(state.view().amendments).toEqual([
      { amendmentId: a.amendmentId, kind: 'removeParty', applied: true, note: null },
    ]);
  });

  it('follows its obligations: the stage moves on when a stage’s last one ends, a finished child’s summary is final', () => {
    const state = opened();
    for (const code of ['ІІМ', 'БҒМ', 'ҰҚК']) {
      const e = state.entries.get(ids.obl(code))!;
      state.childFinished(e, { ...e.summary, status: 'accepted' });
    }
    const iim = state.entries.get(ids.obl('ІІМ'))!;
    state.obligationChanged({ ...iim.summary, status: 'overdue' });
    expect(iim.summary.status).toBe('accepted');
    expect(state.refreshStage()).toBe('summary');
    expect(state.refreshStage()).toBeNull();
    expect([state.allFinished(), state.allEnded()]).toEqual([false, false]);
    for (const [code, stage] of [
      ['АҚДМ', 'summary'],
      ['ПМК', 'pm-office'],
    ] as const)
      state.childFailed(state.entries.get(ids.obl(code, stage))!);
    expect([state.allFinished(), state.allEnded()]).toEqual([false, true]);
    expect(state.openEntry('summary', AQDM.agencyCode)).toBeUndefined();
  });

  it('writes the spec with the first read-model revision only, and a finish time once closed', () => {
    const state = opened();
    const first = state.cycleRow('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
    expect([first.revision, 'spec' in first, first.finishedAt]).toEqual([1, true, null]);
    state.requestClose({ reason: 'repealed', actor: 'admin' });
    state.requestClose({ reason: 'again', actor: 'admin' });
    expect(state.closing?.reason).toBe('repealed');
    state.finish('closed', 'repealed');
    const last = state.cycleRow('2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z');
    expect([last.revision, 'spec' in last, last.status, last.closedReason, last.finishedAt]).toEqual([
      2,
      false,
      'closed',
      'repealed',
      '2025-06-01T00:00:00.000Z',
    ]);
    expect([state.nextEventKey(), state.nextEventKey()]).toEqual([
      'cycle:plan-1:2025/run-1/1',
      'cycle:plan-1:2025/run-1/2',
    ]);
  });
});
