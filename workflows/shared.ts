// Temporal wiring shared by workflows, activities, the worker and the API: task queue, failure types, retry policies,
// search attributes, workflow inputs and results, and the message (query, signal, update) definitions.
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DayCountUnit, ShiftDirection } from '../domain/calendar.js';
import type { CalendarAnswers, DueResolution } from '../domain/cycle-timeline.js';
import type {
  AcceptInput,
  BilingualText,
  ChangeDeadlineInput,
  CloseCycleInput,
  CloseObligationInput,
  CycleChain,
  CycleSpec,
  CycleStatus,
  CycleStatusView,
  ExtendInput,
  Lang,
  ObligationSummary,
  ObligationView,
  PartySpec,
  PlanAmendment,
  ReaddressInput,
  ReceivingRole,
  ReportingRole,
  ReportSubmission,
  ReturnReportInput,
  SubmitResult,
} from '../domain/cycle-model.js';
import type { OpeningMode } from '../domain/cycle-opening.js';
import type { IsoDate } from '../domain/dates.js';
import type { EscalationStep, ReminderSettings } from '../domain/plan.js';
export const DEFAULT_TASK_QUEUE = 'reporting';

/** ApplicationFailure types raised on purpose; tests assert on these, not on messages. */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  MailRejected: 'MailRejected',
  /** A report that fails validation (empty, unknown measure, an item without status or text). */
  InvalidReport: 'InvalidReport',
  /** An update that does not apply in the obligation's current status (submit after acceptance, accept before submission…). */
  InvalidTransition: 'InvalidTransition',
  /**
   * PostgreSQL refused the data itself (SQLSTATE class 22 data exceptions such as a NUL in text, 23502 not-null and 23514 check
   * violations): retrying the same write cannot succeed, so the activity fails at once and the workflow records that and goes on.
   */
  DataRejected: 'DataRejected',
} as const;

/** Database and calendar activities: keep retrying (PostgreSQL restarting must not fail a cycle), except on input that cannot heal. */
export const DB_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [FailureType.InvalidInput],
};

/** E-mail: SMTP may be down for a day — retry without a limit, at most every 10 minutes; a permanent refusal is not retried. */
export const MAIL_RETRY = {
  initialInterval: '5 seconds',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
  nonRetryableErrorTypes: [FailureType.InvalidInput, FailureType.MailRejected],
};

/** Search attributes registered on the embedded dev server (and documented for production namespaces). */
export const SEARCH_ATTRIBUTES = {
  PlanId: 'Keyword',
  Period: 'Keyword',
  AgencyCode: 'Keyword',
  Stage: 'Keyword',
  ObligationStatus: 'Keyword',
  CycleStatus: 'Keyword',
  /**
   * Superseded by ObligationStatus and CycleStatus: the server registers it, but a query on it fails ("invalid search
   * attribute: status", the name collides with a reserved one). Still registered, because runs started before the rename
   * keep upserting it and a workflow upserting an unregistered attribute fails its task.
   */
  Status: 'Keyword',
} as const;

/**
 * Runs started since this patch carry their status in ObligationStatus (obligations) or CycleStatus (cycles), which the
 * Temporal CLI and UI can query, instead of Status, which they cannot. Runs started earlier keep upserting Status.
 */
export const STATUS_ATTRIBUTE_PATCH = 'status-search-attribute-renamed';

/**
 * Obligations started since this patch plan an escalation ladder that ends at the PM Office (domain/cycle-timeline.ts,
 * `ladderEndsAtPmOffice`): a coordinator's overdue summary escalates to the PM Office, the PM Office's own overdue stage tells
 * only its responsible head, and the Presidential Administration gets no escalation e-mail unless the plan's policy opts in.
 * Obligations started earlier keep the ladder they were planned with, re-plans included.
 */
export const LADDER_TOP_PATCH = 'escalation-ends-at-pm-office';

/**
 * Cycles opened since this patch are opened in a mode (domain/cycle-opening.ts): the opener passes `catch-up` unless an admin
 * chose `record-only`; a catch-up obligation opened after its deadline sends one overdue notice and the escalation step
 * reached, and its cycle sends the coordinator one summary of what was overdue at opening; a record-only one sends nothing.
 * Asked only by runs that were given a mode, so earlier histories replay unchanged.
 */
export const OPENING_MODES_PATCH = 'cycle-opening-modes';

/**
 * Cycles opened since this patch send digests instead of floods: every escalation that reaches the PM Office from an
 * agency's or a coordinator's stage is recorded (`escalation.digested`), not mailed, and once a day (DIGEST_TIME local) the
 * cycle sends the PM Office one digest per plan and working day of who was escalated to it, and the coordinator one of
 * reports arrived, reports overdue and escalations sent (a user may turn digests off). The opener gives new cycles `digests`;
 * only runs given it ask, so earlier histories replay unchanged.
 */
