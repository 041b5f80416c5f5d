// Who a cycle writes to at the ends of the chain: a coordinator that executes measures does not report to itself, and the
// escalation ladder ends at the PM Office (its own stage tells its head only; the Presidential Administration, nothing).
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import type { CycleSpec, PartySpec } from '../../domain/cycle-model.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { measure, testPlan } from '../helpers/plans.js';
import { smallPlanDirectory } from '../fixtures/small-plan.js';
import { BGM, IIM, PMO, UQK, countTypes, eventsOf, mailLines, ladderMailsOf } from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

/**
 * Decree 580's shape: АҚДМ coordinates and executes measure 1 with БҒМ ("annually") and measure 2 alone (a one-off on 25
 * December, information to АҚДМ itself). The whole cascade.
 */
function selfExecutingPlanSpec(planId: string, year: number): CycleSpec {
  const plan = testPlan({
    years: { from: year, to: year + 1 },
    measures: [
      measure(
        '1',
        'Мектептерде дінтану курсын енгізу',
        [
          ['БҒМ', false],
          ['АҚДМ', false],
        ],
        'жыл сайын',
      ),
      measure('2', 'Ақпараттық-түсіндіру жұмыстары', [['АҚДМ', false]], `${year} жылғы 25 желтоқсанға дейін`),
    ],
  });
  const result = cycleSpecFromPlan({
    planId,
    plan,
    directory: smallPlanDirectory(),
    period: String(year),
    calendar: KZ_WORKING_CALENDAR,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

describe('the ends of the chain', () => {
  it('gives a coordinator that executes measures no obligation, reminder or escalation to itself: its measures are in its summary', async () => {
    const s = await bed.newScenario();
    const spec = selfExecutingPlanSpec(s.planId, s.year);
    expect(
      spec.stages.map((x) => `${x.id}: ${x.parties.map((p) => `${p.agencyCode}[${p.measures.map((m) => m.number)}]`)}`),
    ).toEqual(['executors: БҒМ[1]', 'summary: АҚДМ[1,2]', 'pm-office: ПМК[1,2]']);
    await s.startSpec(spec);
    const party = (stageId: string): PartySpec => s.spec.stages.find((x) => x.id === stageId)!.parties[0]!;
    const [bgm, aqdm, pmo] = [party('executors'), party('summary'), party('pm-office')];
    // БҒМ reports two working days late; the coordinator, the PM Office on time.
    const late = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 2);
    await s.advanceTo(Date.parse(`${late}T05:00:00Z`));
    expect((await s.submit(bgm)).workingDaysLate).toBe(2);
    await s.accept(bgm);
    await s.advanceTo(s.reminderAt(aqdm, 7, 'summary') + HOUR);
    await s.submit(aqdm, 'summary');
    await s.accept(aqdm, 'summary', 'control@ПМК');
    await s.advanceTo(s.reminderAt(pmo, 7, 'pm-office') + HOUR);
    await s.submit(pmo, 'pm-office');
    await s.accept(pmo, 'pm-office', 'control@ПӘ');
    expect((await s.result()).status).toBe('completed');

    const mails = await ladderMailsOf(bed.db, s.planId);
    expect(mailLines(mails)).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'reminder 3 БҒМ → БҒМ (kk)',
      'reminder 1 БҒМ → БҒМ (kk)',
      'reminder 0 БҒМ → БҒМ (kk)',
      'escalation step 0 party БҒМ → БҒМ (kk)',
      'escalation step 0 coordinator БҒМ → АҚДМ (kk)',
      'reminder 14 АҚДМ → АҚДМ (kk)',
      'reminder 7 АҚДМ → АҚДМ (kk)',
      'reminder 14 ПМК → ПМК (kk)',
      'reminder 7 ПМК → ПМК (kk)',
    ]);
    // АҚДМ hears only as the coordinator (БҒМ's overdue notice) and about its own summary, in which its measures are.
    expect(mails.filter((m) => m.about === 'АҚДМ').map((m) => m.key.split(':')[5])).toEqual(['summary', 'summary']);
    const events = await eventsOf(bed.db, s.planId);
    const opened = events
      .filter((e) => e.type === 'obligation.opened')
      .map((e) => e.subject.split(':').slice(3).join(':'));
    expect(opened.sort()).toEqual(['АҚДМ:summary', 'БҒМ:executors', 'ПМК:pm-office']);
  });

  it('ends the ladder at the PM Office: an overdue summary escalates to it, its own overdue stage tells its head only, the Presidential Administration nothing', async () => {
    const s = await bed.newScenario();
    await s.start('cascade');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, BGM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    // Neither the coordinator's summary nor the PM Office's report ever comes.
    const lastStep = Date.parse(
      s.item(PMO, 'pm-office', (i) => i.kind === 'escalation' && i.audience === 'pm_office').at,
    );
    await s.advanceTo(lastStep + 10 * DAY);
    const mails = await s.mailsWhen(6 + 5 + 4 + 5 + 3);
    expect(mailLines(mails.filter((m) => m.about === 'АҚДМ'))).toEqual([
      'reminder 14 АҚДМ → АҚДМ (kk)',
      'reminder 7 АҚДМ → АҚДМ (kk)',
      'reminder 3 АҚДМ → АҚДМ (kk)',
      'reminder 1 АҚДМ → АҚДМ (kk)',
      'reminder 0 АҚДМ → АҚДМ (kk)',
      'escalation step 0 party АҚДМ → АҚДМ (kk)',
      'escalation step 0 coordinator АҚДМ → ПМК (kk)',
      'escalation step 1 coordinator_head АҚДМ → ПМК:head (kk)',
      'escalation step 2 pm_office АҚДМ → ПМК (kk)',
    ]);
    expect(mailLines(mails.filter((m) => m.about === 'ПМК'))).toEqual([
      'reminder 14 ПМК → ПМК (kk)',
      'reminder 7 ПМК → ПМК (kk)',
      'reminder 3 ПМК → ПМК (kk)',
      'reminder 1 ПМК → ПМК (kk)',
      'reminder 0 ПМК → ПМК (kk)',
      'escalation step 0 party ПМК → ПМК:head (kk)',
      'escalation step 1 coordinator_head ПМК → ПМК:head (kk)',
      'escalation step 2 pm_office ПМК → ПМК:head (kk)',
    ]);
    expect(mails.filter((m) => m.to.some((t) => t.startsWith('ПӘ')))).toEqual([]);
    expect(mails).toHaveLength(6 + 9 + 8);
    await s.advanceTo(lastStep + 40 * DAY);
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(23);
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toMatchObject({ 'obligation.overdue': 2, 'escalation.sent': 7 });
    await s.recordHistories('ladder-top', RECORD);
  });
});
