// What a cycle carries into its next run when it continues as new (CycleState.carry / restore): everything the next run
// needs, through a JSON round trip as it is stored, with the spec's own parties carried by code only; the reminders the cycle
// holds (ReminderBook), without those already sent; the text cut into chunks.
import { describe, expect, it } from 'vitest';
import { CycleState, cutText } from '../../../workflows/cycle-state.js';
import { ReminderBook } from '../../../workflows/reminder-batch.js';
import type { ReminderPlan } from '../../../workflows/shared.js';
import type { PartySpec, PlanAmendment } from '../../../domain/cycle-model.js';
import { AQDM, BGM, IIM, UQK, smallPlanSpec } from '../../fixtures/small-plan.js';

const spec = smallPlanSpec({ planId: 'plan-1', year: 2025, stages: 'cascade' });
const NEW: PartySpec = { ...BGM, agencyCode: 'ЖАҢА', name: { kk: 'Жаңа орган', ru: 'Новый орган' } };
const SUCCESSOR: PartySpec = { ...AQDM, agencyCode: 'МҰРАГЕР', name: { kk: 'Мұрагер', ru: 'Преемник' } };

function run(): CycleState {
  const state = new CycleState(spec, 'cycle:plan-1:2025', 'run-1');
  for (const o of state.owed()) state.addEntry(o.stage, o.party, o.dueDate);
  const base = { actor: 'admin', act: 'decree' };
  const apply = (a: PlanAmendment) => {
    const { note, steps } = state.amend(a);
    for (const step of steps) if (step.kind === 'start') state.addEntry(step.stage, step.party, step.dueDate);
    state.noteAmendment(a, note);
  };
  apply({
    kind: 'moveDeadline',
    amendmentId: 'a1',
    ...base,
    stageId: 'executors',
    agencyCode: IIM.agencyCode,
    newDueDate: '2026-02-02',
  });
  apply({ kind: 'addParty', amendmentId: 'a2', ...base, stageId: 'executors', party: NEW });
  apply({
    kind: 'removeParty',
    amendmentId: 'a3',
    ...base,
    stageId: 'executors',
    agencyCode: UQK.agencyCode,
    reason: 'x',
  });
  apply({ kind: 'replaceCoordinator', amendmentId: 'a4', ...base, successor: SUCCESSOR });
  apply({ kind: 'moveDeadline', amendmentId: 'a5', ...base, stageId: 'nowhere', newDueDate: '2026-02-02' });
  const bgm = [...state.entries.values()].find((e) => e.summary.agencyCode === BGM.agencyCode)!;
  state.obligationChanged({ ...bgm.summary, status: 'submitted', reportVersion: 1 });
  state.childFinished(bgm, { ...bgm.summary, status: 'accepted', reportVersion: 1 });
  const uqk = [...state.entries.values()].find((e) => e.summary.agencyCode === UQK.agencyCode)!;
  state.childFinished(uqk, { ...uqk.summary, status: 'closed', closedReason: 'removed' });
  state.enqueueAmendment({
    kind: 'removeParty',
    amendmentId: 'a6',
    ...base,
    stageId: 'executors',
    agencyCode: NEW.agencyCode,
    reason: 'y',
  });
  state.refreshStage();
  state.cycleRow('2025-12-01T00:00:00Z', '2025-12-02T00:00:00Z');
  return state;
}

