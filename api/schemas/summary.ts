// The consolidated summary of a cycle: its query (language, format, stage) and the summary as JSON, the same type as the
// domain's ConsolidatedSummary (checked at compile time), or as a DOCX or XLSX file.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { ConsolidatedSummary as DomainSummary } from '../../domain/summary.js';
import { BilingualName, Binary, DateTime, List, StringEnum, nullable, type Same } from './common.js';

export const SummaryQuery = Type.Object(
  {
    lang: Type.Optional(StringEnum(['kk', 'ru'], { description: 'Language of the DOCX and XLSX', default: 'kk' })),
    format: Type.Optional(StringEnum(['json', 'docx', 'xlsx'], { default: 'json' })),
    stage: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "The stage whose reports are consolidated; default: the policy's stage of executors (id executors), else the cycle's first stage of executors",
      }),
    ),
  },
  { additionalProperties: false },
);
export type SummaryQuery = Static<typeof SummaryQuery>;

const Body = Type.Object({ code: Type.String(), name: BilingualName });
const ObligationStatus = StringEnum(['pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed']);
const MeasureStatus = StringEnum(['done', 'in_progress', 'not_done', 'not_yet_due']);
export const Mark = Type.Object({
  agencyCode: Type.String(),
  reason: Type.String(),
  markedBy: Type.String(),
  markedAt: Type.String(),
});

const ExecutorEntry = Type.Union([
  Type.Object({
    kind: Type.Literal('reported'),
    agency: Body,
    status: MeasureStatus,
    narrative: BilingualName,
    indicators: List(Type.Object({ key: Type.String(), value: nullable(Type.Number()) })),
    reportVersion: Type.Integer(),
  }),
  Type.Object({ kind: Type.Literal('not_covered'), agency: Body, reportVersion: Type.Integer() }),
  Type.Object({ kind: Type.Literal('missing'), agency: Body, mark: nullable(Mark) }),
]);

const IndicatorTotal = Type.Object({
  key: Type.String(),
  name: BilingualName,
  unit: nullable(Type.String()),
  planned: nullable(Type.Number()),
  achieved: Type.Number(),
  reportedBy: Type.Integer(),
  percent: nullable(Type.Number({ description: 'achieved / planned in per cent, one decimal' })),
});

const Blocker = Type.Union([
  Type.Object({ kind: Type.Literal('not_submitted'), agency: Body, status: ObligationStatus }),
  Type.Object({ kind: Type.Literal('under_review'), agency: Body }),
  Type.Object({ kind: Type.Literal('returned'), agency: Body }),
  Type.Object({ kind: Type.Literal('mark_without_reason'), agency: Body }),
]);

const Warning = Type.Object({
  kind: StringEnum([
    'report_from_non_party',
    'duplicate_report',
    'measure_not_owed',
    'unknown_indicator',
    'mark_for_accepted_report',
    'mark_for_non_party',
  ]),
  agencyCode: Type.String(),
  measure: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
});

export const ConsolidatedSummary = Type.Object({
  plan: Type.Object({ id: Type.String(), number: nullable(Type.String()), title: BilingualName }),
  period: Type.String(),
  sender: Body,
  recipient: Body,
  asOf: Type.String({ format: 'date-time' }),
  texts: Type.Object({ preface: BilingualName, conclusions: BilingualName }),
  measures: List(
    Type.Object({
      number: Type.String(),
      title: BilingualName,
      executors: List(ExecutorEntry),
      totals: List(IndicatorTotal),
    }),
  ),
  missing: List(
    Type.Object({
      agency: Body,
      status: ObligationStatus,
      dueDate: Type.String(),
      workingDaysLate: Type.Integer({ minimum: 0 }),
      mark: nullable(Mark),
    }),
  ),
  late: List(
    Type.Object({
      agency: Body,
      dueDate: Type.String(),
      submittedAt: Type.String(),
      workingDaysLate: Type.Integer({ minimum: 1 }),
    }),
  ),
  counts: Type.Object({
    parties: Type.Integer(),
    accepted: Type.Integer(),
    missing: Type.Integer(),
    late: Type.Integer(),
  }),
  blockers: List(Blocker, { description: 'Why it cannot go up yet, per agency; empty when ready' }),
  ready: Type.Boolean({ description: 'Every report accepted or marked missing with a reason' }),
  warnings: List(Warning),
});

