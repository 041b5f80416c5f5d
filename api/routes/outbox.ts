// The outbox (what Merzim sent) and, on embedded defaults, the SMTP sink's mailbox (what arrived); admins only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getSinkMessageRaw } from '../../db/repositories/sink.js';
import { principalOf, requireRole } from '../auth.js';
import { createOutboxService } from '../services/outbox.js';
import { HttpError } from '../errors.js';
import { errors } from '../schemas/common.js';
import { MessageIdParams, Outbox, PageQuery, RawMessage, SinkMessages, SinkQuery } from '../schemas/outbox.js';

export interface OutboxRoutesOptions {
  readonly db: Kysely<Database>;
  /** True when this process runs the embedded SMTP sink (npm start without SMTP_URL). */
  readonly sinkEnabled: boolean;
}

export const outboxRoutes: FastifyPluginAsyncTypebox<OutboxRoutesOptions> = async (app, { db, sinkEnabled }) => {
  const adminOnly = requireRole('admin');
  const service = createOutboxService({ db, sinkEnabled });

  app.get(
    '/api/v1/outbox',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['outbox'],
        summary: 'E-mails Merzim sent or is sending, newest first',
        querystring: PageQuery,
        response: { 200: Outbox, ...errors() },
      },
    },
    async (request) => {
      const rows = await service.notifications(principalOf(request), request.query);
      return {
        items: rows.map((r) => ({
          id: r.id,
          key: r.dedupe_key,
          to: r.to_addresses,
          subject: r.subject,
          lang: r.lang,
          status: r.status,
          messageId: r.message_id,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: r.created_at.toISOString(),
          sentAt: r.sent_at?.toISOString() ?? null,
          workflowId: r.workflow_id,
        })),
      };
    },
  );

  app.get(
    '/api/v1/sink/messages',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['outbox'],
        summary: 'What the embedded SMTP sink received (404 sink_disabled in production)',
        querystring: SinkQuery,
        response: { 200: SinkMessages, ...errors(404) },
      },
    },
    async (request) => {
      const rows = await service.sinkMessages(principalOf(request), request.query);
      return {
        items: rows.map((r) => ({
          id: r.id,
          receivedAt: r.received_at.toISOString(),
          messageId: r.message_id,
          from: r.mail_from,
          to: r.rcpt_to,
          subject: r.subject,
          sizeBytes: r.size_bytes,
        })),
      };
    },
  );

  app.get(
    '/api/v1/sink/messages/:id/raw',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['outbox'],
        summary: 'One received message as it arrived',
        params: MessageIdParams,
        response: { 200: RawMessage, ...errors(404) },
      },
    },
    async (request, reply) => {
      if (!sinkEnabled) throw new HttpError(404, 'sink_disabled', 'No SMTP sink runs here: mail goes to SMTP_URL');
      const raw = await getSinkMessageRaw(db, request.params.id);
      if (raw === undefined) throw new HttpError(404, 'not_found', `No message ${request.params.id}`);
      return reply.type('message/rfc822').send(raw);
    },
  );
};
