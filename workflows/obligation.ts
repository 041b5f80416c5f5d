// obligationWorkflow: one report owed by one party in one stage of a cycle — reminders, submission and review, the escalation ladder.
// Running cycles replay this code (test/replay/histories): a change to the commands it issues goes behind patched().
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { timelineFromAnswers, type ObligationNotice, type TimelineItem } from '../domain/cycle-timeline.js';
import type {
  AcceptInput,
  ExtendInput,
  Lang,
  ObligationSummary,
  ObligationView,
  ReportSubmission,
  ReturnReportInput,
} from '../domain/cycle-model.js';
import { localDateOf } from '../domain/tz.js';
import { dataRejection } from './failures.js';
import {
  ObligationState,
  Refusal,
  receiverOf as receiverIn,
  reminderPlanOf,
  timelineInputOf,
  type QueuedNotice,
} from './obligation-state.js';
import {
  CYCLE_CONTINUE_AS_NEW_PATCH,
  CYCLE_OPENS_OBLIGATIONS_PATCH,
  OBLIGATION_PATCHES_FIRST_PATCH,
  CYCLE_TEXTS_PATCH,
  BATCHED_REMINDERS_PATCH,
  DB_RETRY,
  FailureType,
  DIGESTS_PATCH,
  LADDER_TOP_PATCH,
  MAIL_RETRY,
  OPENING_MODES_PATCH,
  STATUS_ATTRIBUTE_PATCH,
  SearchAttributeKeys,
  acceptUpdate,
  changeDeadlineSignal,
  closeObligationSignal,
  extendUpdate,
  obligationChangedSignal,
  readdressSignal,
  remindersPlannedSignal,
  obligationStatusQuery,
  returnReportUpdate,
  submitUpdate,
  type ObligationInput,
  type ObligationResult,
} from './shared.js';

/**
 * Obligations started since this patch run their activities (events, read model, timeline, lateness, and the e-mails) as local
 * activities: run by the worker inside the workflow task and recorded as one marker each, with no task of their own on the
 * server — a reminder costs one workflow task instead of three, and the opening one local activity (openObligation) instead
 * of three. Retries longer than a minute (SMTP down for a day, PostgreSQL restarting) wait on workflow timers with the same
 * backoff as before; the outbox's dedupe key still makes a send happen once. They also leave alone the search attributes the
 * cycle already set on them. Obligations started earlier replay as they ran.
 */
export const OBLIGATION_LOCAL_ACTIVITIES_PATCH = 'obligation-local-activities';

/**
 * An event or read-model row that PostgreSQL refuses (FailureType.DataRejected: a NUL in a signal's reason…) is recorded as
 * `event.rejected` without the refused data, and the obligation goes on; a local activity's refusal of a notice (which arrives
 * unwrapped) is recorded as notice.failed. Before this patch such an activity retried for ever; a history that never met one
 * replays unchanged, because the patch is asked only when the failure happens.
 */
export const DATA_REJECTED_PATCH = 'obligation-data-rejected';

/**
 * Since this patch a report's arrival is e-mailed to the receiver (the stage's recipient) and its acceptance to the party; a
 * return already was. Asked inside the submit and accept handlers, so a history that never met them replays unchanged.
 */
export const REVIEW_MAIL_PATCH = 'obligation-review-mail';

/** A plan amendment moving this deadline past the cycle's year plus DUE_DATE_MARGIN_YEARS is recorded as ignored, not applied. */
export const DUE_DATE_BOUNDS_PATCH = 'obligation-due-date-bounds';

const scheduled = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });
// Retries longer than a minute (PostgreSQL down) wait on a workflow timer, so the workflow task is not held meanwhile.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: DB_RETRY,
});

// A permanent refusal of an e-mail is recorded, not retried.
const scheduledMail = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: MAIL_RETRY });
const localMail = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '1 minute',
  retry: MAIL_RETRY,
});

