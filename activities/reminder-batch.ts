// Batched reminders (BATCHED_REMINDERS_PATCH): one activity sends the reminders of up to REMINDER_BATCH_MAX obligations due at
// one instant through the outbox and nodemailer's pool, deciding for each at send time whether its report is still awaited.
import { Context } from '@temporalio/activity';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { lockObligationStates } from '../db/repositories/cycles.js';
import { appendEvents } from '../db/repositories/events.js';
import { getCycleTexts } from '../db/repositories/cycle-texts.js';
import { needsTexts, withTitles } from '../domain/cycle-texts.js';
import {
  claimNotifications,
  markNotificationsSent,
  recordNotificationError,
} from '../db/repositories/notifications.js';
import type { DayCountUnit } from '../domain/calendar.js';
import type { BilingualText, Lang, PartySpec } from '../domain/cycle-model.js';
import type { DueResolution } from '../domain/cycle-timeline.js';
import { composeObligationMail, organizerFrom } from './cycle-mail.js';
import { EMAIL, deliveredEvent, messageIdOf, messageOf, queuedEvent } from './email.js';
import type { ActivityDeps } from './deps.js';
import { bilingualBody, bilingualSubject } from './mail-format.js';

export interface ReminderBatchItem {
  readonly obligationId: string;
  /** The obligation's run: its events are recorded in its stream. */
  readonly runId: string;
  /** The outbox key, as the obligation itself would have used it (itemKey). */
  readonly key: string;
  readonly plannedFor: string;
  readonly offset: number;
  readonly unit: DayCountUnit;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly due: DueResolution;
  readonly sequence: number;
  readonly receiver: BilingualText;
  readonly party: PartySpec;
}

export interface ReminderBatchInput {
  readonly cycleId: string;
  readonly planTitle: BilingualText;
  readonly period: string;
  /** Workflow time of the batch (the invites' DTSTAMP). */
  readonly now: string;
  /** The cycle's texts hash (CYCLE_TEXTS_PATCH): its parties name measures by number, their titles read by it. */
  readonly texts?: string;
  readonly items: readonly ReminderBatchItem[];
}

/** Counts only, so the result stays a few bytes whatever the batch. */
export interface ReminderBatchResult {
  readonly sent: number;
  readonly alreadySent: number;
  /** The report had arrived (or the obligation ended, or its deadline moved) by send time. */
  readonly withdrawn: number;
  readonly undeliverable: number;
  /** Refused for good (a bad address, SMTP 550–553): recorded as notice.failed. */
  readonly failed: number;
}

/** Reminders sent under one transaction (their obligations' rows held FOR SHARE while SMTP takes them). */
export const REMINDER_GROUP = 25;
/**
 * Groups in flight at once in one worker, whatever the number of batch activities running: each holds one connection of the
 * worker's PostgreSQL pool (10 by default) while SMTP takes its e-mails, so the other activities keep theirs.
 */
export const REMINDER_GROUPS_IN_FLIGHT = 4;

