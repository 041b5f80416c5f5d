// Delivery of one e-mail through the outbox: claimed by dedupe key, sent over SMTP, marked sent — so a retried activity never sends twice.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Database, NotificationRow } from '../db/database.js';
import { appendEvent, type AppendEvent } from '../db/repositories/events.js';
import { claimNotification, markNotificationSent, recordNotificationError } from '../db/repositories/notifications.js';
import { FailureType } from '../workflows/shared.js';
import { type BilingualText, type Lang } from '../domain/cycle-model.js';
import { bilingualBody, bilingualSubject } from './mail-format.js';

export interface SendEmailInput {
  readonly dedupeKey: string;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly subject: BilingualText;
  readonly body: BilingualText;
  /** A calendar (METHOD:PUBLISH) sent as a text/calendar part and an attachment; not part of the dedupe key. */
  readonly ics?: { readonly filename: string; readonly content: string };
}

export interface MailDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Transporter;
  readonly mailFrom: string;
}

/** The Message-ID of a dedupe key: the same for every attempt, so a resend after a crash is recognisable as the same message. */
export const messageIdOf = (key: string): string =>
  `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@merzim>`;

export const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

/** The `notification.queued` event of an outbox row as its first claim made it: what `projections rebuild` makes it from. */
export function queuedEvent(row: NotificationRow): AppendEvent {
  return {
    idempotencyKey: `notification:${row.dedupe_key}:queued`,
    type: 'notification.queued',
    actor: 'system',
    workflowId: row.workflow_id,
    runId: row.run_id,
    subjectType: 'notification',
    subjectId: row.dedupe_key,
    payload: {
      id: row.id,
      dedupeKey: row.dedupe_key,
      createdAt: row.created_at,
      to: row.to_addresses,
      subject: row.subject,
      bodyText: row.body_text,
      lang: row.lang,
      messageId: row.message_id,
      workflowId: row.workflow_id,
      runId: row.run_id,
    },
  };
}

/** The `notification.delivered` event of an outbox row the SMTP server accepted. */
export function deliveredEvent(row: NotificationRow, sentAt: Date): AppendEvent {
  return {
    idempotencyKey: `notification:${row.dedupe_key}:delivered`,
    type: 'notification.delivered',
    actor: 'system',
    workflowId: row.workflow_id,
    runId: row.run_id,
    subjectType: 'notification',
    subjectId: row.dedupe_key,
    payload: { dedupeKey: row.dedupe_key, sentAt },
  };
}

/** The message nodemailer sends for an outbox row: its Message-ID, its key in a header, the languages it is written in. */
export function messageOf(
  from: string,
  row: NotificationRow,
  lang: Lang,
  ics: { readonly filename: string; readonly content: string } | undefined,
): SendMailOptions {
  return {
    from,
    to: [...row.to_addresses],
    subject: row.subject,
    text: row.body_text,
    messageId: row.message_id,
    ...(ics === undefined ? {} : { icalEvent: { method: 'PUBLISH', filename: ics.filename, content: ics.content } }),
    headers: { 'X-Merzim-Key': row.dedupe_key, 'Content-Language': lang === 'kk' ? 'kk, ru' : 'ru, kk' },
  };
}

/** Sends one e-mail per dedupe key, ever: a retry after success returns the first send's Message-ID. Call from an activity. */
export async function sendEmailOnce(
  deps: MailDeps,
  input: SendEmailInput,
): Promise<{ messageId: string; alreadySent: boolean }> {
  const bad = input.to.find((a) => !EMAIL.test(a));
  if (input.to.length === 0 || bad !== undefined) {
    throw ApplicationFailure.nonRetryable(`to: invalid address "${bad ?? '(none)'}"`, FailureType.InvalidInput);
  }
  const info = Context.current().info;
  const subject = bilingualSubject(input.subject, input.lang);
  const text = bilingualBody(input.body, input.lang);
  // The Message-ID is derived from the dedupe key, so even a resend after a crash is recognisable as the same message.
  const messageId = messageIdOf(input.dedupeKey);
  // The outbox row and its `notification.queued` event (what `projections rebuild` makes the row from) in one transaction;
  // the event is written once, with the row as the first claim made it.
  const row = await deps.db.transaction().execute(async (trx) => {
    const claimed = await claimNotification(trx, {
      dedupeKey: input.dedupeKey,
      to: input.to,
      subject,
      bodyText: text,
      lang: input.lang,
      messageId,
      workflowId: info.workflowExecution?.workflowId ?? null,
      runId: info.workflowExecution?.runId ?? null,
    });
    await appendEvent(trx, queuedEvent(claimed));
    return claimed;
  });
  if (row.status === 'sent') return { messageId: row.message_id, alreadySent: true };
  try {
    await deps.mailer.sendMail(messageOf(deps.mailFrom, row, input.lang, input.ics));
  } catch (err) {
    const e = err as Error & { responseCode?: number };
    await recordNotificationError(deps.db, input.dedupeKey, e.message);
    // A permanent refusal of the recipient will not change on retry; anything else (server down, 4xx) will.
    if (e.responseCode !== undefined && e.responseCode >= 550 && e.responseCode <= 553) {
      throw ApplicationFailure.nonRetryable(`SMTP refused the message: ${e.message}`, FailureType.MailRejected);
    }
    throw err;
  }
  const sentAt = new Date();
  await deps.db.transaction().execute(async (trx) => {
    await markNotificationSent(trx, input.dedupeKey, sentAt);
    await appendEvent(trx, deliveredEvent(row, sentAt));
  });
  return { messageId: row.message_id, alreadySent: false };
}