describe('CycleState.carry and restore', () => {
  it('carries statuses, amendments (applied and queued), stages, the coordinator and the revision', () => {
    const before = run();
    const carry = JSON.parse(
      JSON.stringify(before.carry({ openedAt: '2025-12-01T00:00:00Z', nextDigest: 42, runs: 1 })),
    );
    const after = new CycleState(spec, 'cycle:plan-1:2025', 'run-2');
    after.restore(carry);
    expect(after.view()).toEqual({ ...before.view(), obligations: before.view().obligations });
    expect(
      after.stages.map((s) => [s.spec.id, s.dueDate, [...s.parties].map(([c, p]) => [c, p.dueDate, p.party])]),
    ).toEqual(
      before.stages.map((s) => [s.spec.id, s.dueDate, [...s.parties].map(([c, p]) => [c, p.dueDate, p.party])]),
    );
    expect(after.coordinator).toEqual(SUCCESSOR);
    expect(after.queued).toBe(1);
    expect(after.nextAmendment()?.amendmentId).toBe('a6');
    expect([...after.entries.values()].map((e) => [e.summary.agencyCode, e.finished, e.carried])).toEqual(
      [...before.entries.values()].map((e) => [e.summary.agencyCode, e.finished, true]),
    );
    // The read model's revision goes on from where the last run left it (its first revision carried the spec).
    expect(after.cycleRow('x', 'y').revision).toBe(2);
    expect(carry.nextDigest).toBe(42);
    // The spec's own parties travel by code: only the added one and the successor are carried whole.
    const whole = JSON.stringify(carry);
    expect(whole).toContain('ЖАҢА');
    expect(
      carry.stages.flatMap((s: { parties: { party?: unknown }[] }) => s.parties.filter((p) => p.party !== undefined)),
    ).toHaveLength(1);
  });

  it('ends a carried obligation on its last word, which a run that started it would learn from its result', () => {
    const before = run();
    const after = new CycleState(spec, 'cycle:plan-1:2025', 'run-2');
    after.restore(JSON.parse(JSON.stringify(before.carry({ openedAt: 'x', nextDigest: 0, runs: 1 }))));
    const iim = [...after.entries.values()].find((e) => e.summary.agencyCode === IIM.agencyCode)!;
    after.obligationChanged({ ...iim.summary, status: 'submitted' });
    expect(iim.finished).toBe(false);
    after.obligationChanged({ ...iim.summary, status: 'accepted' });
    expect(iim.finished).toBe(true);
  });
});

describe('ReminderBook.carry and restore', () => {
  const plan = (obligationId: string, sequence: number, keys: string[]): ReminderPlan => ({
    obligationId,
    runId: `run-${obligationId}`,
    sequence,
    due: { date: '2026-01-10' } as unknown as ReminderPlan['due'],
    receiver: { kk: 'Үйлестіруші', ru: 'Координатор' },
    items: keys.map((key, i) => ({
      key,
      at: `2026-01-0${i + 1}T04:00:00.000Z`,
      offset: 7 - i,
      unit: 'working' as ReminderPlan['items'][number]['unit'],
      to: [`${obligationId}@example.kz`],
      lang: 'kk' as const,
    })),
  });

  it('carries the newest plan of each obligation kept, with only the reminders not yet sent', () => {
    const book = new ReminderBook();
    book.take(plan('a', 1, ['a/1', 'a/2']));
    book.take(plan('a', 2, ['a/3', 'a/4']));
    book.take(plan('b', 1, ['b/1', 'b/2']));
    book.take(plan('gone', 1, ['g/1']));
    book.markDone(['a/3', 'b/1', 'b/2']);
    const carried = JSON.parse(JSON.stringify(book.carry((id) => id !== 'gone'))) as ReminderPlan[];
    expect(carried.map((p) => [p.obligationId, p.sequence, p.items.map((i) => i.key)])).toEqual([
      ['a', 2, ['a/4']],
      ['b', 1, []],
    ]);
    // The next run sends exactly what was left, and an older plan handed to it late changes nothing.
    const next = new ReminderBook();
    next.restore(carried);
    next.take(plan('a', 1, ['a/1']));
    const all = () => true;
    expect(next.due(Date.parse('2026-02-01T00:00:00Z'), all).map((d) => d.item.key)).toEqual(['a/4']);
    expect(next.nextAt(all)).toBe(Date.parse('2026-01-02T04:00:00.000Z'));
  });
});

describe('cutText', () => {
  it('cuts into pieces of at most the size that join back, never inside a surrogate pair', () => {
    const text = `{"a":"Мерзім ${'😀'.repeat(40)} қазан"}`.repeat(7);
    for (const size of [2, 3, 5, 64, 1000]) {
      const pieces = cutText(text, size);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) {
        expect(p.length).toBeLessThanOrEqual(size);
        expect(p.length).toBeGreaterThan(0);
        const last = p.charCodeAt(p.length - 1);
        expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
      }
    }
    expect(cutText('', 10)).toEqual([]);
  });
});
