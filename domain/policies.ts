// Reporting policies as data: who reports to whom by when after each period, from decree 580's cascade to a plan's own stages.
import { dayInMonthAfter, type IsoDate } from './dates.js';
import { isShiftDirection, type ShiftDirection } from './calendar.js';
import type { LocalizedText } from './lang.js';
import { formatPeriodKey, isPeriodKind, lastMonthOf, type Period, type PeriodKind } from './periods.js';

/** The parties of the reporting chain; a specific agency is named by its code (e.g. { agency: 'ҰҚК' }). */
export type PartyRole = 'executors' | 'coordinator' | 'pm_office' | 'presidential_administration';
export type Party = PartyRole | { readonly agency: string };

export const PARTY_ROLES: readonly PartyRole[] = [
  'executors',
  'coordinator',
  'pm_office',
  'presidential_administration',
];

/** "By the `day`-th of the month `monthsAfterPeriodEnd` months after the period's last month" — {1, 10} is "by 10 January" for a year. */
export interface RelativeDeadline {
  readonly monthsAfterPeriodEnd: number;
  /** 1–31 (clamped to the month's length) or 'last'. */
  readonly day: number | 'last';
}

export interface PolicyStage {
  /** Stable within the policy: used in workflow ids (obligation:<cycle>:<agency>:<stage>). */
  readonly id: string;
  readonly from: Party;
  readonly to: Party;
  readonly deadline: RelativeDeadline;
}

export interface ReportingPolicy {
  readonly id: string;
  readonly name: LocalizedText;
  /** The period one reporting cycle covers. */
  readonly period: PeriodKind;
  /** In chain order: the first stage from 'executors' is what a plan's measures owe. */
  readonly stages: readonly PolicyStage[];
  /** What a deadline on a non-working day does; the plan chooses, 'next' when absent. */
  readonly shift?: ShiftDirection;
  readonly source?: string;
  /**
   * Escalation ends at the PM Office: the Presidential Administration receives the PM Office's report, never automatic
   * escalation e-mails — unless the plan's policy opts in here (default off).
   */
  readonly escalateToPresidentialAdministration?: boolean;
}

const DECREE_580 = 'Government decree No. 580 of 19 Sep 2017, points 2–4 as amended by decree No. 180 of 11 Apr 2019';

/** Decree No. 580: agencies → coordinator by 10 Jan; coordinator's summary → PM Office by 25 Feb; PM Office → Presidential Administration by 15 Mar. */
export const ANNUAL_CASCADE_580: ReportingPolicy = {
  id: 'annual-cascade-580',
  name: {
    kk: 'Жылдық есеп беру (ҚР Үкіметінің 2017 жылғы 19 қыркүйектегі № 580 қаулысы)',
    ru: 'Ежегодная отчётность (постановление Правительства РК от 19 сентября 2017 года № 580)',
    en: 'Annual cascade (Government decree No. 580 of 19 Sep 2017)',
  },
  period: 'year',
  stages: [
    { id: 'executors', from: 'executors', to: 'coordinator', deadline: { monthsAfterPeriodEnd: 1, day: 10 } },
    { id: 'summary', from: 'coordinator', to: 'pm_office', deadline: { monthsAfterPeriodEnd: 2, day: 25 } },
    {
      id: 'pm-office',
      from: 'pm_office',
      to: 'presidential_administration',
      deadline: { monthsAfterPeriodEnd: 3, day: 15 },
    },
  ],
  shift: 'next',
  source: DECREE_580,
};

/** The counter-extremism programme 2018–2022: results of the half-year and of the year by 10 July and 10 January. */
export const SEMIANNUAL_POLICY: ReportingPolicy = {
  id: 'semiannual',
  name: {
    kk: 'Жартыжылдық есеп беру (10 шілдеге және 10 қаңтарға дейін)',
    ru: 'Полугодовая отчётность (до 10 июля и 10 января)',
    en: 'Semi-annual (by 10 July and 10 January)',
  },
  period: 'half',
  stages: [{ id: 'executors', from: 'executors', to: 'coordinator', deadline: { monthsAfterPeriodEnd: 1, day: 10 } }],
  shift: 'next',
  source:
    'Government decree No. 124 of 15 Mar 2018 (state programme on countering religious extremism and terrorism 2018–2022)',
};

