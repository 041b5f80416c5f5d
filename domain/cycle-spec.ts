// Resolves a confirmed plan, the agencies directory and the working calendar into one cycle's CycleSpec: pure, so the API, a cycle opener and tests share it.
import type { WorkingCalendar } from './calendar.js';
import { resolveDue } from './cycle-timeline.js';
import { parseIsoDate, type IsoDate } from './dates.js';
import type { DeadlineRule } from './deadline-language.js';
import { appliesToYear, obligationsForYear, type Obligation } from './due-dates.js';
import {
  formatPeriodKey,
  isPeriodKey,
  parsePeriodKey,
  periodEnd,
  periodStart,
  periodsOfYear,
  type PeriodKey,
} from './periods.js';
import type { Agency, BilingualName, Measure, MeasureExecutor, Plan, Recipient } from './plan.js';
import { expandGroup, findGroups } from './import/groups.js';
import { deadlineFor, executorStage, stageDeadlines, type ReportingPolicy } from './policies.js';
import { validateCycleSpec } from './cycle-validation.js';
import {
  CYCLE_SPEC_VERSION,
  type BilingualText,
  type CycleSpec,
  type NotOwedMeasure,
  type PartySpec,
  type ReceivingRole,
  type ReportingRole,
  type StageSpec,
} from './cycle-model.js';

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
  /**
   * false: every measure owed in the period goes into the policy's stages, as cycles opened before measures had stages of
   * their own were built — to compare a plan amendment with such a running cycle. Default true.
   */
  readonly measureStages?: boolean;
  /**
   * true: the coordinator, when an executor too, owes the stages it receives like any executor, as cycles opened before it
   * stopped reporting to itself were built — to compare a plan amendment with such a running cycle. Default false.
   */
  readonly coordinatorReportsToItself?: boolean;
  /**
   * false: group executors stay as the import expanded them (to the plan's date), as cycles opened before they were
   * expanded per cycle were built. Default true.
   */
  readonly regroup?: boolean;
  /**
   * false: a measure's footnote sets no stages, as cycles opened before CYCLE_SPEC_VERSION 3 were built — to compare a
   * plan amendment with such a running cycle. Default true.
   */
  readonly footnoteStages?: boolean;
}

// A plan published in one language has nulls in the other: show what exists rather than nothing.
function text(name: BilingualName, fallback: string): BilingualText {
  return { kk: name.kk ?? name.ru ?? fallback, ru: name.ru ?? name.kk ?? fallback };
}

function partySpec(agency: Agency, measures: readonly Measure[], byAgreement: boolean): PartySpec {
  const emails = (roles: readonly string[]): string[] => [
    ...new Set(agency.contacts.filter((c) => roles.includes(c.role)).map((c) => c.email)),
  ];
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

/** Where an obligation is reported: in which cycle, and whether in the policy's executors' stage or in a stage of its own. */
export interface ObligationPlacement {
  readonly period: PeriodKey;
  /** Its due date is the policy's executors' deadline for that period: reported in the regular stage. */
  readonly regular: boolean;
}

/**
 * The cycle that holds an obligation. The candidates are the policy's periods that overlap the obligation's own period
 * (for an annual policy, simply the year's cycle); of these, the first whose executors' deadline is not before the
 * obligation's due date — the reporting round it falls in — else the last. So under decree 580 everything a year owes is
 * in that year's cycle, and under the semi-annual programme "by 10 July 2018" is in 2018-H1 (reported with the half-year
 * due that day) and "annually, by 1 December" in the second half. Regular when its due date is that cycle's own deadline.
 */
export function placeObligation(obligation: Obligation, policy: ReportingPolicy): ObligationPlacement {
  const own = parsePeriodKey(obligation.period);
  const deadline = executorStage(policy).deadline;
  const candidates = periodsOfYear(policy.period, own.year).filter(
    (c) => periodStart(c) <= periodEnd(own) && periodStart(own) <= periodEnd(c),
  );
  const chosen =
    candidates.find((c) => deadlineFor(c, deadline) >= obligation.due) ?? candidates[candidates.length - 1]!;
  return { period: formatPeriodKey(chosen), regular: deadlineFor(chosen, deadline) === obligation.due };
}

/** A measure number as part of a stage id (and so of workflow ids): letters and digits, the rest one '-' ("2.3." → "2-3"). */
function numberSlug(number: string, index: number): string {
  const slug = number
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? `row${index + 1}` : slug;
}

interface OwnDue {
  readonly measure: Measure;
  /** Index into plan.measures. */
  readonly index: number;
  readonly due: IsoDate;
  /** 1-based among the measure's own due dates in this cycle: the stage id keeps it when an amendment moves the date. */
  readonly ordinal: number;
}

/**
 * Whether a measure is carried out in `year`, by its deadline: a one-off until the year it is due, a recurring or
 * multi-year rule in the years it names (none named: every year of the plan). A footnote's reporting follows it.
 */
function inForce(rule: DeadlineRule, year: number): boolean {
  switch (rule.kind) {
    case 'once':
      return year <= parseIsoDate(rule.due).year;
    case 'several_once':
      return rule.dates.some((d) => year <= parseIsoDate(d.due).year);
    case 'unparsed':
      return true;
    default:
      return appliesToYear(rule.years, year);
  }
}

const byDate = (a: StageSpec, b: StageSpec): number => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0);

