// Side effects of reporting cycles: timelines from the admin-edited working calendar, e-mail composition, lateness, read models.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkingCalendar } from '../domain/calendar.js';
import { KZ_WORKING_CALENDAR } from '../domain/calendar-seed-kz.js';
import {
  computeObligationTimeline,
  recordingCalendar,
  workingDaysLate,
  type CalendarAnswers,
  type TimelineCalendar,
  type DueResolution,
  type ObligationTimeline,
  type ObligationTimelineInput,
} from '../domain/cycle-timeline.js';
import { listAgencies } from '../db/repositories/agencies.js';
import { calendarFingerprint, loadCalendarData } from '../db/repositories/calendar.js';
import { getPlan } from '../db/repositories/plans.js';
import { cycleSpecFromPlan } from '../domain/cycle-spec.js';
import {
  upsertCycle,
  upsertObligation,
  upsertObligations,
  type CycleProjection,
  type ObligationProjection,
} from '../db/repositories/cycles.js';
import { appendEvent, appendEvents, type AppendEvent } from '../db/repositories/events.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { FailureType } from '../workflows/shared.js';
import type { CycleSpec } from '../domain/cycle-model.js';
import {
  composeObligationMail,
  composeOpeningSummary,
  organizerFrom,
  type ComposeObligationMailInput,
  type OpeningSummaryInput,
} from './cycle-mail.js';
import { sendEmailOnce } from './email.js';
import { getCarryChunk, putCarryChunk } from '../db/repositories/cycle-carries.js';
import { getCycleTexts, putCycleTexts } from '../db/repositories/cycle-texts.js';
import { needsTexts, separateCycleTexts, specWithTitles, withTitles, type CycleTexts } from '../domain/cycle-texts.js';
import type { ActivityDeps } from './deps.js';

export type { ComposeObligationMailInput, OpeningSummaryInput } from './cycle-mail.js';
export type { ObligationNotice } from '../domain/cycle-timeline.js';

/**
 * The largest spec a cycle may open with: under Temporal's 2 MiB per payload, with room for the envelope. A spec repeats each
 * measure's bilingual title for every party that owes it, so on seed 000 (59 measures) it is 0.70–0.82 MB.
 */
export const MAX_SPEC_BYTES = 1.5 * 2 ** 20;

export interface BuildCycleSpecInput {
  readonly planId: string;
  /** "2019", "2019-H1", … of the plan policy's period kind. */
  readonly period: string;
  /**
   * 'by-hash' (openers since CYCLE_TEXTS_PATCH): store the measure titles once in `cycle_texts` and return a spec of
   * version 4 that references them (domain/cycle-texts.ts). Absent: the full spec, titles repeated per party, as before.
   */
  readonly texts?: 'by-hash';
}

export interface OpenObligationInput {
  /** The obligation.opened event, with the workflow's idempotency key. */
  readonly event: {
    readonly idempotencyKey: string;
    readonly type: string;
    readonly actor: string;
    readonly payload: Record<string, unknown>;
  };
  readonly timeline: ObligationTimelineInput;
  /** The read model row but for what the timeline decides. */
  readonly projection: Omit<ObligationProjection, 'effectiveDueDate' | 'dueAt'>;
}

/**
 * One obligation's planned timeline as the calendar's answers to it (the cycle and the obligation compute the timeline from
 * them: timelineFromAnswers), or why it could not be planned (its child then plans, and fails, as before).
 */
export type PlannedTimeline =
  { readonly ok: true; readonly calendar: CalendarAnswers } | { readonly ok: false; readonly error: string };

/** One obligation a cycle opened (CYCLE_OPENS_OBLIGATIONS_PATCH): its opening event and its first read-model row. */
export interface OpenedObligation {
  /** The `obligation.opened` event's key (openedEventKey: the child's run id, never one of the child's own keys). */
  readonly idempotencyKey: string;
  readonly payload: Record<string, unknown>;
  /** Revision 1, the child's run id, the deadline as planned. */
  readonly row: ObligationProjection;
}

export interface MeasureLatenessInput {
  readonly due: DueResolution;
  /** Workflow time of the submission (the worker's clock is not the workflow's). */
  readonly submittedAt: string;
}

/**
 * Every write to a read model follows from an event carrying its data (domain/projections.ts folds them back into the rows):
 * the save's event is appended in the caller's transaction, once per run and revision, whether or not the upsert wrote (a
 * stale revision folds to nothing, as it wrote nothing).
 */