export const DIGESTS_PATCH = 'daily-digests';

/** Local time (Asia/Almaty) of the daily digests: the end of the working day, after the day's notices. */
export const DIGEST_TIME = { hour: 18, minute: 0 } as const;

/**
 * Cycles opened since this patch keep their measure texts out of history (issue 15, point 7): the opener asks buildCycleSpec
 * for a spec of version 4 (domain/cycle-texts.ts) whose parties name measures by number and whose titles are one immutable
 * `cycle_texts` row referenced by hash; the cycle hands each obligation that hash (ObligationInput.texts) and the obligation
 * hands it to the e-mail activity, which reads the titles. Asked by the opener before it builds the spec, and by cycles and
 * obligations only when given a hash, so earlier histories replay unchanged.
 */
export const CYCLE_TEXTS_PATCH = 'cycle-texts-by-hash';

/**
 * Cycles opened since this patch continue as new before their history nears Temporal's limits (issue 17): a cycle of 2,000
 * obligations whose whole stage is amended monthly would pass 51,200 events within the year, each amendment signalling every
 * open obligation. The next run carries the state (CycleState.carry, and the reminders the cycle holds to send), stored in
 * `cycle_carries` in chunks by hash so the next run's input stays small, and reaches the obligations by workflow id; so that
 * continuing does not cancel them, its obligations are started with ParentClosePolicy.ABANDON, and a cycle cancelled by hand
 * cancels its open obligations itself; each obligation tells it of its end (ObligationInput.tellsEnd), since a later run
 * gets no child result. An amendment's signals go out in batches. Asked in the first workflow task (the obligation: as it
 * ends, when told to), so earlier cycles replay unchanged.
 */
export const CYCLE_CONTINUE_AS_NEW_PATCH = 'cycle-continue-as-new';

/** A cycle re-addresses its open obligations to a successor coordinator (amendment replaceCoordinator). */
export const READDRESS_PATCH = 'cycle-readdress-coordinator';

/**
 * Cycles opened since this patch send their obligations' reminders in batches (workflows/reminder-batch.ts): each obligation
 * hands the reminders of every deadline it plans to its cycle (signal `remindersPlanned`) instead of sleeping on a timer of its
 * own for each, and the cycle sends all reminders due at one instant through one activity per ≤ REMINDER_BATCH_MAX obligations
 * (sendReminderBatch), which decides at send time, against the obligation's read model row, whether the report is still
 * awaited. Escalations, overdue notices and review e-mails stay with the obligation. The opener gives new cycles
 * `batchedReminders`; only runs given it ask, so earlier histories (and their per-obligation reminders) replay unchanged.
 */
export const BATCHED_REMINDERS_PATCH = 'cycle-batched-reminders';

/**
 * The batched reminders' loop keeps its timer while the plans handed to it bring no earlier instant. Before, every plan handed
 * over cancelled the timer and started another: a cycle opening 1,500 obligations added ~800 timer events to its history,
 * which a worker that has evicted the cycle must replay (a national season's opening). Asked when the loop starts.
 */
export const REMINDER_TIMER_PATCH = 'cycle-reminder-timer-kept';

/**
 * A cycle that sends digests keeps one timer per digest instant while its obligations' messages wake its loop. Before, every
 * status change an obligation told its cycle cancelled the digest timer and started another: two of the ~5 events each
 * message adds to the cycle's history, over a season of thousands. Asked when the loop starts.
 */
export const DIGEST_TIMER_PATCH = 'cycle-digest-timer-kept';

/**
 * Cycles opened since this patch give each workflow task a minute instead of Temporal's 10 s. A worker that evicted a large
 * cycle from its cache (thousands of obligation workflows pass through it in a national season's opening) replays the
 * cycle's history on its next task: ~7,000 events for 1,500 obligations took 9.4 s on a loaded two-core machine, past the
 * 10 s timeout, so the task timed out, was retried, replayed again and timed out again — the cycle stalled (the national
 * benchmark's stall, docs/benchmarks.md). The cost: a task held by a worker that dies is retried after a minute, not 10 s.
 * Continue-as-new keeps the timeout (the server carries it to the next run).
 */
export const CYCLE_TASK_TIMEOUT_PATCH = 'open-cycle-task-timeout';
export const CYCLE_TASK_TIMEOUT = '1 minute';

