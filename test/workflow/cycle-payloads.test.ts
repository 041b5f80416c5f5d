// Issue 15, point 7: a cycle keeps its measure texts once, in PostgreSQL (`cycle_texts`), and its parties name measures by
// number: a 300-measure plan of 200 agencies at seed 000's density (4.1 MB of spec with titles per party) opens through the
// Schedule's opener with every payload of every history under 256 KB, and the reminders still name each measure.
import { describe, expect, it } from 'vitest';
import { upsertAgency } from '../../db/repositories/agencies.js';
import { putCycleTexts } from '../../db/repositories/cycle-texts.js';
import { confirmPlan, createDraft } from '../../db/repositories/plans.js';
import { cycleWorkflowId, obligationWorkflowId, type CycleSpec } from '../../domain/cycle-model.js';
import { CYCLE_SPEC_TEXTS_VERSION, separateCycleTexts } from '../../domain/cycle-texts.js';
import { KZ_TIME_ZONE, localToInstant } from '../../domain/tz.js';
import { openCycleWorkflow } from '../../workflows/index.js';
import { cycleStatusQuery } from '../../workflows/shared.js';
import { BGM, IIM, PMO, ladderMailsOf, mailsOf } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { syntheticAgencies, syntheticPlan, syntheticTitle } from '../fixtures/synthetic-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { historySize, type HistorySize } from '../helpers/history-size.js';

const KB = 1024;
const DAY = 24 * 3_600_000;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

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

