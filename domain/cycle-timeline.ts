// The one place a reporting cycle's time is computed: reminder, deadline and escalation instants from a spec and a working calendar.
import type { DayCountUnit, ShiftDirection, WorkingCalendar } from './calendar.js';
import { addDays, parseIsoDate, type IsoDate } from './dates.js';
import type { EscalationStep, ReminderSettings } from './plan.js';
import { endOfLocalDay, KZ_TIME_ZONE, localDateOf, localToInstant } from './tz.js';
import {
  obligationWorkflowId,
  stageChain,
  type ChainRole,
  type CycleChain,
  type CycleSpec,
  type Lang,
  type ReviewComment,
  type PartySpec,
  type ReceivingRole,
  type ReportingRole,
  type StageSpec,
} from './cycle-model.js';

export interface TimelineOptions {
  /** IANA zone of the deadlines (Asia/Almaty: Kazakhstan is one zone since 2024). */
  readonly timeZone?: string;
  /** Local hour at which reminders and later escalation notices go out: the start of a working day, not midnight. */
  readonly noticeHour?: number;
  /** Minute of that hour (operations may choose e.g. 09:30; the production test sets a time minutes ahead). */
  readonly noticeMinute?: number;
}

const DEFAULT_NOTICE_HOUR = 9;

export interface DueResolution {
  /** As written. */
  readonly dueDate: IsoDate;
  /** After the plan's shift off non-working days. */
  readonly effectiveDueDate: IsoDate;
  /** ISO instant: the last millisecond of the effective due day, local time. */
  readonly dueInstant: string;
}

/** The instant a due date falls due: shifted as the plan chooses, then the end of that local day. */
export function resolveDue(
  dueDate: IsoDate,
  shift: ShiftDirection,
  calendar: Pick<TimelineCalendar, 'shift'>,
  options: TimelineOptions = {},
): DueResolution {
  const effectiveDueDate = calendar.shift(dueDate, shift);
  return {
    dueDate,
    effectiveDueDate,
    dueInstant: new Date(endOfLocalDay(effectiveDueDate, options.timeZone ?? KZ_TIME_ZONE)).toISOString(),
  };
}

/** Who an escalation step reaches, as the plan's ladder names it (EscalationStep.notify). */
export type EscalationAudience = EscalationStep['notify'][number];

interface ItemBase {
  /** ISO instant at which the item is due. */
  readonly at: string;
  /** The local date of `at`. */
  readonly date: IsoDate;
}

export interface ReminderItem extends ItemBase {
  readonly kind: 'reminder';
  readonly offset: number;
  readonly unit: ReminderSettings['unit'];
  readonly agencyCode: string;
  readonly recipients: readonly string[];
  readonly lang: Lang;
}

/** The moment the obligation becomes overdue (the first instant after the due day). */
export interface DeadlineItem extends ItemBase {
  readonly kind: 'deadline';
}

export interface EscalationItem extends ItemBase {
  readonly kind: 'escalation';
  /** Index of the step in the plan's ladder. */
  readonly step: number;
  readonly after: number;
  readonly unit: EscalationStep['unit'];
  readonly audience: EscalationAudience;
  /** The agency told. */
  readonly agencyCode: string;
  readonly recipients: readonly string[];
  readonly lang: Lang;
}

export type TimelineItem = ReminderItem | DeadlineItem | EscalationItem;

export interface ObligationTimelineInput {
  readonly stage: { readonly id: string; readonly from: ReportingRole; readonly to: ReceivingRole };
  readonly party: PartySpec;
  readonly chain: CycleChain;
  readonly dueDate: IsoDate;
  readonly shift: ShiftDirection;
  readonly reminders: ReminderSettings;
  readonly escalation: readonly EscalationStep[];
  /**
   * The top of the ladder (obligations since the patch `escalation-ends-at-pm-office`): no step reaches past the PM Office,
   * and the PM Office's own overdue stage tells only the PM Office's responsible head. Absent: the ladder as it was, read one
   * level up per stage, to the Presidential Administration.
   */
  readonly ladderEndsAtPmOffice?: boolean;
  /** With ladderEndsAtPmOffice: the plan's policy opts in to the steps that name the Presidential Administration. */
  readonly escalateToPresidentialAdministration?: boolean;
}

/** What a timeline asks of the working calendar: every answer is a date. */
export type TimelineCalendar = Pick<WorkingCalendar, 'shift' | 'addWorkingDays' | 'subtractDays'>;

/**
 * A calendar's answers to one timeline's questions, in the order computeObligationTimeline asks them, and the notice time it
 * was planned with: enough to compute the same timeline again without the calendar (replayCalendar), in a few dozen bytes
 * where the timeline takes ~2 KB — what a cycle hands each obligation it opens (patch cycle-opens-obligations).
 */
