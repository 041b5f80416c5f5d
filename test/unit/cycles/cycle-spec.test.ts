// A confirmed plan becomes one cycle's spec: the measures owed in the period, their executors with contacts, successors followed;
// measures with deadlines of their own become stages of their own, addressed to the recipient their completion form names.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan, placeObligation, type CycleSpecInput } from '../../../domain/cycle-spec.js';
import { previewCycle, type TimelineItem } from '../../../domain/cycle-timeline.js';
import { parseDeadline } from '../../../domain/deadline-language.js';
import { obligationsForYear } from '../../../domain/due-dates.js';
import type { Agency, Measure, Plan, Recipient } from '../../../domain/plan.js';
import { ANNUAL_CASCADE_580, QUARTERLY_POLICY, SEMIANNUAL_POLICY } from '../../../domain/policies.js';
import { validateCycleSpec } from '../../../domain/cycle-validation.js';
import { stageChain, type CycleSpec, type StageSpec } from '../../../domain/cycle-model.js';
import { TEST_AGENCIES, testPlan } from '../../helpers/plans.js';
import { AQDM, IIM, PA as PA_PARTY, PMO, UQK, smallPlanSpec } from '../../fixtures/small-plan.js';

const PA: Agency = {
  code: 'ПӘ',
  name: { kk: 'Президент Әкімшілігі', ru: 'Администрация Президента' },
  kind: 'presidential_administration',
  byAgreement: false,
  contacts: [{ role: 'reporter', email: 'control@akorda.example.kz' }],
  lang: 'kk',
};
// ҰҚК with a head of the body too, so the ladder's head step has somebody to reach.
const directory = [
  ...TEST_AGENCIES.map((a) =>
    a.code === 'ҰҚК' ? { ...a, contacts: [...a.contacts, { role: 'head' as const, email: 'head@knb.example.kz' }] } : a,
  ),
  PA,
];

