// Side effects of Merzim's workflows (database writes, e-mail), built by a factory over injected dependencies.
import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import { appendEvent } from '../db/repositories/events.js';
import { claimNotification, markNotificationSent, recordNotificationError } from '../db/repositories/notifications.js';
import { FailureType, type BilingualText, type Lang } from '../workflows/shared.js';
import { bilingualBody, bilingualSubject } from './mail-format.js';

export interface ActivityDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Transporter;
  readonly mailFrom: string;
}

export interface SendEmailInput {
  readonly dedupeKey: string;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly subject: BilingualText;
  readonly body: BilingualText;
}

export interface RecordEventInput {
  readonly idempotencyKey: string;
  readonly type: string;
  readonly actor: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly payload?: unknown;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export function createActivities(deps: ActivityDeps) {
  return {
    /** Sends one e-mail per dedupe key, ever: a retry after success returns the first send's Message-ID. */
    async sendEmail(input: SendEmailInput): Promise<{ messageId: string; alreadySent: boolean }> {
      const bad = input.to.find((a) => !EMAIL.test(a));
      if (input.to.length === 0 || bad !== undefined) {
        throw ApplicationFailure.nonRetryable(`to: invalid address "${bad ?? '(none)'}"`, FailureType.InvalidInput);
      }
      const info = Context.current().info;
      const subject = bilingualSubject(input.subject, input.lang);
      const text = bilingualBody(input.body, input.lang);
      // The Message-ID is derived from the dedupe key, so even a resend after a crash is recognisable as the same message.
      const messageId = `<${createHash('sha256').update(input.dedupeKey).digest('hex').slice(0, 32)}@merzim>`;
      const row = await claimNotification(deps.db, {
        dedupeKey: input.dedupeKey,
        to: input.to,
        subject,
        bodyText: text,
        lang: input.lang,
        messageId,
        workflowId: info.workflowExecution?.workflowId ?? null,
        runId: info.workflowExecution?.runId ?? null,
      });
      if (row.status === 'sent') return { messageId: row.message_id, alreadySent: true };
      try {
        await deps.mailer.sendMail({
          from: deps.mailFrom,
          to: [...row.to_addresses],
          subject: row.subject,
          text: row.body_text,
          messageId: row.message_id,
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
      await markNotificationSent(deps.db, input.dedupeKey, new Date());
      return { messageId: row.message_id, alreadySent: false };
    },

    /** Appends one row to the events log, once per idempotency key, with the calling workflow's id and run id. */
    async recordEvent(input: RecordEventInput): Promise<{ recorded: boolean }> {
      const info = Context.current().info;
      const recorded = await appendEvent(deps.db, {
        idempotencyKey: input.idempotencyKey,
        type: input.type,
        actor: input.actor,
        workflowId: info.workflowExecution?.workflowId ?? null,
        runId: info.workflowExecution?.runId ?? null,
        subjectType: input.subjectType ?? null,
        subjectId: input.subjectId ?? null,
        payload: input.payload ?? {},
      });
      return { recorded };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
