// A confirmed plan becomes one cycle's spec: the measures owed in the period, their executors with contacts, successors followed.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import type { Agency } from '../../../domain/plan.js';
import { TEST_AGENCIES, testPlan } from '../../helpers/plans.js';

const PA: Agency = {
  code: 'ПӘ', name: { kk: 'Президент Әкімшілігі', ru: 'Администрация Президента' }, kind: 'presidential_administration', byAgreement: false,
  contacts: [{ role: 'reporter', email: 'control@akorda.example.kz' }], lang: 'kk',
};
const directory = [...TEST_AGENCIES, PA];

describe('cycleSpecFromPlan', () => {
  it('builds the 2019 cycle of the annual cascade: the executors of the measures owed that year, the coordinator, the PM Office', () => {
    const result = cycleSpecFromPlan({ planId: 'p-580', plan: testPlan(), directory, period: '2019', calendar: KZ_WORKING_CALENDAR });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { spec } = result;
    expect(spec.stages.map((s) => [s.id, s.from, s.to, s.dueDate, s.dueInstant, s.parties.map((p) => `${p.agencyCode}[${p.measures.map((m) => m.number).join(',')}]${p.byAgreement ? '*' : ''}`)])).toEqual([
      // 15 March 2020 was a Sunday: the PM Office's stage moves to Monday 16 March.
      ['executors', 'executors', 'coordinator', '2020-01-10', '2020-01-10T17:59:59.999Z', ['БҒМ[1]', 'АҚДМ[1]', 'ІІМ[2]', 'ҰҚК[2]*']],
      ['summary', 'coordinator', 'pm_office', '2020-02-25', '2020-02-25T17:59:59.999Z', ['АҚДМ[1,2]']],
      ['pm-office', 'pm_office', 'presidential_administration', '2020-03-15', '2020-03-16T17:59:59.999Z', ['ПМК[1,2]']],
    ]);
    expect(spec.coordinator).toMatchObject({ agencyCode: 'АҚДМ', lang: 'kk', emails: { reporter: ['report@akdm.example.kz'], head: ['head@akdm.example.kz'] } });
    // The plan was published in Kazakh only: the Russian text falls back to it rather than being empty.
    expect(spec.planTitle.ru).toBe(spec.planTitle.kk);
    expect(spec.stages[0]!.parties.find((p) => p.agencyCode === 'ІІМ')!.lang).toBe('ru');
  });

  it('adds the one-off measure in the year it falls due', () => {
    const result = cycleSpecFromPlan({ planId: 'p-580', plan: testPlan(), directory, period: '2018', calendar: KZ_WORKING_CALENDAR });
    expect(result.ok && result.spec.stages[1]!.parties[0]!.measures.map((m) => m.number)).toEqual(['1', '2', '3']);
  });

  it('follows a merged agency to its successor when the merge is in force by the due date', () => {
    const merged = directory.map((a) => (a.code === 'БҒМ' ? { ...a, successor: { code: 'ОМ', date: '2019-06-13' } } : a));
    const om: Agency = { code: 'ОМ', name: { kk: 'Оқу-ағарту министрлігі', ru: 'Министерство просвещения' }, kind: 'ministry', byAgreement: false, contacts: [{ role: 'reporter', email: 'report@om.example.kz' }], lang: 'kk' };
    const result = cycleSpecFromPlan({ planId: 'p', plan: testPlan(), directory: [...merged, om], period: '2019', calendar: KZ_WORKING_CALENDAR });
    expect(result.ok && result.spec.stages[0]!.parties.map((p) => p.agencyCode)).toEqual(['ОМ', 'АҚДМ', 'ІІМ', 'ҰҚК']);
  });

  it('names what is missing instead of guessing', () => {
    expect(cycleSpecFromPlan({ planId: 'p', plan: testPlan(), directory, period: '2019-H1', calendar: KZ_WORKING_CALENDAR })).toEqual({
      ok: false, errors: [{ field: 'period', message: 'policy annual-cascade-580 reports per year, not per half' }],
    });
    const result = cycleSpecFromPlan({ planId: 'p', plan: testPlan(), directory: TEST_AGENCIES.filter((a) => a.code !== 'ІІМ'), period: '2019', calendar: KZ_WORKING_CALENDAR });
    expect(result.ok ? [] : result.errors).toEqual([
      { field: 'presidentialAdministration', message: 'the agencies directory has no presidential_administration' },
      { field: 'measures[1].executors', message: '"ІІМ" is not in the agencies directory' },
    ]);
  });
});
