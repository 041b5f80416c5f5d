// POST /api/v1/notifications/test: an admin checks that mail reaches an address — through a real workflow, activity, events row and SMTP.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { scheduledNotificationWorkflow } from '../../workflows/index.js';
import type { ScheduledNotificationInput } from '../../workflows/shared.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { errors } from '../schemas/common.js';
import {
  IdempotencyHeaders,
  TestNotificationAlreadyStarted,
  TestNotificationBody,
  TestNotificationStarted,
} from '../schemas/notifications.js';

export interface NotificationRoutesOptions {
  readonly temporal: Client;
  readonly taskQueue: string;
}

export const notificationRoutes: FastifyPluginAsyncTypebox<NotificationRoutesOptions> = async (
  app,
  { temporal, taskQueue },
) => {
  app.post(
    '/api/v1/notifications/test',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['notifications'],
        summary:
          'Send a bilingual test e-mail through a real workflow (202 started; 200 when the Idempotency-Key was used before)',
        headers: IdempotencyHeaders,
        body: TestNotificationBody,
        response: { 202: TestNotificationStarted, 200: TestNotificationAlreadyStarted, ...errors() },
      },
    },
    async (request, reply) => {
      // The caller's Idempotency-Key makes a retried request land on the same workflow instead of sending twice.
      const key = `test-notification:${request.headers['idempotency-key'] ?? randomUUID()}`;
      const actor = actorOf(principalOf(request));
      const input: ScheduledNotificationInput = {
        key,
        sendAt: request.body.sendAt ?? new Date().toISOString(),
        to: request.body.to,
        lang: request.body.lang ?? 'kk',
        actor,
        subject: { kk: 'Merzim: тексеру хаты', ru: 'Merzim: проверочное письмо' },
        body: {
          kk: 'Бұл хат Merzim жүйесінен келген хабарламалардың сіздің мекенжайыңызға жететінін тексеру үшін жіберілді. Жауап берудің қажеті жоқ.',
          ru: 'Это письмо отправлено, чтобы проверить, что уведомления системы Merzim доходят до вашего адреса. Отвечать на него не нужно.',
        },
      };
      try {
        const handle = await temporal.workflow.start(scheduledNotificationWorkflow, {
          workflowId: key,
          // A key is used once, ever: a completed workflow must not be started again by a retried request.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          taskQueue,
          args: [input],
          memo: { actor },
        });
        return reply
          .code(202)
          .send({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, status: 'started' as const });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          return reply.code(200).send({ workflowId: key, status: 'already_started' as const });
        throw err;
      }
    },
  );
};
