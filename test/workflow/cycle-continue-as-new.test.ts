// Issue 17, point 3: a cycle continues as new before its history nears Temporal's limits (CYCLE_CONTINUE_AS_NEW_PATCH),
// carrying its state: every obligation's status, the amendments applied, the read model's revision, the next digest. Here
// it continues every ~60 events, so a small cascade runs through several runs while reports, an amendment and digests go on.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { previewCycle } from '../../domain/cycle-timeline.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';
import { amendPlanSignal, cycleStatusQuery } from '../../workflows/shared.js';
import { BGM, IIM, UQK, eventsOf } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { KZ_TIME_ZONE, localToInstant } from '../../domain/tz.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const bed = useCycleTestBed();
const t0 = Date.now();
const log = (what: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a cycle that continues as new', () => {
  it('carries statuses, amendments and digests across runs, reaches its obligations by id, and completes', async () => {
    const s = await bed.newScenario();
    s.spec = smallPlanSpec({ planId: s.planId, year: s.year, stages: 'executors' });
    s.preview = previewCycle(s.spec, KZ_WORKING_CALENDAR);
    await s.advanceTo(localToInstant({ year: s.year, month: 12, day: 1 }, KZ_TIME_ZONE));
    await s.startWorker();
    const started = await s.env.client.workflow.start(reportingCycleWorkflow, {
      workflowId: cycleWorkflowId(s.planId, s.spec.period),
      taskQueue: s.taskQueue,
      args: [{ spec: s.spec, digests: true, continueAsNewAfter: 60 }],
    });
    s.handle = started;
    const firstRun = started.firstExecutionRunId;
    await s.obligationsStarted();
    log('started');
    const cycle = s.env.client.workflow.getHandle(s.handle.workflowId);

    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.submit(IIM);
    await s.accept(IIM);
    // One party's deadline moved by an amendment, signalled to it by the run of the moment.
    const moved = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 10);
    await cycle.signal(amendPlanSignal, {
      kind: 'moveDeadline',
      amendmentId: 'move-bgm',
      actor: 'test',
      stageId: 'executors',
      agencyCode: BGM.agencyCode,
      newDueDate: moved,
    });
    log('amended');
    await new Promise((r) => setTimeout(r, 5000));
    for (const e of (await cycle.fetchHistory()).events!.slice(-12))
      console.log(
        JSON.stringify(e, (k, v) => (k === 'data' || k === 'payloads' ? undefined : v)).slice(0, 600),
      );
    await until('the amendment', async () =>
      (await cycle.query(cycleStatusQuery)).amendments.length === 1 ? true : undefined,
    );
    // Past the deadline: ҰҚК overdue, БҒМ not (its deadline moved); digests go out each working day.
    await s.advanceTo(Date.parse(s.item(UQK, 'executors', (i) => i.kind === 'deadline').at) + 3 * DAY);
    log('past the deadline');
    const view = await until('ҰҚК overdue', async () => {
      const v = await cycle.query(cycleStatusQuery);
      return v.obligations.find((o) => o.agencyCode === UQK.agencyCode)?.status === 'overdue' ? v : undefined;
    });
    expect(Object.fromEntries(view.obligations.map((o) => [o.agencyCode, [o.status, o.dueDate]]))).toEqual({
      [IIM.agencyCode]: ['accepted', s.spec.stages[0]!.dueDate],
      [BGM.agencyCode]: ['pending', moved],
      [UQK.agencyCode]: ['overdue', s.spec.stages[0]!.dueDate],
    });
    expect(view.amendments).toEqual([{ amendmentId: 'move-bgm', kind: 'moveDeadline', applied: true, note: null }]);

    for (const p of [BGM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    log('accepted all');
    // Nothing is left to wait for: it completes without the clock moving (result() would let it run on and on).
    await until('the cycle to complete', async () =>
      (await cycle.describe()).status.name === 'COMPLETED' ? true : undefined,
    );
    const result = await s.result();
    expect(result.status).toBe('completed');
    expect(result.obligations.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);

    // It did continue as new, more than once, and the first run's obligations were never cancelled.
    const first = await s.env.client.workflow.getHandle(s.handle.workflowId, firstRun).fetchHistory();
    expect(first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const latest = await cycle.describe();
    expect(latest.runId).not.toBe(firstRun);
    const events = await eventsOf(bed.db, s.planId);
    expect(events.filter((e) => e.type === 'cycle.opened')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'cycle.completed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'obligation.closed')).toEqual([]);
    // One digest of each kind per day at most, across runs.
    const digests = events
      .filter((e) => e.type === 'digest.sent')
      .map((e) => JSON.stringify([e.payload.day, e.payload.to]));
    expect(digests.length).toBeGreaterThan(0);
    expect(new Set(digests).size).toBe(digests.length);
    // The read model follows the latest run, its spec kept from the first.
    const row = await bed.db
      .selectFrom('cycles')
      .select(['run_id', 'status', 'spec'])
      .where('workflow_id', '=', s.handle.workflowId)
      .executeTakeFirstOrThrow();
    expect([row.run_id, row.status, row.spec !== null]).toEqual([latest.runId, 'completed', true]);
  }, 600_000);
});