/**
 * Cycles opened since this patch (new cycles with batched reminders that continue as new, opened live or in catch-up mode)
 * open their obligations themselves: before starting a batch of up to OPEN_BATCH children one local activity plans all their
 * timelines (planObligationTimelines), each child gets its calendar's answers in its input (ObligationInput.planned: the
 * child and the cycle compute the same timeline from them) and the cycle holds its reminders from the start; once the batch
 * is started one local activity records every opening (recordObligationsOpened: `obligation.opened`, `obligation.saved` and
 * the read-model row at revision 1, with the child's run id) in one transaction.
 * An obligation so opened runs no activity and sends no signal in its first workflow task: it only sets its timers. Asked by
 * the cycle as it opens, and by the obligation only when its input carries a plan, so earlier histories replay unchanged.
 */
export const CYCLE_OPENS_OBLIGATIONS_PATCH = 'cycle-opens-obligations';

/**
 * Runs started since these patches ask every patch in their first activation, before any await, and take the ones asked later
 * in the code (after a local activity, in a handler) as given. Why: a patch's marker is found in replay only in the workflow
 * task that recorded it, and a local activity's result does not always resume the code in the same task live and in replay.
 * Live, the worker may complete the task with the activity's marker and resume the code in the next task (seen on a continued
 * cycle whose first task also brought two signals: its carry's load ended one task, `cycle-reminder-timer-kept` was recorded in
 * the next); in replay the result is known at once and the code runs on in the first task, where that patch is not yet known,
 * so patched() answers false, and the marker met later is non-deterministic. Asked first, the answer is the same both ways.
 */
export const CYCLE_PATCHES_FIRST_PATCH = 'cycle-patches-asked-first';
export const OBLIGATION_PATCHES_FIRST_PATCH = 'obligation-patches-asked-first';

export interface ScheduledNotificationInput {
  /** Business key: the notification is sent once per key, ever. */
  readonly key: string;
  /** ISO instant; the workflow sleeps until then (already past → sends at once). */
  readonly sendAt: string;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly subject: BilingualText;
  readonly body: BilingualText;
  /** Who asked for it (user or token name, or "system"). */
  readonly actor: string;
}

export interface ScheduledNotificationResult {
  readonly messageId: string;
  readonly alreadySent: boolean;
}

// ——— Reporting cycles ———————————————————————————————————————————————————————————

/** Typed keys of SEARCH_ATTRIBUTES: cycles carry PlanId, Period, Stage, CycleStatus; obligations PlanId, Period, Stage, AgencyCode, ObligationStatus. */
export const SearchAttributeKeys = {
  PlanId: defineSearchAttributeKey('PlanId', 'KEYWORD'),
  Period: defineSearchAttributeKey('Period', 'KEYWORD'),
  AgencyCode: defineSearchAttributeKey('AgencyCode', 'KEYWORD'),
  Stage: defineSearchAttributeKey('Stage', 'KEYWORD'),
  ObligationStatus: defineSearchAttributeKey('ObligationStatus', 'KEYWORD'),
  CycleStatus: defineSearchAttributeKey('CycleStatus', 'KEYWORD'),
  /** Runs started before STATUS_ATTRIBUTE_PATCH only. */
  Status: defineSearchAttributeKey('Status', 'KEYWORD'),
} as const;

export interface ReportingCycleInput {
  readonly spec: CycleSpec;
  /** How it was opened (since OPENING_MODES_PATCH); absent in cycles opened before. */
  readonly opening?: { readonly mode: OpeningMode };
  /** Daily digests instead of floods (since DIGESTS_PATCH; the opener sets it); absent in cycles opened before. */
  readonly digests?: true;
  /** The cycle sends its obligations' reminders in batches (since BATCHED_REMINDERS_PATCH; the opener sets it). */
  readonly batchedReminders?: true;
  /**
   * The state an earlier run carried into this one when it continued as new (CYCLE_CONTINUE_AS_NEW_PATCH): the hashes of its
   * chunks in `cycle_carries` (JSON text, in order), how many characters they make, and how many runs came before.
   */
  readonly carried?: { readonly chunks: readonly string[]; readonly chars: number; readonly runs: number };
  /** Continue as new after this many history events instead of CYCLE_HISTORY_EVENTS (tests). */
  readonly continueAsNewAfter?: number;
}

export interface ReportingCycleResult {
  readonly status: Exclude<CycleStatus, 'open'>;
  readonly closedReason: string | null;
  readonly obligations: readonly ObligationSummary[];
}