function build(plan: Plan, period: string, extra: Partial<CycleSpecInput> = {}): CycleSpec {
  const result = cycleSpecFromPlan({ planId: 'p', plan, directory, period, calendar: KZ_WORKING_CALENDAR, ...extra });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

/** "id from→to[recipient] due: party[measures]*" per stage, to compare whole cycles at a glance. */
function stages(spec: CycleSpec): string[] {
  return spec.stages.map(
    (s) =>
      `${s.id} ${s.from}→${s.to}${s.recipient === undefined ? '' : `[${s.recipient.agencyCode}]`} ${s.dueDate}: ${s.parties
        .map((p) => `${p.agencyCode}[${p.measures.map((m) => m.number).join(',')}]${p.byAgreement ? '*' : ''}`)
        .join(' ')}`,
  );
}

/** A measure as the importer leaves it: the deadline parsed from its text, the recipient read from the completion form. */
function measure(
  number: string,
  executors: [string, boolean][],
  deadline: string,
  completionForm: string,
  recipient: Recipient | null,
): Measure {
  return {
    number,
    section: 0,
    title: { kk: `${number}-іс-шара`, ru: null },
    completionForm: { kk: completionForm, ru: null },
    recipient,
    executors: executors.map(([code, byAgreement], i) => ({ code, byAgreement, lead: i === 0 })),
    deadline: { text: deadline, rule: parseDeadline(deadline) },
    indicators: [],
    cost: null,
    fundingSource: null,
  };
}

/** Seed-like rows: the counter-extremism programme's one-off "information to ҰҚК by 10 July 2018" in a plan АҚДМ coordinates. */
function seedLikePlan(): Plan {
  return testPlan({
    years: { from: 2017, to: 2020 },
    measures: [
      measure(
        '1',
        [
          ['БҒМ', false],
          ['АҚДМ', false],
        ],
        'жыл сайын, 2017 – 2020 жылдар',
        'АҚДМ-ға ақпарат',
        { agency: 'АҚДМ' },
      ),
      measure(
        '4.',
        [
          ['ІІМ', false],
          ['ҰҚК', true],
        ],
        'жыл сайын, 1 желтоқсанға дейін',
        'АҚДМ-ға ақпарат',
        { agency: 'АҚДМ' },
      ),
      measure(
        '7.1',
        [
          ['ІІМ', false],
          ['БҒМ', false],
        ],
        '2018 жылғы 10 шілдеге қарай',
        'ҰҚК-ге ақпарат',
        { agency: 'ҰҚК' },
      ),
      measure('26', [['БҒМ', false]], 'жыл сайын 25 шілдеге, 25 желтоқсанға дейін', 'АҚДМ-ға ақпарат', null),
      measure('30', [['ІІМ', false]], '2019 ж. 5 желтоқсан', 'Президент Әкімшілігіне ақпарат', {
        role: 'presidential_administration',
      }),
      measure(
        '31',
        [
          ['ІІМ', false],
          ['БҒМ', false],
        ],
        '2019 жылғы 4-тоқсан',
        'Үкіметке ақпарат',
        { role: 'government' },
      ),
      measure('47', [['ІІМ', false]], '2018 жылдан бастап, қажеттілігіне қарай', 'Премьер-Министр Кеңсесіне ақпарат', {
        role: 'pm_office',
      }),
      measure('50', [['БҒМ', false]], 'мерзімі келісіледі', 'АҚДМ-ға ақпарат', null),
    ],
  });
}

describe('cycleSpecFromPlan', () => {
  it('builds the 2019 cycle of the annual cascade: the executors of the measures owed that year, the coordinator, the PM Office', () => {
    const spec = build(testPlan(), '2019');
    expect(
      spec.stages.map((s) => [
        s.id,
        s.from,
        s.to,
        s.dueDate,
        s.dueInstant,
        s.parties.map(
          (p) => `${p.agencyCode}[${p.measures.map((m) => m.number).join(',')}]${p.byAgreement ? '*' : ''}`,
        ),
      ]),
    ).toEqual([
      // "жыл сайын, 1 желтоқсанға дейін": its own date, a Sunday and the First President's Day then, so Tuesday 3 December.
      ['measure-2-due-1', 'executors', 'coordinator', '2019-12-01', '2019-12-03T17:59:59.999Z', ['ІІМ[2]', 'ҰҚК[2]*']],
      // АҚДМ executes measure 1 too, but does not report to itself: measure 1 is in its own summary.
      ['executors', 'executors', 'coordinator', '2020-01-10', '2020-01-10T17:59:59.999Z', ['БҒМ[1]']],
      ['summary', 'coordinator', 'pm_office', '2020-02-25', '2020-02-25T17:59:59.999Z', ['АҚДМ[1,2]']],
      // 15 March 2020 was a Sunday: the PM Office's stage moves to Monday 16 March.
      ['pm-office', 'pm_office', 'presidential_administration', '2020-03-15', '2020-03-16T17:59:59.999Z', ['ПМК[1,2]']],
    ]);
    expect(spec.coordinator).toMatchObject({
      agencyCode: 'АҚДМ',
      lang: 'kk',
      emails: { reporter: ['report@akdm.example.kz'], head: ['head@akdm.example.kz'] },
    });
    // The plan was published in Kazakh only: the Russian text falls back to it rather than being empty.
    expect(spec.planTitle.ru).toBe(spec.planTitle.kk);
    expect(spec.stages.find((s) => s.id === 'measure-2-due-1')!.parties.find((p) => p.agencyCode === 'ІІМ')!.lang).toBe(
      'ru',
    );
    expect(spec.notOwed).toEqual([]);
  });

  it('adds the one-off measure in the year it falls due, in a stage of its own, and the coordinator reports on it too', () => {
    const spec = build(testPlan(), '2018');
    expect(stages(spec)).toEqual([
      'measure-2-due-1 executors→coordinator 2018-12-01: ІІМ[2] ҰҚК[2]*',
      'executors executors→coordinator 2019-01-10: БҒМ[1]',
      'summary coordinator→pm_office 2019-02-25: АҚДМ[1,2,3]',
      'pm-office pm_office→presidential_administration 2019-03-15: ПМК[1,2,3]',
    ]);
  });

  it('reports a one-off "by 10 July 2018" to the ҰҚК its completion form names, in the 2018 cycle only', () => {
    const spec2018 = build(seedLikePlan(), '2018');
    const stage = spec2018.stages.find((s) => s.id === 'measure-7-1-due-1')!;
    expect(stage).toMatchObject({
      from: 'executors',
      to: 'coordinator',
      dueDate: '2018-07-10',
      dueInstant: '2018-07-10T17:59:59.999Z',
    });
    expect(stage.parties.map((p) => [p.agencyCode, p.measures.map((m) => m.number)])).toEqual([
      ['ІІМ', ['7.1']],
      ['БҒМ', ['7.1']],
    ]);
    expect(stage.recipient).toMatchObject({
      agencyCode: 'ҰҚК',
      lang: 'ru',
      byAgreement: true,
      emails: { reporter: ['report@knb.example.kz'], head: ['head@knb.example.kz'] },
      measures: [{ number: '7.1' }],
    });
    // The obligation's chain has ҰҚК where the coordinator was: it is whom the report is owed to.
    expect(stageChain(spec2018, stage).coordinator.agencyCode).toBe('ҰҚК');
    expect(spec2018.coordinator.measures.map((m) => m.number)).toContain('7.1');

    const spec2019 = build(seedLikePlan(), '2019');
    expect(spec2019.stages.filter((s) => s.id.startsWith('measure-7-1'))).toEqual([]);
    expect(
      spec2019.stages
        .flatMap((s) => s.parties)
        .flatMap((p) => p.measures)
        .map((m) => m.number),
    ).not.toContain('7.1');
    expect(spec2019.coordinator.measures.map((m) => m.number)).not.toContain('7.1');
  });

  it('reports "annually, by 1 December" on 1 December of every year of the plan, to the coordinator', () => {
    for (const year of [2017, 2018, 2019, 2020]) {
      const spec = build(seedLikePlan(), String(year));
      const stage = spec.stages.find((s) => s.id === 'measure-4-due-1');
      expect(stage, String(year)).toMatchObject({ to: 'coordinator', dueDate: `${year}-12-01` });
      expect(stage!.recipient).toBeUndefined();
      expect(stage!.parties.map((p) => `${p.agencyCode}${p.byAgreement ? '*' : ''}`)).toEqual(['ІІМ', 'ҰҚК*']);
      // Not also in the regular stage: its report is the one of 1 December.
      expect(
        spec.stages.find((s) => s.id === 'executors')!.parties.flatMap((p) => p.measures.map((m) => m.number)),
      ).not.toContain('4.');
    }
  });

  it('makes "annually by 25 July and 25 December" two stages, and reads the roles of the chain as its levels', () => {
    expect(stages(build(seedLikePlan(), '2019'))).toEqual([
      'measure-26-due-1 executors→coordinator 2019-07-25: БҒМ[26]',
      'measure-4-due-1 executors→coordinator 2019-12-01: ІІМ[4.] ҰҚК[4.]*',
      'measure-30-due-1 executors→presidential_administration 2019-12-05: ІІМ[30]',
      'measure-26-due-2 executors→coordinator 2019-12-25: БҒМ[26]',
      // "Үкіметке ақпарат": the Government receives through the PM Office.
      'measure-31-due-1 executors→pm_office 2019-12-31: ІІМ[31] БҒМ[31]',
      'executors executors→coordinator 2020-01-10: БҒМ[1]',
      'summary coordinator→pm_office 2020-02-25: АҚДМ[1,4.,26,30,31]',
      'pm-office pm_office→presidential_administration 2020-03-15: ПМК[1,4.,26,30,31]',
    ]);
  });

  it('takes a named agency that is a level of the chain as that level, and a coordinator named by code as the coordinator', () => {
    const plan = testPlan({
      measures: [
        measure('1', [['БҒМ', false]], '2019 жылғы 1 наурызға дейін', 'ПМК-ге ақпарат', { agency: 'ПМК' }),
        measure('2', [['БҒМ', false]], '2019 жылғы 1 сәуірге дейін', 'АҚДМ-ға ақпарат', { agency: 'АҚДМ' }),
        measure('3', [['БҒМ', false]], '2019 жылғы 1 мамырға дейін', 'ПӘ-не ақпарат', { agency: 'ПӘ' }),
      ],
    });
    expect(
      build(plan, '2019')
        .stages.filter((s) => s.id.startsWith('measure-'))
        .map((s) => [s.id, s.to, s.recipient?.agencyCode ?? null]),
    ).toEqual([
      ['measure-1-due-1', 'pm_office', null],
      ['measure-2-due-1', 'coordinator', null],
      ['measure-3-due-1', 'presidential_administration', null],
    ]);
  });

  it('says which measures owe nothing: "as needed" and an unreadable deadline', () => {
    const spec = build(seedLikePlan(), '2019');
    expect(spec.notOwed).toEqual([
      {
        number: '47',
        deadline: '2018 жылдан бастап, қажеттілігіне қарай',
        reason: 'as_needed',
        note: expect.stringContaining('no calendar deadline'),
      },
      {
        number: '50',
        deadline: 'мерзімі келісіледі',
        reason: 'unparsed',
        note: expect.stringContaining('could not be read'),
      },
    ]);
    expect(
      spec.stages
        .flatMap((s) => s.parties)
        .flatMap((p) => p.measures)
        .map((m) => m.number),
    ).not.toContain('47');
    // "From 2018, as needed" is not even in force in 2017.
    expect(build(seedLikePlan(), '2017').notOwed!.map((n) => n.number)).toEqual(['50']);
  });

  it('reports a quarterly measure under the annual cascade each quarter: three dates of its own, the fourth with the year', () => {
    const plan = testPlan({
      measures: [
        measure('52', [['ІІМ', false]], 'тоқсан сайын, 2017 – 2020 жылдар', 'АҚДМ-ға ақпарат', { agency: 'АҚДМ' }),
      ],
    });
    expect(stages(build(plan, '2019')).slice(0, 4)).toEqual([
      'measure-52-due-1 executors→coordinator 2019-04-10: ІІМ[52]',
      'measure-52-due-2 executors→coordinator 2019-07-10: ІІМ[52]',
      'measure-52-due-3 executors→coordinator 2019-10-10: ІІМ[52]',
      'executors executors→coordinator 2020-01-10: ІІМ[52]',
    ]);
  });

  it('leaves out the regular stage when every measure owed has a date of its own', () => {
    const plan = testPlan({
      measures: [measure('3', [['АҚДМ', false]], '2018 жылғы 10 шілдеге қарай', 'ҰҚК-ге ақпарат', { agency: 'ҰҚК' })],
    });
    expect(build(plan, '2018').stages.map((s) => s.id)).toEqual(['measure-3-due-1', 'summary', 'pm-office']);
  });

  it('builds the spec cycles opened before measure stages had, when asked (measureStages: false)', () => {
    expect(stages(build(testPlan(), '2018', { measureStages: false, coordinatorReportsToItself: true }))).toEqual([
      'executors executors→coordinator 2019-01-10: БҒМ[1] АҚДМ[1,3] ІІМ[2] ҰҚК[2]*',
      'summary coordinator→pm_office 2019-02-25: АҚДМ[1,2,3]',
      'pm-office pm_office→presidential_administration 2019-03-15: ПМК[1,2,3]',
    ]);
  });

  it('follows a merged agency to its successor when the merge is in force by the due date', () => {
    const merged = directory.map((a) =>
      a.code === 'БҒМ' ? { ...a, successor: { code: 'ОМ', date: '2019-06-13' } } : a,
    );
    const om: Agency = {
      code: 'ОМ',
      name: { kk: 'Оқу-ағарту министрлігі', ru: 'Министерство просвещения' },
      kind: 'ministry',
      byAgreement: false,
      contacts: [{ role: 'reporter', email: 'report@om.example.kz' }],
      lang: 'kk',
    };
    const result = cycleSpecFromPlan({
      planId: 'p',
      plan: testPlan(),
      directory: [...merged, om],
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(result.ok && result.spec.stages.find((s) => s.id === 'executors')!.parties.map((p) => p.agencyCode)).toEqual(
      ['ОМ'],
    );
    // Before the merge the measure stage of 10 July 2018 is still БҒМ's.
    const before = cycleSpecFromPlan({
      planId: 'p',
      plan: seedLikePlan(),
      directory: [...merged, om],
      period: '2018',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(
      before.ok && before.spec.stages.find((s) => s.id === 'measure-7-1-due-1')!.parties.map((p) => p.agencyCode),
    ).toEqual(['ІІМ', 'БҒМ']);
  });

  it('names what is missing instead of guessing, once per code', () => {
    expect(
      cycleSpecFromPlan({ planId: 'p', plan: testPlan(), directory, period: '2019-H1', calendar: KZ_WORKING_CALENDAR }),
    ).toEqual({
      ok: false,
      errors: [{ field: 'period', message: 'policy annual-cascade-580 reports per year, not per half' }],
    });
    const result = cycleSpecFromPlan({
      planId: 'p',
      plan: testPlan(),
      directory: TEST_AGENCIES.filter((a) => a.code !== 'ІІМ'),
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(result.ok ? [] : result.errors).toEqual([
      { field: 'presidentialAdministration', message: 'the agencies directory has no presidential_administration' },
      { field: 'measures[1].executors', message: '"ІІМ" is not in the agencies directory' },
    ]);
    const noUqk = cycleSpecFromPlan({
      planId: 'p',
      plan: seedLikePlan(),
      directory: directory.filter((a) => a.code !== 'ҰҚК'),
      period: '2018',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(noUqk.ok ? [] : noUqk.errors).toEqual([
      { field: 'measures[1].executors', message: '"ҰҚК" is not in the agencies directory' },
      { field: 'measures[2].recipient', message: '"ҰҚК" is not in the agencies directory' },
    ]);
  });
});

describe('placeObligation', () => {
  const place = (text: string, year: number, policy = ANNUAL_CASCADE_580): string[] =>
    obligationsForYear(parseDeadline(text), year, policy).map((o) => {
      const p = placeObligation(o, policy);
      return `${o.due} → ${p.period}${p.regular ? '' : ' own'}`;
    });

  it('puts everything a year owes under the annual cascade in that year’s cycle; its own date unless 10 January', () => {
    expect(place('2018 жылғы қаңтар', 2018)).toEqual(['2018-01-31 → 2018 own']);
    expect(place('10 қаңтарға және 10 шілдеге қарай', 2019)).toEqual(['2019-07-10 → 2019 own', '2020-01-10 → 2019']);
    expect(place('жыл сайын', 2019)).toEqual(['2020-01-10 → 2019']);
  });

  it('under the semi-annual programme, puts a date in the half-year whose report round it falls in', () => {
    expect(place('10 қаңтарға және 10 шілдеге қарай', 2019, SEMIANNUAL_POLICY)).toEqual([
      '2019-07-10 → 2019-H1',
      '2020-01-10 → 2019-H2',
    ]);
    expect(place('2018 жылғы 10 шілдеге қарай', 2018, SEMIANNUAL_POLICY)).toEqual(['2018-07-10 → 2018-H1']);
    expect(place('жыл сайын, 1 желтоқсанға дейін', 2019, SEMIANNUAL_POLICY)).toEqual(['2019-12-01 → 2019-H2 own']);
    expect(place('2019 жылғы наурыз', 2019, SEMIANNUAL_POLICY)).toEqual(['2019-03-31 → 2019-H1 own']);
  });

  it('keeps a quarterly report "by the 5th of the next month" regular under the quarterly policy', () => {
    expect(place('тоқсан сайын келесі айдың 5-не', 2019, QUARTERLY_POLICY)).toEqual([
      '2019-04-05 → 2019-Q1',
      '2019-07-05 → 2019-Q2',
      '2019-10-05 → 2019-Q3',
      '2020-01-05 → 2019-Q4',
    ]);
  });
});

describe('measure stages in the timeline and the spec checks', () => {
  const at = (items: readonly TimelineItem[]): string[] =>
    items
      .filter((i) => i.kind === 'escalation')
      .map((i) =>
        i.kind === 'escalation'
          ? `${i.step} ${i.audience} → ${i.agencyCode} [${i.recipients.join(',')}] (${i.lang})`
          : '',
      );

  it('escalates a measure stage to its recipient and then up the chain; a by-agreement executor no further than the recipient', () => {
    const plan = testPlan({
      measures: [
        measure(
          '7',
          [
            ['ІІМ', false],
            ['БП', true],
          ],
          '2018 жылғы 10 шілдеге қарай',
          'ҰҚК-ге ақпарат',
          { agency: 'ҰҚК' },
        ),
      ],
    });
    const bp: Agency = {
      code: 'БП',
      name: { kk: 'Бас прокуратура', ru: 'Генеральная прокуратура' },
      kind: 'presidential_body',
      byAgreement: true,
      contacts: [{ role: 'reporter', email: 'report@prokuror.example.kz' }],
      lang: 'ru',
    };
    const result = cycleSpecFromPlan({
      planId: 'p',
      plan,
      directory: [...directory, bp],
      period: '2018',
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const preview = previewCycle(result.spec, KZ_WORKING_CALENDAR);
    const of = (code: string) =>
      preview.obligations.find((o) => o.stageId === 'measure-7-due-1' && o.agencyCode === code)!;
    expect(at(of('ІІМ').items)).toEqual([
      '0 party → ІІМ [report@iim.example.kz] (ru)',
      '0 coordinator → ҰҚК [report@knb.example.kz] (ru)',
      '1 coordinator_head → ҰҚК [head@knb.example.kz] (ru)',
      '2 pm_office → ПМК [control@pm.example.kz] (kk)',
    ]);
    expect(at(of('БП').items)).toEqual([
      '0 party → БП [report@prokuror.example.kz] (ru)',
      '0 coordinator → ҰҚК [report@knb.example.kz] (ru)',
      '1 coordinator_head → ҰҚК [head@knb.example.kz] (ru)',
    ]);
    // Reminded on its own date's working days (6 July, the Capital's Day, is not one).
    expect(
      of('ІІМ')
        .items.filter((i) => i.kind === 'reminder')
        .map((i) => i.date),
    ).toEqual(['2018-06-19', '2018-06-28', '2018-07-04', '2018-07-09', '2018-07-10']);
  });

  it('puts the recipient in the place of the stage’s receiver only', () => {
    const chain = { coordinator: AQDM, pmOffice: PMO, presidentialAdministration: PA_PARTY };
    expect(stageChain(chain, { to: 'coordinator' })).toBe(chain);
    expect(stageChain(chain, { to: 'coordinator', recipient: UQK })).toEqual({
      coordinator: UQK,
      pmOffice: PMO,
      presidentialAdministration: PA_PARTY,
    });
    expect(stageChain(chain, { to: 'pm_office', recipient: UQK })).toEqual({
      coordinator: AQDM,
      pmOffice: UQK,
      presidentialAdministration: PA_PARTY,
    });
  });

  it('checks a stage’s recipient like any party, and stage ids that would break workflow ids', () => {
    const spec = smallPlanSpec({ planId: 'p', year: 2026, stages: 'executors' });
    const stage: StageSpec = {
      ...spec.stages[0]!,
      id: 'measure:1',
      recipient: { ...UQK, emails: { reporter: ['nope'], head: [] } },
    };
    expect(validateCycleSpec({ ...spec, stages: [stage, { ...spec.stages[0]!, recipient: IIM }] })).toEqual([
      'stages[0].id: must not contain \':\' ("measure:1")',
      'stages[0].recipient.emails.reporter[0]: not an e-mail address',
    ]);
  });
});
