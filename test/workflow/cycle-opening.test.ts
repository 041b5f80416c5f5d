// A cycle opened after its deadlines: catch-up (live and late: one overdue notice each, the step reached, one summary to the
// coordinator) or record-only (a past period loaded for the record: no e-mail at all, reports entered after the fact).
import { describe, expect, it } from 'vitest';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { obligationStatusQuery } from '../../workflows/shared.js';
import { BGM, IIM, countTypes, eventsOf, mailLines, ladderMailsOf } from '../fixtures/cycle-fixtures.js';

const DAY = 24 * 3_600_000;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

describe('opening a cycle after its deadlines', () => {
  it('catch-up: one overdue notice per obligation (agency and coordinator), the step reached, no passed reminder, one summary to the coordinator', async () => {
    const s = await bed.newScenario();
    // Last year's cascade, opened on 1 December: every deadline (10 January, 25 February, 15 March) and every step has passed.
    await s.startSpec(smallPlanSpec({ planId: s.planId, year: s.year - 1, stages: 'cascade' }), { mode: 'catch-up' });
    const mails = await s.mailsWhen(15);
    expect(mailLines(mails).sort()).toEqual(
      [
        'escalation step 0 party ІІМ → ІІМ (ru)',
        'escalation step 0 coordinator ІІМ → АҚДМ (kk)',
        'escalation step 2 pm_office ІІМ → ПМК (kk)',
        'escalation step 0 party БҒМ → БҒМ (kk)',
        'escalation step 0 coordinator БҒМ → АҚДМ (kk)',
        'escalation step 2 pm_office БҒМ → ПМК (kk)',
        // By agreement: the step reached is the coordinator's head, never the PM Office.
        'escalation step 0 party ҰҚК → ҰҚК (ru)',
        'escalation step 0 coordinator ҰҚК → АҚДМ (kk)',
        'escalation step 1 coordinator_head ҰҚК → АҚДМ:head (kk)',
        'escalation step 0 party АҚДМ → АҚДМ (kk)',
        'escalation step 0 coordinator АҚДМ → ПМК (kk)',
        'escalation step 2 pm_office АҚДМ → ПМК (kk)',
        'escalation step 0 party ПМК → ПМК:head (kk)',
        'escalation step 2 pm_office ПМК → ПМК:head (kk)',
        'opening-summary  → АҚДМ (kk)',
      ].sort(),
    );
    const summary = mails.find((m) => m.kind === 'opening-summary')!;
    expect(summary.subject).toContain('просрочено отчётов: 5');
    expect(summary.text).toContain('Министерство внутренних дел (executors)');
    // Nothing more while they stay silent: the steps between and the passed reminders are never sent.
    await s.advanceTo((await s.now()) + 30 * DAY);
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(15);
    expect((await s.obligation(IIM).query(obligationStatusQuery)).summary.status).toBe('overdue');
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 5,
      'obligation.overdue': 5,
      'escalation.sent': 14,
      'opening_summary.sent': 1,
    });
    expect(events.find((e) => e.type === 'cycle.opened')!.payload.mode).toBe('catch-up');
    await s.recordHistories('opening-catch-up', RECORD);
  });

  it('record-only: no e-mail at all, obligations overdue as they truly are, a report entered afterwards is late and says by whom', async () => {
    const s = await bed.newScenario();
    await s.startSpec(smallPlanSpec({ planId: s.planId, year: s.year - 1, stages: 'cascade' }), {
      mode: 'record-only',
    });
    await s.advanceTo((await s.now()) + DAY);
    expect((await s.obligation(BGM).query(obligationStatusQuery)).summary.status).toBe('overdue');
    const entered = await s.submit(BGM, 'executors', {
      submittedBy: 'admin@merzim',
      items: BGM.measures.map((m) => ({ measure: m.number, status: 'done' as const, text: 'Орындалды.' })),
    });
    expect(entered.late).toBe(true);
    expect(entered.workingDaysLate).toBeGreaterThan(200);
    await s.accept(BGM);
    await s.advanceTo((await s.now()) + 60 * DAY);
    expect(await ladderMailsOf(bed.db, s.planId)).toEqual([]);
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 5,
      'obligation.overdue': 5,
      'report.submitted': 1,
      'report.accepted': 1,
      // The report's arrival and its acceptance would be e-mailed (obligation-review-mail); record-only sends neither and says so.
      'notice.not_sent': 2,
    });
    const submitted = events.find((e) => e.type === 'report.submitted')!;
    expect([submitted.actor, submitted.payload.late, submitted.payload.enteredAfterTheFact]).toEqual([
      'admin@merzim',
      true,
      true,
    ]);
    await s.recordHistories('opening-record-only', RECORD);
  });
});
