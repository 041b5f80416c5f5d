// An obligation's state, its transitions and the guards its Updates validate with: plain deterministic code, unit-tested without a server.
// obligationWorkflow (obligation.ts) wires messages, timers, activities and patches to it; nothing here issues a Temporal command.
import type {
  AcceptInput,
  ChangeDeadlineInput,
  ExtendInput,
  ObligationStatus,
  ObligationSummary,
  ObligationView,
  ReportSubmission,
  ReturnReportInput,
} from '../domain/cycle-model.js';
import type {
  ObligationNotice,
  ObligationTimeline,
  ObligationTimelineInput,
  TimelineItem,
} from '../domain/cycle-timeline.js';
import { validateReport, validateReviewComments, validateVersionedSubmission } from '../domain/cycle-validation.js';
import { isIsoDate, type IsoDate } from '../domain/dates.js';
import { latestDueDate, newDueDateProblem } from '../domain/due-date-bounds.js';
import { findUnstorableText } from '../domain/storable-text.js';
import type { OpeningMode } from '../domain/cycle-opening.js';
import type { CycleChain, PartySpec } from '../domain/cycle-model.js';
import type { FailureType, ObligationInput, ReminderPlan } from './shared.js';

export const AWAITING_REPORT: readonly ObligationStatus[] = ['pending', 'overdue', 'returned'];
export const FINAL: readonly ObligationStatus[] = ['accepted', 'closed'];

type StoredReport = NonNullable<ObligationView['report']>;

