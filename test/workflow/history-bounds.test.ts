// Issue 17, point 3: no history grows without bound. Drives the long-lived scenarios on the time-skipping server and counts
// each history's events and bytes against Temporal's limits (warning at 10,240 events / 10 MB, termination at 51,200 / 50 MB):
// an obligation extended 50 times, a report returned and resubmitted 20 times, and a cycle whose whole executors' stage has
// its deadline moved every month for a year (measured on 50 parties; per obligation, what 2,000 would weigh, with the
// continue-as-new of test/workflow/cycle-continue-as-new.test.ts and without).
import { describe, expect, it } from 'vitest';
import { putCycleTexts } from '../../db/repositories/cycle-texts.js';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { separateCycleTexts } from '../../domain/cycle-texts.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { KZ_TIME_ZONE, localToInstant } from '../../domain/tz.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';
import { CYCLE_HISTORY_BYTES, CYCLE_HISTORY_EVENTS } from '../../workflows/reporting-cycle.js';
import {
  acceptUpdate,
  amendPlanSignal,
  cycleStatusQuery,
  extendUpdate,
  returnReportUpdate,
} from '../../workflows/shared.js';
import { BGM, IIM } from '../fixtures/cycle-fixtures.js';
import { syntheticAgencies, syntheticPlan } from '../fixtures/synthetic-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { historySize } from '../helpers/history-size.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Temporal's warning thresholds for one history. */
const WARN_EVENTS = 10_240;
const WARN_BYTES = 10 * 2 ** 20;
/**
 * What a continued run takes up per obligation (its summary, its reminders not yet sent, its share of the stages), as local
 * activity markers in its history: 4,945 B for the 4 obligations of continue-as-new.last-run.cycle.json, rounded up.
 */
const CARRY_BYTES_PER_OBLIGATION = 1_300;
/** …and the events at which it terminates the workflow. */
const LIMIT_EVENTS = 51_200;

