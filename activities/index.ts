// Side effects of Merzim's workflows (database writes, e-mail), built by a factory over injected dependencies.
import { Context } from '@temporalio/activity';
import { appendEvent } from '../db/repositories/events.js';
import type { ActivityDeps } from './deps.js';
import { createCycleActivities } from './cycles.js';
import { createCycleOpeningActivities } from './cycle-opening.js';
import { createDigestActivities } from './digests.js';
import { createReminderBatchActivities } from './reminder-batch.js';
import { classifyDataErrors } from './db-errors.js';
import { sendEmailOnce, type SendEmailInput } from './email.js';

export type { SendEmailInput } from './email.js';
export type { ReminderBatchInput, ReminderBatchItem } from './reminder-batch.js';
export type { OpenedObligation, PlannedTimeline } from './cycles.js';

export type { ActivityDeps } from './deps.js';

export interface RecordEventInput {
  readonly idempotencyKey: string;
  readonly type: string;
  readonly actor: string;
  readonly subjectType?: string;
  readonly subjectId?: string;
  readonly payload?: unknown;
}

export function createActivities(deps: ActivityDeps) {
  return classifyDataErrors({
    /** Sends one e-mail per dedupe key, ever: a retry after success returns the first send's Message-ID. */
    async sendEmail(input: SendEmailInput): Promise<{ messageId: string; alreadySent: boolean }> {
      return sendEmailOnce(deps, input);
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

    ...createCycleActivities(deps),
    ...createCycleOpeningActivities(deps),
    ...createDigestActivities(deps),
    ...createReminderBatchActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
