// obligationWorkflow: one report owed by one party in one stage of a cycle — reminders, submission and review, the escalation ladder.
// Running cycles replay this code (test/replay/histories): a change to the commands it issues goes behind patched().
import {
  ActivityFailure, ApplicationFailure, CancellationScope, allHandlersFinished, condition, getExternalWorkflowHandle, isCancellation, log,
  patched, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ObligationNotice } from '../domain/cycle-timeline.js';
import type { ObligationTimeline, TimelineItem } from '../domain/cycle-timeline.js';
import { isIsoDate, type IsoDate } from '../domain/dates.js';
import { validateReport } from '../domain/cycle-validation.js';
import { DB_RETRY, FailureType, MAIL_RETRY, SearchAttributeKeys, acceptUpdate, changeDeadlineSignal, closeObligationSignal, extendUpdate, obligationChangedSignal, obligationStatusQuery, returnReportUpdate, submitUpdate, type ObligationInput, type ObligationResult } from './shared.js';
import { type Lang, type ObligationStatus, type ObligationSummary, type ObligationView, type ReportSubmission } from '../domain/cycle-model.js';

/**
 * Obligations started since this patch run their activities (events, read model, timeline, lateness, and the e-mails) as local
 * activities: run by the worker inside the workflow task and recorded as one marker each, with no task of their own on the
 * server — a reminder costs one workflow task instead of three, and the opening one local activity (openObligation) instead
 * of three. Retries longer than a minute (SMTP down for a day, PostgreSQL restarting) wait on workflow timers with the same
 * backoff as before; the outbox's dedupe key still makes a send happen once. They also leave alone the search attributes the
 * cycle already set on them. Obligations started earlier replay as they ran.
 */
export const OBLIGATION_LOCAL_ACTIVITIES_PATCH = 'obligation-local-activities';

const scheduled = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });
// Retries longer than a minute (PostgreSQL down) wait on a workflow timer, so the workflow task is not held meanwhile.
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', localRetryThreshold: '1 minute', retry: DB_RETRY });

// A permanent refusal of an e-mail is recorded, not retried.
const scheduledMail = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: MAIL_RETRY });
const localMail = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', localRetryThreshold: '1 minute', retry: MAIL_RETRY });

const AWAITING_REPORT: readonly ObligationStatus[] = ['pending', 'overdue', 'returned'];
const FINAL: readonly ObligationStatus[] = ['accepted', 'closed'];

type StoredReport = NonNullable<ObligationView['report']>;

function transition(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidTransition, message, nonRetryable: true });
}

function itemKey(obligationId: string, dueInstant: string, item: TimelineItem): string {
  switch (item.kind) {
    case 'reminder': return `reminder:${obligationId}:${dueInstant}:${item.offset}`;
    case 'deadline': return `deadline:${obligationId}:${dueInstant}`;
    case 'escalation': return `escalation:${obligationId}:${dueInstant}:${item.step}:${item.audience}`;
  }
}