const bed = useCycleTestBed();

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('history bounds', () => {
  it('an obligation extended 50 times stays far below the limits', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 14) + HOUR);
    const iim = s.obligation(IIM);
    let due: IsoDate = s.effectiveDue();
    for (let i = 1; i <= 50; i++) {
      due = KZ_WORKING_CALENDAR.addWorkingDays(due, 5);
      await iim.executeUpdate(extendUpdate, {
        args: [{ extendedBy: 'din@АҚДМ', reason: `Хат № ${i}`, newDueDate: due }],
      });
      // A few days pass between extensions: the reminders re-planned each time go out as they fall due.
      await s.advanceTo((await s.now()) + 3 * DAY);
    }
    await s.submit(IIM);
    await iim.executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'din@АҚДМ' }] });
    const size = historySize(await iim.fetchHistory());
    const cycle = historySize(await s.handle.fetchHistory());
    console.log(JSON.stringify({ scenario: 'extended 50 times', obligation: size, cycle }));
    expect(size.events).toBeLessThan(WARN_EVENTS / 4);
    expect(size.bytes).toBeLessThan(WARN_BYTES / 10);
    expect(cycle.events).toBeLessThan(WARN_EVENTS / 4);
  }, 600_000);

  it('a report returned and resubmitted 20 times stays far below the limits', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(BGM, 7) + HOUR);
    const bgm = s.obligation(BGM);
    let due: IsoDate = s.effectiveDue();
    for (let i = 1; i <= 20; i++) {
      await s.submit(BGM);
      due = KZ_WORKING_CALENDAR.addWorkingDays(due, 5);
      await bgm.executeUpdate(returnReportUpdate, {
        args: [{ returnedBy: 'din@АҚДМ', comment: `Толықтырыңыз (${i})`, newDueDate: due }],
      });
      await s.advanceTo((await s.now()) + 2 * DAY);
    }
    await s.submit(BGM);
    await bgm.executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'din@АҚДМ' }] });
    const size = historySize(await bgm.fetchHistory());
    const cycle = historySize(await s.handle.fetchHistory());
    console.log(JSON.stringify({ scenario: 'returned 20 times', obligation: size, cycle }));
    expect(size.events).toBeLessThan(WARN_EVENTS / 4);
    expect(size.bytes).toBeLessThan(WARN_BYTES / 10);
    expect(cycle.events).toBeLessThan(WARN_EVENTS / 4);
  }, 600_000);

  it('a cycle with a monthly whole-stage amendment for a year: counted per obligation', async () => {
    const N = 50;
    const s = await bed.newScenario();
    const agencies = syntheticAgencies(N);
    const built = cycleSpecFromPlan({
      planId: s.planId,
      plan: syntheticPlan({ measures: N, agencies, perMeasure: 1, years: { from: s.year - 1, to: s.year + 2 } }),
      directory: [...AGENCIES_SEED, ...agencies],
      period: String(s.year),
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const { spec, texts } = separateCycleTexts(built.spec);
    await putCycleTexts(bed.db, texts);
    const obligations = spec.stages.reduce((n, st) => n + st.parties.length, 0);
    await s.advanceTo(localToInstant({ year: s.year, month: 12, day: 1 }, KZ_TIME_ZONE));
    await s.startWorker();
    const cycle = await s.env.client.workflow.start(reportingCycleWorkflow, {
      workflowId: cycleWorkflowId(s.planId, spec.period),
      taskQueue: s.taskQueue,
      // Measured without rolling over (the time-skipping server loses its clock around a continue-as-new, see
      // cycle-continue-as-new.test.ts): what one run would weigh, from which the longest run at 2,000 follows.
      args: [{ spec, batchedReminders: true, continueAsNewAfter: 1_000_000 }],
    });
    await until(`${obligations} obligations`, async () => {
      const { count } = await bed.db
        .selectFrom('obligations')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('plan_id', '=', s.planId)
        .executeTakeFirstOrThrow();
      return Number(count) === obligations ? true : undefined;
    });
    const opened = historySize(await cycle.fetchHistory());
    // Every month the executors' deadline moves a month on (a decree amending the plan), for a year.
    const executors = spec.stages.find((st) => st.id === 'executors')!;
    let due: IsoDate = executors.dueDate;
    for (let month = 1; month <= 12; month++) {
      due = addDays(due, 30);
      await cycle.signal(amendPlanSignal, {
        kind: 'moveDeadline',
        amendmentId: `monthly-${month}`,
        actor: 'test',
        act: `amendment ${month}`,
        stageId: 'executors',
        newDueDate: due,
      });
      await until(`amendment ${month}`, async () =>
        (await cycle.query(cycleStatusQuery)).amendments.length === month ? true : undefined,
      );
      await s.advanceTo((await s.now()) + 30 * DAY);
    }
    const year = historySize(await cycle.fetchHistory());
    // Per obligation: the events its start adds to the cycle's history, and those each whole-stage amendment adds (the
    // signal to it, its answer, their share of workflow tasks).
    const perStart = { events: opened.events / obligations, bytes: opened.bytes / obligations };
    const perAmendment = {
      events: (year.events - opened.events) / (12 * N),
      bytes: (year.bytes - opened.bytes) / (12 * N),
    };
    // A cycle of 2,000 obligations continues as new (CYCLE_HISTORY_EVENTS, CYCLE_HISTORY_BYTES) between amendments: its
    // longest run is the opening, or what it took up, the thresholds and one whole-stage amendment.
    const longestRunAt2000 = {
      events: Math.round(Math.max(2000 * perStart.events, CYCLE_HISTORY_EVENTS + 2000 * perAmendment.events)),
      bytes: Math.round(
        Math.max(
          2000 * perStart.bytes,
          2000 * CARRY_BYTES_PER_OBLIGATION + CYCLE_HISTORY_BYTES + 2000 * perAmendment.bytes,
        ),
      ),
    };
    const withoutContinueAsNewAt2000 = {
      events: Math.round(2000 * perStart.events + 12 * 2000 * perAmendment.events),
      bytes: Math.round(2000 * perStart.bytes + 12 * 2000 * perAmendment.bytes),
    };
    console.log(
      JSON.stringify({
        scenario: 'monthly amendments',
        obligations,
        opened,
        year,
        perStart,
        perAmendment,
        longestRunAt2000,
        withoutContinueAsNewAt2000,
      }),
    );
    // Each amendment signals every open obligation, OPEN_BATCH signals per workflow task; each answers once, with its new
    // reminders and its status.
    expect(year.byType.SignalExternalWorkflowExecutionInitiated).toBe(12 * N);
    expect(perAmendment.events).toBeLessThan(4.5);
    // The longest run at 2,000 obligations stays under Temporal's warnings (10,240 events, 10 MB), a fifth of the 51,200
    // events and 50 MB at which it terminates a workflow …
    expect(longestRunAt2000.events).toBeLessThan(WARN_EVENTS);
    expect(longestRunAt2000.bytes).toBeLessThan(WARN_BYTES);
    // … where without continue-as-new a year of it would pass the termination limit.
    expect(withoutContinueAsNewAt2000.events).toBeGreaterThan(LIMIT_EVENTS);
  }, 900_000);
});
