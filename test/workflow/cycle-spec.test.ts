// The buildCycleSpec activity reads a confirmed plan, the agencies directory and the calendar from PostgreSQL.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCycleActivities, type BuildCycleSpecInput } from '../../activities/cycles.js';
import { deleteCalendarEntry, upsertCalendarEntry } from '../../db/repositories/calendar.js';
import type { ObligationTimeline, ObligationTimelineInput } from '../../domain/cycle-timeline.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS } from '../../domain/plan.js';
import { upsertAgency } from '../../db/repositories/agencies.js';
import { confirmPlan, createDraft } from '../../db/repositories/plans.js';
import { seedReferenceData } from '../../db/seed.js';
import { FailureType } from '../../workflows/shared.js';
import { type CycleSpec } from '../../domain/cycle-model.js';
import { CYCLE_SPEC_TEXTS_VERSION } from '../../domain/cycle-texts.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

let tdb: TestDatabase;
let activities: ReturnType<typeof createCycleActivities>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedReferenceData(tdb.db);
  for (const a of TEST_AGENCIES) await upsertAgency(tdb.db, a);
  activities = createCycleActivities({ db: tdb.db, mailer: undefined as never, mailFrom: 'unused' });
});

afterAll(async () => {
  await tdb?.drop();
});

describe('buildCycleSpec', () => {
  it('builds the spec of a confirmed plan with the contacts of the directory', async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan(),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'test'));
    const spec = await new MockActivityEnvironment().run<
      [BuildCycleSpecInput],
      CycleSpec,
      typeof activities.buildCycleSpec
    >(activities.buildCycleSpec, { planId: id, period: '2019' });
    expect(spec.planId).toBe(id);
    // Measure 2 ("annually, by 1 December") has a stage of its own before the regular one.
    expect(spec.stages.map((s) => [s.id, s.parties.map((p) => p.agencyCode)])).toEqual([
      ['measure-2-due-1', ['ІІМ', 'ҰҚК']],
      ['executors', ['БҒМ']],
      ['summary', ['АҚДМ']],
      ['pm-office', ['ПМК']],
    ]);
    expect(spec.presidentialAdministration.agencyCode).toBe('ПӘ');
    expect(spec.stages[0]!.parties.find((p) => p.agencyCode === 'ІІМ')!.emails.reporter).toEqual([
      'report@iim.example.kz',
    ]);
    expect(spec.notOwed).toEqual([]);
  });

  it('refuses a draft, non-retryably', async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan({ approvedBy: { issuer: 'x', number: '999', date: '2019-01-01' } }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    const err = await new MockActivityEnvironment()
      .run(activities.buildCycleSpec, { planId: id, period: '2019' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.InvalidInput);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });
});

describe('buildCycleSpec with its texts by hash (openers since cycle-texts-by-hash)', () => {
  it('stores the titles once and returns numbers and the hash; saveCycle keeps the full spec for the pages', async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan({ approvedBy: { issuer: 'x', number: 'texts-1', date: '2019-01-01' } }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'test'));
    const env = new MockActivityEnvironment();
    const full = (await env.run(activities.buildCycleSpec, { planId: id, period: '2019' })) as CycleSpec;
    const spec = (await env.run(activities.buildCycleSpec, {
      planId: id,
      period: '2019',
      texts: 'by-hash' as const,
    })) as CycleSpec;
    expect(spec.version).toBe(CYCLE_SPEC_TEXTS_VERSION);
    const parties = spec.stages.flatMap((st) => st.parties);
    expect(parties.flatMap((p) => p.measures).every((m) => m.title === undefined)).toBe(true);
    const row = await tdb.db
      .selectFrom('cycle_texts')
      .select('texts')
      .where('hash', '=', spec.texts!.hash)
      .executeTakeFirstOrThrow();
    expect(row.texts.measures['1']).toEqual(full.stages.at(-1)!.parties[0]!.measures[0]!.title);
    await env.run(activities.saveCycle, {
      workflowId: `cycle:${id}:2019`,
      runId: 'run-1',
      revision: 1,
      planId: id,
      period: '2019',
      policyId: spec.policyId,
      status: 'open' as const,
      stage: spec.stages[0]!.id,
      closedReason: null,
      spec,
      openedAt: new Date().toISOString(),
      finishedAt: null,
    });
    const stored = await tdb.db
      .selectFrom('cycles')
      .select('spec')
      .where('workflow_id', '=', `cycle:${id}:2019`)
      .executeTakeFirstOrThrow();
    expect((stored.spec as CycleSpec).stages).toEqual(full.stages);
  });
});