export interface ObligationInput {
  readonly planId: string;
  readonly planTitle: BilingualText;
  readonly period: string;
  readonly policyId: string;
  readonly stage: { readonly id: string; readonly from: ReportingRole; readonly to: ReceivingRole };
  readonly party: PartySpec;
  /** As written; the instant is planned from the working calendar by an activity. */
  readonly dueDate: IsoDate;
  readonly shift: ShiftDirection;
  readonly reminders: ReminderSettings;
  readonly escalation: readonly EscalationStep[];
  readonly chain: CycleChain;
  /** The plan's policy opts in to escalation e-mails to the Presidential Administration (CycleSpec); absent: it does not. */
  readonly escalateToPresidentialAdministration?: boolean;
  /** The cycle's opening mode (since OPENING_MODES_PATCH); absent in cycles opened before. */
  readonly opening?: OpeningMode;
  /** Escalations to the PM Office go into its daily digest (DIGESTS_PATCH); absent in cycles opened before. */
  readonly digests?: true;
  /** The cycle's texts hash (CYCLE_TEXTS_PATCH): the party's measures are numbers, their titles in `cycle_texts`. */
  readonly texts?: string;
  /** The cycle sends this obligation's reminders (BATCHED_REMINDERS_PATCH); absent: the obligation sends its own. */
  readonly remindersByCycle?: true;
  /** Tell the cycle the final summary before ending (CYCLE_CONTINUE_AS_NEW_PATCH: a later run of it gets no result). */
  readonly tellsEnd?: true;
  /**
   * The cycle planned the first timeline and records the opening itself (CYCLE_OPENS_OBLIGATIONS_PATCH): the calendar's
   * answers to it (the obligation computes the same timeline from them, no activity) and the cycle's workflow time it is
   * taken as of; the obligation's own revisions and events start after the cycle's.
   */
  readonly planned?: { readonly calendar: CalendarAnswers; readonly openedAt: string };
}

/** The reminders of one planned deadline, handed by an obligation to its cycle (BATCHED_REMINDERS_PATCH). */
export interface ReminderPlan {
  readonly obligationId: string;
  readonly runId: string;
  /** The obligation's plan count (the invite's SEQUENCE): the cycle keeps the newest plan of each obligation. */
  readonly sequence: number;
  readonly due: DueResolution;
  /** The stage's receiver, named in the e-mail. */
  readonly receiver: BilingualText;
  /** Still to send, each with its outbox key (itemKey); empty: the obligation withdraws its reminders (a deadline moved). */
  readonly items: readonly {
    readonly key: string;
    readonly at: string;
    readonly offset: number;
    readonly unit: DayCountUnit;
    readonly to: readonly string[];
    readonly lang: Lang;
  }[];
  /** The obligation's status as it hands the plan over (CYCLE_CONTINUE_AS_NEW_PATCH: one answer instead of two). */
  readonly summary?: ObligationSummary;
}

export interface ObligationResult {
  readonly summary: ObligationSummary;
}

// Cycle messages. amendPlan and closeCycle are signals (the API records the request; the cycle records what it did with it).
export const cycleStatusQuery = defineQuery<CycleStatusView>('cycleStatus');
export const amendPlanSignal = defineSignal<[PlanAmendment]>('amendPlan');
export const closeCycleSignal = defineSignal<[CloseCycleInput]>('closeCycle');
/** Internal: an obligation tells its cycle about every status change, so cycleStatus is current without querying children. */
export const obligationChangedSignal = defineSignal<[ObligationSummary]>('obligationChanged');
/** Internal (BATCHED_REMINDERS_PATCH): an obligation's reminders for its current deadline, for the cycle to send in batches. */
export const remindersPlannedSignal = defineSignal<[ReminderPlan]>('remindersPlanned');

// Obligation messages. Updates validate before anything enters history and answer the caller; signals come from the cycle.
export const obligationStatusQuery = defineQuery<ObligationView>('obligationStatus');
export const submitUpdate = defineUpdate<SubmitResult, [ReportSubmission]>('submit');
export const acceptUpdate = defineUpdate<ObligationSummary, [AcceptInput]>('accept');
export const returnReportUpdate = defineUpdate<ObligationSummary, [ReturnReportInput]>('returnReport');
export const extendUpdate = defineUpdate<ObligationSummary, [ExtendInput]>('extend');
export const changeDeadlineSignal = defineSignal<[ChangeDeadlineInput]>('changeDeadline');
export const closeObligationSignal = defineSignal<[CloseObligationInput]>('closeObligation');
/** From the cycle: the coordinator was replaced by its successor; the obligation reports to it from now on. */
export const readdressSignal = defineSignal<[ReaddressInput]>('readdress');

// ——— Opening cycles (Schedules) ————————————————————————————————————————————————————

export interface OpenCycleInput {
  readonly planId: string;
  /** Given when an admin opens a cycle by hand; a Schedule leaves it out and the scheduled time decides. */
  readonly period?: string;
  readonly actor: string;
  /** How to open a period some of whose deadlines have passed; absent (a Schedule): catch-up. */
  readonly mode?: OpeningMode;
}

export interface OpenCycleResult {
  readonly status: 'opened' | 'already_open' | 'not_opened';
  readonly cycleId: string | null;
  readonly period: string | null;
  readonly reason: string | null;
}
