// Reporting cycles and their schedules: list filters, the cycle view with counts, schedule state, backfill and opening by hand.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { List, NullableDateTime, DateTime, PeriodKey, StringEnum, Uuid, nullable } from './common.js';
import { Obligation, StatusCounts } from './obligations.js';
import { NextCursor, PageQuery } from '../pagination.js';

export const CycleStatus = StringEnum(['open', 'completed', 'closed']);

export const CycleListQuery = Type.Object(
  {
    planId: Type.Optional(Uuid),
    period: Type.Optional(PeriodKey),
    status: Type.Optional(CycleStatus),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type CycleListQuery = Static<typeof CycleListQuery>;

const CycleFields = {
  id: Type.String({ description: 'The workflow id, cycle:<plan>:<period>' }),
  planId: Uuid,
  period: Type.String(),
  policy: Type.String(),
  status: CycleStatus,
  stage: nullable(Type.String({ description: 'The earliest stage with an open obligation' })),
  closedReason: nullable(Type.String()),
  openedAt: DateTime,
  finishedAt: NullableDateTime,
};
export const Cycle = Type.Object({ ...CycleFields, counts: StatusCounts });
export const CycleList = Type.Object({ items: List(Cycle), nextCursor: NextCursor });
/**
 * One cycle: its counts, and where its obligations are listed (a cycle can hold thousands: they are a paged list of their own).
 * With ?include=obligations, the first page of them (or the page after ?cursor) and the next page's cursor, which the list
 * (GET /api/v1/obligations?planId&period) also takes.
 */
export const CycleDetail = Type.Object({
  ...CycleFields,
  counts: StatusCounts,
  obligationsUrl: Type.String({
    description: "The cycle's obligations, a page at a time: /api/v1/obligations?planId=…&period=…",
  }),
  obligations: Type.Optional(List(Obligation, { description: 'With ?include=obligations: one page of them' })),
  nextCursor: Type.Optional(NextCursor),
});
export const CycleDetailQuery = Type.Object(
  {
    include: Type.Optional(
      StringEnum(['obligations'], { description: 'obligations: one page of them along (?limit, ?cursor)' }),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type CycleDetailQuery = Static<typeof CycleDetailQuery>;

/** A cycle or obligation id is a workflow id ("cycle:<plan>:<period>"), sent URL-encoded. */
export const WorkflowIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });
export type WorkflowIdParams = Static<typeof WorkflowIdParams>;

export const ScheduleState = Type.Object({
  exists: Type.Boolean({ description: 'False before confirmation and after a repeal' }),
  paused: Type.Boolean(),
  note: nullable(Type.String()),
  nextActionTimes: List(Type.String({ format: 'date-time' })),
});

export const ScheduleNoteBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type ScheduleNoteBody = Static<typeof ScheduleNoteBody>;

/** How a period some of whose deadlines have passed is opened (domain/cycle-opening.ts); required then, refused without. */
export const OpeningMode = StringEnum(['catch-up', 'record-only'], {
  description:
    'catch-up: live and late (one overdue notice per overdue obligation, the escalation step reached, one summary to the coordinator); record-only: a past period loaded for the record (no e-mail at all, reports entered afterwards marked late)',
});
export const BackfillBody = Type.Object(
  { from: PeriodKey, to: PeriodKey, mode: Type.Optional(OpeningMode) },
  { additionalProperties: false },
);
export type BackfillBody = Static<typeof BackfillBody>;

export const OpenCycleResult = Type.Object({
  status: StringEnum(['opened', 'already_open', 'not_opened']),
  cycleId: nullable(Type.String()),
  period: nullable(Type.String()),
  reason: nullable(Type.String({ description: "Why not opened, e.g. outside the plan's years" })),
  mode: nullable(StringEnum(['catch-up', 'record-only'])),
  overdueAtOpening: Type.Integer({ minimum: 0, description: 'Obligations whose deadline had passed at opening' }),
});
export const BackfillReply = Type.Object({ periods: List(nullable(Type.String())), results: List(OpenCycleResult) });

export const OpenCycleBody = Type.Object(
  { period: PeriodKey, mode: Type.Optional(OpeningMode) },
  { additionalProperties: false },
);
export type OpenCycleBody = Static<typeof OpenCycleBody>;
