// reportingCycleWorkflow: one plan × period — opens an obligation per party per stage, applies plan amendments, closes on repeal.
// Running cycles replay this code (test/replay/histories): a change to the commands it issues goes behind patched().
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  sleep,
  makeContinueAsNewFunc,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
  type ExternalWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities, OpenedObligation } from '../activities/index.js';
import {
  stageChain,
  type CloseCycleInput,
  type CycleStatus,
  type PartySpec,
  type PlanAmendment,
} from '../domain/cycle-model.js';
import { validateCycleSpec } from '../domain/cycle-validation.js';
import { timelineFromAnswers, type ObligationTimeline } from '../domain/cycle-timeline.js';
import { addDays, parseIsoDate, type IsoDate } from '../domain/dates.js';
import { KZ_TIME_ZONE, localDateOf, localToInstant } from '../domain/tz.js';
import {
  CycleState,
  cutText,
  type AmendmentStep,
  type CycleCarry,
  type Entry,
  type StageState,
} from './cycle-state.js';
import { dataRejection } from './failures.js';
import { obligationWorkflow } from './obligation.js';
import {
  ObligationState,
  OPENING_REVISION,
  openedEventKey,
  receiverOf,
  reminderPlanOf,
  timelineInputOf,
} from './obligation-state.js';
import { ReminderBook, awaitingStatus, runReminderBatches } from './reminder-batch.js';
import {
  CYCLE_CONTINUE_AS_NEW_PATCH,
  CYCLE_PATCHES_FIRST_PATCH,
  DIGEST_TIMER_PATCH,
  REMINDER_TIMER_PATCH,
  CYCLE_OPENS_OBLIGATIONS_PATCH,
  CYCLE_TEXTS_PATCH,
  BATCHED_REMINDERS_PATCH,
  DB_RETRY,
  DIGESTS_PATCH,
  DIGEST_TIME,
  FailureType,
  MAIL_RETRY,
  OPENING_MODES_PATCH,
  STATUS_ATTRIBUTE_PATCH,
  SearchAttributeKeys,
  amendPlanSignal,
  closeCycleSignal,
  closeObligationSignal,
  changeDeadlineSignal,
  readdressSignal,
  READDRESS_PATCH,
  cycleStatusQuery,
  obligationChangedSignal,
  type ObligationInput,
  type ReminderPlan,
  type ReportingCycleInput,
  type ReportingCycleResult,
} from './shared.js';

/**
 * A stage with its own recipient (a measure whose completion form names an agency, StageSpec.recipient) hands its
 * obligations a chain with that agency as the receiver. Cycles that started obligations before this did so with the
 * plan's chain: replaying them keeps it. Asked only for such stages, so every other cycle's history is unchanged.
 */
export const STAGE_RECIPIENT_PATCH = 'stage-recipient-receives-obligations';

/**
 * An event PostgreSQL refuses (FailureType.DataRejected) is recorded as `event.rejected` without its data and the cycle goes on;
 * before, the activity retried for ever. Asked only when that failure happens, so histories that never met one replay unchanged.
 */
export const CYCLE_DATA_REJECTED_PATCH = 'cycle-data-rejected';

/**
 * Cycles opened since this patch start their obligations in batches (one workflow task issues up to OPEN_BATCH child starts
 * instead of one, so a 500-party cycle opens in a few round trips) and write events and the read model through local
 * activities. Cycles opened earlier replay their one-by-one starts and scheduled activities.
 */
export const CYCLE_BATCHED_OPEN_PATCH = 'cycle-batched-open-local-db';

/** The first digest instant (DIGEST_TIME, Kazakhstan time) after `atMs`. */
function digestAfter(atMs: number): number {
  const at = (date: string): number => {
    const { year, month, day } = parseIsoDate(date);
    return localToInstant({ year, month, day, hour: DIGEST_TIME.hour, minute: DIGEST_TIME.minute }, KZ_TIME_ZONE);
  };
  const today = at(localDateOf(atMs));
  return today > atMs ? today : at(addDays(localDateOf(atMs), 1));
}

/**
 * A timer that fires at `atMs` (at once if that has passed) and says so in `fired`; a cancelled cycle cancels it with its
 * scope (the rejection is the cycle's own cancellation, handled there).
 */
function timerUntil(atMs: number): { readonly at: number; fired: boolean } {
  const timer = { at: atMs, fired: false };
  const wait = atMs - Date.now();
  if (wait <= 0) timer.fired = true;
  else
    sleep(wait).then(
      () => {
        timer.fired = true;
      },
      () => undefined,
    );
  return timer;
}