/** Why an Update is refused: the workflow turns it into a non-retryable ApplicationFailure of this type (no SDK import here). */
export class Refusal extends Error {
  constructor(
    readonly type: (typeof FailureType)[keyof typeof FailureType],
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

function transition(message: string): Refusal {
  return new Refusal('InvalidTransition', message);
}

function invalid(message: string): Refusal {
  return new Refusal('InvalidInput', message);
}

/** Refuses any argument string PostgreSQL could not store (NUL, lone surrogates): it would enter history, then never be recorded. */
function refuseUnstorable(args: unknown): void {
  const problems = findUnstorableText(args);
  if (problems.length > 0) throw new Refusal('InvalidInput', problems.join('; '), [problems]);
}

/** The dedupe key of one timeline item: reminders and escalations go out once per planned deadline instant. */
export function itemKey(obligationId: string, dueInstant: string, item: TimelineItem): string {
  switch (item.kind) {
    case 'reminder':
      return `reminder:${obligationId}:${dueInstant}:${item.offset}`;
    case 'deadline':
      return `deadline:${obligationId}:${dueInstant}`;
    case 'escalation':
      return `escalation:${obligationId}:${dueInstant}:${item.step}:${item.audience}`;
  }
}

/** The stage's receiver in `chain`: who takes the report and is named in the e-mails. */
export function receiverOf(input: Pick<ObligationInput, 'stage'>, chain: CycleChain): PartySpec {
  return input.stage.to === 'coordinator'
    ? chain.coordinator
    : input.stage.to === 'pm_office'
      ? chain.pmOffice
      : chain.presidentialAdministration;
}

/**
 * What the timeline activity is asked to plan for `dueDate`: the obligation's own plans and the cycle's planning of a batch
 * (CYCLE_OPENS_OBLIGATIONS_PATCH) build it here, so both plan the same timeline.
 */
export function timelineInputOf(
  input: ObligationInput,
  chain: CycleChain,
  dueDate: IsoDate,
  ladderTop: boolean,
): ObligationTimelineInput {
  return {
    stage: input.stage,
    party: input.party,
    chain,
    dueDate,
    shift: input.shift,
    reminders: input.reminders,
    escalation: input.escalation,
    ...(ladderTop
      ? {
          ladderEndsAtPmOffice: true,
          ...(input.escalateToPresidentialAdministration === true
            ? { escalateToPresidentialAdministration: true }
            : {}),
        }
      : {}),
  };
}

/** The reminders of the current plan as handed to the cycle (remindersPlanned), or as the cycle takes them when it opened it. */
export function reminderPlanOf(
  state: ObligationState,
  runId: string,
  receiver: PartySpec,
  items: ReturnType<ObligationState['handOverReminders']>,
): ReminderPlan {
  const due = state.timeline!;
  return {
    obligationId: state.id.obligationId,
    runId,
    sequence: state.sequence,
    due: { dueDate: due.dueDate, effectiveDueDate: due.effectiveDueDate, dueInstant: due.dueInstant },
    receiver: receiver.name,
    items: items.map(({ item, key }) => ({
      key,
      at: item.at,
      offset: item.offset,
      unit: item.unit,
      to: item.recipients,
      lang: item.lang,
    })),
  };
}

/** The read-model revision of the opening; an obligation whose cycle recorded it saves from the next one on. */
export const OPENING_REVISION = 1;

/** The idempotency key of the `obligation.opened` event a cycle records (never one of the run's own `…/<seq>` keys). */
export function openedEventKey(obligationId: string, runId: string): string {
  return `${obligationId}/${runId}/opened`;
}

/** Who the obligation is, fixed for its run. */
export interface ObligationIdentity {
  readonly obligationId: string;
  readonly runId: string;
  readonly cycleId: string | null;
  /** ISO instant the run opened. */
  readonly openedAt: string;
  /** Under the local-activities patch the first plan also opens the obligation (one local activity). */
  readonly openWithFirstPlan: boolean;
  /** The cycle's opening mode (OPENING_MODES_PATCH); absent in cycles opened before. */
  readonly opening?: OpeningMode;
  /**
   * The cycle recorded the opening (CYCLE_OPENS_OBLIGATIONS_PATCH): the `obligation.opened` event under its own key and the
   * read-model row at revision 1, so this run's own saves start at revision 2.
   */
  readonly openedByCycle?: boolean;
}

/** A notice to the party waiting to be sent (a return, a moved deadline). */
export interface QueuedNotice {
  readonly key: string;
  readonly notice: ObligationNotice;
  /** Who is told: the party (default), or the stage's recipient (a report's arrival). */
  readonly to?: 'party' | 'receiver';
}

/**
 * One obligation's state. Transitions change it synchronously; `onStatus` is told of every status change as it happens (the
 * workflow upserts the search attribute there), so the commands the workflow issues come in the same order as before.
 */
export class ObligationState {
  status: ObligationStatus = 'pending';
  dueDate: IsoDate;
  timeline: ObligationTimeline | undefined;
  replan = true;
  /** Deadline plans so far, minus one: the invite's SEQUENCE. */
  sequence = -1;
  report: StoredReport | null = null;
  reportVersion = 0;
  workingDaysLate: number | null = null;
  lastReturn: ObligationView['lastReturn'] = null;
  acceptedAt: string | null = null;
  closedReason: string | null = null;
  /** Bumped by every message, so the main loop's wait ends early when something changed. */
  wake = 0;
  /** Whether the opening (event, first timeline, first row) is done. */
  opened = false;
  private pendingChange: { previousDueDate: IsoDate; reason: string } | null = null;
  private readonly notices: QueuedNotice[] = [];
  private readonly done = new Set<string>();
  /** Reminder keys handed to the cycle (BATCHED_REMINDERS_PATCH). */
  private readonly handed = new Set<string>();
  private readonly sent: string[] = [];
  private revision = 0;
  private eventSeq = 0;

  constructor(
    readonly input: ObligationInput,
    readonly id: ObligationIdentity,
    private readonly onStatus: (next: ObligationStatus) => void = () => {},
  ) {
    this.dueDate = input.dueDate;
    if (id.openedByCycle === true) {
      this.opened = true;
      this.revision = OPENING_REVISION;
    }
  }

  get final(): boolean {
    return FINAL.includes(this.status);
  }

  get awaitingReport(): boolean {
    return AWAITING_REPORT.includes(this.status);
  }

  /** The current deadline has a timeline (no re-plan pending). */
  planned(): boolean {
    return !this.replan && this.timeline !== undefined;
  }

  summary(): ObligationSummary {
    const planned = this.planned();
    return {
      obligationId: this.id.obligationId,
      stageId: this.input.stage.id,
      agencyCode: this.input.party.agencyCode,
      status: this.status,
      dueDate: this.dueDate,
      effectiveDueDate: planned ? this.timeline!.effectiveDueDate : null,
      dueInstant: planned ? this.timeline!.dueInstant : null,
      reportVersion: this.reportVersion,
      workingDaysLate: this.workingDaysLate,
      closedReason: this.closedReason,
    };
  }

  /** What the status query answers. */
  view(): ObligationView {
    return { summary: this.summary(), report: this.report, lastReturn: this.lastReturn, sent: [...this.sent] };
  }

  /** Event idempotency keys are deterministic per run, so a retried activity or a replay records the same row once. */
  nextEventKey(): string {
    return `${this.id.obligationId}/${this.id.runId}/${++this.eventSeq}`;
  }

  openedPayload(): Record<string, unknown> {
    return {
      stage: this.input.stage,
      agencyCode: this.input.party.agencyCode,
      dueDate: this.dueDate,
      cycleId: this.id.cycleId,
    };
  }

  /** The read model row as of `now`, but for the planned deadline (effectiveDueDate, dueAt); each call is a new revision. */
  projection(now: string) {
    return {
      workflowId: this.id.obligationId,
      runId: this.id.runId,
      revision: ++this.revision,
      cycleWorkflowId: this.id.cycleId,
      planId: this.input.planId,
      period: this.input.period,
      stageId: this.input.stage.id,
      agencyCode: this.input.party.agencyCode,
      status: this.status,
      dueDate: this.dueDate,
      reportVersion: this.reportVersion,
      report: this.report,
      submittedAt: this.report?.submittedAt ?? null,
      workingDaysLate: this.workingDaysLate,
      acceptedAt: this.acceptedAt,
      closedReason: this.closedReason,
      openedAt: this.id.openedAt,
      finishedAt: this.final ? now : null,
    };
  }

  private setStatus(next: ObligationStatus): void {
    if (next !== this.status) this.onStatus(next);
    this.status = next;
    this.wake++;
  }

  private moveDeadline(newDueDate: IsoDate, reason: string): void {
    this.pendingChange ??= { previousDueDate: this.dueDate, reason };
    this.dueDate = newDueDate;
    this.replan = true;
    // A later deadline lifts the overdue state; the re-planned timeline puts it back if the new one has passed too.
    if (this.status === 'overdue') this.setStatus('pending');
    this.wake++;
  }

  // ——— Updates: guards (validators) and transitions ———————————————————————————————

  validateSubmit(submission: ReportSubmission): void {
    if (this.final) throw transition(`the report is already ${this.status}: nothing can be submitted any more`);
    const versioned = submission?.versionId !== undefined;
    // A new version may follow a returned one, never one still under review (legacy item lists keep replacing it).
    if (versioned && this.status === 'submitted')
      throw transition(
        `version ${this.reportVersion} is under review: it must be returned before a new version is submitted`,
      );
    if (versioned && submission.version !== undefined && submission.version !== this.reportVersion + 1)
      throw transition(`version ${submission.version} is not the next one: ${this.reportVersion} submitted so far`);
    const problems = versioned
      ? validateVersionedSubmission(submission, this.input.party)
      : validateReport(submission, this.input.party);
    if (problems.length > 0) throw new Refusal('InvalidReport', problems.join('; '), [problems]);
  }

  /** Takes the report (not yet known to be late) and returns its version; no escalation may go out from here on. */
  submit(submission: ReportSubmission, submittedAt: string): number {
    const version = ++this.reportVersion;
    this.report = {
      submittedBy: submission.submittedBy,
      ...(submission.items === undefined ? {} : { items: submission.items.map((i) => ({ ...i })) }),
      ...(submission.versionId === undefined
        ? {}
        : {
            versionId: submission.versionId,
            contentHash: submission.contentHash!,
            statuses: (submission.statuses ?? []).map((x) => ({ ...x })),
          }),
      version,
      submittedAt,
      late: false,
    };
    this.setStatus('submitted');
    return version;
  }

  /** Marks the report of `version` late or not, unless a newer one came in meanwhile. */
  settleLateness(version: number, late: boolean, workingDaysLate: number): void {
    if (this.reportVersion !== version) return;
    this.workingDaysLate = workingDaysLate;
    this.report = { ...this.report!, late };
  }

  validateAccept(args: AcceptInput): void {
    refuseUnstorable(args);
    const { acceptedBy } = args;
    if (this.status !== 'submitted')
      throw transition(`only a submitted report can be accepted; the obligation is ${this.status}`);
    if (typeof acceptedBy !== 'string' || acceptedBy.trim() === '') throw invalid('acceptedBy: must name who accepts');
  }

  accept(acceptedAt: string): void {
    this.acceptedAt = acceptedAt;
    this.setStatus('accepted');
  }

  /**
   * `today` (Almaty, workflow time) bounds the new date: after today and within the cycle's year plus the margin
   * (domain/due-date-bounds.ts); without it only the date's form is checked.
   */
  validateReturn(args: ReturnReportInput, today?: IsoDate): void {
    refuseUnstorable(args);
    const { returnedBy, comment, newDueDate } = args;
    if (this.status !== 'submitted')
      throw transition(`only a submitted report can be returned; the obligation is ${this.status}`);
    if (typeof returnedBy !== 'string' || returnedBy.trim() === '')
      throw invalid('returnedBy: must name who returns the report');
    if (typeof comment !== 'string' || comment.trim() === '') throw invalid('comment: say what must be fixed');
    const problems = validateReviewComments(args.comments, this.input.party);
    if (problems.length > 0) throw invalid(problems.join('; '));
    this.refuseDueDate(newDueDate, today);
  }

  private refuseDueDate(newDueDate: unknown, today: IsoDate | undefined): void {
    if (!isIsoDate(newDueDate)) throw invalid(`newDueDate: not a date (YYYY-MM-DD): "${String(newDueDate)}"`);
    const problem = today === undefined ? null : newDueDateProblem(newDueDate, { today, period: this.input.period });
    if (problem !== null) throw invalid(problem);
  }

  /** Sends the report back with a new due date; the party is told (a queued notice). */
  returnReport({ returnedBy, comment, newDueDate, comments }: ReturnReportInput, at: string): void {
    this.lastReturn = { comment, returnedBy, at, ...(comments === undefined ? {} : { comments }) };
    this.dueDate = newDueDate;
    this.replan = true;
    this.setStatus('returned');
    this.notices.push({
      key: `returned:${this.id.obligationId}:v${this.reportVersion}`,
      notice: { kind: 'returned', comment, returnedBy, ...(comments === undefined ? {} : { comments }) },
    });
  }

  /** As validateReturn, and later than the current deadline. */
  validateExtend(args: ExtendInput, today?: IsoDate): void {
    refuseUnstorable(args);
    const { extendedBy, reason, newDueDate } = args;
    if (!this.awaitingReport)
      throw transition(`only an obligation still awaiting its report can be extended; it is ${this.status}`);
    if (typeof extendedBy !== 'string' || extendedBy.trim() === '') throw invalid('extendedBy: must name who extends');
    if (typeof reason !== 'string' || reason.trim() === '') throw invalid('reason: say why the deadline is extended');
    this.refuseDueDate(newDueDate, today);
    if (newDueDate <= this.dueDate) throw invalid(`newDueDate: an extension must be later than ${this.dueDate}`);
  }

  /** Moves the deadline later; returns the one it replaced. */
  extend({ reason, newDueDate }: ExtendInput): IsoDate {
    const from = this.dueDate;
    this.moveDeadline(newDueDate, reason);
    return from;
  }

  // ——— Signals from the cycle: cannot be refused, so a stale one is a no-op ——————————————

  /**
   * A plan amendment moved the deadline: applies unless final, unchanged or not a date — or past the cycle's year plus the
   * margin, when `farAllowed` (the workflow's patch check, asked only for such a date) says no.
   */
  changeDeadline(
    { newDueDate, reason }: ChangeDeadlineInput,
    farAllowed: () => boolean = () => true,
  ): { from: IsoDate; applies: boolean } {
    const from = this.dueDate;
    const applies =
      !this.final &&
      isIsoDate(newDueDate) &&
      newDueDate !== this.dueDate &&
      (newDueDate <= latestDueDate(this.input.period) || farAllowed());
    if (applies) this.moveDeadline(newDueDate, reason);
    return { from, applies };
  }

  /** The receiver changed (a successor coordinator): the timeline is planned again for its escalations. */
  readdress(): void {
    if (this.final) return;
    this.replan = true;
    this.wake++;
  }

  /** Closes the obligation; false if it had already ended. */
  close(reason: string): boolean {
    if (this.final) return false;
    this.closedReason = reason;
    this.setStatus('closed');
    return true;
  }

  /** The cycle went away: closed whatever the status. */
  cancel(): void {
    this.closedReason = 'cycle cancelled';
    this.setStatus('closed');
  }

  // ——— The timeline ————————————————————————————————————————————————————————————

  /** Starts planning the current deadline: what to ask for, and whether this plan also opens the obligation. */
  beginPlan(): { requested: IsoDate; opening: boolean } {
    this.replan = false;
    const opening = this.id.openWithFirstPlan && !this.opened;
    this.opened = true;
    return { requested: this.dueDate, opening };
  }

  /**
   * Takes the timeline planned for `requested`, unless the deadline moved again meanwhile (false: plan the newest). Items
   * already due at `nowMs` (a late start, a deadline moved into the past) are skipped, as they would all arrive at once; the
   * deadline itself never is, because it changes the status. A moved deadline queues a notice to the party.
   */
  takePlan(next: ObligationTimeline, requested: IsoDate, nowMs: number): boolean {
    if (this.replan || this.dueDate !== requested) return false;
    this.timeline = next;
    this.sequence++;
    const kept = this.keptAtOpening(next, nowMs);
    for (const item of next.items) {
      if (item.kind === 'deadline') continue;
      // Record-only: nothing is ever sent, only the deadline changes the status.
      if ((Date.parse(item.at) < nowMs && !kept.has(item)) || this.id.opening === 'record-only')
        this.done.add(itemKey(this.id.obligationId, next.dueInstant, item));
    }
    const change = this.pendingChange;
    this.pendingChange = null;
    if (change !== null && this.awaitingReport) {
      this.notices.push({
        key: `deadline-changed:${this.id.obligationId}:${this.sequence}:${next.dueInstant}`,
        notice: { kind: 'deadline_changed', ...change },
      });
    }
    return true;
  }

  /**
   * Catch-up, on the first plan only: of the escalations already due, the overdue notice (the first step: the agency and the
   * coordinator) and the step reached are sent now, one notice each; the steps between and passed reminders are not.
   */
  private keptAtOpening(next: ObligationTimeline, nowMs: number): Set<TimelineItem> {
    if (this.id.opening !== 'catch-up' || this.sequence !== 0) return new Set();
    const due = next.items.filter(
      (i): i is Extract<TimelineItem, { kind: 'escalation' }> => i.kind === 'escalation' && Date.parse(i.at) < nowMs,
    );
    if (due.length === 0) return new Set();
    const first = Math.min(...due.map((i) => i.step));
    const reached = Math.max(...due.map((i) => i.step));
    return new Set(due.filter((i) => i.step === first || i.step === reached));
  }

  /**
   * Queues a notice for the workflow's main loop to send, so that an Update handler answers without waiting for SMTP (a relay
   * down for a day must not hold a submission, or the API transaction around it, open).
   */
  queueNotice(notice: QueuedNotice): void {
    this.notices.push(notice);
    this.wake++;
  }

  /** The next notice waiting to go out, taken off the queue. */
  nextNotice(): QueuedNotice | undefined {
    return this.notices.shift();
  }

  /** The next timeline item still to handle while the report is awaited, with its dedupe key; undefined: nothing to wait for. */
  nextItem(): { item: TimelineItem; key: string } | undefined {
    if (!this.awaitingReport) return undefined;
    const current = this.timeline!;
    const item = current.items.find((i) => !this.done.has(itemKey(this.id.obligationId, current.dueInstant, i)));
    return item === undefined ? undefined : { item, key: itemKey(this.id.obligationId, current.dueInstant, item) };
  }

  /** The deadline passed without a report. */
  markOverdue(): void {
    this.setStatus('overdue');
  }

  /**
   * BATCHED_REMINDERS_PATCH: the current timeline's reminders not yet done, with their keys, handed to the cycle to send; the
   * obligation's own loop no longer waits for them. Empty when none are left (record-only, all passed).
   */
  handOverReminders(): { item: Extract<TimelineItem, { kind: 'reminder' }>; key: string }[] {
    const current = this.timeline;
    if (current === undefined || !this.awaitingReport) return [];
    const out: { item: Extract<TimelineItem, { kind: 'reminder' }>; key: string }[] = [];
    for (const item of current.items) {
      if (item.kind !== 'reminder') continue;
      const key = itemKey(this.id.obligationId, current.dueInstant, item);
      // Handed over before (the same deadline planned again: a re-addressed receiver) goes again; the cycle dedupes it.
      if (this.done.has(key) && !this.handed.has(key)) continue;
      this.done.add(key);
      this.handed.add(key);
      out.push({ item, key });
    }
    return out;
  }

  markDone(key: string): void {
    this.done.add(key);
  }

  markSent(key: string): void {
    this.sent.push(key);
  }
}
