// A small hand-built plan (the shape the importer produces) for tests that are about storage, access and cycles, not import.
import { parseDeadline } from '../../domain/deadline-language.js';
import { ANNUAL_CASCADE_580 } from '../../domain/policies.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS, type Agency, type Measure, type Plan } from '../../domain/plan.js';

export const TEST_AGENCIES: Agency[] = [
  {
    code: 'АҚДМ',
    name: { kk: 'Ақпарат және қоғамдық даму министрлігі', ru: 'Министерство информации и общественного развития' },
    kind: 'ministry',
    byAgreement: false,
    contacts: [
      { role: 'reporter', email: 'report@akdm.example.kz' },
      { role: 'head', email: 'head@akdm.example.kz' },
    ],
    lang: 'kk',
  },
  {
    code: 'БҒМ',
    name: { kk: 'Білім және ғылым министрлігі', ru: 'Министерство образования и науки' },
    kind: 'ministry',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: 'report@bgm.example.kz' }],
    lang: 'kk',
  },
  {
    code: 'ІІМ',
    name: { kk: 'Ішкі істер министрлігі', ru: 'Министерство внутренних дел' },
    kind: 'ministry',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: 'report@iim.example.kz' }],
    lang: 'ru',
  },
  {
    code: 'ҰҚК',
    name: { kk: 'Ұлттық қауіпсіздік комитеті', ru: 'Комитет национальной безопасности' },
    kind: 'presidential_body',
    byAgreement: true,
    contacts: [{ role: 'reporter', email: 'report@knb.example.kz' }],
    lang: 'ru',
  },
  {
    code: 'ПМК',
    name: { kk: 'Премьер-Министрдің Кеңсесі', ru: 'Канцелярия Премьер-Министра' },
    kind: 'pm_office',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: 'control@pm.example.kz' }],
    lang: 'kk',
  },
];

export function measure(number: string, kk: string, executors: [string, boolean][], deadline: string): Measure {
  return {
    number,
    section: 0,
    title: { kk, ru: null },
    completionForm: { kk: 'АҚДМ-ға ақпарат', ru: null },
    recipient: { agency: 'АҚДМ' },
    executors: executors.map(([code, byAgreement], i) => ({ code, byAgreement, lead: i === 0 })),
    deadline: { text: deadline, rule: parseDeadline(deadline) },
    indicators: [],
    cost: null,
    fundingSource: null,
  };
}

export function testPlan(overrides: Partial<Plan> = {}): Plan {
  return {
    title: { kk: 'Дін саласындағы мемлекеттік саясатты іске асыру жөніндегі іс-шаралар жоспары', ru: null },
    approvedBy: { issuer: 'Қазақстан Республикасының Үкіметі', number: '580', date: '2017-09-19' },
    amendments: [],
    repeal: null,
    years: { from: 2017, to: 2020 },
    coordinator: 'АҚДМ',
    policy: ANNUAL_CASCADE_580,
    shift: 'next',
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
    sections: [{ number: null, title: { kk: 'Діни білім беру', ru: null } }],
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
      measure(
        '2',
        'Деструктивті діни ағымдардың таралуына мониторинг',
        [
          ['ІІМ', false],
          ['ҰҚК', true],
        ],
        'жыл сайын, 1 желтоқсанға дейін',
      ),
      measure('3', 'Ақпараттық-түсіндіру жұмыстары', [['АҚДМ', false]], '2018 жылғы 10 шілдеге қарай'),
    ],
    abbreviations: {},
    ...overrides,
  };
}
