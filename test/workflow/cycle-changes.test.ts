// Reporting cycles under change: plan amendments mid-cycle, repeal, a worker replaced mid-cycle, an SMTP relay that refuses mail for a while.
import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { amendPlanSignal, closeCycleSignal, cycleStatusQuery, obligationStatusQuery } from '../../workflows/shared.js';
import { type PlanAmendment } from '../../domain/cycle-model.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import {
  BGM,
  IIM,
  MSM,
  OM,
  UQK,
  countTypes,
  eventsOf,
  localTime,
  mailLines,
  ladderMailsOf,
  startRefusingSink,
} from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

type AmendmentDraft = PlanAmendment extends infer A
  ? A extends PlanAmendment
    ? Omit<A, 'amendmentId' | 'actor' | 'act'>
    : never
  : never;

let amendments = 0;
function amendment(a: AmendmentDraft): PlanAmendment {
  return {
    amendmentId: `am-${++amendments}`,
    actor: 'admin@test',
    act: 'Government decree No. 1003 of 24 Dec 2019',
    ...a,
  } as PlanAmendment;
}

describe('reportingCycleWorkflow under change', () => {
  it('moves one agency’s deadline mid-cycle: fresh reminders for the new date, none re-sent for an unchanged one', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.mailsWhen(6);
    const newDue = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 10);
    await s.handle.signal(
      amendPlanSignal,
      amendment({ kind: 'moveDeadline', stageId: 'executors', agencyCode: 'ІІМ', newDueDate: newDue }),
    );
    // A "move" to the date it already has changes nothing: no notice, no reminder sent twice.
    await s.handle.signal(
      amendPlanSignal,
      amendment({
        kind: 'moveDeadline',
        stageId: 'executors',
        agencyCode: 'БҒМ',
        newDueDate: s.spec.stages[0]!.dueDate,
      }),
    );
    await s.mailsWhen(7);

    await s.advanceTo(s.reminderAt(BGM, 3) + HOUR);
    for (const p of [BGM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    await s.advanceTo(localTime(KZ_WORKING_CALENDAR.subtractWorkingDays(newDue, 3), 9) + HOUR);
    const status = await s.handle.query(cycleStatusQuery);
    expect(status.obligations.find((o) => o.agencyCode === 'ІІМ')).toMatchObject({
      status: 'pending',
      dueDate: newDue,
    });
    await s.submit(IIM);
    await s.accept(IIM);
    expect((await s.result()).status).toBe('completed');

    const mails = await ladderMailsOf(bed.db, s.planId);
    expect(mailLines(mails.filter((m) => m.about === 'ІІМ'))).toEqual([
      'reminder 14 ІІМ → ІІМ (ru)',
      'reminder 7 ІІМ → ІІМ (ru)',
      'deadline-changed ІІМ → ІІМ (ru)',
      'reminder 14 ІІМ → ІІМ (ru)',
      'reminder 7 ІІМ → ІІМ (ru)',
      'reminder 3 ІІМ → ІІМ (ru)',
    ]);
    // The new deadline's reminders carry its instant in their keys: a moved deadline is a new series, never a repeat of the old one.
    const iimKeys = mails.filter((m) => m.about === 'ІІМ' && m.kind === 'reminder').map((m) => m.key);
    expect(new Set(iimKeys).size).toBe(5);
    expect(mails.find((m) => m.kind === 'deadline-changed')!.text).toContain('Прежний срок');
    expect(mailLines(mails.filter((m) => m.about !== 'ІІМ')).sort()).toEqual(
      [
        'reminder 14 БҒМ → БҒМ (kk)',
        'reminder 7 БҒМ → БҒМ (kk)',
        'reminder 3 БҒМ → БҒМ (kk)',
        'reminder 14 ҰҚК → ҰҚК (ru)',
        'reminder 7 ҰҚК → ҰҚК (ru)',
        'reminder 3 ҰҚК → ҰҚК (ru)',
      ].sort(),
    );
    const counts = countTypes(await eventsOf(bed.db, s.planId));
    expect(counts).toMatchObject({
      'plan.amended': 2,
      'deadline.moved': 1,
      'deadline.move_ignored': 1,
      'reminder.sent': 11,
      // The moved deadline's notice, and each of the three reports' arrival and acceptance.
      'notice.sent': 7,
    });
    await s.recordHistories('amended-deadline', RECORD);
  });

  it('adds, removes and replaces executors while the cycle runs; an amendment it cannot apply is recorded, a repeated one ignored', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 14) + HOUR);
    await s.mailsWhen(3);
    const replace = amendment({ kind: 'replaceParty', stageId: 'executors', agencyCode: 'БҒМ', successor: OM });
    for (const a of [
      replace,
      amendment({ kind: 'addParty', stageId: 'executors', party: MSM }),
      amendment({
        kind: 'removeParty',
        stageId: 'executors',
        agencyCode: 'ҰҚК',
        reason: 'measure 2 moved to the programme of decree No. 124',
      }),
      amendment({ kind: 'removeParty', stageId: 'executors', agencyCode: 'ЖОҚ', reason: 'typo' }),
      replace,
    ])
      await s.handle.signal(amendPlanSignal, a);
    await s.obligationsStarted([s.obligationId(OM), s.obligationId(MSM)]);

    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, OM, MSM]) {
      await s.submit(p);
      await s.accept(p);
    }
    const result = await s.result();
    expect(result.status).toBe('completed');
    expect(result.obligations.map((o) => [o.agencyCode, o.status, o.closedReason])).toEqual([
      ['ІІМ', 'accepted', null],
      ['БҒМ', 'closed', 'replaced by ОМ'],
      ['ҰҚК', 'closed', 'removed from the plan: measure 2 moved to the programme of decree No. 124'],
      ['ОМ', 'accepted', null],
      ['МСМ', 'accepted', null],
    ]);
    const status = await s.handle.query(cycleStatusQuery);
    expect(status.amendments.map((a) => [a.kind, a.applied])).toEqual([
      ['replaceParty', true],
      ['addParty', true],
      ['removeParty', true],
      ['removeParty', false],
    ]);
    expect(status.amendments[3]!.note).toBe('"ЖОҚ" owes nothing in stage executors');

    // The successor and the added agency start after the 14-days reminder: they get the 7-days one only.
    expect(mailLines(await ladderMailsOf(bed.db, s.planId)).sort()).toEqual(
      [
        'reminder 14 ІІМ → ІІМ (ru)',
        'reminder 14 БҒМ → БҒМ (kk)',
        'reminder 14 ҰҚК → ҰҚК (ru)',
        'reminder 7 ІІМ → ІІМ (ru)',
        'reminder 7 ОМ → ОМ (kk)',
        'reminder 7 МСМ → МСМ (kk)',
      ].sort(),
    );
    const counts = countTypes(await eventsOf(bed.db, s.planId));
    expect(counts).toMatchObject({
      'plan.amended': 3,
      'plan.amendment_ignored': 1,
      'obligation.closed': 2,
      'obligation.opened': 5,
    });
    await s.recordHistories('amended-parties', RECORD);
  });

  it('closes a cycle whose plan is repealed: every obligation closed with the reason, nothing sent afterwards', async () => {
    const s = await bed.newScenario();
    await s.start('cascade');
    await s.advanceTo(s.reminderAt(IIM, 14) + HOUR);
    await s.mailsWhen(3);
    const reason = 'the plan lost force: Government decree No. 1014 of 15 Sep 2022';
    await s.handle.signal(closeCycleSignal, { reason, act: 'No. 1014 of 15 Sep 2022', actor: 'admin@test' });
    const result = await s.result();
    expect(result).toMatchObject({ status: 'closed', closedReason: reason });
    expect(result.obligations.map((o) => [o.agencyCode, o.stageId, o.status, o.closedReason])).toEqual(
      [
        ['ІІМ', 'executors'],
        ['БҒМ', 'executors'],
        ['ҰҚК', 'executors'],
        ['АҚДМ', 'summary'],
        ['ПМК', 'pm-office'],
      ].map(([a, st]) => [a, st, 'closed', `cycle closed: ${reason}`]),
    );
    await s.advanceTo(s.reminderAt(IIM, 0) + 100 * DAY);
    expect(mailLines(await ladderMailsOf(bed.db, s.planId)).sort()).toEqual(
      ['reminder 14 ІІМ → ІІМ (ru)', 'reminder 14 БҒМ → БҒМ (kk)', 'reminder 14 ҰҚК → ҰҚК (ru)'].sort(),
    );
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 5,
      'reminder.sent': 3,
      'obligation.closed': 5,
      'cycle.closed': 1,
    });
    expect(events.find((e) => e.type === 'cycle.closed')).toMatchObject({
      actor: 'admin@test',
      payload: { reason, act: 'No. 1014 of 15 Sep 2022' },
    });
    const rows = await bed.db
      .selectFrom('obligations')
      .select(['status', 'closed_reason'])
      .where('plan_id', '=', s.planId)
      .execute();
    expect(rows.every((r) => r.status === 'closed' && r.closed_reason === `cycle closed: ${reason}`)).toBe(true);
    expect(
      (await bed.db.selectFrom('cycles').selectAll().where('plan_id', '=', s.planId).executeTakeFirstOrThrow()).status,
    ).toBe('closed');
    await s.recordHistories('repealed', RECORD);
  });

  it('asks its obligations to close when the cycle itself is cancelled by hand', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 14) + HOUR);
    await s.mailsWhen(3);
    await s.handle.cancel();
    const err = await s.result().catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(CancelledFailure);
    for (const p of [IIM, BGM, UQK]) await expect(s.obligation(p).result()).rejects.toThrow();
    const rows = await bed.db
      .selectFrom('obligations')
      .select(['status', 'closed_reason'])
      .where('plan_id', '=', s.planId)
      .execute();
    expect(rows.map((r) => [r.status, r.closed_reason])).toEqual(Array(3).fill(['closed', 'cycle cancelled']));
    expect(countTypes(await eventsOf(bed.db, s.planId))).toMatchObject({ 'obligation.closed': 3, 'cycle.closed': 1 });
    expect(
      await bed.db
        .selectFrom('cycles')
        .select(['status', 'closed_reason'])
        .where('plan_id', '=', s.planId)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'closed', closed_reason: 'cycle cancelled' });
  });

  it('survives its worker being stopped and replaced mid-cycle: what fell due meanwhile is sent once, nothing twice', async () => {
    const s = await bed.newScenario();
    await s.startWorker({ cache: false });
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 14) + HOUR);
    await s.mailsWhen(3);
    await s.stopWorker();
    // The 7-days reminders fall due with no worker: the server's clock stops there, holding their workflow tasks.
    const advancing = s.advanceTo(s.reminderAt(IIM, 3) + HOUR);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(3);
    // A new worker (empty cache: it replays each history from the start) picks them up, and the clock moves on.
    await s.startWorker();
    await advancing;
    await s.mailsWhen(9);
    for (const p of [IIM, BGM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    expect((await s.result()).status).toBe('completed');
    const mails = await ladderMailsOf(bed.db, s.planId);
    expect(mails).toHaveLength(9);
    expect(new Set(mails.map((m) => m.key)).size).toBe(9);
    expect(mailLines(mails.filter((m) => m.about === 'БҒМ'))).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'reminder 3 БҒМ → БҒМ (kk)',
    ]);
    expect(countTypes(await eventsOf(bed.db, s.planId))).toMatchObject({ 'reminder.sent': 9, 'report.accepted': 3 });
  });

  it('loses and doubles nothing while the SMTP relay refuses mail, then recovers', async () => {
    const refusals = [421, 451, 452, 554, 451, 421];
    const relay = await startRefusingSink(bed.db, refusals);
    try {
      const s = await bed.newScenario(relay.url);
      await s.start('executors');
      await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
      await s.mailsWhen(6);
      for (const p of [IIM, BGM, UQK]) {
        await s.submit(p);
        await s.accept(p);
      }
      expect((await s.result()).status).toBe('completed');
      expect(relay.refused()).toBe(refusals.length);
      const mails = await ladderMailsOf(bed.db, s.planId);
      expect(mailLines(mails).sort()).toEqual(
        [
          'reminder 14 ІІМ → ІІМ (ru)',
          'reminder 7 ІІМ → ІІМ (ru)',
          'reminder 14 БҒМ → БҒМ (kk)',
          'reminder 7 БҒМ → БҒМ (kk)',
          'reminder 14 ҰҚК → ҰҚК (ru)',
          'reminder 7 ҰҚК → ҰҚК (ru)',
        ].sort(),
      );
      const outbox = await bed.db
        .selectFrom('notifications')
        .select(['status', 'attempts'])
        .where('dedupe_key', 'like', `%:${s.planId}:%`)
        .execute();
      // Six reminders, and each report's arrival and acceptance.
      expect(outbox.map((n) => n.status)).toEqual(Array(12).fill('sent'));
      // Every refusal cost one attempt of some e-mail, and each e-mail was accepted exactly once.
      expect(outbox.reduce((sum, n) => sum + n.attempts, 0)).toBe(12 + refusals.length);
      const events = await eventsOf(bed.db, s.planId);
      expect(countTypes(events)).toMatchObject({ 'reminder.sent': 6 });
      // The refused reminders went out late by workflow time, after the retry back-off, not dropped.
      const delays = events
        .filter((e) => e.type === 'reminder.sent')
        .map((e) => Date.parse(String(e.payload.sentAt)) - Date.parse(String(e.payload.plannedFor)));
      expect(Math.max(...delays)).toBeGreaterThanOrEqual(5_000);
      expect((await s.obligation(IIM).query(obligationStatusQuery)).sent).toHaveLength(4);
      await s.recordHistories('smtp-refusing', RECORD);
    } finally {
      await bed.disposeScenario();
      await relay.close();
    }
  });
});
