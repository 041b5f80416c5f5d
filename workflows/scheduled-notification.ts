// scheduledNotificationWorkflow: sleeps until an instant, then sends one e-mail and records it — the primitive under every reminder.
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import {
  FailureType,
  MAIL_RETRY,
  type ScheduledNotificationInput,
  type ScheduledNotificationResult,
} from './shared.js';

const { sendEmail, recordEvent } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: MAIL_RETRY,
});

/** Sends one bilingual e-mail at `sendAt` and records a `notification.sent` event; idempotent per `key`. */
export async function scheduledNotificationWorkflow(
  input: ScheduledNotificationInput,
): Promise<ScheduledNotificationResult> {
  const sendAt = Date.parse(input.sendAt);
  if (Number.isNaN(sendAt))
    throw ApplicationFailure.nonRetryable(`sendAt: not an ISO instant: ${input.sendAt}`, FailureType.InvalidInput);
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
