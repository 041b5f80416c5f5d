// The full report (domain/report.ts) and what goes with it: drafts, submitted versions, the diff of two versions, and a
// return with remarks per measure. The schema checks types and sizes; domain/report.ts checks the rest, naming the field.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { DateTime, IsoDate, List, StringEnum, Uuid } from './common.js';
import { REPORT_LIMITS, REPORT_MEASURE_STATUSES } from '../../domain/report.js';
import { DUE_DATE_PATTERN } from '../../domain/due-date-bounds.js';

const Short = Type.String({ maxLength: REPORT_LIMITS.shortText });
const Long = Type.String({ maxLength: REPORT_LIMITS.text });

export const IndicatorValue = Type.Object(
  {
    indicator: Type.Integer({ minimum: 0, description: "Index of the indicator among the plan measure's indicators" }),
    value: Type.Number({ description: "Achieved, in the indicator's unit: a finite number, not negative" }),
    unit: Type.Optional(Type.String({ maxLength: 200, description: "When given, must be the plan's unit" })),
  },
  { additionalProperties: false },
);

export const ReportMeasure = Type.Object(
  {
    measure: Type.String({ maxLength: 20, description: 'A measure number the agency owes' }),
    status: StringEnum(REPORT_MEASURE_STATUSES),
    narrative: Type.Object(
      { kk: Type.Optional(Long), ru: Type.Optional(Long) },
      { additionalProperties: false, description: 'What was done: Kazakh, Russian or both (at least one)' },
    ),
    indicators: List(IndicatorValue, { maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const ReportEvent = Type.Object(
  {
    name: Short,
    date: IsoDate,
    place: Short,
    participants: Type.Integer({ minimum: 0 }),
    categories: Type.Optional(Short),
    experts: Type.Optional(Short),
    annex: Type.Optional(Type.Integer({ minimum: 1, description: 'The number of the annex that proves it' })),
  },
  { additionalProperties: false },
);

export const ReportRisk = Type.Object({ risk: Long, mitigation: Long }, { additionalProperties: false });

export const ReportAnnex = Type.Object(
  {
    number: Type.Integer({ minimum: 1 }),
    title: Short,
    fileId: Type.Optional(Type.String({ maxLength: 100, description: 'An evidence file of this obligation (its id)' })),
    url: Type.Optional(Type.String({ maxLength: REPORT_LIMITS.url, description: 'A link, http(s) only' })),
  },
  { additionalProperties: false, description: 'Exactly one of fileId and url' },
);

/** The report as submitted: every field is checked again by domain/report.ts, which names the field of each problem. */
export const ReportContent = Type.Object(
  {
    period: Type.String({ maxLength: 20, description: "The obligation's period key (2019, 2019-H1)" }),
    measures: List(ReportMeasure, { maxItems: REPORT_LIMITS.measures }),
    events: List(ReportEvent, { maxItems: REPORT_LIMITS.events }),
    risks: List(ReportRisk, { maxItems: REPORT_LIMITS.risks }),
    annexes: List(ReportAnnex, { maxItems: REPORT_LIMITS.annexes }),
    signatory: Type.Object({ name: Short, position: Short }, { additionalProperties: false }),
    signedOn: IsoDate,
  },
  { additionalProperties: false },
);

const LegacyItem = Type.Object(
  {
    measure: Type.String({ maxLength: 20 }),
    status: StringEnum(['done', 'in_progress', 'not_done']),
    text: Type.String({ maxLength: 20000 }),
  },
  { additionalProperties: false },
);

export const SubmitBody = Type.Object(
  {
    content: Type.Optional(ReportContent),
    items: Type.Optional(
      List(LegacyItem, {
        minItems: 1,
        maxItems: 1000,
        description:
          'Legacy: per measure a status and one narrative (mapped to a report without events, risks or annexes)',
      }),
    ),
  },
  { additionalProperties: false, description: 'Exactly one of content (the full report) and items (legacy)' },
);
export type SubmitBody = Static<typeof SubmitBody>;

export const SubmitReply = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  versionId: Uuid,
  contentHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  late: Type.Boolean(),
  workingDaysLate: Type.Integer({ minimum: 0 }),
});

/** A draft may be incomplete: any JSON object, checked only for size here and for text PostgreSQL can store. */
export const DraftBody = Type.Object(
  { content: Type.Record(Type.String(), Type.Unknown(), { description: 'The report as typed so far' }) },
  { additionalProperties: false },
);
export type DraftBody = Static<typeof DraftBody>;

export const Draft = Type.Object({
  content: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  updatedBy: Type.String(),
  updatedAt: DateTime,
});

export const DraftSaved = Type.Object({ updatedAt: DateTime });

export const VersionHead = Type.Object({
  id: Uuid,
  version: Type.Integer({ minimum: 1 }),
  contentHash: Type.String(),
  submittedBy: Type.String(),
  submittedAt: DateTime,
});

export const VersionList = Type.Object({ items: List(VersionHead) });

export const Version = Type.Object({
  id: Uuid,
  obligationId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  agencyCode: Type.String(),
  contentHash: Type.String(),
  submittedBy: Type.String(),
  submittedAt: DateTime,
  content: ReportContent,
});

export const VersionParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 500 }), version: Type.Integer({ minimum: 1, maximum: 100000 }) },
  { additionalProperties: false },
);

export const DiffQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, maximum: 100000, description: 'The older version' }),
    to: Type.Integer({ minimum: 1, maximum: 100000, description: 'The newer version' }),
  },
  { additionalProperties: false },
);

export const Diff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  changes: List(
    Type.Object({
      path: Type.String({ description: 'e.g. measures[measure=1].indicators[0].value, annexes[number=2]' }),
      from: Type.Unknown(),
      to: Type.Unknown(),
    }),
  ),
});

export const ReviewComment = Type.Object(
  {
    measure: Type.Optional(Type.String({ maxLength: 20, description: 'The measure it is about; absent: the report' })),
    field: Type.Optional(
      Type.String({ maxLength: 200, description: 'e.g. narrative.kk, indicators[0].value, events' }),
    ),
    text: Type.String({ minLength: 1, maxLength: 5000 }),
  },
  { additionalProperties: false },
);

export const ReturnBody = Type.Object(
  {
    comment: Type.String({ minLength: 1, maxLength: 5000 }),
    newDueDate: Type.String({
      format: 'date',
      pattern: DUE_DATE_PATTERN,
      description: "The new due date, YYYY-MM-DD (Asia/Almaty): after today, within the cycle's year plus two",
    }),
    comments: Type.Optional(List(ReviewComment, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type ReturnBody = Static<typeof ReturnBody>;
