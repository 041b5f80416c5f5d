// Resolves a confirmed plan, the agencies directory and the working calendar into one cycle's CycleSpec: pure, so the API, a cycle opener and tests share it.
import type { WorkingCalendar } from './calendar.js';
import { resolveDue } from './cycle-timeline.js';
import type { IsoDate } from './dates.js';
import { obligationsForYear } from './due-dates.js';
import { isPeriodKey, parsePeriodKey } from './periods.js';
import type { Agency, BilingualName, Measure, Plan } from './plan.js';
import { stageDeadlines } from './policies.js';
import { validateCycleSpec } from '../workflows/cycle-validation.js';
import type { BilingualText, CycleSpec, PartySpec, ReceivingRole, ReportingRole, StageSpec } from '../workflows/shared.js';

export interface CycleSpecProblem {
  readonly field: string;
  readonly message: string;
}

export type CycleSpecResult =
  | { readonly ok: true; readonly spec: CycleSpec }
  | { readonly ok: false; readonly errors: readonly CycleSpecProblem[] };

export interface CycleSpecInput {
  readonly planId: string;
  readonly plan: Plan;
  readonly directory: readonly Agency[];
  /** "2019", "2019-H1", … of the plan policy's period kind. */
  readonly period: string;
  readonly calendar: WorkingCalendar;
}

// A plan published in one language has nulls in the other: show what exists rather than nothing.
function text(name: BilingualName, fallback: string): BilingualText {
  return { kk: name.kk ?? name.ru ?? fallback, ru: name.ru ?? name.kk ?? fallback };
}

function partySpec(agency: Agency, measures: readonly Measure[], byAgreement: boolean): PartySpec {
  const emails = (roles: readonly string[]): string[] => [...new Set(agency.contacts.filter((c) => roles.includes(c.role)).map((c) => c.email))];
  return {
    agencyCode: agency.code,
    name: text(agency.name, agency.code),
    lang: agency.lang,
    byAgreement: byAgreement || agency.byAgreement,
    emails: { reporter: emails(['reporter', 'coordinator', 'general']), head: emails(['head']) },
    measures: measures.map((m) => ({ number: m.number, title: text(m.title, m.number) })),
  };
}

const REPORTING: readonly string[] = ['executors', 'coordinator', 'pm_office'];
const RECEIVING: readonly string[] = ['coordinator', 'pm_office', 'presidential_administration'];

/**
 * The cycle of `period`: the measures whose deadline rule creates an obligation in that period are owed;
 * executors report on their own measures, the coordinator and the PM Office on all of them. Renamed or merged
 * agencies are followed to the successor in force on the stage's due date.
 */
export function cycleSpecFromPlan(input: CycleSpecInput): CycleSpecResult {
  const { plan } = input;
  const errors: CycleSpecProblem[] = [];
  if (!isPeriodKey(input.period)) return { ok: false, errors: [{ field: 'period', message: `not a period key: "${input.period}"` }] };
  const period = parsePeriodKey(input.period);
  if (period.kind !== plan.policy.period) {
    return { ok: false, errors: [{ field: 'period', message: `policy ${plan.policy.id} reports per ${plan.policy.period}, not per ${period.kind}` }] };
  }
  const byCode = new Map(input.directory.map((a) => [a.code, a]));
  const current = (code: string, on: IsoDate, field: string): Agency | undefined => {
    let agency = byCode.get(code);
    const seen = new Set<string>();
    while (agency?.successor !== undefined && agency.successor.date <= on && !seen.has(agency.code)) {
      seen.add(agency.code);
      agency = byCode.get(agency.successor.code);
    }
    if (agency === undefined) errors.push({ field, message: `"${code}" is not in the agencies directory` });
    return agency;
  };
  const byKind = (kind: Agency['kind'], field: string): Agency | undefined => {
    const agency = input.directory.find((a) => a.kind === kind);
    if (agency === undefined) errors.push({ field, message: `the agencies directory has no ${kind}` });
    return agency;
  };

  const owed = plan.measures.filter((m) => obligationsForYear(m.deadline.rule, period.year, plan.policy).some((o) => o.period === input.period));
  if (owed.length === 0) errors.push({ field: 'measures', message: `no measure of the plan is reported for ${input.period}` });
  const deadlines = stageDeadlines(plan.policy, period);
  const lastDue = deadlines.at(-1)?.due ?? `${period.year}-12-31`;
  const coordinator = current(plan.coordinator, lastDue, 'coordinator');
  const pmOffice = byKind('pm_office', 'pmOffice');
  const presidentialAdministration = byKind('presidential_administration', 'presidentialAdministration');

  const stages: StageSpec[] = [];
  deadlines.forEach((d, i) => {
    const field = `policy.stages[${i}]`;
    if (typeof d.from !== 'string' || !REPORTING.includes(d.from) || typeof d.to !== 'string' || !RECEIVING.includes(d.to)) {
      errors.push({ field, message: 'a cycle runs stages between executors, the coordinator, the PM Office and the Presidential Administration only' });
      return;
    }
    let parties: PartySpec[];
    if (d.from === 'executors') {
      const perAgency = new Map<string, { agency: Agency; measures: Measure[]; byAgreement: boolean }>();
      owed.forEach((m) => m.executors.forEach((e) => {
        const agency = current(e.code, d.due, `measures[${plan.measures.indexOf(m)}].executors`);
        if (agency === undefined) return;
        const entry = perAgency.get(agency.code) ?? { agency, measures: [], byAgreement: false };
        if (!entry.measures.includes(m)) entry.measures.push(m);
        entry.byAgreement ||= e.byAgreement;
        perAgency.set(agency.code, entry);
      }));
      parties = [...perAgency.values()].map((p) => partySpec(p.agency, p.measures, p.byAgreement));
    } else {
      const agency = d.from === 'coordinator' ? coordinator : pmOffice;
      parties = agency === undefined ? [] : [partySpec(agency, owed, false)];
    }
    stages.push({
      id: d.stage, from: d.from as ReportingRole, to: d.to as ReceivingRole, dueDate: d.due,
      dueInstant: resolveDue(d.due, plan.shift, input.calendar).dueInstant, parties,
    });
  });
  if (errors.length > 0 || coordinator === undefined || pmOffice === undefined || presidentialAdministration === undefined) return { ok: false, errors };

  const spec: CycleSpec = {
    planId: input.planId,
    planTitle: text(plan.title, input.planId),
    period: input.period,
    policyId: plan.policy.id,
    shift: plan.shift,
    coordinator: partySpec(coordinator, owed, false),
    pmOffice: partySpec(pmOffice, owed, false),
    presidentialAdministration: partySpec(presidentialAdministration, owed, false),
    stages,
    reminders: plan.reminders,
    escalation: plan.escalation,
  };
  // Whatever the directory holds (an address that is not one), the cycle must be able to start.
  const problems = validateCycleSpec(spec);
  return problems.length > 0 ? { ok: false, errors: problems.map((p) => ({ field: p.split(':')[0]!, message: p.slice(p.indexOf(':') + 1).trim() })) } : { ok: true, spec };
}