/** By the 5th of the month after the quarter (as in seed 002: «тоқсан сайын келесі айдың 5-не»). */
export const QUARTERLY_POLICY: ReportingPolicy = {
  id: 'quarterly',
  name: {
    kk: 'Тоқсандық есеп беру (келесі айдың 5-не дейін)',
    ru: 'Ежеквартальная отчётность (до 5 числа месяца, следующего за отчётным кварталом)',
    en: 'Quarterly (by the 5th of the month after the quarter)',
  },
  period: 'quarter',
  stages: [{ id: 'executors', from: 'executors', to: 'coordinator', deadline: { monthsAfterPeriodEnd: 1, day: 5 } }],
  shift: 'next',
};

/** Merzim's default for monthly reporting: by the 5th of the next month. */
export const MONTHLY_POLICY: ReportingPolicy = {
  id: 'monthly',
  name: {
    kk: 'Айлық есеп беру (келесі айдың 5-не дейін)',
    ru: 'Ежемесячная отчётность (до 5 числа следующего месяца)',
    en: 'Monthly (by the 5th of the next month)',
  },
  period: 'month',
  stages: [{ id: 'executors', from: 'executors', to: 'coordinator', deadline: { monthsAfterPeriodEnd: 1, day: 5 } }],
  shift: 'next',
};

export const STANDARD_POLICIES: Readonly<Record<string, ReportingPolicy>> = {
  [ANNUAL_CASCADE_580.id]: ANNUAL_CASCADE_580,
  [SEMIANNUAL_POLICY.id]: SEMIANNUAL_POLICY,
  [QUARTERLY_POLICY.id]: QUARTERLY_POLICY,
  [MONTHLY_POLICY.id]: MONTHLY_POLICY,
};

/** The date a relative deadline falls on for `period`, as written (before any working-day shift). */
export function deadlineFor(period: Period, deadline: RelativeDeadline): IsoDate {
  return dayInMonthAfter(period.year, lastMonthOf(period), deadline.monthsAfterPeriodEnd, deadline.day);
}

/** The stage a plan's measures owe: the first one reported by the executors (else the first stage). */
export function executorStage(policy: ReportingPolicy): PolicyStage {
  const stage = policy.stages.find((s) => s.from === 'executors') ?? policy.stages[0];
  if (stage === undefined) throw new RangeError(`policy ${policy.id} has no stages`);
  return stage;
}

export interface StageDeadline {
  readonly period: string;
  readonly stage: string;
  readonly from: Party;
  readonly to: Party;
  readonly due: IsoDate;
}

/** Every stage's due date for one period of the policy: the skeleton of a reporting cycle. */
export function stageDeadlines(policy: ReportingPolicy, period: Period): StageDeadline[] {
  if (period.kind !== policy.period) {
    throw new RangeError(
      `policy ${policy.id} reports per ${policy.period}, not per ${period.kind} (${formatPeriodKey(period)})`,
    );
  }
  const key = formatPeriodKey(period);
  return policy.stages.map((s) => ({
    period: key,
    stage: s.id,
    from: s.from,
    to: s.to,
    due: deadlineFor(period, s.deadline),
  }));
}

export interface ValidationError {
  /** Where the problem is, e.g. "stages[1].deadline.day". */
  readonly path: string;
  readonly message: string;
}

export type PolicyValidation =
  | { readonly ok: true; readonly policy: ReportingPolicy }
  | { readonly ok: false; readonly errors: readonly ValidationError[] };

const STAGE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(value: unknown, path: string, errors: ValidationError[]): void {
  if (typeof value !== 'string' || value.trim() === '') errors.push({ path, message: 'must be a non-empty string' });
}

function checkParty(value: unknown, path: string, errors: ValidationError[]): void {
  if (typeof value === 'string') {
    if (!PARTY_ROLES.includes(value as PartyRole)) {
      errors.push({
        path,
        message: `must be one of ${PARTY_ROLES.join(', ')} or { agency: "<code>" }, got ${JSON.stringify(value)}`,
      });
    }
    return;
  }
  if (!isRecord(value)) {
    errors.push({ path, message: `must be one of ${PARTY_ROLES.join(', ')} or { agency: "<code>" }` });
    return;
  }
  checkText(value.agency, `${path}.agency`, errors);
  for (const key of Object.keys(value))
    if (key !== 'agency') errors.push({ path: `${path}.${key}`, message: 'unknown field' });
}