describe('measure texts out of history', () => {
  it('opens a 300-measure plan of 200 agencies with every payload under 256 KB, and the reminders name the measures', async () => {
    const s = await bed.newScenario();
    const agencies = syntheticAgencies(200);
    for (const a of agencies) await upsertAgency(bed.db, a);
    const plan = syntheticPlan({ measures: 300, agencies, years: { from: s.year - 1, to: s.year + 1 } });
    const planId = await createDraft(bed.db, {
      plan,
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    await bed.db.transaction().execute((trx) => confirmPlan(trx, planId, 'test'));
    const period = String(s.year);
    await s.advanceTo(localToInstant({ year: s.year, month: 12, day: 1 }, KZ_TIME_ZONE));
    await s.startWorker();
    // Started, not executed: waiting on a result would let the time-skipping server run the clock ahead.
    const opener = await s.env.client.workflow.start(openCycleWorkflow, {
      workflowId: `open:${planId}:${period}`,
      taskQueue: s.taskQueue,
      args: [{ planId, period, actor: 'test' }],
    });
    await until('the opener', async () => ((await opener.describe()).status.name === 'COMPLETED' ? true : undefined));
    const cycle = s.env.client.workflow.getHandle(cycleWorkflowId(planId, period));
    // 200 executors, the coordinator's summary and the PM Office's: every obligation opened (its read model row written).
    await until('202 obligations', async () => {
      const { count } = await bed.db
        .selectFrom('obligations')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('plan_id', '=', planId)
        .executeTakeFirstOrThrow();
      return Number(count) === 202 ? true : undefined;
    });

    // A cycle the opener starts gives its workflow tasks a minute (CYCLE_TASK_TIMEOUT_PATCH): a worker that evicted it
    // replays its whole history within the task.
    const described = await cycle.describe();
    expect(described.raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds?.toString()).toBe('60');
    // The cycle took its 202 obligations' reminders as it opened them (CYCLE_OPENS_OBLIGATIONS_PATCH): its reminder loop set its
    // timer without restarting it once per obligation.
    const opening = (await cycle.fetchHistory()).events!;
    expect(opening.filter((e) => e.timerCanceledEventAttributes != null).length).toBeLessThanOrEqual(3);

    // The read model keeps the full spec, titles put back, for the pages; the cycle's input has numbers and the hash.
    const row = await bed.db
      .selectFrom('cycles')
      .select('spec')
      .where('workflow_id', '=', cycle.workflowId)
      .executeTakeFirstOrThrow();
    const stored = row.spec as CycleSpec;
    expect(stored.version).toBe(CYCLE_SPEC_TEXTS_VERSION);
    const syn001 = stored.stages.find((st) => st.id === 'executors')!.parties.find((p) => p.agencyCode === 'SYN001')!;
    expect(syn001.measures.map((m) => m.title?.kk)).toEqual(
      plan.measures.filter((m) => m.executors.some((e) => e.code === 'SYN001')).map((m) => m.title.kk),
    );

    // Reminders 14 working days before 10 January went out on the way to 24 December.
    await s.advanceTo(localToInstant({ year: s.year, month: 12, day: 24, hour: 12 }, KZ_TIME_ZONE));
    const reminders = await until('200 reminders', async () => {
      const mails = (await ladderMailsOf(bed.db, planId)).filter((m) => m.kind === 'reminder');
      return mails.length >= 200 ? mails : undefined;
    });
    const owed = plan.measures.filter((m) => m.executors.some((e) => e.code === 'SYN001'));
    expect(owed.length).toBeGreaterThanOrEqual(17);
    const mail = reminders.find((m) => m.key.includes(':SYN001:'))!;
    for (const m of owed)
      expect(mail.text).toContain(`${m.number.replace(/\.$/, '')}. ${syntheticTitle(Number.parseInt(m.number, 10))}`);

    // Every payload of every history: the opener, the cycle and its 202 obligations.
    const status = await cycle.query(cycleStatusQuery);
    const ids = [opener.workflowId, cycle.workflowId, ...status.obligations.map((o) => o.obligationId)];
    expect(ids).toHaveLength(204);
    const sizes: (HistorySize & { workflowId: string })[] = [];
    for (const workflowId of ids)
      sizes.push({ workflowId, ...historySize(await s.env.client.workflow.getHandle(workflowId).fetchHistory()) });
    const largest = sizes.reduce((a, b) => (b.largestPayloads > a.largestPayloads ? b : a));
    console.log(
      JSON.stringify({
        payloads: {
          largest: { workflowId: largest.workflowId, bytes: largest.largestPayloads, at: largest.largestAt },
          opener: sizes[0],
          cycle: sizes[1],
          largestObligationHistory: sizes.slice(2).reduce((a, b) => (b.bytes > a.bytes ? b : a)),
        },
      }),
    );
    expect(largest.largestPayloads).toBeLessThan(256 * KB);
    expect(
      sizes.find((x) => x.workflowId === obligationWorkflowId(planId, period, 'SYN001', 'executors'))!.largestPayloads,
    ).toBeLessThan(16 * KB);
  }, 900_000);

  it('a cycle of a small plan with its texts by hash: obligations get the hash, e-mails the titles (recorded for replay)', async () => {
    const s = await bed.newScenario();
    const { spec, texts, hash } = separateCycleTexts(
      smallPlanSpec({ planId: s.planId, year: s.year, stages: 'cascade' }),
    );
    expect(await putCycleTexts(bed.db, texts)).toBe(hash);
    // Every title is in the texts but the PM Office's own "1" (the small plan gives it another title than measure 1's).
    expect(
      spec.stages.flatMap((st) => st.parties.flatMap((p) => p.measures.filter((m) => m.title !== undefined))),
    ).toHaveLength(1);
    await s.startSpec(spec);
    await s.advanceTo(s.reminderAt(BGM, 7));
    const reminder = (code: string) =>
      until(`a reminder to ${code}`, async () =>
        (await mailsOf(bed.db, s.planId)).find((m) => m.kind === 'reminder' && m.about === code),
      );
    const bgm = await reminder(BGM.agencyCode);
    for (const m of BGM.measures) expect(bgm.text).toContain(m.title!.kk);
    const iim = await reminder(IIM.agencyCode);
    for (const m of IIM.measures) expect(iim.text).toContain(m.title!.ru);
    // A report taken, the rest left overdue: every obligation changes status (and its search attribute) at least once.
    await s.submit(BGM);
    await s.accept(BGM);
    await s.advanceTo(Date.parse(s.item(PMO, 'pm-office', (i) => i.kind === 'deadline').at) + 2 * DAY);
    await until('every other obligation overdue', async () => {
      const view = await s.handle.query(cycleStatusQuery);
      return view.obligations.every((o) => o.status === 'overdue' || o.status === 'accepted') ? true : undefined;
    });
    await s.recordHistories('texts-by-hash', RECORD);
  });
});
