// Issue 17, point 3: a cycle continues as new before its history nears Temporal's limits (CYCLE_CONTINUE_AS_NEW_PATCH),
// carrying its state through `cycle_carries`: every obligation's status, the amendments applied and queued, the reminders it
// holds to send, the read model's revision. Here it continues every ~40 events, on the suite's real Temporal dev server in
// real time, while a burst of amendments and a report's submit and accept race its runs, and its obligations' reminders fall
// due a minute after it opens. (The time-skipping test server is not used: around a continue-as-new it loses the lock on its
// clock — a workflow task of the closed run it never releases — and time stops.)
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { QueryNotRegisteredError, type Client, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { createHistoryService } from '../../api/services/history.js';
import { translator } from '../../api/web/i18n/index.js';
import { historyPage } from '../../api/web/pages/history.js';
import { resolveDue } from '../../domain/cycle-timeline.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleWorkflowId, obligationWorkflowId, type CycleSpec } from '../../domain/cycle-model.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { KZ_TIME_ZONE, localDateOf } from '../../domain/tz.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';
import {
  acceptUpdate,
  amendPlanSignal,
  closeCycleSignal,
  cycleStatusQuery,
  submitUpdate,
} from '../../workflows/shared.js';
import { BGM, IIM, MSM, UQK, eventsOf, fullReport, historyToObject, mailsOf } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';

/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

let stack: ApiTestStack;
let tdb: ApiTestStack['tdb'];
let client: Client;
let taskQueue: string;

// The shared API bed: a test database, the SMTP sink, a worker on its own task queue of the suite's dev server.
beforeAll(async () => {
  stack = await startApiTestStack('continue-as-new');
  ({ tdb, client, taskQueue } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    // A run that has just continued registers its query once it has taken up what was carried: asked between, ask again.
    const value = await probe().catch((err: unknown) => {
      if (err instanceof QueryNotRegisteredError) return undefined;
      throw err;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** HH:MM:SS in Kazakhstan time of an instant. */
function localClock(ms: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: KZ_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

describe('a cycle that continues as new', () => {
  it('loses no amendment, report or reminder across its runs, reaches its obligations by id, and closes them', async () => {
    const planId = `plan-${randomUUID().slice(0, 8)}`;
    // Due today (Kazakhstan time), its one reminder at a notice time 60 s from now: the reminders are handed to the cycle's
    // first run and sent by a later one.
    const noticeAt = Date.now() + 60_000;
    const today = localDateOf(noticeAt);
    const base = smallPlanSpec({
      planId,
      year: Number(today.slice(0, 4)),
      stages: 'executors',
      executors: [IIM, BGM, UQK, MSM],
    });
    const spec: CycleSpec = {
      ...base,
      shift: 'none',
      reminders: { offsets: [0], unit: 'calendar', noticeTime: localClock(noticeAt) },
      stages: base.stages.map((st) => ({
        ...st,
        dueDate: today,
        dueInstant: resolveDue(today, 'none', KZ_WORKING_CALENDAR).dueInstant,
      })),
    };
    const cycle = await client.workflow.start(reportingCycleWorkflow, {
      workflowId: cycleWorkflowId(planId, spec.period),
      taskQueue,
      args: [{ spec, batchedReminders: true, continueAsNewAfter: 40 }],
    });
    const firstRun = cycle.firstExecutionRunId;
    const obligation = (code: string) =>
      client.workflow.getHandle(obligationWorkflowId(planId, spec.period, code, 'executors'));
    await until('four obligations in the read model', async () => {
      const rows = await tdb.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute();
      return rows.length === 4 ? true : undefined;
    });

    // A burst of ten amendments moving МСМ's deadline a day further each time, signalled without waiting, while ІІМ's report
    // is submitted and accepted: every message reaches whichever run is current.
    const moves: IsoDate[] = Array.from({ length: 10 }, (_, i) => addDays(today, i + 1));
    const signals = (async () => {
      for (const [i, newDueDate] of moves.entries())
        await cycle.signal(amendPlanSignal, {
          kind: 'moveDeadline',
          amendmentId: `move-msm-${i + 1}`,
          actor: 'test',
          stageId: 'executors',
          agencyCode: MSM.agencyCode,
          newDueDate,
        });
    })();
    await obligation(IIM.agencyCode).executeUpdate(submitUpdate, { args: [fullReport(IIM)] });
    await obligation(IIM.agencyCode).executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'coordinator@АҚДМ' }] });
    await signals;
    const amended = await until('ten amendments', async () => {
      const v = await cycle.query(cycleStatusQuery);
      const of = (code: string) => v.obligations.find((o) => o.agencyCode === code);
      // МСМ's own word on its last deadline, after it re-planned ten times.
      return v.amendments.length === 10 &&
        of(IIM.agencyCode)?.status === 'accepted' &&
        of(MSM.agencyCode)?.dueDate === moves.at(-1)
        ? v
        : undefined;
    });
    expect(amended.amendments.map((a) => [a.amendmentId, a.applied])).toEqual(
      moves.map((_, i) => [`move-msm-${i + 1}`, true]),
    );
    expect(Object.fromEntries(amended.obligations.map((o) => [o.agencyCode, [o.status, o.dueDate]]))).toEqual({
      [IIM.agencyCode]: ['accepted', today],
      [BGM.agencyCode]: ['pending', today],
      [UQK.agencyCode]: ['pending', today],
      [MSM.agencyCode]: ['pending', moves.at(-1)],
    });

    // At the notice time the run of that moment sends the reminders the first run was handed: БҒМ's and ҰҚК's, once each;
    // none to ІІМ (reported) or МСМ (its deadline moved away).
    await until('two reminders', async () =>
      (await mailsOf(tdb.db, planId)).filter((m) => m.kind === 'reminder').length >= 2 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    const reminders = (await mailsOf(tdb.db, planId)).filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.about).sort()).toEqual([BGM.agencyCode, UQK.agencyCode].sort());
    expect(new Set(reminders.map((m) => m.key)).size).toBe(2);

    // Closed by hand: the latest run reaches the obligations earlier runs started, by id, and hears each one end.
    await cycle.signal(closeCycleSignal, { reason: 'test over', actor: 'test' });
    const result = await cycle.result();
    expect(result.status).toBe('closed');
    expect(Object.fromEntries(result.obligations.map((o) => [o.agencyCode, o.status]))).toEqual({
      [IIM.agencyCode]: 'accepted',
      [BGM.agencyCode]: 'closed',
      [UQK.agencyCode]: 'closed',
      [MSM.agencyCode]: 'closed',
    });

    // It continued as new, more than once, and no run's end closed or cancelled an obligation.
    const first = await client.workflow.getHandle(cycle.workflowId, firstRun).fetchHistory();
    expect(first.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const latest = await cycle.describe();
    expect(latest.runId).not.toBe(firstRun);
    const carried = await tdb.db
      .selectFrom('cycle_carries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('cycle_id', '=', cycle.workflowId)
      .executeTakeFirstOrThrow();
    expect(Number(carried.n)).toBeGreaterThanOrEqual(2);
    for (const code of [BGM.agencyCode, UQK.agencyCode, MSM.agencyCode]) {
      const history = await obligation(code).fetchHistory();
      expect(history.events!.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(false);
    }
    const events = await eventsOf(tdb.db, planId);
    expect(events.filter((e) => e.type === 'cycle.opened')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'plan.amended')).toHaveLength(10);
    expect(events.filter((e) => e.type === 'cycle.closed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'reminder.sent')).toHaveLength(2);
    // The read model follows the latest run; its spec kept from the first.
    const row = await tdb.db
      .selectFrom('cycles')
      .select(['run_id', 'status', 'spec'])
      .where('workflow_id', '=', cycle.workflowId)
      .executeTakeFirstOrThrow();
    expect([row.run_id, row.status, row.spec !== null]).toEqual([latest.runId, 'closed', true]);

    // An admin reading the cycle's history sees every run, oldest first, and can open the first one: its opening and its end.
    const admin: Principal = {
      tokenId: 't',
      name: 'admin',
      role: 'admin',
      agencyCode: null,
      userId: null,
      username: null,
      mustChangePassword: false,
    };
    const histories = createHistoryService({ temporal: client, db: tdb.db });
    const runs = await until('every run listed', async () => {
      const v = await histories.workflow(admin, cycle.workflowId);
      return v.runs[0]?.runId === firstRun && v.runs.at(-1)?.runId === latest.runId && v.runs.length > 2
        ? v.runs
        : undefined;
    });
    // Each run carried its state once (twice where a message arrived while it was being stored).
    expect(runs.length).toBeLessThanOrEqual(Number(carried.n) + 1);
    expect(runs.slice(0, -1).every((r) => r.status === 'CONTINUED_AS_NEW')).toBe(true);
    const opening = await histories.workflow(admin, cycle.workflowId, firstRun);
    expect(opening.runId).toBe(firstRun);
    expect(opening.timeline.filter((e) => e.kind === 'child')).not.toHaveLength(0);
    const page = historyPage(
      { t: translator('ru'), principal: admin, displayName: null, csrf: 'x', path: '/app/admin/history' },
      { workflowId: cycle.workflowId, view: opening, notFound: false },
    ).toString();
    expect(page).toContain('Запуски');
    expect(page).toContain(`&amp;run=${encodeURIComponent(latest.runId)}`);
    expect(page).toContain('aria-current="page"');
    for (const run of ['no-such-run', randomUUID()])
      await expect(histories.workflow(admin, cycle.workflowId, run)).rejects.toMatchObject({ statusCode: 404 });

    // For the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories): the first run, the last, and the obligations.
    if (RECORD !== undefined && RECORD !== '') {
      mkdirSync(RECORD, { recursive: true });
      const save = (file: string, workflowId: string, history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) =>
        writeFileSync(`${RECORD}/${file}`, `${JSON.stringify({ workflowId, history: historyToObject(history) })}\n`);
      save('continue-as-new.first-run.cycle.json', cycle.workflowId, first);
      save('continue-as-new.last-run.cycle.json', cycle.workflowId, await cycle.fetchHistory());
      for (const [i, p] of [IIM, BGM, UQK, MSM].entries())
        save(
          `continue-as-new.obligation-${i + 1}.json`,
          obligation(p.agencyCode).workflowId,
          await obligation(p.agencyCode).fetchHistory(),
        );
    }
  }, 300_000);
});
