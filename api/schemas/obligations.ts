// Obligations: list filters, the obligation view with its report, and the review commands (accept, extend); the report's own
// (submit, drafts, versions, return with remarks) are in reports.ts.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { DateTime, IsoDate, List, NullableDateTime, PeriodKey, StringEnum, Uuid, nullable } from './common.js';
import { DUE_DATE_PATTERN } from '../../domain/due-date-bounds.js';
import { NextCursor, PageQuery } from '../pagination.js';

/** Obligation counts by status (only statuses that occur). */
export const StatusCounts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
  description: 'Obligations by status, e.g. {"pending": 3, "submitted": 1}',
});

export const ObligationStatus = StringEnum(['pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed']);
const MeasureStatus = StringEnum(['done', 'in_progress', 'not_done', 'not_yet_due']);

export const ObligationListQuery = Type.Object(
  {
    planId: Type.Optional(Uuid),
    period: Type.Optional(PeriodKey),
    agency: Type.Optional(Type.String({ maxLength: 100 })),
    status: Type.Optional(ObligationStatus),
    stage: Type.Optional(Type.String({ maxLength: 100 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type ObligationListQuery = Static<typeof ObligationListQuery>;

const ReportItem = Type.Object({ measure: Type.String(), status: MeasureStatus, text: Type.String() });

/** The latest submission as the obligation workflow recorded it. */
const Report = Type.Object(
  {
    submittedBy: Type.String(),
    items: Type.Optional(List(ReportItem, { description: 'Legacy submissions: status and text per measure' })),
    versionId: Type.Optional(Type.String({ description: 'The stored version (GET …/versions/{version})' })),
    contentHash: Type.Optional(Type.String({ description: "SHA-256 of the version's canonical JSON" })),
    statuses: Type.Optional(List(Type.Object({ measure: Type.String(), status: Type.String() }))),
    version: Type.Integer(),
    submittedAt: Type.String({ format: 'date-time' }),
    late: Type.Boolean(),
  },
  { additionalProperties: true },
);

export const Obligation = Type.Object({
  id: Type.String({ description: 'The workflow id, obligation:<plan>:<period>:<agency>:<stage>' }),
  cycleId: nullable(Type.String()),
  planId: Uuid,
  period: Type.String(),
  stage: Type.String(),
  agencyCode: Type.String(),
  status: ObligationStatus,
  dueDate: IsoDate,
  effectiveDueDate: nullable(IsoDate),
  dueAt: DateTime,
  reportVersion: Type.Integer({ minimum: 0 }),
  report: nullable(Report),
  submittedAt: NullableDateTime,
  workingDaysLate: nullable(Type.Integer()),
  acceptedAt: NullableDateTime,
  closedReason: nullable(Type.String()),
});

export type Obligation = Static<typeof Obligation>;

export const ObligationList = Type.Object({
  counts: StatusCounts,
  items: List(Obligation),
  nextCursor: NextCursor,
});

/** 304: the If-None-Match tag names the page as it still is; no body. */
export const NotModified = Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is still current' });

/** What the obligation answers after a review (workflows ObligationSummary). */
export const ObligationSummary = Type.Object({
  obligationId: Type.String(),
  stageId: Type.String(),
  agencyCode: Type.String(),
  status: ObligationStatus,
  dueDate: IsoDate,
  effectiveDueDate: nullable(IsoDate),
  dueInstant: nullable(Type.String({ format: 'date-time' })),
  reportVersion: Type.Integer({ minimum: 0 }),
  workingDaysLate: nullable(Type.Integer()),
  closedReason: nullable(Type.String()),
});

export const AcceptBody = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 5000 })) },
  { additionalProperties: false },
);
export type AcceptBody = Static<typeof AcceptBody>;
/** A moved deadline: a date in 2000–2199 here (so "9999-12-31" never reaches a workflow); the Update validators bound it by the cycle. */
const NewDueDate = Type.String({
  format: 'date',
  pattern: DUE_DATE_PATTERN,
  description: "The new due date, YYYY-MM-DD (Asia/Almaty): after today, within the cycle's year plus two",
});
export const ExtendBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 5000 }), newDueDate: NewDueDate },
  { additionalProperties: false },
);
export type ExtendBody = Static<typeof ExtendBody>;