// The warnings' union is flattened in the schema (one object with optional fields): compare the rest exactly.
type WithoutWarnings<T> = Omit<T, 'warnings'>;
export const summaryMatchesDomain: Same<
  WithoutWarnings<Static<typeof ConsolidatedSummary>>,
  WithoutWarnings<DomainSummary>
> = true;

export const SummaryFile = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { schema: Binary('The summary as DOCX') },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: Binary('The summary as XLSX') },
} as const;

const StageField = Type.Optional(
  Type.String({ minLength: 1, maxLength: 100, description: 'The stage; default as for the summary itself' }),
);

export const MarkParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 300 }),
  agency: Type.String({ minLength: 1, maxLength: 40, description: 'The agency code' }),
});
export type MarkParams = Static<typeof MarkParams>;

export const MarkBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }), stage: StageField },
  { additionalProperties: false },
);
export type MarkBody = Static<typeof MarkBody>;

export const StageQuery = Type.Object({ stage: StageField }, { additionalProperties: false });
export type StageQuery = Static<typeof StageQuery>;

export const UnmarkReply = Type.Object({ removed: Type.Boolean({ description: 'False when there was no mark' }) });

const EditableText = Type.Object(
  { kk: nullable(Type.String({ maxLength: 20_000 })), ru: nullable(Type.String({ maxLength: 20_000 })) },
  { additionalProperties: false },
);
export const TextsBody = Type.Object(
  { preface: EditableText, conclusions: EditableText, stage: StageField },
  { additionalProperties: false },
);
export type TextsBody = Static<typeof TextsBody>;
export const TextsReply = Type.Object({ preface: BilingualName, conclusions: BilingualName });

// ——— Submitting the summary upward: frozen versions on the carrier obligation ———————————————————————————

export const SummarySubmitBody = Type.Object(
  {
    stage: StageField,
    overrides: Type.Optional(
      List(
        Type.Object(
          {
            agencyCode: Type.String({
              minLength: 1,
              maxLength: 40,
              description: 'The agency whose blocker is overridden',
            }),
            reason: Type.String({ minLength: 1, maxLength: 2000, description: 'Why the summary goes up anyway' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000, description: 'Blockers let through, each with a reason (audited)' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SummarySubmitBody = Static<typeof SummarySubmitBody>;

const VersionHeadFields = {
  id: Type.String({ format: 'uuid' }),
  obligationId: Type.String({ description: 'The obligation that carries the summary upward' }),
  cycleId: Type.String(),
  stageId: Type.String({ description: 'The stage the summary consolidates' }),
  version: Type.Integer({ minimum: 1 }),
  agencyCode: Type.String(),
  contentHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  submittedBy: Type.String(),
  submittedAt: DateTime,
};
export const SummaryVersionHead = Type.Object(VersionHeadFields);

export const SummarySubmitReply = Type.Object({
  ...VersionHeadFields,
  late: Type.Boolean(),
  workingDaysLate: Type.Integer({ minimum: 0 }),
});

export const SummaryVersionsReply = Type.Object({
  obligationId: Type.String(),
  status: ObligationStatus,
  versions: List(SummaryVersionHead),
});

export const SummaryVersionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 300 }),
  n: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});
export type SummaryVersionParams = Static<typeof SummaryVersionParams>;

export const SummaryVersionReply = Type.Object({
  ...VersionHeadFields,
  content: Type.Object({
    kind: Type.Literal('consolidated_summary'),
    stageId: Type.String(),
    summary: ConsolidatedSummary,
    overrides: List(Type.Object({ agencyCode: Type.String(), reason: Type.String(), kind: Type.String() })),
  }),
});
