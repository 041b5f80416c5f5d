// A measure with a deadline of its own is a stage of its own: reminded and escalated on its date, to the recipient its completion form names.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { parseDeadline } from '../../domain/deadline-language.js';
import type { Measure, Recipient } from '../../domain/plan.js';
import { CYCLE_BATCHED_OPEN_PATCH, STAGE_RECIPIENT_PATCH } from '../../workflows/reporting-cycle.js';
import type { CycleSpec, PartySpec } from '../../domain/cycle-model.js';
import {
  CYCLE_CONTINUE_AS_NEW_PATCH,
  CYCLE_PATCHES_FIRST_PATCH,
  STATUS_ATTRIBUTE_PATCH,
} from '../../workflows/shared.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { testPlan } from '../helpers/plans.js';
import { smallPlanDirectory } from '../fixtures/small-plan.js';
import { countTypes, eventsOf, fullReport, ladderMailsOf, mailsOf, type SentMail } from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;
const MEASURE = 'measure-2-due-1';

const bed = useCycleTestBed();

function measure(
  number: string,
  kk: string,
  ru: string,
  deadline: string,
  completionForm: string,
  recipient: Recipient,
): Measure {
  return {
    number,
    section: 0,
    title: { kk, ru },
    completionForm: { kk: completionForm, ru: null },
    recipient,
    executors: [
      { code: 'ІІМ', byAgreement: false, lead: true },
      { code: 'БҒМ', byAgreement: false, lead: false },
    ],
    deadline: { text: deadline, rule: parseDeadline(deadline) },
    indicators: [],
    cost: null,
    fundingSource: null,
  };
}

/**
 * The scenario year's cycle of a plan АҚДМ coordinates: measure 1 is reported "annually" in the regular stage; measure 2
 * is a one-off "by 25 December" whose completion form sends it to ҰҚК. Only the executors' stages, as in the other scenarios.
 */