async function saveCycleRow(trx: Kysely<Database>, row: CycleProjection): Promise<boolean> {
  const runId = Context.current().info.workflowExecution?.runId ?? row.runId;
  await appendEvent(trx, {
    idempotencyKey: `projection:${row.workflowId}:${row.runId}:${row.revision}`,
    type: 'cycle.saved',
    actor: 'system',
    workflowId: row.workflowId,
    runId,
    subjectType: 'cycle',
    subjectId: row.workflowId,
    payload: row,
  });
  return upsertCycle(trx, row);
}

/** The `obligation.saved` event of a read-model row (by default of the calling workflow's run). */
function obligationSavedEvent(
  row: ObligationProjection,
  runId = Context.current().info.workflowExecution?.runId ?? row.runId,
): AppendEvent {
  return {
    idempotencyKey: `projection:${row.workflowId}:${row.runId}:${row.revision}`,
    type: 'obligation.saved',
    actor: 'system',
    workflowId: row.workflowId,
    runId,
    subjectType: 'obligation',
    subjectId: row.workflowId,
    payload: row,
  };
}

async function saveObligationRow(trx: Kysely<Database>, row: ObligationProjection): Promise<boolean> {
  await appendEvent(trx, obligationSavedEvent(row));
  return upsertObligation(trx, row);
}