/** Turns a guard's Refusal into the typed, non-retryable failure the caller sees; the Update never enters history. */
function guarded<A>(check: (arg: A) => void): (arg: A) => void {
  return (arg) => {
    try {
      check(arg);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      throw ApplicationFailure.create({
        type: err.type,
        message: err.message,
        nonRetryable: true,
        ...(err.details !== undefined ? { details: err.details } : {}),
      });
    }
  };
}

/** One party's report in one stage: reminds before the deadline, takes the report, escalates after; ends accepted or closed. */
export async function obligationWorkflow(input: ObligationInput): Promise<ObligationResult> {
  // Asked first, once: the marker lands in the first workflow task, and the answer holds for the whole run. A run that asks
  // OBLIGATION_PATCHES_FIRST_PATCH takes every patch asked later in this code as given (`later`): only runs recorded before it
  // ask them where they are needed (after a local activity, in a handler).
  const first = patched(OBLIGATION_PATCHES_FIRST_PATCH);
  const later = (patchId: string): boolean => first || patched(patchId);
  const localDb = patched(OBLIGATION_LOCAL_ACTIVITIES_PATCH);
  const statusKey = patched(STATUS_ATTRIBUTE_PATCH) ? SearchAttributeKeys.ObligationStatus : SearchAttributeKeys.Status;
  const ladderTop = patched(LADDER_TOP_PATCH);
  // Asked only by obligations of a cycle opened in a mode (OPENING_MODES_PATCH): earlier histories replay unchanged.
  const opening = input.opening !== undefined && patched(OPENING_MODES_PATCH) ? input.opening : undefined;
  const digests = input.digests === true && patched(DIGESTS_PATCH);
  // Asked only by obligations given the cycle's texts hash: the e-mail activity reads the measures' titles by it.
  const texts = input.texts !== undefined && patched(CYCLE_TEXTS_PATCH) ? { texts: input.texts } : {};
  const acts = localDb ? local : scheduled;
  const mail = localDb ? localMail : scheduledMail;
  const info = workflowInfo();
  const obligationId = info.workflowId;
  const cycleId = info.parent?.workflowId ?? null;
  // Asked only by obligations of a cycle that sends reminders in batches: earlier histories replay unchanged.
  const byCycle = input.remindersByCycle === true && cycleId !== null && patched(BATCHED_REMINDERS_PATCH);
  // The cycle planned the first timeline and records the opening (CYCLE_OPENS_OBLIGATIONS_PATCH); asked only with a plan.
  const planned =
    byCycle && input.planned !== undefined && patched(CYCLE_OPENS_OBLIGATIONS_PATCH) ? input.planned : undefined;
  /** The cycle holds reminders of the current plan (BATCHED_REMINDERS_PATCH). */
  let handedOver = false;
  const recipientsOf = (party: typeof input.party) =>
    party.emails.reporter.length > 0 ? party.emails.reporter : party.emails.head;
  const partyRecipients = recipientsOf(input.party);
  // The chain as the cycle handed it, until an amendment re-addresses the obligation to a successor coordinator.
  let chain = input.chain;
  const receiverOf = () => receiverIn(input, chain);

  const state = new ObligationState(
    input,
    {
      obligationId,
      runId: info.runId,
      cycleId,
      // Opened by the cycle: as of the instant it planned (so its row and this run's rows say the same).
      openedAt: planned?.openedAt ?? new Date().toISOString(),
      openWithFirstPlan: localDb,
      ...(opening === undefined ? {} : { opening }),
      ...(planned === undefined ? {} : { openedByCycle: true }),
    },
    (next) => upsertSearchAttributes([{ key: statusKey, value: next }]),
  );

  async function record(type: string, actor: string, payload: Record<string, unknown>): Promise<void> {
    const idempotencyKey = state.nextEventKey();
    try {
      await acts.recordEvent({
        idempotencyKey,
        type,
        actor,
        subjectType: 'obligation',
        subjectId: obligationId,
        payload,
      });
    } catch (err) {
      const rejection = dataRejection(err);
      if (rejection === undefined || !later(DATA_REJECTED_PATCH)) throw err;
      await recordRejection(`${idempotencyKey}/rejected`, type, rejection);
    }
  }

  /** Records, without the refused data, that PostgreSQL refused a write; never throws for a second refusal. */
  async function recordRejection(idempotencyKey: string, what: string, rejection: ApplicationFailure): Promise<void> {
    log.error('PostgreSQL refused a write of this obligation; recorded without its data', {
      obligationId,
      what,
      error: rejection.message,
    });
    try {
      await acts.recordEvent({
        idempotencyKey,
        type: 'event.rejected',
        actor: 'system',
        subjectType: 'obligation',
        subjectId: obligationId,
        payload: { what, error: rejection.message },
      });
    } catch (err) {
      if (dataRejection(err) === undefined) throw err;
    }
  }

  async function save(): Promise<void> {
    const s = state.summary();
    if (s.dueInstant === null) return; // the loop saves once the new deadline is planned
    const row = {
      ...state.projection(new Date().toISOString()),
      effectiveDueDate: s.effectiveDueDate,
      dueAt: s.dueInstant,
    };
    try {
      await acts.saveObligation(row);
    } catch (err) {
      const rejection = dataRejection(err);
      if (rejection === undefined || !later(DATA_REJECTED_PATCH)) throw err;
      await recordRejection(
        `${obligationId}/${info.runId}/read-model/${row.revision}/rejected`,
        'read model',
        rejection,
      );
    }
  }

  async function tellCycle(): Promise<void> {
    if (cycleId === null) return;
    try {
      await getExternalWorkflowHandle(cycleId).signal(obligationChangedSignal, state.summary());
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The cycle may have closed meanwhile; this obligation's own record stays complete.
      log.warn('could not tell the cycle about a status change', { cycleId, error: String(err) });
    }
  }

  setHandler(obligationStatusQuery, (): ObligationView => state.view());

  setHandler(
    submitUpdate,
    async (submission: ReportSubmission) => {
      // Taken before anything is awaited: no escalation may go out once the report is in.
      const version = state.submit(submission, new Date().toISOString());
      const submittedAt = state.report!.submittedAt;
      await condition(() => state.planned());
      const due = state.timeline!;
      const late = Date.parse(submittedAt) > Date.parse(due.dueInstant);
      const daysLate = late ? (await acts.measureLateness({ due, submittedAt })).workingDaysLate : 0;
      state.settleLateness(version, late, daysLate);
      await record('report.submitted', submission.submittedBy, {
        version,
        late,
        workingDaysLate: daysLate,
        dueDate: due.dueDate,
        effectiveDueDate: due.effectiveDueDate,
        // A versioned report is recorded by its id, hash and statuses; its text stays in PostgreSQL (report_versions).
        ...(submission.versionId === undefined
          ? { items: submission.items }
          : { versionId: submission.versionId, contentHash: submission.contentHash, statuses: submission.statuses }),
        submittedAt,
        // A past period loaded for the record: the report is entered after the fact, by submittedBy (the event's actor).
        ...(opening === 'record-only' ? { enteredAfterTheFact: true } : {}),
      });
      await save();
      await tellCycle();
      if (later(REVIEW_MAIL_PATCH)) {
        state.queueNotice({
          key: `arrived:${obligationId}:v${version}`,
          notice: { kind: 'report_arrived', version, late, workingDaysLate: daysLate },
          to: 'receiver',
        });
      }
      return { version, late, workingDaysLate: daysLate };
    },
    { validator: guarded((submission: ReportSubmission) => state.validateSubmit(submission)) },
  );

  setHandler(
    acceptUpdate,
    async ({ acceptedBy, comment }) => {
      state.accept(new Date().toISOString());
      const version = state.reportVersion;
      await record('report.accepted', acceptedBy, { version, comment: comment ?? null });
      await save();
      if (later(REVIEW_MAIL_PATCH)) {
        state.queueNotice({
          key: `accepted:${obligationId}:v${version}`,
          notice: { kind: 'accepted', version, acceptedBy, comment: comment ?? null },
        });
      }
      return state.summary();
    },
    { validator: guarded((x: AcceptInput) => state.validateAccept(x)) },
  );

  setHandler(
    returnReportUpdate,
    async (x) => {
      state.returnReport(x, new Date().toISOString());
      await record('report.returned', x.returnedBy, {
        version: state.reportVersion,
        comment: x.comment,
        newDueDate: x.newDueDate,
        ...(x.comments === undefined ? {} : { comments: x.comments }),
      });
      return state.summary();
    },
    { validator: guarded((x: ReturnReportInput) => state.validateReturn(x, localDateOf(Date.now()))) },
  );

  setHandler(
    extendUpdate,
    async (x) => {
      const from = state.extend(x);
      await record('deadline.extended', x.extendedBy, { from, to: x.newDueDate, reason: x.reason });
      return state.summary();
    },
    { validator: guarded((x: ExtendInput) => state.validateExtend(x, localDateOf(Date.now()))) },
  );

  // From the cycle: a plan amendment moved this deadline. Signals cannot be refused, so stale ones are recorded and dropped.
  setHandler(changeDeadlineSignal, async (x) => {
    const { from, applies } = state.changeDeadline(x, () => !later(DUE_DATE_BOUNDS_PATCH));
    await record(applies ? 'deadline.moved' : 'deadline.move_ignored', x.actor, {
      amendmentId: x.amendmentId,
      from,
      to: x.newDueDate,
      reason: x.reason,
    });
  });

  // From the cycle: the coordinator was replaced by its successor (a reorganisation). The receiver, the notices and the
  // escalations not yet sent move to it; those already sent stay as they were (their keys are the same).
  setHandler(readdressSignal, async (x) => {
    const from = receiverOf().agencyCode;
    const applies = !state.final && input.stage.to === 'coordinator' && x.coordinator.agencyCode !== from;
    if (applies) {
      chain = { ...chain, coordinator: x.coordinator };
      state.readdress();
    }
    await record(applies ? 'receiver.changed' : 'receiver.change_ignored', x.actor, {
      amendmentId: x.amendmentId,
      from,
      to: x.coordinator.agencyCode,
      reason: x.reason,
    });
  });

  setHandler(closeObligationSignal, async ({ reason, actor }) => {
    if (!state.close(reason)) return;
    await record('obligation.closed', actor, { reason });
  });

  /** Sends one notice and records it (or why it could not be sent). */
  async function notify(
    item: { recipients: readonly string[]; lang: Lang; at?: string },
    key: string,
    notice: ObligationNotice,
    eventType: string,
  ): Promise<void> {
    const details = { key, to: item.recipients, lang: item.lang, notice, plannedFor: item.at ?? null };
    if (opening === 'record-only') {
      await record('notice.not_sent', 'system', {
        ...details,
        reason: 'record-only: a past period loaded for the record',
      });
      return;
    }
    if (item.recipients.length === 0) {
      await record('notice.undeliverable', 'system', { ...details, reason: 'no e-mail address on file' });
      return;
    }
    const due = state.timeline!;
    try {
      const result = await mail.sendObligationMail({
        dedupeKey: key,
        notice,
        to: item.recipients,
        lang: item.lang,
        obligationId,
        planTitle: input.planTitle,
        period: input.period,
        party: input.party,
        ...texts,
        receiver: receiverOf().name,
        due,
        sequence: state.sequence,
        now: new Date().toISOString(),
      });
      state.markSent(key);
      // sentAt (workflow time) against plannedFor shows how long SMTP kept the notice waiting.
      await record(eventType, 'system', {
        ...details,
        messageId: result.messageId,
        alreadySent: result.alreadySent,
        dueInstant: due.dueInstant,
        sentAt: new Date().toISOString(),
      });
    } catch (err) {
      const failure = err instanceof ActivityFailure ? err.cause : err;
      const type = failure instanceof ApplicationFailure ? failure.type : undefined;
      const refusedBefore =
        err instanceof ActivityFailure && (type === FailureType.MailRejected || type === FailureType.InvalidInput);
      // Since the patch also a local activity's refusal, which arrives unwrapped (not inside an ActivityFailure), and the outbox
      // row refused by PostgreSQL (its text): the notice cannot be sent once-only, so it is recorded as failed.
      const refusedNow =
        !refusedBefore &&
        (type === FailureType.MailRejected || type === FailureType.InvalidInput || type === FailureType.DataRejected) &&
        later(DATA_REJECTED_PATCH);
      if (!refusedBefore && !refusedNow) throw err;
      // A refusal that retrying cannot fix: record it for the coordinator and go on with the ladder.
      await record('notice.failed', 'system', { ...details, error: (failure as ApplicationFailure).message });
    }
  }

  /** A queued notice to the party, or to the stage's recipient (a report's arrival). */
  async function sendQueued(notice: QueuedNotice): Promise<void> {
    const to =
      notice.to === 'receiver'
        ? { recipients: recipientsOf(receiverOf()), lang: receiverOf().lang }
        : { recipients: partyRecipients, lang: input.party.lang };
    await notify(to, notice.key, notice.notice, 'notice.sent');
  }

  async function plan(): Promise<void> {
    const first = state.sequence < 0;
    const { requested, opening } = state.beginPlan();
    if (first && planned !== undefined) {
      // The cycle planned this timeline (its calendar's answers), holds its reminders and records the opening: nothing to run,
      // nothing to tell. Taken as of the cycle's instant, so the reminders marked handed here are those the cycle took.
      const timeline = timelineFromAnswers(timelineInputOf(input, chain, requested, ladderTop), planned.calendar);
      state.takePlan(timeline, requested, Date.parse(planned.openedAt));
      handedOver = state.handOverReminders().length > 0;
      return;
    }
    const timelineInput = timelineInputOf(input, chain, requested, ladderTop);
    // Under the patch the first plan also records the opening and writes the read model: one local activity, not three.
    const next = opening
      ? await acts.openObligation({
          event: {
            idempotencyKey: state.nextEventKey(),
            type: 'obligation.opened',
            actor: 'system',
            payload: state.openedPayload(),
          },
          timeline: timelineInput,
          projection: state.projection(new Date().toISOString()),
        })
      : await acts.planObligationTimeline(timelineInput);
    if (!state.takePlan(next, requested, Date.now())) return; // moved again meanwhile: plan the newest
    if (!opening) await save();
    // An obligation of a cycle that continues as new answers a re-plan with one signal, its reminders and its status together
    // (CYCLE_CONTINUE_AS_NEW_PATCH): a whole-stage amendment then costs the cycle one answer per obligation, not two.
    const together = byCycle && input.tellsEnd === true && state.sequence > 0 && later(CYCLE_CONTINUE_AS_NEW_PATCH);
    const items = byCycle ? state.handOverReminders() : [];
    if (together && (items.length > 0 || handedOver)) {
      await handReminders(items, state.summary());
      return;
    }
    // The cycle knows the first deadline already (it set it); it hears of re-planned ones, which a message caused.
    if (!localDb || state.sequence > 0) await tellCycle();
    if (byCycle) await handReminders(items);
  }

  /** BATCHED_REMINDERS_PATCH: gives the cycle this plan's reminders to send (none: withdraws those it holds). */
  async function handReminders(
    items: ReturnType<ObligationState['handOverReminders']>,
    summary?: ObligationSummary,
  ): Promise<void> {
    if (items.length === 0 && !handedOver) return;
    handedOver = items.length > 0;
    try {
      await getExternalWorkflowHandle(cycleId!).signal(remindersPlannedSignal, {
        ...reminderPlanOf(state, info.runId, receiverOf(), items),
        ...(summary === undefined ? {} : { summary }),
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not hand the reminders to the cycle', { cycleId, error: String(err) });
    }
  }

  async function handle(item: TimelineItem, key: string): Promise<void> {
    switch (item.kind) {
      case 'reminder':
        await notify(item, key, { kind: 'reminder', offset: item.offset, unit: item.unit }, 'reminder.sent');
        break;
      case 'deadline':
        state.markOverdue();
        await record('obligation.overdue', 'system', {
          dueDate: state.dueDate,
          effectiveDueDate: state.timeline!.effectiveDueDate,
          dueInstant: state.timeline!.dueInstant,
        });
        await save();
        await tellCycle();
        break;
      case 'escalation':
        // Escalated to the PM Office from below: one line of its daily digest, not an e-mail of its own.
        if (digests && item.agencyCode === input.chain.pmOffice.agencyCode && input.stage.from !== 'pm_office') {
          await record('escalation.digested', 'system', {
            key,
            step: item.step,
            after: item.after,
            unit: item.unit,
            audience: item.audience,
            agencyCode: input.party.agencyCode,
            name: input.party.name,
            stageId: input.stage.id,
            dueDate: state.timeline!.dueDate,
            effectiveDueDate: state.timeline!.effectiveDueDate,
            dueInstant: state.timeline!.dueInstant,
            at: new Date().toISOString(),
          });
          break;
        }
        await notify(
          item,
          key,
          { kind: 'escalation', step: item.step, after: item.after, unit: item.unit, audience: item.audience },
          'escalation.sent',
        );
        break;
    }
    state.markDone(key);
  }

  async function run(): Promise<void> {
    if (!localDb) await record('obligation.opened', 'system', state.openedPayload());
    while (!state.final) {
      if (state.replan) {
        // The deadline moved (or the receiver changed): the re-plan writes the read model first (the new due date, which the
        // cycle's batch checks at send time, so an old date's reminder is withdrawn from then on), then hands the cycle the
        // new plan's reminders, which replace the old ones (none: withdraws them).
        await plan();
        continue;
      }
      const notice = state.nextNotice();
      if (notice !== undefined) {
        await sendQueued(notice);
        continue;
      }
      const next = state.nextItem();
      const seen = state.wake;
      if (next === undefined) {
        await condition(() => state.wake !== seen);
        continue;
      }
      const wait = Date.parse(next.item.at) - Date.now();
      if (wait > 0 && (await condition(() => state.wake !== seen, wait))) continue;
      // A message may have landed in the same activation as the timer: the item may no longer apply.
      if (state.wake !== seen) continue;
      await handle(next.item, next.key);
    }
  }

  // The cycle sets these when it starts the child; setting them here too makes a standalone obligation (a test, a backfill) listable.
  const attributes = [
    { key: SearchAttributeKeys.PlanId, value: input.planId },
    { key: SearchAttributeKeys.Period, value: input.period },
    { key: SearchAttributeKeys.Stage, value: input.stage.id },
    { key: SearchAttributeKeys.AgencyCode, value: input.party.agencyCode },
    { key: statusKey, value: state.status },
  ];
  const missing = localDb
    ? attributes.filter(({ key, value }) => info.typedSearchAttributes.get(key) !== value)
    : attributes;
  if (missing.length > 0) upsertSearchAttributes(missing);
  try {
    await run();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The cycle went away (ParentClosePolicy REQUEST_CANCEL): leave a closed record, not one that looks pending forever.
    await CancellationScope.nonCancellable(async () => {
      state.cancel();
      await record('obligation.closed', 'system', { reason: state.closedReason });
      await save();
    });
    throw err;
  }
  await condition(allHandlersFinished);
  // The review e-mails an Update queued as the obligation ended (its acceptance). Only those: a history from before the
  // review-mail patch that ended with another notice still queued (returned, then closed) dropped it, and replays so.
  for (let n = state.nextNotice(); n !== undefined; n = state.nextNotice())
    if (n.notice.kind === 'accepted' || n.notice.kind === 'report_arrived') await sendQueued(n);
  await save();
  // A cycle that continues as new hears an obligation's end from it (the result goes to the run that started it).
  if (input.tellsEnd === true && later(CYCLE_CONTINUE_AS_NEW_PATCH)) await tellCycle();
  return { summary: state.summary() };
}