export interface CalendarAnswers {
  readonly answers: readonly IsoDate[];
  readonly noticeHour?: number;
  readonly noticeMinute?: number;
}

/** The calendar, each answer written down as it is given. */
export function recordingCalendar(calendar: TimelineCalendar): { calendar: TimelineCalendar; answers: IsoDate[] } {
  const answers: IsoDate[] = [];
  const note = (d: IsoDate): IsoDate => {
    answers.push(d);
    return d;
  };
  return {
    answers,
    calendar: {
      shift: (date, direction) => note(calendar.shift(date, direction)),
      addWorkingDays: (date, count) => note(calendar.addWorkingDays(date, count)),
      subtractDays: (date, count, unit) => note(calendar.subtractDays(date, count, unit)),
    },
  };
}

/** A calendar that gives the recorded answers back in order; asked more often than recorded, it throws. */
export function replayCalendar(answers: readonly IsoDate[]): TimelineCalendar {
  let next = 0;
  const answer = (): IsoDate => {
    if (next >= answers.length)
      throw new Error(`the calendar was asked more than the ${answers.length} recorded answers`);
    return answers[next++]!;
  };
  return { shift: answer, addWorkingDays: answer, subtractDays: answer };
}

/** The timeline `input` had when its calendar gave these answers: computeObligationTimeline without the calendar. */
export function timelineFromAnswers(input: ObligationTimelineInput, planned: CalendarAnswers): ObligationTimeline {
  return computeObligationTimeline(input, replayCalendar(planned.answers), {
    ...(planned.noticeHour === undefined ? {} : { noticeHour: planned.noticeHour }),
    ...(planned.noticeMinute === undefined ? {} : { noticeMinute: planned.noticeMinute }),
  });
}

export interface ObligationTimeline extends DueResolution {
  /** Ordered by instant; at one instant the deadline comes before its escalations. */
  readonly items: readonly TimelineItem[];
}

const LEVEL: Readonly<Record<ChainRole, number>> = {
  executors: 0,
  coordinator: 1,
  pm_office: 2,
  presidential_administration: 3,
};

function chainParty(level: number, chain: CycleChain): PartySpec | undefined {
  return level === 1
    ? chain.coordinator
    : level === 2
      ? chain.pmOffice
      : level === 3
        ? chain.presidentialAdministration
        : undefined;
}

function reporters(p: PartySpec): readonly string[] {
  return p.emails.reporter.length > 0 ? p.emails.reporter : p.emails.head;
}

interface Target {
  readonly agency: PartySpec;
  readonly level: number;
  readonly recipients: readonly string[];
}

/**
 * The ladder is written from the executors' stage: "coordinator" is whom the report is owed to,
 * "pm_office" the level above that. A later stage reads it one level up — the stage's receiver
 * takes the coordinator's place — so the coordinator's overdue summary reaches the PM Office and
 * the PM Office's overdue report the Presidential Administration. A role past the top of the
 * chain reaches nobody.
 */
function escalationTarget(audience: EscalationAudience, input: ObligationTimelineInput): Target | undefined {
  const receiverLevel = LEVEL[input.stage.to];
  const at = (level: number, pick: (p: PartySpec) => readonly string[]): Target | undefined => {
    const agency = chainParty(level, input.chain);
    return agency === undefined ? undefined : { agency, level, recipients: pick(agency) };
  };
  if (input.ladderEndsAtPmOffice === true) return topOfLadderTarget(audience, input, at);
  switch (audience) {
    case 'party':
      return { agency: input.party, level: LEVEL[input.stage.from], recipients: reporters(input.party) };
    case 'coordinator':
      return at(receiverLevel, reporters);
    case 'coordinator_head':
      return at(receiverLevel, (p) => p.emails.head);
    case 'pm_office':
      return at(receiverLevel + 1, reporters);
    case 'presidential_administration':
      return at(LEVEL.presidential_administration, reporters);
  }
}

/**
 * The ladder as a ministry expects it: escalation ends at the PM Office. Each role is read one level up per stage as before,
 * but nothing passes the PM Office — an executors' report owed to the Presidential Administration escalates to the PM Office,
 * a coordinator's overdue summary to the PM Office. The PM Office's own overdue stage tells only its responsible head (every
 * step). The Presidential Administration receives the PM Office's report, and escalation e-mails only from the steps that
 * name it, when the plan's policy opts in.
 */
