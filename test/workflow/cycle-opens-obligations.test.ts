// The cycle opens its obligations (patch cycle-opens-obligations): it plans each batch's timelines in one local activity, starts
// the children with their plan, holds their reminders and records every opening (event, saved event, read-model row at
// revision 1, the child's run id) in one more; the children run no activity and send no signal in their first task. On the
// real time-skipping server, the test database and the SMTP sink.
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { OpenedObligation } from '../../activities/cycles.js';
import { createMailer } from '../../platform/mailer.js';
import { openedEventKey } from '../../workflows/obligation-state.js';
import { CYCLE_OPENS_OBLIGATIONS_PATCH, CYCLE_PATCHES_FIRST_PATCH } from '../../workflows/shared.js';
import { BGM, IIM, MSM, UQK, mailsOf } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';

/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

/** Waits (real time) until `check` holds. */
async function until<T>(what: string, read: () => Promise<T>, check: (x: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const x = await read();
    if (check(x)) return x;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(x)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type HistoryEvent = { markerRecordedEventAttributes?: { markerName?: string | null; details?: unknown } | null };

/** The text of a payload's data as fetchHistory gives it (bytes, or base64 once serialised). */
const text = (data: unknown): string =>
  typeof data === 'string'
    ? Buffer.from(data, 'base64').toString('utf8')
    : Buffer.from(data as Uint8Array).toString('utf8');

/** The markers of a history: each patch's id and each local activity's type, in order. */
function markers(events: readonly HistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (!m) return [];
    const details = m.details as Record<string, { payloads: { data: unknown }[] }>;
    if (m.markerName === 'core_patch')
      return [`patch:${(JSON.parse(text(details['patch-data']!.payloads[0]!.data)) as { id: string }).id}`];
    return [(JSON.parse(text(details.data!.payloads[0]!.data)) as { activity_type: string }).activity_type];
  });
}

const localActivities = (events: readonly HistoryEvent[]) => markers(events).filter((m) => !m.startsWith('patch:'));