/**
 * The cycle of `period`. A measure whose deadline rule falls due on the policy's executors' date ("жыл сайын", "үнемі",
 * "2019-2023 ж.ж.") is reported in the policy's executors' stage, to the coordinator; every other date it falls due on in
 * this cycle ("2018 жылғы 10 шілдеге қарай", "жыл сайын, 1 желтоқсанға дейін", each date of "25 шілдеге, 25 желтоқсанға")
 * is a stage of its own, `measure-<number>-due-<n>`, from the measure's executors to the recipient its completion form
 * names. A measure whose deadline ends in a footnote marker also owes what the note asks ("ҚР Үкіметіне жылына екі рет, 10
 * шілдеге және 10 қаңтарға дейін"): each of the note's dates in this cycle is a stage `measure-<number>-note-<n>` from its
 * executors to the note's recipient (the plan's coordinator when it names none), in the years the measure is carried out.
 * The coordinator and the PM Office report on every measure owed. Measures with no calendar deadline or an
 * unreadable one owe nothing and are listed in `notOwed`. Renamed or merged agencies are followed to the successor in
 * force on the stage's due date. Stages are in due order (the policy's chain order on equal dates).
 */
export function cycleSpecFromPlan(input: CycleSpecInput): CycleSpecResult {
  const { plan } = input;
  const errors: CycleSpecProblem[] = [];
  if (!isPeriodKey(input.period))
    return { ok: false, errors: [{ field: 'period', message: `not a period key: "${input.period}"` }] };
  const period = parsePeriodKey(input.period);
  if (period.kind !== plan.policy.period) {
    return {
      ok: false,
      errors: [
        {
          field: 'period',
          message: `policy ${plan.policy.id} reports per ${plan.policy.period}, not per ${period.kind}`,
        },
      ],
    };
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

  // What each measure owes in this cycle: a report in the regular stage, on dates of its own, or nothing (and why).
  const regular: Measure[] = [];
  const own: OwnDue[] = [];
  const notOwed: NotOwedMeasure[] = [];
  plan.measures.forEach((m, index) => {
    const rule = m.deadline.rule;
    const skip = (reason: NotOwedMeasure['reason'], note: string): void => {
      notOwed.push({ number: m.number, deadline: m.deadline.text, reason, note });
    };
    if (rule.kind === 'unparsed')
      return skip('unparsed', `the deadline could not be read (${rule.reason}): no date to remind of`);
    if (rule.kind === 'as_needed') {
      if (appliesToYear(rule.years, period.year))
        skip('as_needed', 'no calendar deadline: reported when the need arises, never reminded or escalated');
      return;
    }
    const obligations = obligationsForYear(rule, period.year, plan.policy);
    let inRegular = false;
    const dues = new Set<IsoDate>();
    for (const o of obligations) {
      if (input.measureStages === false) {
        inRegular ||= o.period === input.period;
        continue;
      }
      const placed = placeObligation(o, plan.policy);
      if (placed.period !== input.period) continue;
      if (placed.regular) inRegular = true;
      else dues.add(o.due);
    }
    if (inRegular) regular.push(m);
    [...dues].sort().forEach((due, i) => own.push({ measure: m, index, due, ordinal: i + 1 }));
    if ((inRegular || dues.size > 0) && m.executors.length === 0)
      skip('no_executor', 'the plan names no executor to report on it');
  });
  // What each measure's footnote asks for in this cycle: the note's dates, in the years the measure is in force.
  const notes: OwnDue[] = [];
  if (input.footnoteStages !== false)
    plan.measures.forEach((m, index) => {
      const r = m.reporting;
      if (r === undefined || r.rule.kind === 'unparsed' || r.rule.kind === 'as_needed') return;
      if (m.executors.length === 0 || !inForce(m.deadline.rule, period.year)) return;
      const dues = new Set<IsoDate>();
      for (const o of obligationsForYear(r.rule, period.year, plan.policy))
        if (placeObligation(o, plan.policy).period === input.period) dues.add(o.due);
      [...dues].sort().forEach((due, i) => notes.push({ measure: m, index, due, ordinal: i + 1 }));
    });
  const owed = plan.measures.filter(
    (m) => regular.includes(m) || own.some((o) => o.measure === m) || notes.some((o) => o.measure === m),
  );
  if (owed.length === 0)
    errors.push({ field: 'measures', message: `no measure of the plan is reported for ${input.period}` });
  const deadlines = stageDeadlines(plan.policy, period);
  const lastDue = deadlines.at(-1)?.due ?? `${period.year}-12-31`;
  const coordinator = current(plan.coordinator, lastDue, 'coordinator');
  const pmOffice = byKind('pm_office', 'pmOffice');
  const presidentialAdministration = byKind('presidential_administration', 'presidentialAdministration');

  /**
   * One party per agency that executes any of `measures` (its successor on `on`), with the measures it reports on. A stage
   * the coordinator receives leaves the coordinator out when it is an executor too (АҚДМ in decree 580's plan): it does not
   * report to itself, and its own measures are in its consolidated summary, which covers every measure owed.
   */
  const executors = (measures: readonly Measure[], on: IsoDate, toCoordinator: boolean): PartySpec[] => {
    const perAgency = new Map<
      string,
      { agency: Agency; measures: Measure[]; byAgreement: boolean; via: Set<string> }
    >();
    measures.forEach((m) =>
      cycleExecutors(m, on).forEach(({ executor: e, via }) => {
        const agency = current(e.code, on, `measures[${plan.measures.indexOf(m)}].executors`);
        if (agency === undefined) return;
        if (toCoordinator && input.coordinatorReportsToItself !== true && agency.code === coordinator?.code) return;
        const entry = perAgency.get(agency.code) ?? { agency, measures: [], byAgreement: false, via: new Set() };
        if (!entry.measures.includes(m)) entry.measures.push(m);
        entry.byAgreement ||= e.byAgreement;
        if (agency.code !== e.code) entry.via.add(`successor of ${e.code} on ${on}`);
        if (via !== undefined) entry.via.add(via);
        perAgency.set(agency.code, entry);
      }),
    );
    return [...perAgency.values()].map((p) => {
      const party = partySpec(p.agency, p.measures, p.byAgreement);
      return p.via.size === 0 ? party : { ...party, via: [...p.via] };
    });
  };

  /**
   * A measure's executors for a cycle: a group executor ("облыстардың … әкімдіктері") expanded once at import, to the
   * akimats of the plan's date, is expanded again to those of the directory on `on` (the stage's due date) — so regions
   * made since (Абай, Жетісу, Ұлытау on 8 June 2022) owe their reports too. Each such party says which rule made it.
   */
  const cycleExecutors = (m: Measure, on: IsoDate): { executor: MeasureExecutor; via?: string }[] => {
    if (input.regroup === false || !m.executors.some((e) => e.group !== undefined))
      return m.executors.map((executor) => ({ executor }));
    const out: { executor: MeasureExecutor; via?: string }[] = [];
    const seen = new Set<string>();
    for (const e of m.executors) {
      if (e.group === undefined) {
        out.push({ executor: e });
        continue;
      }
      if (seen.has(e.group)) continue;
      seen.add(e.group);
      const members = findGroups(e.group).flatMap((g) => expandGroup(g, on, input.directory));
      // A group text the expander no longer reads keeps the members the import found.
      if (members.length === 0) {
        for (const x of m.executors.filter((x) => x.group === e.group)) out.push({ executor: x });
        continue;
      }
      const via = `group "${e.group}" as of ${on}`;
      for (const a of members)
        out.push({ executor: { code: a.code, byAgreement: e.byAgreement, lead: false, group: e.group }, via });
    }
    return out;
  };

  /**
   * Whom a measure's own-date report goes to: the recipient its completion form names. "Үкіметке ақпарат" (to the
   * Government) goes to the PM Office: the Prime Minister's Office is the Government's own office, which takes in and
   * controls what ministries send the Government (as decree 580 sends it the consolidated information), and the chain has
   * no other level for the Government. A named agency that is the plan's coordinator, the PM Office or the Presidential
   * Administration is that level of the chain; any other (ҰҚК for "ҰҚК-ге ақпарат") is the stage's own recipient, in the
   * coordinator's place. None named: the coordinator, as for every other report of the plan.
   */
  const receiverOf = (
    m: Measure,
    on: IsoDate,
    field: string,
    r: Recipient | null = m.recipient,
  ): { to: ReceivingRole; recipient?: PartySpec } | undefined => {
    if (r === null) return { to: 'coordinator' };
    if ('role' in r) return { to: r.role === 'government' ? 'pm_office' : r.role };
    const agency = current(r.agency, on, `${field}.recipient`);
    if (agency === undefined) return undefined;
    if (agency.code === coordinator?.code) return { to: 'coordinator' };
    if (agency.kind === 'pm_office') return { to: 'pm_office' };
    if (agency.kind === 'presidential_administration') return { to: 'presidential_administration' };
    return { to: 'coordinator', recipient: partySpec(agency, [m], false) };
  };

  const stages: StageSpec[] = [];
  deadlines.forEach((d, i) => {
    const field = `policy.stages[${i}]`;
    if (
      typeof d.from !== 'string' ||
      !REPORTING.includes(d.from) ||
      typeof d.to !== 'string' ||
      !RECEIVING.includes(d.to)
    ) {
      errors.push({
        field,
        message:
          'a cycle runs stages between executors, the coordinator, the PM Office and the Presidential Administration only',
      });
      return;
    }
    let parties: PartySpec[];
    if (d.from === 'executors') {
      parties = executors(regular, d.due, d.to === 'coordinator');
      // Every measure owed may fall due on dates of its own: then nobody owes the regular stage.
      if (parties.length === 0) return;
    } else {
      const agency = d.from === 'coordinator' ? coordinator : pmOffice;
      parties = agency === undefined ? [] : [partySpec(agency, owed, false)];
    }
    stages.push({
      id: d.stage,
      from: d.from as ReportingRole,
      to: d.to as ReceivingRole,
      dueDate: d.due,
      dueInstant: resolveDue(d.due, plan.shift, input.calendar).dueInstant,
      parties,
    });
  });

  const used = new Set(stages.map((s) => s.id));
  for (const o of own) {
    const receiver = receiverOf(o.measure, o.due, `measures[${o.index}]`);
    if (receiver === undefined) continue;
    const parties = executors([o.measure], o.due, receiver.to === 'coordinator' && receiver.recipient === undefined);
    if (parties.length === 0) continue;
    const base = `measure-${numberSlug(o.measure.number, o.index)}-due-${o.ordinal}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    stages.push({
      id,
      from: 'executors',
      to: receiver.to,
      ...(receiver.recipient === undefined ? {} : { recipient: receiver.recipient }),
      dueDate: o.due,
      dueInstant: resolveDue(o.due, plan.shift, input.calendar).dueInstant,
      parties,
    });
  }
  /*
   * A footnote's dates: a stage of their own from the measure's executors to the note's recipient (none named: the
   * coordinator), `measure-<number>-note-<n>`, carrying the note. A date the measure already owes the same receiver (its
   * regular stage, or a stage of its own deadline) is not asked twice.
   */
  for (const o of notes) {
    const field = `measures[${o.index}].reporting`;
    const receiver = receiverOf(o.measure, o.due, field, o.measure.reporting!.recipient);
    if (receiver === undefined) continue;
    const plain = receiver.to === 'coordinator' && receiver.recipient === undefined;
    const regularDue = deadlines.find((d) => d.from === 'executors' && d.to === 'coordinator')?.due;
    if (plain && regular.includes(o.measure) && regularDue === o.due) continue;
    const slug = numberSlug(o.measure.number, o.index);
    const same = stages.some(
      (st) =>
        st.id.startsWith(`measure-${slug}-due-`) &&
        st.dueDate === o.due &&
        st.to === receiver.to &&
        st.recipient?.agencyCode === receiver.recipient?.agencyCode,
    );
    if (same) continue;
    const parties = executors([o.measure], o.due, plain);
    if (parties.length === 0) continue;
    const base = `measure-${slug}-note-${o.ordinal}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    const note = o.measure.reporting!;
    stages.push({
      id,
      from: 'executors',
      to: receiver.to,
      ...(receiver.recipient === undefined ? {} : { recipient: receiver.recipient }),
      dueDate: o.due,
      dueInstant: resolveDue(o.due, plan.shift, input.calendar).dueInstant,
      parties,
      footnote: { measure: o.measure.number, marker: note.marker, text: note.text },
    });
  }
  // The same unknown code can be met in several stages: name it once.
  const problems = errors.filter(
    (e, i) => errors.findIndex((f) => f.field === e.field && f.message === e.message) === i,
  );
  if (
    problems.length > 0 ||
    coordinator === undefined ||
    pmOffice === undefined ||
    presidentialAdministration === undefined
  )
    return { ok: false, errors: problems };

  const spec: CycleSpec = {
    version: CYCLE_SPEC_VERSION,
    planId: input.planId,
    planTitle: text(plan.title, input.planId),
    period: input.period,
    policyId: plan.policy.id,
    shift: plan.shift,
    coordinator: partySpec(coordinator, owed, false),
    pmOffice: partySpec(pmOffice, owed, false),
    presidentialAdministration: partySpec(presidentialAdministration, owed, false),
    // The earliest stage first: the cycle's current stage is the earliest one still open. Array#sort is stable.
    stages: [...stages].sort(byDate),
    reminders: plan.reminders,
    escalation: plan.escalation,
    ...(plan.policy.escalateToPresidentialAdministration === true
      ? { escalateToPresidentialAdministration: true }
      : {}),
    notOwed,
  };
  // Whatever the directory holds (an address that is not one), the cycle must be able to start.
  const invalid = validateCycleSpec(spec);
  return invalid.length > 0
    ? {
        ok: false,
        errors: invalid.map((p) => ({ field: p.split(':')[0]!, message: p.slice(p.indexOf(':') + 1).trim() })),
      }
    : { ok: true, spec };
}
