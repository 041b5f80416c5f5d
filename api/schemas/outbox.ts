// The outbox (what Merzim sent) and the embedded SMTP sink (what arrived): paging and the rows shown.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Binary, DateTime, List, nullable } from './common.js';

const Id = Type.String({ pattern: '^[0-9]+$' });

export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    before: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'Rows with a smaller id (the next page)' })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;
export const SinkQuery = Type.Object(
  {
    ...PageQuery.properties,
    to: Type.Optional(Type.String({ maxLength: 320, description: 'Only messages to this address' })),
  },
  { additionalProperties: false },
);
export type SinkQuery = Static<typeof SinkQuery>;

export const OutboxItem = Type.Object({
  id: Id,
  key: Type.String({ description: 'Dedupe key: one reminder per obligation × offset, ever' }),
  to: List(Type.String()),
  subject: Type.String(),
  lang: Type.String(),
  status: Type.String({ enum: ['pending', 'sent'] }),
  messageId: Type.String(),
  attempts: Type.Integer(),
  lastError: nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: nullable(Type.String({ format: 'date-time' })),
  workflowId: nullable(Type.String()),
});
export const Outbox = Type.Object({ items: List(OutboxItem) });

export const SinkMessage = Type.Object({
  id: Id,
  receivedAt: DateTime,
  messageId: nullable(Type.String()),
  from: nullable(Type.String()),
  to: List(Type.String()),
  subject: nullable(Type.String()),
  sizeBytes: Type.Integer(),
});
export const SinkMessages = Type.Object({ items: List(SinkMessage) });
export const MessageIdParams = Type.Object({ id: Id });
export type MessageIdParams = Static<typeof MessageIdParams>;
/** The stored message as it arrived (RFC 5322). */
export const RawMessage = { content: { 'message/rfc822': { schema: Binary('The raw message') } } };
