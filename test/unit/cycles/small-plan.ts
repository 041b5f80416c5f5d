// The small plan every cycle test uses: coordinator АҚДМ, three executors (ҰҚК by agreement), the PM Office and the Presidential Administration.
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { resolveDue } from '../../../domain/cycle-timeline.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS, type Agency } from '../../../domain/plan.js';
import { ANNUAL_CASCADE_580, stageDeadlines } from '../../../domain/policies.js';
import { parsePeriodKey } from '../../../domain/periods.js';
import type { CycleSpec, PartySpec, StageSpec } from '../../../domain/cycle-model.js';

function party(agencyCode: string, kk: string, ru: string, lang: 'kk' | 'ru', domain: string, extra: Partial<PartySpec> = {}): PartySpec {
  return { agencyCode, name: { kk, ru }, lang, byAgreement: false, emails: { reporter: [`report@${domain}`], head: [`head@${domain}`] }, measures: [], ...extra };
}

const M1 = { number: '1', title: { kk: 'Дін саласындағы мемлекеттік саясатты түсіндіру жұмыстарын жүргізу', ru: 'Проведение разъяснительной работы по государственной политике в религиозной сфере' } };
const M2 = { number: '2', title: { kk: 'Діни экстремизмнің алдын алу бойынша профилактикалық іс-шаралар өткізу', ru: 'Проведение профилактических мероприятий по предупреждению религиозного экстремизма' } };
const M3 = { number: '3', title: { kk: 'Білім беру ұйымдарында дінтану курстарын енгізу', ru: 'Внедрение курсов религиоведения в организациях образования' } };
const SUMMARY = { number: '1', title: { kk: 'Жоспардың орындалуы туралы жиынтық ақпарат', ru: 'Сводная информация об исполнении плана' } };

export const AQDM = party('АҚДМ', 'Ақпарат және қоғамдық даму министрлігі', 'Министерство информации и общественного развития', 'kk', 'aqdm.test', { measures: [M1, M2, M3] });
export const IIM = party('ІІМ', 'Ішкі істер министрлігі', 'Министерство внутренних дел', 'ru', 'iim.test', { measures: [M1, M2] });
export const BGM = party('БҒМ', 'Білім және ғылым министрлігі', 'Министерство образования и науки', 'kk', 'bgm.test', { measures: [M1, M3] });
export const UQK = party('ҰҚК', 'Ұлттық қауіпсіздік комитеті', 'Комитет национальной безопасности', 'ru', 'uqk.test', { byAgreement: true, measures: [M2] });
export const PMO = party('ПМК', 'Премьер-Министрдің Кеңсесі', 'Канцелярия Премьер-Министра', 'kk', 'pmo.test', { measures: [SUMMARY] });
export const PA = party('ПӘ', 'Президент Әкімшілігі', 'Администрация Президента', 'kk', 'akorda.test');
/** The Ministry of Enlightenment took over schools from БҒМ (2022): a successor in the amendment tests. */
export const OM = party('ОМ', 'Оқу-ағарту министрлігі', 'Министерство просвещения', 'kk', 'om.test', { measures: [M1, M3] });
export const MSM = party('МСМ', 'Мәдениет және спорт министрлігі', 'Министерство культуры и спорта', 'kk', 'msm.test', { measures: [M1] });

/** Addresses → agency code, to name recipients in assertions. */
export const ADDRESS_OWNER: Readonly<Record<string, string>> = Object.fromEntries(
  [AQDM, IIM, BGM, UQK, PMO, PA, OM, MSM].flatMap((p) => [[p.emails.reporter[0]!, p.agencyCode], [p.emails.head[0]!, `${p.agencyCode}:head`]]),
);

export function smallPlanSpec(opts: { planId: string; year: number; stages: 'cascade' | 'executors'; executors?: readonly PartySpec[] }): CycleSpec {
  const period = String(opts.year);
  const due = stageDeadlines(ANNUAL_CASCADE_580, parsePeriodKey(period));
  const parties: Record<string, readonly PartySpec[]> = { executors: opts.executors ?? [IIM, BGM, UQK], summary: [AQDM], 'pm-office': [PMO] };
  const stages: StageSpec[] = due
    .filter((d) => opts.stages === 'cascade' || d.stage === 'executors')
    .map((d) => ({
      id: d.stage,
      from: d.from as StageSpec['from'],
      to: d.to as StageSpec['to'],
      dueDate: d.due,
      dueInstant: resolveDue(d.due, 'next', KZ_WORKING_CALENDAR).dueInstant,
      parties: parties[d.stage]!,
    }));
  return {
    planId: opts.planId,
    planTitle: { kk: 'Дін саласындағы мемлекеттік саясатты іске асыру жөніндегі іс-шаралар жоспары', ru: 'План мероприятий по реализации государственной политики в религиозной сфере' },
    period,
    policyId: ANNUAL_CASCADE_580.id,
    shift: 'next',
    coordinator: AQDM,
    pmOffice: PMO,
    presidentialAdministration: PA,
    stages,
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
  };
}

/** The small plan's parties as an agencies directory (same names, languages and addresses), for specs built by cycleSpecFromPlan. */
export function smallPlanDirectory(): Agency[] {
  const kinds: Readonly<Record<string, Agency['kind']>> = { ҰҚК: 'presidential_body', ПМК: 'pm_office', ПӘ: 'presidential_administration' };
  return [AQDM, IIM, BGM, UQK, PMO, PA, OM, MSM].map((p): Agency => ({
    code: p.agencyCode, name: { ...p.name }, kind: kinds[p.agencyCode] ?? 'ministry', byAgreement: p.byAgreement, lang: p.lang,
    contacts: [{ role: 'reporter', email: p.emails.reporter[0]! }, { role: 'head', email: p.emails.head[0]! }],
  }));
}