describe('a cycle that opens its obligations', () => {
  it('records each opening once in the child’s name, hands over its reminders, and lets the child save from revision 2', async () => {
    const s = await bed.newScenario();
    const parties = [IIM, BGM, UQK, MSM];
    await s.startSpec(
      smallPlanSpec({ planId: s.planId, year: s.year, stages: 'executors', executors: parties }),
      undefined,
      undefined,
      { batchedReminders: true },
    );
    const ids = parties.map((p) => s.obligationId(p));
    const runIds = await Promise.all(
      ids.map(async (id) => (await s.env.client.workflow.getHandle(id).describe()).runId),
    );
    const rows = await until(
      'the openings',
      () => bed.db.selectFrom('obligations').selectAll().where('plan_id', '=', s.planId).execute(),
      (r) => r.length === parties.length,
    );
    // A submission right after the opening: the API finds the row, the Update finds its plan.
    const submitted = await s.submit(IIM);
    expect(submitted.late).toBe(false);

    for (const [i, id] of ids.entries()) {
      const row = rows.find((r) => r.workflow_id === id)!;
      expect([row.run_id, row.revision, row.status, row.stage_id]).toEqual([runIds[i], 1, 'pending', 'executors']);
      expect(row.due_at.toISOString()).toBe(s.preview.obligations.find((o) => o.obligationId === id)!.dueInstant);
    }
    const events = await bed.db
      .selectFrom('events')
      .selectAll()
      .where('subject_id', 'in', ids)
      .where('type', 'in', ['obligation.opened', 'obligation.saved'])
      .orderBy('id')
      .execute();
    for (const [i, id] of ids.entries()) {
      const mine = events.filter((e) => e.subject_id === id);
      const opened = mine.filter((e) => e.type === 'obligation.opened');
      expect(opened).toHaveLength(1);
      expect([opened[0]!.idempotency_key, opened[0]!.workflow_id, opened[0]!.run_id]).toEqual([
        openedEventKey(id, runIds[i]!),
        id,
        runIds[i],
      ]);
      expect(opened[0]!.payload).toMatchObject({ agencyCode: parties[i]!.agencyCode, cycleId: s.handle.workflowId });
      // The opening's save is revision 1 and comes right after it; ІІМ's submission saved revision 2 itself.
      const saved = mine.filter((e) => e.type === 'obligation.saved');
      expect(Number(saved[0]!.id)).toBeGreaterThan(Number(opened[0]!.id));
      expect(saved.map((e) => (e.payload as { revision: number }).revision)).toEqual(i === 0 ? [1, 2] : [1]);
      expect(saved.every((e) => e.run_id === runIds[i])).toBe(true);
    }
    const iim = await bed.db
      .selectFrom('obligations')
      .selectAll()
      .where('workflow_id', '=', ids[0]!)
      .executeTakeFirstOrThrow();
    expect([iim.revision, iim.status, iim.run_id]).toEqual([2, 'submitted', runIds[0]]);
    const submittedEvent = await bed.db
      .selectFrom('events')
      .select('idempotency_key')
      .where('subject_id', '=', ids[0]!)
      .where('type', '=', 'report.submitted')
      .execute();
    expect(submittedEvent.map((e) => e.idempotency_key)).toEqual([`${ids[0]}/${runIds[0]}/1`]);

    // The cycle planned and recorded; the children ran nothing and signalled nothing to open.
    const cycleHistory = (await s.handle.fetchHistory()).events!;
    // Asked first (CYCLE_PATCHES_FIRST_PATCH), the cycle takes the opening's patch as given: it records no marker of it.
    expect(markers(cycleHistory)).toContain(`patch:${CYCLE_PATCHES_FIRST_PATCH}`);
    expect(markers(cycleHistory)).not.toContain(`patch:${CYCLE_OPENS_OBLIGATIONS_PATCH}`);
    expect(localActivities(cycleHistory).slice(0, 3)).toEqual(['recordEvent', 'saveCycle', 'planObligationTimelines']);
    expect(localActivities(cycleHistory).filter((t) => t === 'recordObligationsOpened')).toHaveLength(1);
    expect(cycleHistory.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
    for (const p of [BGM, MSM]) {
      const history = (await s.obligation(p).fetchHistory()).events!;
      expect(localActivities(history)).toEqual([]);
      expect(markers(history)).toContain(`patch:${CYCLE_OPENS_OBLIGATIONS_PATCH}`);
      expect(history.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
      expect(history.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    }

    // The reminders the cycle took at the opening go out once each at their instant: 14 and 7 to the three still awaiting.
    await s.advanceTo(s.reminderAt(BGM, 7) + 3_600_000);
    const reminders = await until(
      'the reminders',
      async () => (await mailsOf(bed.db, s.planId)).filter((m) => m.kind === 'reminder'),
      (r) => r.length >= 6,
    );
    await new Promise((r) => setTimeout(r, 500));
    const again = (await mailsOf(bed.db, s.planId)).filter((m) => m.kind === 'reminder');
    expect(again).toHaveLength(6);
    expect(new Set(reminders.map((m) => m.key)).size).toBe(6);
    expect(new Set(again.map((m) => m.about))).toEqual(new Set(['БҒМ', 'ҰҚК', 'МСМ']));
    await s.recordHistories('opens-obligations', RECORD);
  });

  it('records a batch of openings idempotently, never over a later revision the child wrote', async () => {
    const mailer = createMailer(bed.sinkUrl);
    const acts = createActivities({ db: bed.db, mailer, mailFrom: 'Merzim <merzim@test>' });
    const s = { planId: `plan-${randomUUID().slice(0, 8)}` };
    const ids = ['A', 'B'].map((a) => `obligation:${s.planId}:2031:${a}:executors`);
    const opened: OpenedObligation[] = ids.map((id, i) => ({
      idempotencyKey: openedEventKey(id, `run-${i}`),
      payload: { agencyCode: ['A', 'B'][i], dueDate: '2031-12-20' },
      row: {
        workflowId: id,
        runId: `run-${i}`,
        revision: 1,
        cycleWorkflowId: `cycle:${s.planId}:2031`,
        planId: s.planId,
        period: '2031',
        stageId: 'executors',
        agencyCode: ['A', 'B'][i]!,
        status: 'pending' as const,
        dueDate: '2031-12-20',
        effectiveDueDate: '2031-12-20',
        dueAt: '2031-12-20T18:59:59.999Z',
        reportVersion: 0,
        report: null,
        submittedAt: null,
        workingDaysLate: null,
        acceptedAt: null,
        closedReason: null,
        openedAt: '2031-12-01T00:00:00.000Z',
        finishedAt: null,
      },
    }));
    const record = () => new MockActivityEnvironment().run(acts.recordObligationsOpened, { opened });
    expect(await record()).toEqual({ written: 2 });
    // B's child saved revision 2 before the cycle's retry (a worker killed after the commit, before the task completed).
    await new MockActivityEnvironment().run(acts.saveObligation, {
      ...opened[1]!.row,
      revision: 2,
      status: 'submitted' as const,
    });
    expect(await record()).toEqual({ written: 0 });
    const rows = await bed.db
      .selectFrom('obligations')
      .select(['workflow_id', 'revision', 'status'])
      .where('plan_id', '=', s.planId)
      .orderBy('workflow_id')
      .execute();
    expect(rows.map((r) => [r.revision, r.status])).toEqual([
      [1, 'pending'],
      [2, 'submitted'],
    ]);
    const events = await bed.db
      .selectFrom('events')
      .select(['type', 'subject_id', 'run_id'])
      .where('subject_id', 'in', ids)
      .orderBy('id')
      .execute();
    // The child's own save (revision 2) is the only event after the first recording: the retry appended none.
    expect(events.map((e) => [e.type, e.subject_id === ids[0] ? 'A' : 'B', e.run_id]).slice(0, 4)).toEqual([
      ['obligation.opened', 'A', 'run-0'],
      ['obligation.saved', 'A', 'run-0'],
      ['obligation.opened', 'B', 'run-1'],
      ['obligation.saved', 'B', 'run-1'],
    ]);
    expect(events.slice(4).map((e) => e.type)).toEqual(['obligation.saved']);
    mailer.close();
  });
});
