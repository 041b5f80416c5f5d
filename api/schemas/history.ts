// The admin's history tools: the replay check (which workflows, and what replaying them against this release found).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { List, nullable, PeriodKey, StringEnum } from './common.js';

const WorkflowId = Type.String({ minLength: 1, maxLength: 1000 });

export const ReplayRequest = Type.Object(
  {
    workflowId: Type.Optional(WorkflowId),
    runId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'With workflowId: one run' })),
    planId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    period: Type.Optional(PeriodKey),
    open: Type.Optional(Type.Literal(true, { description: 'Every workflow running now' })),
    closedFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Runs closed from this instant …' })),
    closedTo: Type.Optional(Type.String({ format: 'date-time', description: '… to this one' })),
    history: Type.Optional(
      Type.Object(
        { workflowId: WorkflowId, history: Type.Object({ events: Type.Array(Type.Unknown()) }) },
        { description: "A history file (Merzim's download or Temporal's JSON, as `history`)" },
      ),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000, description: 'At most this many workflows' }),
  },
  {
    additionalProperties: false,
    description:
      'Exactly one of: workflowId (with runId), planId (with period), open, closedFrom with closedTo, history',
  },
);
export type ReplayRequest = Static<typeof ReplayRequest>;

export const ReplayOutcome = Type.Object({
  workflowId: Type.String(),
  runId: nullable(Type.String()),
  workflowType: nullable(Type.String()),
  ok: Type.Boolean(),
  problem: nullable(StringEnum(['nondeterminism', 'failure'])),
  eventId: nullable(Type.Integer({ description: 'The first history event the code no longer agrees with' })),
  message: nullable(Type.String({ description: 'What the SDK found: what the code wanted instead' })),
  events: Type.Integer(),
});

export const ReplayReport = Type.Object({
  total: Type.Integer(),
  ok: Type.Integer(),
  failed: Type.Integer(),
  workflows: List(ReplayOutcome),
});
