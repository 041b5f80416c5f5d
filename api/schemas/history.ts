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

export const WorkflowParams = Type.Object({ workflowId: WorkflowId });
export type WorkflowParams = Static<typeof WorkflowParams>;

export const RunQuery = Type.Object({
  runId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'One run of the workflow (default: its latest)' }),
  ),
});
export type RunQuery = Static<typeof RunQuery>;

export const WorkflowRun = Type.Object({
  runId: Type.String(),
  status: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  closedAt: nullable(Type.String({ format: 'date-time' })),
});

export const TimelineEntry = Type.Object({
  eventId: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  kind: StringEnum([
    'started',
    'timer',
    'activity',
    'update',
    'signal',
    'child',
    'search_attributes',
    'patch',
    'ended',
    'task_failed',
  ]),
  name: Type.String(),
  outcome: nullable(StringEnum(['ok', 'failed'])),
  attempts: nullable(Type.Integer()),
  by: nullable(Type.String({ description: "Who, where the input names it (an Update's submittedBy …)" })),
  detail: nullable(
    Type.String({ description: 'Input and result, shortened; a timer: when it fires and what ran then' }),
  ),
  messageId: nullable(Type.String({ description: 'The e-mail an activity sent: see mails' })),
});

export const LoggedEvent = Type.Object({
  id: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  type: Type.String(),
  actor: Type.String(),
  runId: nullable(Type.String()),
  subject: nullable(Type.String()),
  payload: Type.Unknown(),
  seq: Type.String({ description: "The row's place in its stream" }),
  hash: Type.String({ description: 'SHA-256 chained to the previous row of the stream (merzim events verify)' }),
});

export const WorkflowMail = Type.Object({
  id: Type.String(),
  messageId: Type.String(),
  key: Type.String(),
  to: List(Type.String()),
  subject: Type.String(),
  status: Type.String(),
  sentAt: nullable(Type.String({ format: 'date-time' })),
});

export const WorkflowHistory = Type.Object({
  workflowId: Type.String(),
  runId: Type.String(),
  workflowType: Type.String(),
  status: Type.String(),
  temporalUrl: nullable(Type.String({ description: 'The same workflow in the Temporal web UI' })),
  rawUrl: Type.String({ description: 'The raw history as JSON' }),
  timeline: List(TimelineEntry),
  events: List(LoggedEvent),
  mails: List(WorkflowMail),
  runs: List(WorkflowRun, {
    description: 'Every run of this workflow id, oldest first: a cycle that continued as new has several',
  }),
});

const EventFilters = {
  planId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  period: Type.Optional(PeriodKey),
  agency: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "An obligation's agency code" })),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'e.g. report.submitted' })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Occurred at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Occurred before' })),
};

export const EventSearchQuery = Type.Object(
  {
    ...EventFilters,
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'Rows with a greater id (the next page)' })),
  },
  { additionalProperties: false },
);
export type EventSearchQuery = Static<typeof EventSearchQuery>;

export const EventExportQuery = Type.Object(
  { ...EventFilters, format: StringEnum(['csv', 'jsonl'], { default: 'jsonl' }) },
  { additionalProperties: false },
);
export type EventExportQuery = Static<typeof EventExportQuery>;

export const SearchedEvent = Type.Object({
  ...LoggedEvent.properties,
  workflowId: nullable(Type.String()),
});
export const EventPage = Type.Object({
  items: List(SearchedEvent),
  next: nullable(Type.String({ description: 'The `after` of the next page; null on the last' })),
});

export const CycleAsOfParams = Type.Object({
  cycleId: Type.String({ minLength: 1, maxLength: 300, description: 'cycle:<plan>:<period>' }),
});
export const CycleAsOfQuery = Type.Object(
  { at: Type.String({ format: 'date-time', description: 'The instant, e.g. 2027-01-10T23:59:59+05:00 (Astana)' }) },
  { additionalProperties: false },
);
const AsOfStatus = StringEnum(['pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed']);
export const CycleAsOf = Type.Object({
  at: Type.String({ format: 'date-time' }),
  obligations: List(
    Type.Object({
      obligationId: Type.String(),
      agencyCode: Type.String(),
      stageId: Type.String(),
      status: AsOfStatus,
      submittedAt: nullable(Type.String({ format: 'date-time' })),
      submittedBy: nullable(Type.String()),
      late: nullable(Type.Boolean()),
      acceptedAt: nullable(Type.String({ format: 'date-time' })),
      remindersSent: Type.Integer(),
      escalationsSent: Type.Integer(),
    }),
  ),
  reported: List(Type.String(), { description: 'Obligations whose report was in by then' }),
  counts: Type.Record(Type.String(), Type.Integer()),
});
