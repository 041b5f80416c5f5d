// Batched reminders (BATCHED_REMINDERS_PATCH): a cycle sends the reminders its obligations hand it, all those due at one instant
// through a few activities, instead of every obligation waking on a timer of its own. The obligations keep their state, their
// Updates, the deadline, the escalation ladder and every other e-mail; the cycle only sends reminders.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities, ReminderBatchInput, ReminderBatchItem } from '../activities/index.js';
import type { BilingualText, ObligationSummary, PartySpec } from '../domain/cycle-model.js';
import { AWAITING_REPORT } from './obligation-state.js';
import { MAIL_RETRY, remindersPlannedSignal, type ReminderPlan } from './shared.js';

/** Obligations per batch activity at most: its input (and result) stay far below Temporal's 256 KB warning. */
export const REMINDER_BATCH_MAX = 500;
/** …and at most this many bytes of JSON input (a party's measures make some items large). */
export const REMINDER_BATCH_BYTES = 128 * 1024;

// A scheduled activity, not a local one: a batch of 500 e-mails may take longer than a workflow task should be held, and it
// heartbeats between its chunks so a worker that died is noticed within a minute and the batch retried elsewhere; the outbox
// keys make the retry resend nothing already sent.
const batchMail = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: MAIL_RETRY,
});

/** What the cycle knows of one obligation when it sends its reminders. */
export interface ReminderTarget {
  readonly party: PartySpec;
  /** Still awaiting its report, as far as the cycle has heard (pending, overdue, returned; not finished). */
  readonly awaiting: boolean;
}

export type DueReminder = { readonly plan: ReminderPlan; readonly item: ReminderPlan['items'][number] };

/** The reminders handed to a cycle and which of them were sent: plain deterministic bookkeeping, unit-tested without a server. */
export class ReminderBook {
  private readonly plans = new Map<string, ReminderPlan>();
  /** Each plan's items' instants, parsed once when it is taken (nextAt runs on every wake of the loop, over every plan). */
  private readonly instants = new Map<string, readonly number[]>();
  private readonly done = new Set<string>();
  /** Bumped by every plan taken, so the sending loop's wait ends early. */
  wake = 0;

  /** Keeps the newest plan of the obligation (a re-planned deadline replaces its reminders; an empty plan withdraws them). */
  take(plan: ReminderPlan): void {
    const previous = this.plans.get(plan.obligationId);
    if (previous !== undefined && previous.sequence > plan.sequence) return;
    this.plans.set(plan.obligationId, plan);
    this.instants.set(
      plan.obligationId,
      plan.items.map((item) => Date.parse(item.at)),
    );
    this.wake++;
  }

  private pending(awaiting: (obligationId: string) => boolean): DueReminder[] {
    const out: DueReminder[] = [];
    for (const plan of this.plans.values()) {
      if (!awaiting(plan.obligationId)) continue;
      for (const item of plan.items) if (!this.done.has(item.key)) out.push({ plan, item });
    }
    return out;
  }

  /** The earliest instant a reminder of an obligation still awaiting its report is due; undefined: none left. */
  nextAt(awaiting: (obligationId: string) => boolean): number | undefined {
    // The same answer as the minimum over pending(), without building it: a cycle of thousands of obligations asks on every
    // plan it is handed (a national season's opening replayed spent most of its own time here).
    let next: number | undefined;
    for (const plan of this.plans.values()) {
      if (plan.items.length === 0 || !awaiting(plan.obligationId)) continue;
      const at = this.instants.get(plan.obligationId)!;
      for (let i = 0; i < plan.items.length; i++) {
        if (this.done.has(plan.items[i]!.key)) continue;
        if (next === undefined || at[i]! < next) next = at[i]!;
      }
    }
    return next;
  }

  /** Every reminder due at `nowMs` or before, of obligations still awaiting their report, in a stable order. */
  due(nowMs: number, awaiting: (obligationId: string) => boolean): DueReminder[] {
    return this.pending(awaiting)
      .filter(({ item }) => Date.parse(item.at) <= nowMs)
      .sort((a, b) => (a.item.key < b.item.key ? -1 : a.item.key > b.item.key ? 1 : 0));
  }

  markDone(keys: readonly string[]): void {
    for (const key of keys) this.done.add(key);
  }

  /**
   * What the next run of the cycle needs (continue-as-new): the newest plan of every obligation `keep` names, with only its
   * reminders not yet sent — so nothing sent is sent again, and no record of what was sent needs carrying.
   */
  carry(keep: (obligationId: string) => boolean): ReminderPlan[] {
    return [...this.plans.values()]
      .filter((plan) => keep(plan.obligationId))
      .map(({ summary: _summary, ...plan }) => ({
        ...plan,
        items: plan.items.filter((item) => !this.done.has(item.key)),
      }));
  }

  /** Takes up the plans an earlier run carried (before any signal of this run is handled). */
  restore(plans: readonly ReminderPlan[]): void {
    for (const plan of plans) this.take(plan);
  }
}