function measurePlanSpec(planId: string, year: number): CycleSpec {
  const plan = testPlan({
    years: { from: year, to: year + 1 },
    measures: [
      measure(
        '1',
        'Діни экстремизмнің алдын алу жұмыстары',
        'Работа по профилактике религиозного экстремизма',
        'жыл сайын',
        'АҚДМ-ға ақпарат',
        { agency: 'АҚДМ' },
      ),
      measure(
        '2',
        'Радикалды идеологияны таратудың арналары туралы талдау',
        'Анализ каналов распространения радикальной идеологии',
        `${year} жылғы 25 желтоқсанға дейін`,
        'ҰҚК-ге ақпарат',
        { agency: 'ҰҚК' },
      ),
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
  return { ...result.spec, stages: result.spec.stages.filter((s) => s.from === 'executors') };
}

/** "stage kind detail about → recipients (lang)" per mail, in the order sent. */
function lines(mails: readonly SentMail[]): string[] {
  return mails.map((m) => {
    const parts = m.key.split(':');
    const detail =
      m.kind === 'reminder'
        ? ` ${parts.at(-1)}`
        : m.kind === 'escalation'
          ? ` step ${parts.at(-2)} ${parts.at(-1)}`
          : '';
    return `${parts[5]} ${m.kind}${detail} ${m.about} → ${[...m.to].sort().join(',')} (${m.lang})`;
  });
}

describe('measure stages', () => {
  it('reminds and escalates a one-off measure on its own date to the ҰҚК its completion form names, beside the regular stage', async () => {
    const s = await bed.newScenario();
    const spec = measurePlanSpec(s.planId, s.year);
    const stage = spec.stages.find((x) => x.id === MEASURE)!;
    expect(
      spec.stages.map((x) => [x.id, x.dueDate, x.recipient?.agencyCode ?? null, x.parties.map((p) => p.agencyCode)]),
    ).toEqual([
      [MEASURE, `${s.year}-12-25`, 'ҰҚК', ['ІІМ', 'БҒМ']],
      ['executors', `${s.year + 1}-01-10`, null, ['ІІМ', 'БҒМ']],
    ]);
    await s.startSpec(spec);
    const party = (stageId: string, code: string): PartySpec =>
      s.spec.stages.find((x) => x.id === stageId)!.parties.find((p) => p.agencyCode === code)!;
    const [iimM, bgmM, iim, bgm] = [
      party(MEASURE, 'ІІМ'),
      party(MEASURE, 'БҒМ'),
      party('executors', 'ІІМ'),
      party('executors', 'БҒМ'),
    ];
    expect(s.reminderAt(iimM, 14, MEASURE)).toBeGreaterThan(await s.now());

    // БҒМ sends ҰҚК its information after the 7-days reminder of 25 December; ІІМ does not.
    await s.advanceTo(s.reminderAt(bgmM, 7, MEASURE) + HOUR);
    expect(await s.submit(bgmM, MEASURE)).toEqual({ version: 1, late: false, workingDaysLate: 0 });
    await s.accept(bgmM, MEASURE, 'control@ҰҚК');
    // The regular stage runs as before: both report after its 7-days reminder.
    await s.advanceTo(s.reminderAt(iim, 7) + HOUR);
    for (const p of [iim, bgm]) {
      await s.submit(p);
      await s.accept(p);
    }
    const pmOfficeStep = Date.parse(
      s.item(iimM, MEASURE, (i) => i.kind === 'escalation' && i.audience === 'pm_office').at,
    );
    await s.advanceTo(pmOfficeStep + DAY);
    const mails = await s.mailsWhen(15);
    expect(lines(mails.filter((m) => m.key.includes(`:${MEASURE}:`) && m.about === 'ІІМ'))).toEqual([
      ...[14, 7, 3, 1, 0].map((n) => `${MEASURE} reminder ${n} ІІМ → ІІМ (ru)`),
      `${MEASURE} escalation step 0 party ІІМ → ІІМ (ru)`,
      // Whom the report is owed to is ҰҚК, told in its language; the step above it is the PM Office's, as for any stage.
      `${MEASURE} escalation step 0 coordinator ІІМ → ҰҚК (ru)`,
      `${MEASURE} escalation step 1 coordinator_head ІІМ → ҰҚК:head (ru)`,
      `${MEASURE} escalation step 2 pm_office ІІМ → ПМК (kk)`,
    ]);
    expect(lines(mails.filter((m) => !(m.key.includes(`:${MEASURE}:`) && m.about === 'ІІМ'))).sort()).toEqual(
      [
        `${MEASURE} reminder 14 БҒМ → БҒМ (kk)`,
        `${MEASURE} reminder 7 БҒМ → БҒМ (kk)`,
        'executors reminder 14 ІІМ → ІІМ (ru)',
        'executors reminder 14 БҒМ → БҒМ (kk)',
        'executors reminder 7 ІІМ → ІІМ (ru)',
        'executors reminder 7 БҒМ → БҒМ (kk)',
      ].sort(),
    );
    // Not a mail to the coordinator about the measure: it is not АҚДМ's report to chase.
    expect(mails.filter((m) => m.to.some((t) => t.startsWith('АҚДМ')))).toEqual([]);

    // On its own dates, with ҰҚК named as the receiver and only the measure it owes.
    const dueM = s.preview.obligations.find((o) => o.stageId === MEASURE)!.effectiveDueDate;
    const reminder = mails.find((m) => m.key.includes(`:${MEASURE}:`) && m.about === 'ІІМ' && m.kind === 'reminder')!;
    expect(reminder.ics).toContain(`DTSTART;VALUE=DATE:${dueM.replace(/-/g, '')}`);
    expect(reminder.text).toContain('Кому: Комитет национальной безопасности');
    expect(reminder.text).toContain('Кімге: Ұлттық қауіпсіздік комитеті');
    expect(reminder.text).toContain('Анализ каналов распространения радикальной идеологии');
    expect(reminder.text).not.toContain('Работа по профилактике религиозного экстремизма');
    const toUqk = mails.find((m) => m.key.endsWith(':coordinator') && m.about === 'ІІМ')!;
    expect(toUqk.text.indexOf('Кому: Комитет национальной безопасности')).toBeLessThan(
      toUqk.text.indexOf('Кімге: Ұлттық қауіпсіздік комитеті'),
    );
    const regular = mails.find((m) => m.key.includes(':executors:') && m.about === 'ІІМ')!;
    expect(regular.text).toContain('Кому: Министерство информации и общественного развития');
    expect(regular.ics).toContain(`DTSTART;VALUE=DATE:${s.effectiveDue().replace(/-/g, '')}`);

    // ІІМ's late information ends the ladder and the cycle.
    const late = await s.submit(iimM, MEASURE, fullReport(iimM));
    expect(late.late).toBe(true);
    await s.accept(iimM, MEASURE, 'control@ҰҚК');
    const result = await s.result();
    expect(result.status).toBe('completed');
    expect(result.obligations.map((o) => [o.stageId, o.agencyCode, o.status, o.dueDate])).toEqual([
      [MEASURE, 'ІІМ', 'accepted', stage.dueDate],
      [MEASURE, 'БҒМ', 'accepted', stage.dueDate],
      ['executors', 'ІІМ', 'accepted', `${s.year + 1}-01-10`],
      ['executors', 'БҒМ', 'accepted', `${s.year + 1}-01-10`],
    ]);
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(15);
    expect(countTypes(await eventsOf(bed.db, s.planId))).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 4,
      'reminder.sent': 11,
      'obligation.overdue': 1,
      'escalation.sent': 4,
      'report.submitted': 4,
      'report.accepted': 4,
      // Each report's arrival told to its recipient (ҰҚК for the measure stage), each acceptance to the party.
      'notice.sent': 8,
      'cycle.completed': 1,
    });
    const review = (await mailsOf(bed.db, s.planId)).filter(
      (m) => m.kind === 'arrived' && m.key.includes(`:${MEASURE}:`),
    );
    expect(review.map((m) => m.to)).toEqual([['ҰҚК'], ['ҰҚК']]);
    // The cycle's history records the patch, so it replays with the recipient after any later change of this code.
    const history = await s.handle.fetchHistory();
    const markers = history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(
      markers.map((e) =>
        Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString(),
      ),
    ).toEqual([
      expect.stringContaining(CYCLE_PATCHES_FIRST_PATCH),
      expect.stringContaining(CYCLE_BATCHED_OPEN_PATCH),
      expect.stringContaining(STATUS_ATTRIBUTE_PATCH),
      expect.stringContaining(CYCLE_CONTINUE_AS_NEW_PATCH),
    ]);
    // The stage recipient's patch is taken as given by a cycle that asks its patches first; it routed the obligations above.
    expect(
      markers.some((e) =>
        Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!)
          .toString()
          .includes(STAGE_RECIPIENT_PATCH),
      ),
    ).toBe(false);
    await s.recordHistories('measure-stage', RECORD);
  });
});