/** One party's report in one stage: reminds before the deadline, takes the report, escalates after; ends accepted or closed. */
export async function obligationWorkflow(input: ObligationInput): Promise<ObligationResult> {
  // Asked first, once: the marker lands in the first workflow task, and the answer holds for the whole run.
  const localDb = patched(OBLIGATION_LOCAL_ACTIVITIES_PATCH);
  const acts = localDb ? local : scheduled;
  const mail = localDb ? localMail : scheduledMail;
  const info = workflowInfo();
  const obligationId = info.workflowId;
  const cycleId = info.parent?.workflowId ?? null;
  const openedAt = new Date().toISOString();
  const partyRecipients = input.party.emails.reporter.length > 0 ? input.party.emails.reporter : input.party.emails.head;
  const receiver = input.stage.to === 'coordinator' ? input.chain.coordinator
    : input.stage.to === 'pm_office' ? input.chain.pmOffice : input.chain.presidentialAdministration;

  let status: ObligationStatus = 'pending';
  let dueDate: IsoDate = input.dueDate;
  let timeline: ObligationTimeline | undefined;
  let replan = true;
  /** Deadline plans so far, minus one: the invite's SEQUENCE. */
  let sequence = -1;
  let pendingChange: { previousDueDate: IsoDate; reason: string } | null = null;
  const notices: { key: string; notice: ObligationNotice }[] = [];
  const done = new Set<string>();
  const sent: string[] = [];
  let report: StoredReport | null = null;
  let reportVersion = 0;
  let workingDaysLate: number | null = null;
  let lastReturn: ObligationView['lastReturn'] = null;
  let acceptedAt: string | null = null;
  let closedReason: string | null = null;
  let revision = 0;
  let eventSeq = 0;
  /** Bumped by every message, so the main loop's wait ends early when something changed. */
  let wake = 0;

  /** Whether the opening (event, first timeline, first row) is done: one local activity under the patch. */
  let opened = false;
  const openedPayload = () => ({ stage: input.stage, agencyCode: input.party.agencyCode, dueDate, cycleId });

  const planned = (): boolean => !replan && timeline !== undefined;
  const summary = (): ObligationSummary => ({
    obligationId,
    stageId: input.stage.id,
    agencyCode: input.party.agencyCode,
    status,
    dueDate,
    effectiveDueDate: planned() ? timeline!.effectiveDueDate : null,
    dueInstant: planned() ? timeline!.dueInstant : null,
    reportVersion,
    workingDaysLate,
    closedReason,
  });

  function setStatus(next: ObligationStatus): void {
    if (next !== status) upsertSearchAttributes([{ key: SearchAttributeKeys.Status, value: next }]);
    status = next;
    wake++;
  }

  async function record(type: string, actor: string, payload: Record<string, unknown>): Promise<void> {
    // Sequence numbers are deterministic per run, so a retried activity or a replay records the same row once.
    await acts.recordEvent({ idempotencyKey: `${obligationId}/${info.runId}/${++eventSeq}`, type, actor, subjectType: 'obligation', subjectId: obligationId, payload });
  }

  /** The read model row as of now, but for the planned deadline (effectiveDueDate, dueAt). */
  function projection() {
    return {
      workflowId: obligationId,
      runId: info.runId,
      revision: ++revision,
      cycleWorkflowId: cycleId,
      planId: input.planId,
      period: input.period,
      stageId: input.stage.id,
      agencyCode: input.party.agencyCode,
      status,
      dueDate,
      reportVersion,
      report,
      submittedAt: report?.submittedAt ?? null,
      workingDaysLate,
      acceptedAt,
      closedReason,
      openedAt,
      finishedAt: FINAL.includes(status) ? new Date().toISOString() : null,
    };
  }

  async function save(): Promise<void> {
    const s = summary();
    if (s.dueInstant === null) return; // the loop saves once the new deadline is planned
    await acts.saveObligation({ ...projection(), effectiveDueDate: s.effectiveDueDate, dueAt: s.dueInstant });
  }

  async function tellCycle(): Promise<void> {
    if (cycleId === null) return;
    try {
      await getExternalWorkflowHandle(cycleId).signal(obligationChangedSignal, summary());
    } catch (err) {
      if (isCancellation(err)) throw err;
      // The cycle may have closed meanwhile; this obligation's own record stays complete.
      log.warn('could not tell the cycle about a status change', { cycleId, error: String(err) });
    }
  }

  function moveDeadline(newDueDate: IsoDate, reason: string): void {
    pendingChange ??= { previousDueDate: dueDate, reason };
    dueDate = newDueDate;
    replan = true;
    // A later deadline lifts the overdue state; the re-planned timeline puts it back if the new one has passed too.
    if (status === 'overdue') setStatus('pending');
    wake++;
  }

  setHandler(obligationStatusQuery, (): ObligationView => ({ summary: summary(), report, lastReturn, sent: [...sent] }));

  setHandler(submitUpdate, async (submission: ReportSubmission) => {
    const submittedAt = new Date().toISOString();
    const version = ++reportVersion;
    report = { submittedBy: submission.submittedBy, items: submission.items.map((i) => ({ ...i })), version, submittedAt, late: false };
    // Set before anything is awaited: no escalation may go out once the report is in.
    setStatus('submitted');
    await condition(planned);
    const due = timeline!;
    const late = Date.parse(submittedAt) > Date.parse(due.dueInstant);
    const daysLate = late ? (await acts.measureLateness({ due, submittedAt })).workingDaysLate : 0;
    if (reportVersion === version) {
      workingDaysLate = daysLate;
      report = { ...report, late };
    }
    await record('report.submitted', submission.submittedBy, {
      version, late, workingDaysLate: daysLate, dueDate: due.dueDate, effectiveDueDate: due.effectiveDueDate, items: submission.items,
    });
    await save();
    await tellCycle();
    return { version, late, workingDaysLate: daysLate };
  }, {
    validator: (submission: ReportSubmission) => {
      if (FINAL.includes(status)) throw transition(`the report is already ${status}: nothing can be submitted any more`);
      const problems = validateReport(submission, input.party);
      if (problems.length > 0) {
        throw ApplicationFailure.create({ type: FailureType.InvalidReport, message: problems.join('; '), nonRetryable: true, details: [problems] });
      }
    },
  });

  setHandler(acceptUpdate, async ({ acceptedBy, comment }) => {
    acceptedAt = new Date().toISOString();
    setStatus('accepted');
    await record('report.accepted', acceptedBy, { version: reportVersion, comment: comment ?? null });
    await save();
    return summary();
  }, {
    validator: ({ acceptedBy }) => {
      if (status !== 'submitted') throw transition(`only a submitted report can be accepted; the obligation is ${status}`);
      if (typeof acceptedBy !== 'string' || acceptedBy.trim() === '') throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'acceptedBy: must name who accepts', nonRetryable: true });
    },
  });

  setHandler(returnReportUpdate, async ({ returnedBy, comment, newDueDate }) => {
    lastReturn = { comment, returnedBy, at: new Date().toISOString() };
    dueDate = newDueDate;
    replan = true;
    setStatus('returned');
    notices.push({ key: `returned:${obligationId}:v${reportVersion}`, notice: { kind: 'returned', comment, returnedBy } });
    await record('report.returned', returnedBy, { version: reportVersion, comment, newDueDate });
    return summary();
  }, {
    validator: ({ returnedBy, comment, newDueDate }) => {
      if (status !== 'submitted') throw transition(`only a submitted report can be returned; the obligation is ${status}`);
      if (typeof returnedBy !== 'string' || returnedBy.trim() === '') throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'returnedBy: must name who returns the report', nonRetryable: true });
      if (typeof comment !== 'string' || comment.trim() === '') throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'comment: say what must be fixed', nonRetryable: true });
      if (!isIsoDate(newDueDate)) throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `newDueDate: not a date (YYYY-MM-DD): "${String(newDueDate)}"`, nonRetryable: true });
    },
  });

  setHandler(extendUpdate, async ({ extendedBy, reason, newDueDate }) => {
    const from = dueDate;
    moveDeadline(newDueDate, reason);
    await record('deadline.extended', extendedBy, { from, to: newDueDate, reason });
    return summary();
  }, {
    validator: ({ extendedBy, reason, newDueDate }) => {
      if (!AWAITING_REPORT.includes(status)) throw transition(`only an obligation still awaiting its report can be extended; it is ${status}`);
      if (typeof extendedBy !== 'string' || extendedBy.trim() === '') throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'extendedBy: must name who extends', nonRetryable: true });
      if (typeof reason !== 'string' || reason.trim() === '') throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'reason: say why the deadline is extended', nonRetryable: true });
      if (!isIsoDate(newDueDate)) throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `newDueDate: not a date (YYYY-MM-DD): "${String(newDueDate)}"`, nonRetryable: true });
      if (newDueDate <= dueDate) throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `newDueDate: an extension must be later than ${dueDate}`, nonRetryable: true });
    },
  });

  // From the cycle: a plan amendment moved this deadline. Signals cannot be refused, so stale ones are recorded and dropped.
  setHandler(changeDeadlineSignal, async ({ amendmentId, newDueDate, reason, actor }) => {
    const from = dueDate;
    const applies = !FINAL.includes(status) && isIsoDate(newDueDate) && newDueDate !== dueDate;
    if (applies) moveDeadline(newDueDate, reason);
    await record(applies ? 'deadline.moved' : 'deadline.move_ignored', actor, { amendmentId, from, to: newDueDate, reason });
  });

  setHandler(closeObligationSignal, async ({ reason, actor }) => {
    if (FINAL.includes(status)) return;
    closedReason = reason;
    setStatus('closed');
    await record('obligation.closed', actor, { reason });
  });

  /** Sends one notice and records it (or why it could not be sent). */
  async function notify(item: { recipients: readonly string[]; lang: Lang; at?: string }, key: string, notice: ObligationNotice, eventType: string): Promise<void> {
    const details = { key, to: item.recipients, lang: item.lang, notice, plannedFor: item.at ?? null };
    if (item.recipients.length === 0) {
      await record('notice.undeliverable', 'system', { ...details, reason: 'no e-mail address on file' });
      return;
    }
    const due = timeline!;
    try {
      const result = await mail.sendObligationMail({
        dedupeKey: key, notice, to: item.recipients, lang: item.lang, obligationId, planTitle: input.planTitle, period: input.period,
        party: input.party, receiver: receiver.name, due, sequence, now: new Date().toISOString(),
      });
      sent.push(key);
      // sentAt (workflow time) against plannedFor shows how long SMTP kept the notice waiting.
      await record(eventType, 'system', { ...details, messageId: result.messageId, alreadySent: result.alreadySent, dueInstant: due.dueInstant, sentAt: new Date().toISOString() });
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure) || (cause.type !== FailureType.MailRejected && cause.type !== FailureType.InvalidInput)) throw err;
      // A refusal that retrying cannot fix: record it for the coordinator and go on with the ladder.
      await record('notice.failed', 'system', { ...details, error: cause.message });
    }
  }

  async function plan(): Promise<void> {
    replan = false;
    const requested = dueDate;
    const timelineInput = {
      stage: input.stage, party: input.party, chain: input.chain, dueDate: requested,
      shift: input.shift, reminders: input.reminders, escalation: input.escalation,
    };
    // Under the patch the first plan also records the opening and writes the read model: one local activity, not three.
    const opening = localDb && !opened;
    opened = true;
    const next = opening
      ? await acts.openObligation({
        event: { idempotencyKey: `${obligationId}/${info.runId}/${++eventSeq}`, type: 'obligation.opened', actor: 'system', payload: openedPayload() },
        timeline: timelineInput,
        projection: projection(),
      })
      : await acts.planObligationTimeline(timelineInput);
    if (replan || dueDate !== requested) return; // moved again meanwhile: plan the newest
    timeline = next;
    sequence++;
    // Notices already due when a timeline is planned (a late start, a deadline moved into the past) would all arrive at once: skip them.
    // The deadline itself is never skipped, because it changes the status.
    const now = Date.now();
    for (const item of next.items) {
      if (item.kind !== 'deadline' && Date.parse(item.at) < now) done.add(itemKey(obligationId, next.dueInstant, item));
    }
    const change = pendingChange;
    pendingChange = null;
    if (change !== null && AWAITING_REPORT.includes(status)) {
      notices.push({ key: `deadline-changed:${obligationId}:${sequence}:${next.dueInstant}`, notice: { kind: 'deadline_changed', ...change } });
    }
    if (!opening) await save();
    // The cycle knows the first deadline already (it set it); it hears of re-planned ones, which a message caused.
    if (!localDb || sequence > 0) await tellCycle();
  }

  async function handle(item: TimelineItem, key: string): Promise<void> {
    switch (item.kind) {
      case 'reminder':
        await notify(item, key, { kind: 'reminder', offset: item.offset, unit: item.unit }, 'reminder.sent');
        break;
      case 'deadline':
        setStatus('overdue');
        await record('obligation.overdue', 'system', { dueDate, effectiveDueDate: timeline!.effectiveDueDate, dueInstant: timeline!.dueInstant });
        await save();
        await tellCycle();
        break;
      case 'escalation':
        await notify(item, key, { kind: 'escalation', step: item.step, after: item.after, unit: item.unit, audience: item.audience }, 'escalation.sent');
        break;
    }
    done.add(key);
  }

  async function run(): Promise<void> {
    if (!localDb) await record('obligation.opened', 'system', openedPayload());
    while (!FINAL.includes(status)) {
      if (replan) {
        await plan();
        continue;
      }
      const notice = notices.shift();
      if (notice !== undefined) {
        await notify({ recipients: partyRecipients, lang: input.party.lang }, notice.key, notice.notice, 'notice.sent');
        continue;
      }
      const current = timeline!;
      const next = AWAITING_REPORT.includes(status)
        ? current.items.find((item) => !done.has(itemKey(obligationId, current.dueInstant, item)))
        : undefined;
      const seen = wake;
      if (next === undefined) {
        await condition(() => wake !== seen);
        continue;
      }
      const wait = Date.parse(next.at) - Date.now();
      if (wait > 0 && (await condition(() => wake !== seen, wait))) continue;
      // A message may have landed in the same activation as the timer: the item may no longer apply.
      if (wake !== seen) continue;
      await handle(next, itemKey(obligationId, current.dueInstant, next));
    }
  }

  // The cycle sets these when it starts the child; setting them here too makes a standalone obligation (a test, a backfill) listable.
  const attributes = [
    { key: SearchAttributeKeys.PlanId, value: input.planId },
    { key: SearchAttributeKeys.Period, value: input.period },
    { key: SearchAttributeKeys.Stage, value: input.stage.id },
    { key: SearchAttributeKeys.AgencyCode, value: input.party.agencyCode },
    { key: SearchAttributeKeys.Status, value: status },
  ];
  const missing = localDb ? attributes.filter(({ key, value }) => info.typedSearchAttributes.get(key) !== value) : attributes;
  if (missing.length > 0) upsertSearchAttributes(missing);
  try {
    await run();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // The cycle went away (ParentClosePolicy REQUEST_CANCEL): leave a closed record, not one that looks pending forever.
    await CancellationScope.nonCancellable(async () => {
      closedReason = 'cycle cancelled';
      setStatus('closed');
      await record('obligation.closed', 'system', { reason: closedReason });
      await save();
    });
    throw err;
  }
  await condition(allHandlersFinished);
  await save();
  return { summary: summary() };
}