function topOfLadderTarget(
  audience: EscalationAudience,
  input: ObligationTimelineInput,
  at: (level: number, pick: (p: PartySpec) => readonly string[]) => Target | undefined,
): Target | undefined {
  const pa = LEVEL.presidential_administration;
  if (audience === 'presidential_administration')
    return input.escalateToPresidentialAdministration === true ? at(pa, reporters) : undefined;
  if (input.stage.from === 'pm_office') return at(LEVEL.pm_office, (p) => p.emails.head);
  const capped = (level: number): number => Math.min(level, LEVEL.pm_office);
  const receiverLevel = LEVEL[input.stage.to];
  switch (audience) {
    case 'party':
      return { agency: input.party, level: LEVEL[input.stage.from], recipients: reporters(input.party) };
    case 'coordinator':
      return at(capped(receiverLevel), reporters);
    case 'coordinator_head':
      return at(capped(receiverLevel), (p) => p.emails.head);
    case 'pm_office':
      return at(capped(receiverLevel + 1), reporters);
  }
}

interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** "09:30" or "09:30:15" → its parts; a RangeError naming the setting otherwise (a plan's data cannot heal on retry). */
export function parseNoticeTime(text: string): TimeOfDay {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(text);
  if (m === null) throw new RangeError(`reminders.noticeTime: "${text}" is not a local time HH:MM or HH:MM:SS`);
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) };
}

function noticeInstant(date: IsoDate, timeZone: string, time: TimeOfDay): string {
  const { year, month, day } = parseIsoDate(date);
  return new Date(localToInstant({ year, month, day, ...time }, timeZone)).toISOString();
}

const KIND_ORDER: Readonly<Record<TimelineItem['kind'], number>> = { reminder: 0, deadline: 1, escalation: 2 };

/**
 * Every reminder, the deadline and every escalation of one obligation if nobody reported: pure.
 * Reminders go out at the plan's `reminders.noticeTime` (else `noticeHour`) local, `offset` days (working or calendar) before the effective
 * due date; the deadline passes at the end of that day; a step `after` 0 goes out then, later steps
 * at `noticeHour` of the day `after` days later. A by-agreement party is never escalated past the
 * stage's receiver. Items with no address keep an empty recipient list, so a preview shows the gap.
 */