/** Splits the items into activity inputs of at most `max` items and about `maxBytes` of JSON each. */
export function chunkBatch(
  base: Omit<ReminderBatchInput, 'items'>,
  items: readonly ReminderBatchItem[],
  max = REMINDER_BATCH_MAX,
  maxBytes = REMINDER_BATCH_BYTES,
): ReminderBatchInput[] {
  const baseBytes = JSON.stringify(base).length + 16;
  const out: ReminderBatchInput[] = [];
  let current: ReminderBatchItem[] = [];
  let bytes = baseBytes;
  for (const item of items) {
    // UTF-16 length of the JSON; Cyrillic and Kazakh take two bytes each in UTF-8: counted twice to stay on the safe side.
    const json = JSON.stringify(item);
    const size = json.length * 2 + 1;
    if (current.length > 0 && (current.length >= max || bytes + size > maxBytes)) {
      out.push({ ...base, items: current });
      current = [];
      bytes = baseBytes;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push({ ...base, items: current });
  return out;
}

export interface ReminderBatchesOptions {
  readonly cycleId: string;
  readonly planTitle: BilingualText;
  readonly period: string;
  /** The cycle's texts hash (CYCLE_TEXTS_PATCH), for the batch activity to read its parties' measure titles. */
  readonly texts?: string;
  /** The cycle's view of one of its obligations; undefined: not one of its obligations. */
  readonly target: (obligationId: string) => ReminderTarget | undefined;
  /** An obligation's status that came with its reminders (as an `obligationChanged` signal would have brought it). */
  readonly changed?: (summary: ObligationSummary) => void;
  /**
   * Whether the loop keeps its timer while nothing earlier arrives (REMINDER_TIMER_PATCH), asked by the cycle: as the loop
   * starts by runs recorded before CYCLE_PATCHES_FIRST_PATCH, taken as given by runs since.
   */
  readonly keepTimer: boolean;
}

/**
 * Registers the `remindersPlanned` handler and runs the sending loop beside the cycle's own: it sleeps until the earliest
 * reminder of an obligation still awaiting its report, then sends every reminder due by then in batches. `stop` ends the loop
 * once a batch in flight has finished.
 */
export function runReminderBatches(
  opts: ReminderBatchesOptions,
  book = new ReminderBook(),
): { readonly book: ReminderBook; stop(): Promise<void> } {
  setHandler(remindersPlannedSignal, (plan) => {
    // The obligation's status with it (CYCLE_CONTINUE_AS_NEW_PATCH) first: the sending loop's filter reads it.
    if (plan.summary !== undefined) opts.changed?.(plan.summary);
    book.take(plan);
  });
  const awaiting = (id: string): boolean => opts.target(id)?.awaiting === true;
  let stopping = false;

  async function send(due: DueReminder[]): Promise<void> {
    const items: ReminderBatchItem[] = due.map(({ plan, item }) => ({
      obligationId: plan.obligationId,
      runId: plan.runId,
      key: item.key,
      plannedFor: item.at,
      offset: item.offset,
      unit: item.unit,
      to: item.to,
      lang: item.lang,
      due: plan.due,
      sequence: plan.sequence,
      receiver: plan.receiver,
      party: opts.target(plan.obligationId)!.party,
    }));
    const inputs = chunkBatch(
      {
        cycleId: opts.cycleId,
        planTitle: opts.planTitle,
        period: opts.period,
        now: new Date().toISOString(),
        ...(opts.texts === undefined ? {} : { texts: opts.texts }),
      },
      items,
    );
    await Promise.all(
      inputs.map(async (input) => {
        try {
          await batchMail.sendReminderBatch(input);
        } catch (err) {
          if (isCancellation(err)) throw err;
          // Only a failure that retrying cannot heal reaches here (MAIL_RETRY retries the rest for ever): these reminders
          // are given up, not retried in a loop; the activity recorded what it could.
          const failure = err instanceof ActivityFailure ? err.cause : err;
          log.error('a reminder batch failed for good', {
            cycleId: opts.cycleId,
            reminders: input.items.length,
            type: failure instanceof ApplicationFailure ? failure.type : undefined,
            error: String(failure),
          });
        }
      }),
    );
    book.markDone(due.map((d) => d.item.key));
  }

  const keepTimer = opts.keepTimer;
  /** Under REMINDER_TIMER_PATCH: whether the plans taken since `seen` bring a reminder earlier than `at` (asked once per wake). */
  const earlierThan = (at: number, seen: number): (() => boolean) => {
    let asked = seen;
    let earlier = false;
    return () => {
      if (book.wake !== asked) {
        asked = book.wake;
        const next = book.nextAt(awaiting);
        earlier = next !== undefined && next < at;
      }
      return earlier;
    };
  };

  const loop = (async () => {
    while (!stopping) {
      const seen = book.wake;
      const at = book.nextAt(awaiting);
      if (at === undefined) {
        await condition(() => stopping || book.wake !== seen);
        continue;
      }
      const wait = at - Date.now();
      // The timer stays while nothing earlier arrives; a plan withdrawn or an obligation answered meanwhile is found when it
      // fires (due() then holds fewer, or none, and the loop looks again).
      const woken = keepTimer ? earlierThan(at, seen) : () => book.wake !== seen;
      if (wait > 0 && (await condition(() => stopping || woken(), wait))) continue;
      if (stopping) break;
      const due = book.due(Date.now(), awaiting);
      if (due.length > 0) await send(due);
    }
  })();
  // A cancelled cycle cancels this loop's wait too: the cycle's own handling records that, nothing to add here.
  const settled = loop.catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  return {
    book,
    async stop() {
      stopping = true;
      await settled;
    },
  };
}

/** Whether an obligation's status still awaits its report (the cycle's filter before a batch). */
export function awaitingStatus(status: string, finished: boolean): boolean {
  return !finished && (AWAITING_REPORT as readonly string[]).includes(status);
}
