// Delivery of one e-mail through the outbox: claimed by dedupe key, sent over SMTP, marked sent — so a retried activity never sends twice.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import { appendEvent } from '../db/repositories/events.js';
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

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

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
  const messageId = `<${createHash('sha256').update(input.dedupeKey).digest('hex').slice(0, 32)}@merzim>`;
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
    await appendEvent(trx, {
      idempotencyKey: `notification:${claimed.dedupe_key}:queued`,
      type: 'notification.queued',
      actor: 'system',
      workflowId: claimed.workflow_id,
      runId: claimed.run_id,
      subjectType: 'notification',
      subjectId: claimed.dedupe_key,
      payload: {
        id: claimed.id,
        dedupeKey: claimed.dedupe_key,
        createdAt: claimed.created_at,
        to: claimed.to_addresses,
        subject: claimed.subject,
        bodyText: claimed.body_text,
        lang: claimed.lang,
        messageId: claimed.message_id,
        workflowId: claimed.workflow_id,
        runId: claimed.run_id,
      },
    });
    return claimed;
  });
  if (row.status === 'sent') return { messageId: row.message_id, alreadySent: true };
  try {
    await deps.mailer.sendMail({
      from: deps.mailFrom,
      to: [...row.to_addresses],
      subject: row.subject,
      text: row.body_text,
      messageId: row.message_id,
      ...(input.ics === undefined
        ? {}
        : { icalEvent: { method: 'PUBLISH', filename: input.ics.filename, content: input.ics.content } }),
      headers: { 'X-Merzim-Key': input.dedupeKey, 'Content-Language': input.lang === 'kk' ? 'kk, ru' : 'ru, kk' },
    });
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
    await appendEvent(trx, {
      idempotencyKey: `notification:${row.dedupe_key}:delivered`,
      type: 'notification.delivered',
      actor: 'system',
      workflowId: row.workflow_id,
      runId: row.run_id,
      subjectType: 'notification',
      subjectId: row.dedupe_key,
      payload: { dedupeKey: row.dedupe_key, sentAt },
    });
  });
  return { messageId: row.message_id, alreadySent: false };
}
