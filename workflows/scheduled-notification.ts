// scheduledNotificationWorkflow: sleeps until an instant, then sends one e-mail and records it — the primitive under every reminder.
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { FailureType, type ScheduledNotificationInput, type ScheduledNotificationResult } from './shared.js';

const { sendEmail, recordEvent } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  // SMTP may be down for a day: keep retrying, but not faster than every 10 minutes once it has failed for a while.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: [FailureType.InvalidInput, FailureType.MailRejected] },
});

/** Sends one bilingual e-mail at `sendAt` and records a `notification.sent` event; idempotent per `key`. */
export async function scheduledNotificationWorkflow(input: ScheduledNotificationInput): Promise<ScheduledNotificationResult> {
  const sendAt = Date.parse(input.sendAt);
  if (Number.isNaN(sendAt)) throw ApplicationFailure.nonRetryable(`sendAt: not an ISO instant: ${input.sendAt}`, FailureType.InvalidInput);
  const wait = sendAt - Date.now();
  if (wait > 0) await sleep(wait);

  const sent = await sendEmail({
    dedupeKey: input.key,
    to: input.to,
    lang: input.lang,
    subject: input.subject,
    body: input.body,
  });
  await recordEvent({
    idempotencyKey: `${input.key}:sent`,
    type: 'notification.sent',
    actor: input.actor,
    subjectType: 'notification',
    subjectId: input.key,
    payload: { to: input.to, messageId: sent.messageId, lang: input.lang, scheduledFor: input.sendAt },
  });
  return sent;
}