/** Child starts per workflow task: bounded so one task's commands (each with its party's input) stay far below message limits. */
export const OPEN_BATCH = 100;

/**
 * CYCLE_OPENS_OBLIGATIONS_PATCH: an obligation whose deadline falls due sooner than this after its batch was planned is opened
 * the old way (it records its own opening). A child so opened records nothing before its first timer or message — but the
 * deadline's timer is its own, and the cycle records the opening a workflow task after the start: the margin keeps the
 * opening first even while PostgreSQL is down for hours (the recording is retried meanwhile).
 */
export const OPEN_DEADLINE_MARGIN_MS = 24 * 60 * 60 * 1000;

/** One obligation the cycle started with its plan (CYCLE_OPENS_OBLIGATIONS_PATCH), its opening not yet recorded. */
interface Opening {
  readonly opened: OpenedObligation;
  /** The reminders the child marked handed; undefined: none (it hands none, as its own signal would have sent none). */
  readonly reminders: ReminderPlan | undefined;
}

const scheduled = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '1 minute',
  retry: DB_RETRY,
});
const localMail = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '1 minute',
  retry: MAIL_RETRY,
});

/**
 * Events after which a cycle continues as new. Checked before each amendment: a whole
 * stage of 2,000 obligations amended adds ~8,700 events (about 4 an obligation: the signal to it, its one answer, their share
 * of workflow tasks), so no run passes Temporal's 10,240-event warning (history-bounds.test.ts).
 */
export const CYCLE_HISTORY_EVENTS = 1_000;
/**
 * …or after this many bytes of history added by the run (Temporal warns at 10 MiB): a run of 2,000 obligations takes up
 * ~2.5 MB and one whole-stage amendment adds ~4.8 MB. The server's own suggestion (`continueAsNewSuggested`, at 4 MiB of
 * history by default) is not followed: it counts the state a run loads (a cycle of 1,500 obligations of a national plan
 * loads ~5 MB), so a large cycle would continue as new again after every CYCLE_MIN_RUN_EVENTS, rewriting its whole state
 * each time. Growth since the run's start bounds each run instead. (Taking the suggestion away only ever continues later
 * than before, never at a point where a running cycle did not: histories replay unchanged.)
 */
export const CYCLE_HISTORY_BYTES = 2 ** 20;
/**
 * Events a run adds before it may continue as new at all: the state a large cycle takes up counts towards its size once, and
 * must not make every run continue again at once.
 */
export const CYCLE_MIN_RUN_EVENTS = 100;

/** Characters per chunk of a carried state: at most ~192 KB of UTF-8 (Cyrillic), under Temporal's 256 KB payload warning. */
export const CARRY_CHUNK_CHARS = 64 * 1024;

/** What a run carries into the next: the cycle's state and the reminders it holds, not yet sent. */
export interface RunCarry extends CycleCarry {
  readonly reminders: readonly ReminderPlan[];
}

/** Reads back what the run before carried (ReportingCycleInput.carried), chunk by chunk, each checked by the activity. */
async function loadCarry(
  ref: NonNullable<ReportingCycleInput['carried']>,
): Promise<{ carry: RunCarry; historyBytes: number }> {
  const chunks = await Promise.all(ref.chunks.map((hash) => local.loadCycleCarry({ hash })));
  const text = chunks.map((c) => c.chunk).join('');
  if (text.length !== ref.chars)
    throw ApplicationFailure.nonRetryable(`carried state: ${text.length} characters read, ${ref.chars} written`);
  return { carry: JSON.parse(text) as RunCarry, historyBytes: chunks.reduce((n, c) => n + payloadBytes(c.chunk), 0) };
}

/**
 * About how many bytes a chunk takes in history as a local activity's result (JSON-escaped, UTF-8): the run's history size is
 * read at the start of a workflow task, so the markers the load adds in its first task are not in it yet.
 */
function payloadBytes(chunk: string): number {
  let n = 16;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    n += c < 0x80 ? (c === 0x22 || c === 0x5c ? 2 : 1) : c < 0x800 ? 2 : 3;
  }
  return n;
}

