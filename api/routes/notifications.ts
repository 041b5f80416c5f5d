// POST /api/v1/notifications/test: an admin checks that mail reaches an address — through a real workflow, activity, events row and SMTP.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { scheduledNotificationWorkflow } from '../../workflows/index.js';
import type { ScheduledNotificationInput } from '../../workflows/shared.js';
import { actorOf, principalOf, requireRole } from '../auth.js';

export interface NotificationRoutesOptions {
  readonly temporal: Client;
  readonly taskQueue: string;
}

interface TestBody {
  to: string[];
  lang?: 'kk' | 'ru';
  sendAt?: string;
}

export const notificationRoutes: FastifyPluginAsync<NotificationRoutesOptions> = async (app, { temporal, taskQueue }) => {
  app.post<{ Body: TestBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/notifications/test',
    {
      preHandler: requireRole('admin'),
      schema: {
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' } } },
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', format: 'email', maxLength: 320 } },
            lang: { type: 'string', enum: ['kk', 'ru'], default: 'kk' },
            sendAt: { type: 'string', format: 'date-time' },
          },
        },
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
        return reply.code(202).send({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, status: 'started' });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return reply.code(200).send({ workflowId: key, status: 'already_started' });
        throw err;
      }
    },
  );
};