describe('buildCycleSpec on a plan too large for one Temporal payload', () => {
  it('refuses it non-retryably, saying how large it is, instead of letting Temporal refuse it on every retry', async () => {
    const base = testPlan().measures[0]!;
    // 40 measures with 20,000-letter titles, each owed by two agencies: ~3 MB of spec in UTF-8.
    const measures = Array.from({ length: 40 }, (_, i) => ({
      ...base,
      number: String(i + 1),
      title: { kk: `${'Іс-шара '.repeat(2_500)}${i + 1}`, ru: null },
    }));
    const id = await createDraft(tdb.db, {
      plan: testPlan({ measures, approvedBy: { issuer: 'x', number: 'big-1', date: '2019-01-01' } }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'test'));
    const err = await new MockActivityEnvironment()
      .run(activities.buildCycleSpec, { planId: id, period: '2019' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(FailureType.InvalidInput);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(
      new RegExp(`plan ${id}, 2019: the cycle's spec is [0-9.]+ MiB, over the 1.5 MiB`),
    );
  });
});

/** A confirmed test plan approved under `number`; its id. */
async function confirmedPlan(number: string): Promise<string> {
  const id = await createDraft(tdb.db, {
    plan: testPlan({ approvedBy: { issuer: 'x', number, date: '2019-01-01' } }),
    diagnostics: [],
    sourceFormat: 'yaml',
    sourceName: null,
    createdBy: 'test',
  });
  await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'test'));
  return id;
}

describe('planObligationTimeline', () => {
  it("plans from the calendar as it is now: an admin's edit applies to the next timeline, and undoing it too", async () => {
    const id = await createDraft(tdb.db, {
      plan: testPlan({ approvedBy: { issuer: 'x', number: 'cal-1', date: '2019-01-01' } }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'test',
    });
    await tdb.db.transaction().execute((trx) => confirmPlan(trx, id, 'test'));
    const env = new MockActivityEnvironment();
    const spec = await env.run<[BuildCycleSpecInput], CycleSpec, typeof activities.buildCycleSpec>(
      activities.buildCycleSpec,
      { planId: id, period: '2019' },
    );
    const stage = spec.stages.find((s) => s.id === 'executors')!;
    // Tuesday 16 June 2026: a working day in the seed.
    const input: ObligationTimelineInput = {
      stage: { id: stage.id, from: stage.from, to: stage.to },
      party: stage.parties[0]!,
      chain: {
        coordinator: spec.coordinator,
        pmOffice: spec.pmOffice,
        presidentialAdministration: spec.presidentialAdministration,
      },
      dueDate: '2026-06-16',
      shift: 'next',
      reminders: DEFAULT_REMINDERS,
      escalation: DEFAULT_ESCALATION,
    };
    const plan = () =>
      env.run<[ObligationTimelineInput], ObligationTimeline, typeof activities.planObligationTimeline>(
        activities.planObligationTimeline,
        input,
      );
    expect((await plan()).effectiveDueDate).toBe('2026-06-16');
    await upsertCalendarEntry(
      tdb.db,
      { date: '2026-06-16', kind: 'holiday', nameKk: 'Сынақ', nameRu: 'Проверка', nameEn: 'Test', source: 'test' },
      'test',
    );
    expect((await plan()).effectiveDueDate).toBe('2026-06-17');
    expect(await deleteCalendarEntry(tdb.db, '2026-06-16', 'holiday')).toBe(true);
    expect((await plan()).effectiveDueDate).toBe('2026-06-16');
  });

  it('timelines planned together share the check of the calendar: 20 at once ask it at most twice', async () => {
    let checks = 0;
    // Counts the fingerprint queries (the one raw query that reads calendar_years) on the activities' connection.
    const counting = tdb.db.withPlugin({
      transformQuery: (args) => {
        if (args.node.kind === 'RawNode' && args.node.sqlFragments.join('').includes('calendar_years')) checks++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const acts = createCycleActivities({ db: counting, mailer: undefined as never, mailFrom: 'unused' });
    const spec = await new MockActivityEnvironment().run<
      [BuildCycleSpecInput],
      CycleSpec,
      typeof activities.buildCycleSpec
    >(activities.buildCycleSpec, { planId: await confirmedPlan('cal-2'), period: '2019' });
    const stage = spec.stages.find((s) => s.id === 'executors')!;
    const input: ObligationTimelineInput = {
      stage: { id: stage.id, from: stage.from, to: stage.to },
      party: stage.parties[0]!,
      chain: {
        coordinator: spec.coordinator,
        pmOffice: spec.pmOffice,
        presidentialAdministration: spec.presidentialAdministration,
      },
      dueDate: '2026-06-16',
      shift: 'next',
      reminders: DEFAULT_REMINDERS,
      escalation: DEFAULT_ESCALATION,
    };
    const plan = () =>
      new MockActivityEnvironment().run<
        [ObligationTimelineInput],
        ObligationTimeline,
        typeof acts.planObligationTimeline
      >(acts.planObligationTimeline, input);
    const together = await Promise.all(Array.from({ length: 20 }, plan));
    expect(together.map((t) => t.effectiveDueDate)).toEqual(Array(20).fill('2026-06-16'));
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThanOrEqual(2);
    // One after the other, each asks again: an edit in between applies to the next one.
    checks = 0;
    await plan();
    await upsertCalendarEntry(
      tdb.db,
      { date: '2026-06-16', kind: 'holiday', nameKk: 'Сынақ', nameRu: 'Проверка', nameEn: 'Test', source: 'test' },
      'test',
    );
    expect((await plan()).effectiveDueDate).toBe('2026-06-17');
    expect(checks).toBe(2);
    expect(await deleteCalendarEntry(tdb.db, '2026-06-16', 'holiday')).toBe(true);
  });
});