/** One reporting cycle of a plan for one period; completes when every obligation is accepted or closed. */
export async function reportingCycleWorkflow(input: ReportingCycleInput): Promise<ReportingCycleResult> {
  // Asked first, once: the marker lands in the first workflow task, and the answer holds for the whole run. A run that asks
  // CYCLE_PATCHES_FIRST_PATCH takes every patch asked later in this code as given (`later`): only runs recorded before it ask
  // them where they are needed.
  const first = patched(CYCLE_PATCHES_FIRST_PATCH);
  const later = (patchId: string): boolean => first || patched(patchId);
  const batched = patched(CYCLE_BATCHED_OPEN_PATCH);
  const renamed = patched(STATUS_ATTRIBUTE_PATCH);
  const rolling = patched(CYCLE_CONTINUE_AS_NEW_PATCH);
  const statusKey = renamed ? SearchAttributeKeys.CycleStatus : SearchAttributeKeys.Status;
  const acts = batched ? local : scheduled;
  const { spec } = input;
  // Asked only by cycles given an opening mode (OPENING_MODES_PATCH), so earlier histories replay unchanged.
  const mode = input.opening !== undefined && patched(OPENING_MODES_PATCH) ? input.opening.mode : undefined;
  const digests = input.digests === true && patched(DIGESTS_PATCH);
  // Asked only by cycles whose spec keeps its texts by hash (CYCLE_TEXTS_PATCH): obligations get the hash, not the titles.
  const texts = spec.texts !== undefined && patched(CYCLE_TEXTS_PATCH) ? spec.texts.hash : undefined;
  // Asked only by cycles given batchedReminders (the opener's, since the patch): earlier histories replay unchanged.
  const batchReminders = input.batchedReminders === true && patched(BATCHED_REMINDERS_PATCH);
  const problems = validateCycleSpec(spec);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: FailureType.InvalidInput,
      message: `spec: ${problems.join('; ')}`,
      nonRetryable: true,
      details: [problems],
    });
  }
  const info = workflowInfo();
  const cycleId = info.workflowId;
  const state = new CycleState(spec, cycleId, info.runId);
  const book = new ReminderBook();
  // Where this run starts, read in its first activation (CYCLE_PATCHES_FIRST_PATCH): after the carry's load below the code may
  // resume in a later workflow task live than in replay, and the history's length would differ.
  const started = { events: workflowInfo().historyLength, bytes: workflowInfo().historySize };
  // A continued run takes up what the run before it carried before it handles any message of its own (signals wait for their
  // handlers, registered below).
  const loaded = input.carried === undefined ? undefined : await loadCarry(input.carried);
  const carried = loaded?.carry;
  if (carried !== undefined) {
    state.restore(carried);
    book.restore(carried.reminders);
  }
  const openedAt = carried?.openedAt ?? new Date().toISOString();
  // What the run held when it had taken up what was carried: its growth from here decides when it continues as new.
  // (The markers of the load itself are counted in: the size read here is the one at the start of this workflow task. Counting
  // them only ever continues later than before, so earlier histories replay unchanged.)
  const runStart = {
    events: first ? started.events : workflowInfo().historyLength,
    bytes: (first ? started.bytes : workflowInfo().historySize) + (loaded?.historyBytes ?? 0),
  };

  setHandler(cycleStatusQuery, () => state.view());
  setHandler(amendPlanSignal, (amendment) => state.enqueueAmendment(amendment));
  setHandler(closeCycleSignal, (request) => state.requestClose(request));
  setHandler(obligationChangedSignal, (summary) => state.obligationChanged(summary));

  async function record(type: string, actor: string, payload: Record<string, unknown>): Promise<void> {
    const idempotencyKey = state.nextEventKey();
    try {
      await acts.recordEvent({ idempotencyKey, type, actor, subjectType: 'cycle', subjectId: cycleId, payload });
    } catch (err) {
      const rejection = dataRejection(err);
      if (rejection === undefined || !later(CYCLE_DATA_REJECTED_PATCH)) throw err;
      // Recorded without the refused data (a NUL in a signal's text…): the cycle goes on rather than retrying for ever.
      log.error('PostgreSQL refused an event of this cycle; recorded without its data', {
        cycleId,
        type,
        error: rejection.message,
      });
      await acts.recordEvent({
        idempotencyKey: `${idempotencyKey}/rejected`,
        type: 'event.rejected',
        actor: 'system',
        subjectType: 'cycle',
        subjectId: cycleId,
        payload: { what: type, error: rejection.message },
      });
    }
  }

  async function save(): Promise<void> {
    await acts.saveCycle(state.cycleRow(openedAt, new Date().toISOString()));
  }

  function obligationInput(stage: StageState, party: PartySpec, dueDate: IsoDate): ObligationInput {
    // The chain is who receives and who is escalated to: their names and addresses, not the measures they report on themselves
    // (up to ~20 KB each on a large plan, which would be copied into every obligation's input).
    const member = (p: PartySpec): PartySpec => (batched ? { ...p, measures: [] } : p);
    const chain = {
      // The spec's coordinator, or its successor once an amendment replaced it (state.coordinator).
      coordinator: member(state.coordinator),
      pmOffice: member(spec.pmOffice),
      presidentialAdministration: member(spec.presidentialAdministration),
    };
    return {
      planId: spec.planId,
      planTitle: spec.planTitle,
      period: spec.period,
      policyId: spec.policyId,
      stage: { id: stage.spec.id, from: stage.spec.from, to: stage.spec.to },
      party,
      dueDate,
      shift: spec.shift,
      reminders: spec.reminders,
      escalation: spec.escalation,
      chain: stage.spec.recipient !== undefined && later(STAGE_RECIPIENT_PATCH) ? stageChain(chain, stage.spec) : chain,
      // Only when the policy opts in, so every other obligation's input is as before.
      ...(spec.escalateToPresidentialAdministration === true ? { escalateToPresidentialAdministration: true } : {}),
      ...(mode === undefined ? {} : { opening: mode }),
      ...(digests ? { digests: true as const } : {}),
      ...(texts === undefined ? {} : { texts }),
      ...(batchReminders ? { remindersByCycle: true as const } : {}),
      ...(rolling ? { tellsEnd: true as const } : {}),
    };
  }

  async function startObligation(
    stage: StageState,
    party: PartySpec,
    dueDate: IsoDate,
    prepared?: ObligationInput,
  ): Promise<Entry> {
    const entry = state.addEntry(stage, party, dueDate);
    const workflowId = entry.summary.obligationId;
    entry.handle = await startChild(obligationWorkflow, {
      workflowId,
      args: [prepared ?? obligationInput(stage, party, dueDate)],
      // Obligations end before their cycle; if the cycle is terminated or cancelled by hand, its children are asked to close
      // (recording why) rather than killed mid-step (TERMINATE) or left reminding for a cycle that is gone (ABANDON).
      // A cycle that continues as new abandons them instead (a continue-as-new closes the run), and cancels them itself.
      parentClosePolicy: rolling ? ParentClosePolicy.ABANDON : ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: SearchAttributeKeys.PlanId, value: spec.planId },
        { key: SearchAttributeKeys.Period, value: spec.period },
        { key: SearchAttributeKeys.Stage, value: stage.spec.id },
        { key: SearchAttributeKeys.AgencyCode, value: party.agencyCode },
        { key: renamed ? SearchAttributeKeys.ObligationStatus : SearchAttributeKeys.Status, value: 'pending' },
      ],
    });
    entry.handle.result().then(
      (result) => state.childFinished(entry, result.summary),
      (err: unknown) => {
        state.childFailed(entry);
        log.error('obligation failed', { workflowId, error: String(err) });
      },
    );
    return entry;
  }

  /** Openings started but not yet recorded (CYCLE_OPENS_OBLIGATIONS_PATCH): recorded before any signal to them. */
  let unrecorded: Opening[] = [];

  /** Records the openings started so far in one local activity, then takes their reminders (as their signal would have). */
  async function recordOpenings(): Promise<void> {
    const batch = unrecorded;
    if (batch.length === 0) return;
    await local.recordObligationsOpened({ opened: batch.map((o) => o.opened) });
    unrecorded = unrecorded.filter((o) => !batch.includes(o));
    for (const o of batch) if (o.reminders !== undefined) book.take(o.reminders);
  }

  /** What the cycle records for a child it opened: exactly what the child's own opening (openObligation) would have written. */
  function openingOf(
    obligationId: string,
    input: ObligationInput,
    planned: NonNullable<ObligationInput['planned']>,
    timeline: ObligationTimeline,
    runId: string,
  ): Opening {
    const child = new ObligationState(input, {
      obligationId,
      runId,
      cycleId,
      openedAt: planned.openedAt,
      openWithFirstPlan: true,
      ...(input.opening === undefined ? {} : { opening: input.opening }),
    });
    const payload = child.openedPayload();
    const projection = child.projection(planned.openedAt);
    if (projection.revision !== OPENING_REVISION) throw new Error(`opening revision ${projection.revision}`);
    const { requested } = child.beginPlan();
    child.takePlan(timeline, requested, Date.parse(planned.openedAt));
    const items = child.handOverReminders();
    return {
      opened: {
        idempotencyKey: openedEventKey(child.id.obligationId, runId),
        payload,
        row: { ...projection, effectiveDueDate: timeline.effectiveDueDate, dueAt: timeline.dueInstant },
      },
      reminders: items.length > 0 ? reminderPlanOf(child, runId, receiverOf(input, input.chain), items) : undefined,
    };
  }

  /**
   * CYCLE_OPENS_OBLIGATIONS_PATCH: opens the obligations OPEN_BATCH at a time, planning each batch's timelines in one local
   * activity before its starts and recording its openings in one after them — the recording of batch k in the same workflow
   * task as the planning of batch k+1. Returns once every opening is recorded.
   */
  async function openInBatches(owed: ReturnType<CycleState['owed']>): Promise<void> {
    for (let i = 0; i < owed.length; i += OPEN_BATCH) {
      const slice = owed
        .slice(i, i + OPEN_BATCH)
        .map((o) => ({ ...o, input: obligationInput(o.stage, o.party, o.dueDate) }));
      const openedAt = new Date().toISOString();
      const [plans] = await Promise.all([
        local.planObligationTimelines({
          // The party's measures play no part in its timeline: left out, so 100 inputs stay small.
          timelines: slice.map((o) =>
            timelineInputOf({ ...o.input, party: { ...o.party, measures: [] } }, o.input.chain, o.dueDate, true),
          ),
        }),
        recordOpenings(),
      ]);
      const soonest = Date.now() + OPEN_DEADLINE_MARGIN_MS;
      const started = await Promise.all(
        slice.map(async (o, k) => {
          const plan = plans[k]!;
          // The timeline the child will compute from the same answers (the calendar's, in a few dozen bytes of its input).
          const timeline = plan.ok
            ? timelineFromAnswers(timelineInputOf(o.input, o.input.chain, o.dueDate, true), plan.calendar)
            : undefined;
          const planned =
            plan.ok && timeline !== undefined && Date.parse(timeline.dueInstant) > soonest
              ? { calendar: plan.calendar, openedAt }
              : undefined;
          const input = planned === undefined ? o.input : { ...o.input, planned };
          const entry = await startObligation(o.stage, o.party, o.dueDate, input);
          return planned === undefined
            ? undefined
            : openingOf(entry.summary.obligationId, input, planned, timeline!, entry.handle!.firstExecutionRunId);
        }),
      );
      for (const o of started) if (o !== undefined) unrecorded.push(o);
    }
    await recordOpenings();
  }

  async function signalChild(
    entry: Entry,
    send: (handle: Pick<ChildWorkflowHandle<typeof obligationWorkflow>, 'signal'>) => Promise<void>,
    what: string,
  ): Promise<void> {
    try {
      // An obligation an earlier run started (continue-as-new) is reached by its workflow id.
      const external: Pick<ExternalWorkflowHandle, 'signal'> | undefined =
        entry.handle === undefined ? getExternalWorkflowHandle(entry.summary.obligationId) : undefined;
      await send(entry.handle ?? external!);
    } catch (err) {
      if (isCancellation(err)) throw err;
      // It ended between our look and the signal: its result tells the rest.
      log.warn(`could not ${what}`, { obligationId: entry.summary.obligationId, error: String(err) });
    }
  }

  /** Carries out one step of an applied amendment; a signal goes only to an obligation still open at that moment. */
  async function perform(step: AmendmentStep): Promise<void> {
    switch (step.kind) {
      case 'changeDeadline': {
        const entry = state.openEntry(step.stageId, step.agencyCode);
        if (entry !== undefined)
          await signalChild(entry, (h) => h.signal(changeDeadlineSignal, step.signal), 'move a deadline');
        return;
      }
      case 'close': {
        const entry = state.openEntry(step.stageId, step.agencyCode);
        if (entry !== undefined)
          await signalChild(entry, (h) => h.signal(closeObligationSignal, step.signal), 'close an obligation');
        return;
      }
      case 'start':
        await startObligation(step.stage, step.party, step.dueDate);
        return;
      case 'readdress': {
        const entry = state.openEntry(step.stageId, step.agencyCode);
        // A cycle keeping its texts by hash sends the successor as a chain member (no measures), as obligationInput does.
        const signal =
          texts === undefined
            ? step.signal
            : { ...step.signal, coordinator: { ...step.signal.coordinator, measures: [] } };
        if (entry !== undefined)
          await signalChild(entry, (h) => h.signal(readdressSignal, signal), 're-address an obligation');
        return;
      }
    }
  }

  /**
   * Since CYCLE_CONTINUE_AS_NEW_PATCH an amendment's signals go out OPEN_BATCH at a time (one workflow task for many, as the
   * opening starts children) rather than one per task: a whole stage's deadline moved for 2,000 obligations then adds ~3 events
   * per obligation instead of ~7. A start stays in its place between them (a successor after its predecessor's close).
   */
  async function performBatched(steps: readonly AmendmentStep[]): Promise<void> {
    for (let i = 0; i < steps.length;) {
      if (steps[i]!.kind === 'start') {
        await perform(steps[i++]!);
        continue;
      }
      let j = i;
      while (j < steps.length && steps[j]!.kind !== 'start' && j - i < OPEN_BATCH) j++;
      await Promise.all(steps.slice(i, j).map(perform));
      i = j;
    }
  }

  async function applyAmendment(a: PlanAmendment): Promise<void> {
    if (state.isDuplicate(a)) return;
    if (a.kind === 'replaceCoordinator' && !later(READDRESS_PATCH)) return;
    const { note, steps } = state.amend(a);
    if (rolling) await performBatched(steps);
    else for (const step of steps) await perform(step);
    state.noteAmendment(a, note);
    await record(note === null ? 'plan.amended' : 'plan.amendment_ignored', a.actor, { amendment: a, note });
    await save();
  }

  /** Catch-up: the coordinator's one summary of the obligations whose deadline had passed when the cycle opened. */
  async function summariseOverdue(owed: ReturnType<CycleState['owed']>): Promise<void> {
    const overdue = owed.filter((o) => {
      const stage = spec.stages.find((st) => st.id === o.stage.spec.id)!;
      return Date.parse(stage.dueInstant) < Date.parse(openedAt);
    });
    if (overdue.length === 0) return;
    const to =
      spec.coordinator.emails.reporter.length > 0 ? spec.coordinator.emails.reporter : spec.coordinator.emails.head;
    const payload = {
      to,
      overdue: overdue.map((o) => ({ agencyCode: o.party.agencyCode, stageId: o.stage.spec.id, dueDate: o.dueDate })),
    };
    if (to.length === 0) {
      await record('opening_summary.undeliverable', 'system', { ...payload, reason: 'no e-mail address on file' });
      return;
    }
    try {
      const sent = await localMail.sendOpeningSummary({
        dedupeKey: `opening-summary:${cycleId}`,
        to,
        lang: spec.coordinator.lang,
        planTitle: spec.planTitle,
        period: spec.period,
        overdue: overdue.map((o) => ({ name: o.party.name, stageId: o.stage.spec.id, dueDate: o.dueDate })),
      });
      await record('opening_summary.sent', 'system', { ...payload, messageId: sent.messageId });
    } catch (err) {
      // A refusal retrying cannot fix (a bad address, the relay refusing the recipient): recorded, the cycle goes on.
      const failure = err instanceof ActivityFailure ? err.cause : err;
      const type = failure instanceof ApplicationFailure ? failure.type : undefined;
      if (type !== FailureType.MailRejected && type !== FailureType.InvalidInput) throw err;
      await record('opening_summary.failed', 'system', { ...payload, error: (failure as ApplicationFailure).message });
    }
  }

  /** The plan's digests of the day of `atMs` (the activity sends them on working days, each once per plan and day). */
  async function sendDigests(atMs: number): Promise<void> {
    const day = localDateOf(atMs);
    try {
      const result = await localMail.sendDailyDigests({
        planId: spec.planId,
        planTitle: spec.planTitle,
        day,
        at: new Date().toISOString(),
        coordinator: { ...spec.coordinator, measures: [] },
        pmOffice: { ...spec.pmOffice, measures: [] },
      });
      for (const sent of [result.pmOffice, result.coordinator])
        if (sent !== null) await record('digest.sent', 'system', { day, ...sent });
    } catch (err) {
      const failure = err instanceof ActivityFailure ? err.cause : err;
      const type = failure instanceof ApplicationFailure ? failure.type : undefined;
      if (type !== FailureType.MailRejected && type !== FailureType.InvalidInput) throw err;
      await record('digest.failed', 'system', { day, error: (failure as ApplicationFailure).message });
    }
  }

  /** The history nears Temporal's limits (or the server says so): time to continue as new. Counted from this run's start. */
  function historyFull(): boolean {
    const now = workflowInfo();
    if (input.continueAsNewAfter !== undefined) return now.historyLength >= input.continueAsNewAfter;
    const events = now.historyLength - runStart.events;
    if (events < CYCLE_MIN_RUN_EVENTS) return false;
    return events >= CYCLE_HISTORY_EVENTS || now.historySize - runStart.bytes >= CYCLE_HISTORY_BYTES;
  }

  /**
   * Continues as new (CYCLE_CONTINUE_AS_NEW_PATCH): lets a reminder batch in flight finish, stores what the next run needs in
   * `cycle_carries` (chunks by hash) and continues with their hashes. A message that arrives while the chunks are stored
   * changes the state: it is stored again, so nothing handled by this run is left out of what it carries. (One that arrives
   * after, while the run closes, goes to the next run: the server refuses to close a run with a message it has not seen.)
   */
  async function rollOver(): Promise<never> {
    await reminders?.stop();
    await condition(allHandlersFinished);
    const runs = (carried?.runs ?? 0) + 1;
    for (;;) {
      const seen = state.wake + book.wake;
      const carry: RunCarry = {
        ...state.carry({ openedAt, nextDigest, runs }),
        reminders: book.carry((id) => state.entries.get(id)?.finished === false),
      };
      const text = JSON.stringify(carry);
      const chunks = cutText(text, CARRY_CHUNK_CHARS);
      const saved = await Promise.all(chunks.map((chunk) => local.saveCycleCarry({ cycleId, chunk })));
      if (state.wake + book.wake !== seen) continue;
      log.info('cycle continues as new', { cycleId, runs, events: workflowInfo().historyLength, chars: text.length });
      // The next run keeps this one's workflow task timeout (CYCLE_TASK_TIMEOUT_PATCH), said here rather than left to the server.
      return makeContinueAsNewFunc<typeof reportingCycleWorkflow>({
        workflowTaskTimeout: workflowInfo().taskTimeoutMs,
      })({
        ...input,
        carried: { chunks: saved.map((s) => s.hash), chars: text.length, runs },
      });
    }
  }

  function refreshStage(): void {
    const stage = state.refreshStage();
    if (stage !== null) upsertSearchAttributes([{ key: SearchAttributeKeys.Stage, value: stage }]);
  }

  async function finish(final: Exclude<CycleStatus, 'open'>, reason: string | null): Promise<ReportingCycleResult> {
    state.finish(final, reason);
    upsertSearchAttributes([{ key: statusKey, value: final }]);
    await save();
    return { status: final, closedReason: state.closedReason, obligations: state.view().obligations };
  }

  upsertSearchAttributes([
    { key: SearchAttributeKeys.PlanId, value: spec.planId },
    { key: SearchAttributeKeys.Period, value: spec.period },
    { key: SearchAttributeKeys.Stage, value: state.currentStage },
    { key: statusKey, value: state.status },
  ]);
  let result: ReportingCycleResult;
  let nextDigest = carried?.nextDigest ?? digestAfter(Date.now());
  // Asked only by cycles that send digests, when the loop starts: earlier histories replay unchanged.
  const keepDigestTimer = digests && later(DIGEST_TIMER_PATCH);
  let digestTimer: { readonly at: number; fired: boolean } | undefined;
  // BATCHED_REMINDERS_PATCH: the obligations hand their reminders to this loop, which sends those due at one instant together.
  const reminders = batchReminders
    ? runReminderBatches(
        {
          cycleId,
          planTitle: spec.planTitle,
          period: spec.period,
          ...(texts === undefined ? {} : { texts }),
          target: (id) => {
            const entry = state.entries.get(id);
            return entry === undefined
              ? undefined
              : { party: entry.party, awaiting: awaitingStatus(entry.summary.status, entry.finished) };
          },
          changed: (summary) => state.obligationChanged(summary),
          keepTimer: later(REMINDER_TIMER_PATCH),
        },
        book,
      )
    : undefined;
  try {
    // A continued run opened nothing: its obligations were started by the runs before it.
    if (carried === undefined)
      await record('cycle.opened', 'system', {
        planId: spec.planId,
        period: spec.period,
        policyId: spec.policyId,
        stages: spec.stages.map((s) => ({ id: s.id, dueDate: s.dueDate, parties: s.parties.map((p) => p.agencyCode) })),
        // Which rule made a party (a group re-expanded for this cycle, a successor): the cycle's history says it.
        ...(spec.stages.some((s) => s.parties.some((p) => p.via !== undefined))
          ? {
              via: spec.stages.flatMap((s) =>
                s.parties.flatMap((p) =>
                  p.via === undefined ? [] : [{ stageId: s.id, agencyCode: p.agencyCode, via: p.via }],
                ),
              ),
            }
          : {}),
        ...(mode === undefined ? {} : { mode }),
      });
    if (carried === undefined) await save();
    // Every stage opens with the cycle: the coordinator can consolidate as reports arrive, and each deadline is fixed by the policy.
    const owed = carried === undefined ? state.owed() : [];
    // Asked only by new cycles that hold their obligations' reminders, opened live (no mode, or catch-up — the opener's default,
    // which for a deadline still ahead plans, keeps and sends exactly as no mode does: OPEN_DEADLINE_MARGIN_MS leaves the
    // obligations already overdue, or nearly, to open themselves as before). Record-only cycles and all others open as before.
    const opens =
      owed.length > 0 &&
      batched &&
      batchReminders &&
      rolling &&
      (mode === undefined || mode === 'catch-up') &&
      later(CYCLE_OPENS_OBLIGATIONS_PATCH);
    if (opens) {
      await openInBatches(owed);
    } else if (batched) {
      for (let i = 0; i < owed.length; i += OPEN_BATCH) {
        await Promise.all(owed.slice(i, i + OPEN_BATCH).map((o) => startObligation(o.stage, o.party, o.dueDate)));
      }
    } else {
      for (const o of owed) await startObligation(o.stage, o.party, o.dueDate);
    }
    if (mode === 'catch-up' && carried === undefined) await summariseOverdue(owed);

    for (;;) {
      if (state.closing !== null) break;
      // Before each amendment too: a queue of whole-stage amendments to thousands of obligations is carried, not applied here.
      if (rolling && historyFull() && !state.allFinished()) await rollOver();
      const next = state.nextAmendment();
      if (next !== undefined) {
        await applyAmendment(next);
        continue;
      }
      if (state.allFinished()) break;
      const before: string | null = state.currentStage;
      refreshStage();
      if (state.currentStage !== before) await save();
      const seen = state.wake;
      if (!digests) {
        await condition(() => state.wake !== seen);
        continue;
      }
      if (keepDigestTimer) {
        // DIGEST_TIMER_PATCH: one timer per digest instant, kept while messages wake the loop.
        if (digestTimer?.at !== nextDigest) digestTimer = timerUntil(nextDigest);
        const timer = digestTimer;
        await condition(() => timer.fired || state.wake !== seen);
        if (!timer.fired) continue;
      } else {
        const wait = nextDigest - Date.now();
        if (wait > 0 && (await condition(() => state.wake !== seen, wait))) continue;
      }
      if (Date.now() < nextDigest) continue;
      await sendDigests(nextDigest);
      nextDigest = digestAfter(nextDigest);
    }
    await reminders?.stop();

    if (state.closing !== null) {
      const request: CloseCycleInput = state.closing;
      for (const entry of state.entries.values()) {
        if (CycleState.isOpen(entry))
          await signalChild(
            entry,
            (h) => h.signal(closeObligationSignal, { reason: `cycle closed: ${request.reason}`, actor: request.actor }),
            'close an obligation',
          );
      }
      await condition(() => state.allEnded());
      for (let late = state.nextAmendment(); late !== undefined; late = state.nextAmendment()) {
        state.noteAmendment(late, 'the cycle is closing');
        await record('plan.amendment_ignored', late.actor, { amendment: late, note: 'the cycle is closing' });
      }
      await record('cycle.closed', request.actor, { reason: request.reason, act: request.act ?? null });
      result = await finish('closed', request.reason);
    } else {
      await record('cycle.completed', 'system', {
        obligations: [...state.entries.values()].map((e) => ({ id: e.summary.obligationId, status: e.summary.status })),
      });
      result = await finish('completed', null);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled by hand: record it; the children are asked to close by their ParentClosePolicy.
    await CancellationScope.nonCancellable(async () => {
      // Openings started but not yet recorded are recorded first: their children's own records (closed) come after them.
      await recordOpenings();
      // Those this run started are cancelled with it (their handles are in its cancelled scope); those an earlier run started
      // were abandoned to outlive its continue-as-new: ask them to cancel, as REQUEST_CANCEL would have.
      if (rolling)
        for (const entry of state.entries.values())
          if (CycleState.isOpen(entry) && entry.handle === undefined)
            await getExternalWorkflowHandle(entry.summary.obligationId)
              .cancel()
              .catch((e: unknown) => log.warn('could not cancel an obligation', { error: String(e) }));
      await record('cycle.closed', 'system', { reason: 'cycle cancelled' });
      await finish('closed', 'cycle cancelled');
    });
    throw err;
  }
  await condition(allHandlersFinished);
  return result;
}