export function createCycleActivities(deps: ActivityDeps) {
  const organizer = organizerFrom(deps.mailFrom);
  // Checked on every use (one light query), rebuilt when it changed: an admin's edit applies to the next timeline planned.
  let cached: { fingerprint: string; calendar: WorkingCalendar } | undefined;
  // The check is shared by the callers that arrive together, never older than the call: while one query is in flight, the
  // callers arriving meanwhile wait for it to end and share the next one (a cycle opening 100 obligations at once asks twice,
  // not 100 times), so every answer comes from a query started after its caller asked.
  let inFlight: Promise<string> | undefined;
  let nextCheck: Promise<string> | undefined;
  function freshFingerprint(): Promise<string> {
    if (inFlight === undefined) {
      inFlight = calendarFingerprint(deps.db).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    nextCheck ??= inFlight
      .catch(() => undefined)
      .then(() => {
        nextCheck = undefined;
        return freshFingerprint();
      });
    return nextCheck;
  }
  async function calendar(): Promise<WorkingCalendar> {
    const fingerprint = await freshFingerprint();
    if (cached?.fingerprint === fingerprint) return cached.calendar;
    const { entries, years } = await loadCalendarData(deps.db);
    if (entries.length === 0) {
      // An installation whose table was never seeded gets the seed it would have been given, not a calendar without holidays.
      Context.current().log.warn('calendar_entries is empty: using the built-in Kazakhstan calendar seed');
      return KZ_WORKING_CALENDAR;
    }
    const built = WorkingCalendar.fromEntries(entries, { years });
    cached = { fingerprint, calendar: built };
    return built;
  }

  async function timeline(input: ObligationTimelineInput): Promise<ObligationTimeline> {
    return timelineBy(input, await calendar());
  }

  const noticeTime =
    deps.noticeTime === undefined ? {} : { noticeHour: deps.noticeTime.hour, noticeMinute: deps.noticeTime.minute };

  function timelineBy(input: ObligationTimelineInput, cal: TimelineCalendar): ObligationTimeline {
    try {
      return computeObligationTimeline(input, cal, noticeTime);
    } catch (err) {
      // A bad date or a calendar without working days will not heal on retry.
      if (err instanceof RangeError) throw ApplicationFailure.nonRetryable(err.message, FailureType.InvalidInput);
      throw err;
    }
  }

  /**
   * The texts of a version-3 spec (none without a hash: a title left out then reads as its number). A row not found is a
   * fault retrying may heal (a replica behind), so the activity retries.
   */
  async function textsOf(hash: string | undefined): Promise<CycleTexts | undefined> {
    if (hash === undefined) return undefined;
    const texts = await getCycleTexts(deps.db, hash);
    if (texts === undefined) throw new Error(`no cycle_texts row ${hash}`);
    return texts;
  }

  return {
    /** The CycleSpec of a confirmed plan for one period, from the plan, the agencies directory and the calendar as they are now. */
    async buildCycleSpec(input: BuildCycleSpecInput): Promise<CycleSpec> {
      const stored = await getPlan(deps.db, input.planId);
      if (stored === undefined || stored.status !== 'confirmed') {
        throw ApplicationFailure.nonRetryable(
          `plan ${input.planId} is ${stored?.status ?? 'not found'}: only a confirmed plan has cycles`,
          FailureType.InvalidInput,
        );
      }
      const result = cycleSpecFromPlan({
        planId: input.planId,
        plan: stored.plan,
        directory: await listAgencies(deps.db),
        period: input.period,
        calendar: await calendar(),
      });
      if (!result.ok) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput,
          nonRetryable: true,
          details: [result.errors],
          message: `plan ${input.planId}, ${input.period}: ${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
        });
      }
      // Titles once per cycle, in PostgreSQL: what travels is the spec with measure numbers and the texts' hash.
      let spec = result.spec;
      if (input.texts === 'by-hash') {
        const separated = separateCycleTexts(result.spec);
        await putCycleTexts(deps.db, separated.texts);
        spec = separated.spec;
      }
      // The spec travels as this activity's result and as the cycle's input: one Temporal payload each, which the server
      // refuses above 2 MiB (BlobSizeLimitError), and which would then be retried for ever. Refuse it here, saying why.
      const bytes = Buffer.byteLength(JSON.stringify(spec), 'utf8');
      if (bytes > MAX_SPEC_BYTES) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput,
          nonRetryable: true,
          details: [{ bytes, limit: MAX_SPEC_BYTES }],
          message: `plan ${input.planId}, ${input.period}: the cycle's spec is ${(bytes / 2 ** 20).toFixed(2)} MiB, over the ${(MAX_SPEC_BYTES / 2 ** 20).toFixed(1)} MiB one Temporal payload may carry here (${spec.stages.length} stages, ${spec.stages.reduce((n, st) => n + st.parties.length, 0)} obligations)`,
        });
      }
      // Also in the spec (and so in the cycle's input and read model): measures this cycle will never remind anybody of.
      if ((result.spec.notOwed ?? []).length > 0) {
        Context.current().log.info('measures owe no report in this cycle', {
          planId: input.planId,
          period: input.period,
          notOwed: result.spec.notOwed!.map((m) => `${m.number}: ${m.reason}`),
        });
      }
      return spec;
    },

    /** Every reminder, the deadline and every escalation of one obligation, from the current working calendar. */
    async planObligationTimeline(input: ObligationTimelineInput): Promise<ObligationTimeline> {
      return timeline(input);
    },

    /**
     * An obligation's first step in one go: plans its timeline, records that it opened and writes its read model row, in one
     * transaction (each part idempotent: a retry writes nothing twice). One local activity instead of three keeps the
     * opening of a 500-party cycle to two workflow activations per obligation.
     */
    async openObligation(input: OpenObligationInput): Promise<ObligationTimeline> {
      const planned = await timeline(input.timeline);
      const execution = Context.current().info.workflowExecution;
      const row = { ...input.projection, effectiveDueDate: planned.effectiveDueDate, dueAt: planned.dueInstant };
      await deps.db.transaction().execute(async (trx) => {
        // Both events (the opening, the row's save) in one statement: one round trip fewer per obligation opened.
        await appendEvents(trx, [
          {
            ...input.event,
            workflowId: execution?.workflowId ?? null,
            runId: execution?.runId ?? null,
            subjectType: 'obligation',
            subjectId: input.projection.workflowId,
          },
          obligationSavedEvent(row),
        ]);
        await upsertObligation(trx, row);
      });
      return planned;
    },

    /**
     * A cycle's batch of obligations about to open (CYCLE_OPENS_OBLIGATIONS_PATCH): each one's timeline, as planObligationTimeline
     * would plan it, from one read of the calendar. Reads only. An input that cannot be planned (a bad date) is answered with
     * its error, not thrown: the cycle starts that obligation the old way, and it fails alone as it did.
     */
    async planObligationTimelines(input: {
      readonly timelines: readonly ObligationTimelineInput[];
    }): Promise<PlannedTimeline[]> {
      if (input.timelines.length === 0) return [];
      const cal = await calendar();
      const out: PlannedTimeline[] = [];
      for (const t of input.timelines) {
        try {
          const recording = recordingCalendar(cal);
          timelineBy(t, recording.calendar);
          out.push({ ok: true, calendar: { answers: recording.answers, ...noticeTime } });
        } catch (err) {
          if (!(err instanceof ApplicationFailure) || err.type !== FailureType.InvalidInput) throw err;
          out.push({ ok: false, error: err.message });
        }
      }
      return out;
    },

    /**
     * Records the openings of a batch of obligations a cycle started (CYCLE_OPENS_OBLIGATIONS_PATCH) in one transaction: each
     * one's `obligation.opened` and `obligation.saved` events (in the child's name: its workflow id and run id) and its
     * read-model row at revision 1, the same payloads openObligation writes. Idempotent: a retry appends no event twice (the
     * keys), and a row never replaces a later revision the child wrote itself.
     */
    async recordObligationsOpened(input: {
      readonly opened: readonly OpenedObligation[];
    }): Promise<{ written: number }> {
      if (input.opened.length === 0) return { written: 0 };
      const written = await deps.db.transaction().execute(async (trx) => {
        await appendEvents(
          trx,
          input.opened.flatMap((o) => [
            {
              idempotencyKey: o.idempotencyKey,
              type: 'obligation.opened',
              actor: 'system',
              workflowId: o.row.workflowId,
              runId: o.row.runId,
              subjectType: 'obligation',
              subjectId: o.row.workflowId,
              payload: o.payload,
            },
            obligationSavedEvent(o.row, o.row.runId),
          ]),
        );
        return upsertObligations(
          trx,
          input.opened.map((o) => o.row),
        );
      });
      return { written };
    },

    /**
     * Writes one obligation notice (both languages, the deadline invite) and sends it once per dedupe key. Composed here,
     * not in the workflow, so the text can improve without a workflow change and the history holds the facts, not the prose.
     */
    async sendObligationMail(input: ComposeObligationMailInput): Promise<{ messageId: string; alreadySent: boolean }> {
      // A party of a version-3 spec names its measures by number: their titles are read by the cycle's texts hash.
      const party = needsTexts(input.party) ? withTitles(input.party, await textsOf(input.texts)) : input.party;
      return sendEmailOnce(deps, composeObligationMail({ ...input, party }, organizer));
    },

    /** The coordinator's one summary of what a cycle opened in catch-up mode found overdue; once per dedupe key. */
    async sendOpeningSummary(input: OpeningSummaryInput): Promise<{ messageId: string; alreadySent: boolean }> {
      return sendEmailOnce(deps, composeOpeningSummary(input));
    },

    /** Working days between the effective due date and a submission (0 when on time), by the current calendar. */
    async measureLateness(input: MeasureLatenessInput): Promise<{ workingDaysLate: number }> {
      return { workingDaysLate: workingDaysLate(input.due, input.submittedAt, await calendar()) };
    },

    /** Upserts the cycles read model row of the calling workflow, with its `cycle.saved` event (one transaction). */
    async saveCycle(input: CycleProjection): Promise<{ written: boolean }> {
      // The read model (and its event) keeps the full spec, what the pages and the API read: titles put back from the cycle's texts.
      const spec = input.spec as CycleSpec | undefined;
      const row =
        spec?.texts === undefined ? input : { ...input, spec: specWithTitles(spec, await textsOf(spec.texts.hash)) };
      return { written: await deps.db.transaction().execute((trx) => saveCycleRow(trx, row)) };
    },

    /** Stores one chunk of the state a cycle carries into its next run (continue-as-new); returns the chunk's hash. */
    async saveCycleCarry(input: { cycleId: string; chunk: string }): Promise<{ hash: string }> {
      return { hash: await putCarryChunk(deps.db, input.cycleId, input.chunk) };
    },

    /** One chunk an earlier run of the cycle carried, checked against its hash; a missing row is retried (a replica behind). */
    async loadCycleCarry(input: { hash: string }): Promise<{ chunk: string }> {
      const chunk = await getCarryChunk(deps.db, input.hash);
      if (chunk === undefined) throw new Error(`no cycle_carries row ${input.hash}`);
      return { chunk };
    },

    /** Upserts the obligations read model row of the calling workflow, with its `obligation.saved` event (one transaction). */
    async saveObligation(input: ObligationProjection): Promise<{ written: boolean }> {
      return { written: await deps.db.transaction().execute((trx) => saveObligationRow(trx, input)) };
    },
  };
}