export function computeObligationTimeline(
  input: ObligationTimelineInput,
  calendar: TimelineCalendar,
  options: TimelineOptions = {},
): ObligationTimeline {
  const timeZone = options.timeZone ?? KZ_TIME_ZONE;
  // The plan's own notice time wins over the worker's (MERZIM_NOTICE_TIME) and the default hour.
  const hour =
    input.reminders.noticeTime !== undefined
      ? parseNoticeTime(input.reminders.noticeTime)
      : { hour: options.noticeHour ?? DEFAULT_NOTICE_HOUR, minute: options.noticeMinute ?? 0, second: 0 };
  const due = resolveDue(input.dueDate, input.shift, calendar, { timeZone });
  const overdueAt = new Date(Date.parse(due.dueInstant) + 1).toISOString();
  const items: TimelineItem[] = [];

  for (const offset of [...new Set(input.reminders.offsets)]) {
    const date = calendar.subtractDays(due.effectiveDueDate, offset, input.reminders.unit);
    items.push({
      kind: 'reminder',
      offset,
      unit: input.reminders.unit,
      at: noticeInstant(date, timeZone, hour),
      date,
      agencyCode: input.party.agencyCode,
      recipients: reporters(input.party),
      lang: input.party.lang,
    });
  }

  items.push({ kind: 'deadline', at: overdueAt, date: addDays(due.effectiveDueDate, 1) });

  const receiverLevel = LEVEL[input.stage.to];
  input.escalation.forEach((step, index) => {
    const date =
      step.after === 0
        ? addDays(due.effectiveDueDate, 1)
        : step.unit === 'working'
          ? calendar.addWorkingDays(due.effectiveDueDate, step.after)
          : addDays(due.effectiveDueDate, step.after);
    const at = step.after === 0 ? overdueAt : noticeInstant(date, timeZone, hour);
    const seen = new Set<string>();
    for (const audience of step.notify) {
      const target = escalationTarget(audience, input);
      if (target === undefined) continue;
      if (input.party.byAgreement && target.level > receiverLevel) continue;
      // Two roles can name the same people (the receiver is also the top of the chain): tell them once per step.
      const key = `${target.agency.agencyCode}|${[...target.recipients].sort().join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({
        kind: 'escalation',
        step: index,
        after: step.after,
        unit: step.unit,
        audience,
        at,
        date,
        agencyCode: target.agency.agencyCode,
        recipients: target.recipients,
        lang: target.agency.lang,
      });
    }
  });

  // Array#sort is stable, so escalations of one step keep the order the plan lists their audiences in.
  items.sort((a, b) =>
    a.at < b.at
      ? -1
      : a.at > b.at
        ? 1
        : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
          (a.kind === 'escalation' && b.kind === 'escalation' ? a.step - b.step : 0),
  );
  return { ...due, items };
}

export interface PreviewObligation extends DueResolution {
  readonly obligationId: string;
  readonly stageId: string;
  readonly agencyCode: string;
  /** Who receives the report: the chain's party at the stage's `to`, or the stage's own recipient. */
  readonly receiver: string;
  /** The footnote that set the stage, when one did (StageSpec.footnote). */
  readonly footnote?: StageSpec['footnote'];
  readonly byAgreement: boolean;
  readonly items: readonly TimelineItem[];
}

export type PreviewEntry = TimelineItem & {
  readonly obligationId: string;
  readonly stageId: string;
  readonly party: string;
};

export interface CyclePreview {
  readonly planId: string;
  readonly period: string;
  readonly obligations: readonly PreviewObligation[];
  /** Every item of every obligation, in time order: the cycle as it would run if nobody reported. */
  readonly timeline: readonly PreviewEntry[];
}

/** The timeline each obligation of the cycle would compute — what `merzim cycle preview` prints. Pure. */
export function previewCycle(spec: CycleSpec, calendar: WorkingCalendar, options: TimelineOptions = {}): CyclePreview {
  const chain: CycleChain = {
    coordinator: spec.coordinator,
    pmOffice: spec.pmOffice,
    presidentialAdministration: spec.presidentialAdministration,
  };
  const obligations = spec.stages.flatMap((stage) => {
    const receiving = stageChain(chain, stage);
    const receiver =
      stage.to === 'coordinator'
        ? receiving.coordinator
        : stage.to === 'pm_office'
          ? receiving.pmOffice
          : receiving.presidentialAdministration;
    return stage.parties.map((party): PreviewObligation => {
      const timeline = computeObligationTimeline(
        {
          // As the cycle hands it to the obligation: a stage's own recipient receives in the place of the chain's party.
          stage: { id: stage.id, from: stage.from, to: stage.to },
          party,
          chain: stageChain(chain, stage),
          dueDate: stage.dueDate,
          shift: spec.shift,
          reminders: spec.reminders,
          escalation: spec.escalation,
          // As a cycle opened today runs it: the ladder ends at the PM Office (the obligation's patch).
          ladderEndsAtPmOffice: true,
          ...(spec.escalateToPresidentialAdministration === true ? { escalateToPresidentialAdministration: true } : {}),
        },
        calendar,
        options,
      );
      return {
        obligationId: obligationWorkflowId(spec.planId, spec.period, party.agencyCode, stage.id),
        stageId: stage.id,
        agencyCode: party.agencyCode,
        receiver: receiver.agencyCode,
        ...(stage.footnote === undefined ? {} : { footnote: stage.footnote }),
        byAgreement: party.byAgreement,
        ...timeline,
      };
    });
  });
  const timeline = obligations
    .flatMap((o) =>
      o.items.map((item): PreviewEntry => ({
        ...item,
        obligationId: o.obligationId,
        stageId: o.stageId,
        party: o.agencyCode,
      })),
    )
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { planId: spec.planId, period: spec.period, obligations, timeline };
}

/**
 * How late a submission is, in working days: 0 when it arrived by the due instant; otherwise the
 * working days after the effective due date up to the day it arrived — a report that arrives on a
 * day off counts from the next working day (nobody was there to receive it before).
 */
export function workingDaysLate(
  due: DueResolution,
  submittedAt: string,
  calendar: WorkingCalendar,
  options: TimelineOptions = {},
): number {
  const at = Date.parse(submittedAt);
  if (at <= Date.parse(due.dueInstant)) return 0;
  const arrived = calendar.shift(localDateOf(at, options.timeZone ?? KZ_TIME_ZONE), 'next');
  let count = 0;
  for (let day = addDays(due.effectiveDueDate, 1); day <= arrived; day = addDays(day, 1)) {
    if (calendar.isWorkingDay(day)) count++;
  }
  return count;
}

/** What an obligation's e-mail is about: a reminder, an escalation step, a returned report or a moved deadline. */
export type ObligationNotice =
  | { readonly kind: 'reminder'; readonly offset: number; readonly unit: DayCountUnit }
  | {
      readonly kind: 'escalation';
      readonly step: number;
      readonly after: number;
      readonly unit: DayCountUnit;
      readonly audience: EscalationAudience;
    }
  | {
      readonly kind: 'returned';
      readonly comment: string;
      readonly returnedBy: string;
      readonly comments?: readonly ReviewComment[];
    }
  /** To the party: its report (version) was accepted. */
  | {
      readonly kind: 'accepted';
      readonly version: number;
      readonly acceptedBy: string;
      readonly comment: string | null;
    }
  /** To the receiver: a report (version) arrived for review. */
  | {
      readonly kind: 'report_arrived';
      readonly version: number;
      readonly late: boolean;
      readonly workingDaysLate: number;
    }
  | { readonly kind: 'deadline_changed'; readonly previousDueDate: IsoDate; readonly reason: string };