function checkDeadline(value: unknown, path: string, errors: ValidationError[]): void {
  if (!isRecord(value)) {
    errors.push({ path, message: 'must be an object { monthsAfterPeriodEnd, day }' });
    return;
  }
  const months = value.monthsAfterPeriodEnd;
  if (typeof months !== 'number' || !Number.isInteger(months) || months < 0 || months > 24) {
    errors.push({ path: `${path}.monthsAfterPeriodEnd`, message: 'must be an integer 0..24' });
  }
  const day = value.day;
  if (day !== 'last' && (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 31)) {
    errors.push({ path: `${path}.day`, message: "must be an integer 1..31 or 'last'" });
  }
  for (const key of Object.keys(value)) {
    if (key !== 'monthsAfterPeriodEnd' && key !== 'day')
      errors.push({ path: `${path}.${key}`, message: 'unknown field' });
  }
}

// A later stage of the chain cannot be due before the one that feeds it.
function checkStageOrder(stages: readonly unknown[], errors: ValidationError[]): void {
  const position = (stage: unknown): number | undefined => {
    const deadline = isRecord(stage) && isRecord(stage.deadline) ? stage.deadline : undefined;
    const months = deadline?.monthsAfterPeriodEnd;
    const day = deadline?.day === 'last' ? 31 : deadline?.day;
    return typeof months === 'number' && typeof day === 'number' ? months * 32 + day : undefined;
  };
  for (let i = 1; i < stages.length; i++) {
    const before = position(stages[i - 1]);
    const current = position(stages[i]);
    if (before !== undefined && current !== undefined && current < before) {
      errors.push({
        path: `stages[${i}].deadline`,
        message: `is earlier than stages[${i - 1}].deadline: a stage cannot be due before the one it builds on`,
      });
    }
  }
}

/**
 * Validates a custom policy as a plan defines it (YAML, JSON, the admin UI). Every error names
 * its field path; on success the policy comes back typed.
 */
export function validatePolicy(input: unknown): PolicyValidation {
  const errors: ValidationError[] = [];
  if (!isRecord(input)) return { ok: false, errors: [{ path: '', message: 'a policy must be an object' }] };
  checkText(input.id, 'id', errors);
  if (!isRecord(input.name)) errors.push({ path: 'name', message: 'must be an object { kk, ru, en }' });
  else for (const lang of ['kk', 'ru', 'en'] as const) checkText(input.name[lang], `name.${lang}`, errors);
  if (!isPeriodKind(input.period))
    errors.push({ path: 'period', message: "must be one of 'year', 'half', 'quarter', 'month'" });
  if (input.shift !== undefined && !isShiftDirection(input.shift))
    errors.push({ path: 'shift', message: "must be 'next', 'previous' or 'none'" });
  if (input.source !== undefined) checkText(input.source, 'source', errors);
  if (
    input.escalateToPresidentialAdministration !== undefined &&
    typeof input.escalateToPresidentialAdministration !== 'boolean'
  )
    errors.push({ path: 'escalateToPresidentialAdministration', message: 'must be true or false' });
  if (!Array.isArray(input.stages) || input.stages.length === 0) {
    errors.push({ path: 'stages', message: 'must be a non-empty list of stages' });
  } else {
    const seen = new Set<string>();
    input.stages.forEach((stage: unknown, i) => {
      const path = `stages[${i}]`;
      if (!isRecord(stage)) {
        errors.push({ path, message: 'must be an object { id, from, to, deadline }' });
        return;
      }
      if (typeof stage.id !== 'string' || !STAGE_ID.test(stage.id)) {
        errors.push({ path: `${path}.id`, message: 'must be a short lower-case id (a-z, 0-9, - or _)' });
      } else if (seen.has(stage.id)) {
        errors.push({ path: `${path}.id`, message: `duplicate stage id ${JSON.stringify(stage.id)}` });
      } else {
        seen.add(stage.id);
      }
      checkParty(stage.from, `${path}.from`, errors);
      checkParty(stage.to, `${path}.to`, errors);
      checkDeadline(stage.deadline, `${path}.deadline`, errors);
    });
    checkStageOrder(input.stages, errors);
  }
  for (const key of Object.keys(input)) {
    if (!['id', 'name', 'period', 'stages', 'shift', 'source', 'escalateToPresidentialAdministration'].includes(key))
      errors.push({ path: key, message: 'unknown field' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policy: input as unknown as ReportingPolicy };
}