/** A counting semaphore: at most `n` of the functions given to it run at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next();
      else running--;
    }
  };
}

const AWAITING = ['pending', 'overdue', 'returned'];

type Outcome =
  | { kind: 'sent' | 'alreadySent'; messageId: string }
  | { kind: 'withdrawn'; status: string | null }
  | { kind: 'undeliverable' }
  | { kind: 'failed'; error: string }
  | { kind: 'retry'; error: string };

export function createReminderBatchActivities(deps: ActivityDeps) {
  const organizer = organizerFrom(deps.mailFrom);
  // Shared by every batch this worker runs (a burst starts one per ≤ 500 obligations of each cycle at once).
  const inFlight = limiter(REMINDER_GROUPS_IN_FLIGHT);

  /** A batch of a cycle keeping its texts by hash: its parties' measure titles read once from `cycle_texts`. */
  async function withMeasureTitles(input: ReminderBatchInput): Promise<ReminderBatchInput> {
    if (!input.items.some((i) => needsTexts(i.party))) return input;
    const texts = input.texts === undefined ? undefined : await getCycleTexts(deps.db, input.texts);
    if (input.texts !== undefined && texts === undefined) throw new Error(`no cycle_texts row ${input.texts}`);
    return {
      ...input,
      items: input.items.map((i) => (needsTexts(i.party) ? { ...i, party: withTitles(i.party, texts) } : i)),
    };
  }

  function compose(input: ReminderBatchInput, item: ReminderBatchItem) {
    return composeObligationMail(
      {
        dedupeKey: item.key,
        notice: { kind: 'reminder', offset: item.offset, unit: item.unit },
        to: item.to,
        lang: item.lang,
        obligationId: item.obligationId,
        planTitle: input.planTitle,
        period: input.period,
        party: item.party,
        receiver: item.receiver,
        due: item.due,
        sequence: item.sequence,
        now: input.now,
      },
      organizer,
    );
  }

  /**
   * One group: the obligations' rows are read FOR SHARE, so a report's arrival (the obligation's read model write, which its
   * submit Update waits for before it answers) either happened before — the reminder is withdrawn — or waits until the
   * reminder is with the SMTP server. Claimed in one multi-row idempotent insert; already-sent keys are not sent again.
   */
  async function sendGroup(
    trx: Transaction<Database>,
    input: ReminderBatchInput,
    group: readonly ReminderBatchItem[],
  ): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    const ids = [...new Set(group.map((i) => i.obligationId))].sort();
    const rows = await lockObligationStates(trx, ids);
    const byId = new Map(rows.map((r) => [r.workflow_id, r]));
    const eligible: {
      item: ReminderBatchItem;
      subject: string;
      text: string;
      ics?: { filename: string; content: string };
    }[] = [];
    for (const item of group) {
      const row = byId.get(item.obligationId);
      if (row === undefined || !AWAITING.includes(row.status) || row.due_date !== item.due.dueDate) {
        outcomes.set(item.key, { kind: 'withdrawn', status: row?.status ?? null });
        continue;
      }
      const mail = compose(input, item);
      eligible.push({
        item,
        subject: bilingualSubject(mail.subject, item.lang),
        text: bilingualBody(mail.body, item.lang),
        ...(mail.ics === undefined ? {} : { ics: mail.ics }),
      });
    }
    if (eligible.length === 0) return outcomes;
    const info = Context.current().info;
    const claimed = await claimNotifications(
      trx,
      eligible.map(({ item, subject, text }) => ({
        dedupeKey: item.key,
        to: item.to,
        subject,
        bodyText: text,
        lang: item.lang,
        messageId: messageIdOf(item.key),
        workflowId: info.workflowExecution?.workflowId ?? null,
        runId: info.workflowExecution?.runId ?? null,
      })),
    );
    const rowOf = new Map(claimed.map((r) => [r.dedupe_key, r]));
    const sentKeys: string[] = [];
    await Promise.all(
      eligible.map(async ({ item, ics }) => {
        const row = rowOf.get(item.key)!;
        if (row.status === 'sent') {
          outcomes.set(item.key, { kind: 'alreadySent', messageId: row.message_id });
          return;
        }
        try {
          await deps.mailer.sendMail(messageOf(deps.mailFrom, row, item.lang, ics));
          sentKeys.push(item.key);
          outcomes.set(item.key, { kind: 'sent', messageId: row.message_id });
        } catch (err) {
          const e = err as Error & { responseCode?: number };
          const permanent = e.responseCode !== undefined && e.responseCode >= 550 && e.responseCode <= 553;
          outcomes.set(item.key, { kind: permanent ? 'failed' : 'retry', error: e.message });
          await recordNotificationError(trx, item.key, e.message);
        }
      }),
    );
    const sentAt = new Date();
    await markNotificationsSent(trx, sentKeys, sentAt);
    // Each outbox row's `notification.queued` event (what `projections rebuild` makes the row from), written once with the
    // row as its first claim made it, in the claim's transaction — as sendEmailOnce does for a single e-mail — then the
    // `notification.delivered` of those SMTP took, in one statement. Written last: these events are the cycle's stream, whose
    // lock (the events chain) each insert holds until commit; taken before the sends, it made the cycle's groups take turns.
    await appendEvents(trx, [
      ...claimed.map(queuedEvent),
      ...sentKeys.map((key) => deliveredEvent(rowOf.get(key)!, sentAt)),
    ]);
    return outcomes;
  }

  /** Records each reminder's outcome in its obligation's stream, once per key (a retried batch records nothing twice). */
  async function recordOutcomes(
    db: Kysely<Database>,
    items: readonly ReminderBatchItem[],
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    const info = Context.current().info;
    const at = new Date().toISOString();
    const rows = items.flatMap((item) => {
      const o = outcomes.get(item.key);
      if (o === undefined || o.kind === 'retry') return [];
      const details = {
        key: item.key,
        to: item.to,
        lang: item.lang,
        notice: { kind: 'reminder', offset: item.offset, unit: item.unit },
        plannedFor: item.plannedFor,
        // Sent by the cycle's batch, not by the obligation's own timer.
        batch: { workflowId: info.workflowExecution?.workflowId ?? null, activityId: info.activityId },
      };
      let type: string;
      let payload: Record<string, unknown>;
      switch (o.kind) {
        case 'sent':
        case 'alreadySent':
          type = 'reminder.sent';
          payload = {
            ...details,
            messageId: o.messageId,
            alreadySent: o.kind === 'alreadySent',
            dueInstant: item.due.dueInstant,
            sentAt: at,
          };
          break;
        case 'withdrawn':
          type = 'reminder.withdrawn';
          payload = { ...details, status: o.status, reason: 'no longer awaiting this report by send time' };
          break;
        case 'undeliverable':
          type = 'notice.undeliverable';
          payload = { ...details, reason: 'no e-mail address on file' };
          break;
        case 'failed':
          type = 'notice.failed';
          payload = { ...details, error: o.error };
          break;
      }
      return [
        {
          idempotencyKey: `${item.key}/${type}`,
          type,
          actor: 'system',
          workflowId: item.obligationId,
          runId: item.runId,
          subjectType: 'obligation',
          subjectId: item.obligationId,
          payload,
        },
      ];
    });
    await appendEvents(db, rows);
  }

  return {
    /**
     * Sends the reminders of one batch (≤ 500 obligations) due at one instant: each once per outbox key, in its recipient's
     * language, none to an obligation no longer awaiting that report at send time. Heartbeats after every group; a temporary
     * SMTP failure fails the activity once the rest are sent, and the retry sends only what is still unsent.
     */
    async sendReminderBatch(given: ReminderBatchInput): Promise<ReminderBatchResult> {
      const input = await withMeasureTitles(given);
      const outcomes = new Map<string, Outcome>();
      const sendable: ReminderBatchItem[] = [];
      for (const item of input.items) {
        if (item.to.length === 0) outcomes.set(item.key, { kind: 'undeliverable' });
        else if (item.to.some((a) => !EMAIL.test(a)))
          outcomes.set(item.key, {
            kind: 'failed',
            error: `to: invalid address "${item.to.find((a) => !EMAIL.test(a))}"`,
          });
        else sendable.push(item);
      }
      const groups: ReminderBatchItem[][] = [];
      for (let i = 0; i < sendable.length; i += REMINDER_GROUP) groups.push(sendable.slice(i, i + REMINDER_GROUP));
      let done = 0;
      await Promise.all(
        groups.map((group) =>
          inFlight(async () => {
            const result = await deps.db.transaction().execute((trx) => sendGroup(trx, input, group));
            for (const [k, v] of result) outcomes.set(k, v);
            done += group.length;
            Context.current().heartbeat({ done });
          }),
        ),
      );
      await recordOutcomes(deps.db, input.items, outcomes);
      const count = (kind: Outcome['kind']) => [...outcomes.values()].filter((o) => o.kind === kind).length;
      const retry = [...outcomes.values()].find((o): o is Extract<Outcome, { kind: 'retry' }> => o.kind === 'retry');
      if (retry !== undefined) {
        // Everything else is sent and recorded; the retry resends none of it (outbox keys) and tries these again.
        throw new Error(`SMTP did not take ${count('retry')} of ${input.items.length} reminders: ${retry.error}`);
      }
      return {
        sent: count('sent'),
        alreadySent: count('alreadySent'),
        withdrawn: count('withdrawn'),
        undeliverable: count('undeliverable'),
        failed: count('failed'),
      };
    },
  };
}
