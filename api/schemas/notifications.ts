// The test e-mail an admin sends to check that mail reaches an address; Idempotency-Key makes a retry land on the same workflow.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Lang, List } from './common.js';

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._:-]{1,100}$',
      description: 'A retried request with the same key sends nothing twice',
    }),
  ),
});
export type IdempotencyHeaders = Static<typeof IdempotencyHeaders>;

export const TestNotificationBody = Type.Object(
  {
    to: List(Type.String({ format: 'email', maxLength: 320 }), { minItems: 1, maxItems: 20 }),
    lang: Type.Optional(Lang),
    sendAt: Type.Optional(Type.String({ format: 'date-time', description: 'Later delivery; now when absent' })),
  },
  { additionalProperties: false },
);
export type TestNotificationBody = Static<typeof TestNotificationBody>;

export const TestNotificationStarted = Type.Object({
  workflowId: Type.String(),
  runId: Type.String(),
  status: Type.Literal('started'),
});
export const TestNotificationAlreadyStarted = Type.Object({
  workflowId: Type.String(),
  status: Type.Literal('already_started'),
});
