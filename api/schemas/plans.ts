// Plans: import parameters, the plan document, summaries, versions, amendments and repeal — request and response schemas.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { listPlanVersions } from '../../db/repositories/plans.js';
import type { AmendmentOp } from '../../domain/plan-amend.js';
import type { Diagnostic as DomainDiagnostic } from '../../domain/plan.js';
import { NextCursor, PageQuery } from '../pagination.js';
import { UPLOAD_FORMATS } from '../plan-import.js';
import {
  Binary,
  BilingualName,
  DateTime,
  ErrorBody,
  IsoDate,
  List,
  NullableDateTime,
  OpenObject,
  StringEnum,
  Uuid,
  nullable,
  type Same,
} from './common.js';

export const PlanStatus = StringEnum(['draft', 'confirmed', 'repealed', 'discarded']);

export const PlanListQuery = Type.Object(
  { status: Type.Optional(StringEnum(['draft', 'confirmed', 'repealed'])), ...PageQuery },
  { additionalProperties: false },
);
export type PlanListQuery = Static<typeof PlanListQuery>;

export const ActRef = Type.Object(
  {
    issuer: Type.String({ minLength: 1, maxLength: 300 }),
    number: Type.String({ minLength: 1, maxLength: 50 }),
    date: IsoDate,
  },
  { additionalProperties: false },
);

/** An act as stored in a plan: an imported one may lack its number or date (then a diagnostic says so) and may carry its title. */
const StoredAct = Type.Object({
  issuer: Type.String(),
  number: Type.String(),
  date: Type.String(),
  title: Type.Optional(BilingualName),
});

export const Diagnostic = Type.Object({
  severity: StringEnum(['error', 'warning', 'info']),
  code: Type.String({ description: 'Stable machine code, e.g. unknown_abbreviation, deadline_unparsed' }),
  message: Type.String(),
  line: Type.Optional(Type.Integer()),
  row: Type.Optional(Type.Integer()),
  field: Type.Optional(Type.String()),
});
export const diagnosticMatchesDomain: Same<Static<typeof Diagnostic>, DomainDiagnostic> = true;

const Years = Type.Object({ from: Type.Integer(), to: Type.Integer() });
const Recipient = Type.Object(
  {},
  { additionalProperties: true, description: "{role} of the chain or {agency}: who receives the measure's report" },
);
const Executor = Type.Object({
  code: Type.String(),
  byAgreement: Type.Boolean(),
  lead: Type.Boolean(),
  group: Type.Optional(Type.String()),
});

/** Columns a measure's row carries that Merzim does not act on (unit, budget programme, expenses per year, others), as printed. */
const MeasureExtra = Type.Object({
  unit: Type.Optional(Type.String()),
  budgetCode: Type.Optional(Type.String()),
  expenses: Type.Optional(Type.Record(Type.String(), Type.String())),
  columns: Type.Optional(Type.Record(Type.String(), Type.String())),
});
/** The reporting rule a footnote marker at the end of a deadline cell points to. */
const FootnoteReporting = Type.Object({
  marker: Type.String(),
  text: Type.String(),
  recipient: nullable(Recipient),
  rule: OpenObject('The parsed deadline (domain/deadline-language.ts DeadlineRule), by kind'),
});
const Inferred = List(Type.String(), {
  description: 'Paths of values inferred rather than read, e.g. executors[1].byAgreement, for the reviewer to confirm',
});
/** A target or result indicator of the plan, with a planned value per year. */
const PlanIndicator = Type.Object({
  name: BilingualName,
  unit: nullable(Type.String()),
  source: nullable(Type.String()),
  targets: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
  section: nullable(Type.Integer()),
});

const Measure = Type.Object(
  {
    number: Type.String(),
    section: nullable(Type.Integer()),
    title: BilingualName,
    completionForm: BilingualName,
    recipient: nullable(Recipient),
    executors: List(Executor),
    deadline: Type.Object({
      text: Type.String(),
      rule: OpenObject('The parsed deadline (domain/deadline-language.ts DeadlineRule), by kind'),
    }),
    indicators: List(
      Type.Object({
        name: BilingualName,
        unit: nullable(Type.String()),
        targets: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
      }),
    ),
    cost: nullable(
      Type.Object({
        text: Type.String(),
        amount: Type.Optional(Type.Number()),
        currency: Type.Optional(Type.Literal('KZT')),
      }),
    ),
    fundingSource: nullable(Type.String()),
    source: Type.Optional(Type.Object({ line: Type.Optional(Type.Integer()), row: Type.Optional(Type.Integer()) })),
    extra: Type.Optional(MeasureExtra),
    inferred: Type.Optional(Inferred),
    reporting: Type.Optional(FootnoteReporting),
  },
  { additionalProperties: true },
);

/** The plan document (domain/plan.ts Plan); the policy and deadline rules are passed whole, as the domain defines them. */
export const Plan = Type.Object(
  {
    title: BilingualName,
    approvedBy: StoredAct,
    amendments: List(Type.Object({ act: StoredAct, summary: Type.String() })),
    repeal: nullable(Type.Object({ date: Type.String(), act: StoredAct })),
    years: Years,
    coordinator: Type.String(),
    policy: OpenObject('The reporting policy (domain/policies.ts): period, stages and their deadlines'),
    shift: StringEnum(['next', 'previous', 'none']),
    reminders: OpenObject('Reminder offsets before a deadline and their unit'),
    escalation: List(OpenObject('One escalation step: after how many days, who is told')),
    sections: List(Type.Object({ number: nullable(Type.String()), title: BilingualName })),
    measures: List(Measure),
    abbreviations: Type.Record(Type.String(), BilingualName),
    indicators: Type.Optional(List(PlanIndicator)),
  },
  { additionalProperties: true },
);

export const PlanSummary = Type.Object({
  id: Uuid,
  status: PlanStatus,
  version: Type.Integer({ minimum: 1 }),
  title: BilingualName,
  coordinator: Type.String(),
  years: Years,
  act: StoredAct,
  policy: Type.String({ description: 'The reporting policy id' }),
  measures: Type.Integer({ description: 'How many measures (a reporter: its own)' }),
  errors: Type.Integer(),
  warnings: Type.Integer(),
  createdAt: DateTime,
  confirmedAt: NullableDateTime,
  repealedAt: NullableDateTime,
});

export const PlanList = Type.Object({ items: List(PlanSummary), nextCursor: NextCursor });
export const PlanDetail = Type.Intersect([
  PlanSummary,
  Type.Object({ plan: Plan, diagnostics: Type.Optional(List(Diagnostic, { description: 'Not for reporters' })) }),
]);
export const DiagnosticList = Type.Object({ items: List(Diagnostic) });

export const PlanVersion = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  change: OpenObject(
    'What the version did: {kind: confirmed} | {kind: amended, act, summary, applied} | {kind: repealed, reason}',
  ),
  createdBy: Type.String(),
  createdAt: DateTime,
});
export const PlanVersionList = Type.Object({ items: List(PlanVersion) });

export function planVersionView(v: Awaited<ReturnType<typeof listPlanVersions>>[number]): Static<typeof PlanVersion> {
  return {
    version: v.version,
    change: v.change as Record<string, unknown>,
    createdBy: v.created_by,
    createdAt: v.created_at,
  };
}

export const AppliedChange = Type.Object({
  op: StringEnum(['set_deadline', 'add_executor', 'remove_executor', 'replace_executor', 'replace_coordinator']),
  measure: Type.String(),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});

// Each operation's own required fields are checked by domain/plan-amend.ts, which names the change and field that is wrong.
const AmendmentChange = Type.Unsafe<AmendmentOp>(
  Type.Object({
    op: StringEnum(['set_deadline', 'add_executor', 'remove_executor', 'replace_executor', 'replace_coordinator']),
    measure: Type.Optional(Type.String({ maxLength: 20 })),
    text: Type.Optional(
      Type.String({ maxLength: 500, description: 'set_deadline: the new deadline as a decree writes it' }),
    ),
    code: Type.Optional(Type.String({ maxLength: 40 })),
    byAgreement: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.String({ maxLength: 40 })),
    to: Type.Optional(Type.String({ maxLength: 40 })),
  }),
);

export const AmendBody = Type.Object(
  {
    act: ActRef,
    summary: Type.String({ minLength: 1, maxLength: 2000 }),
    expectedVersion: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Refused with 409 version_conflict when the plan moved on' }),
    ),
    changes: List(AmendmentChange, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type AmendBody = Static<typeof AmendBody>;
export const AmendReply = Type.Intersect([PlanSummary, Type.Object({ applied: List(AppliedChange) })]);

/** A confirmation's answer: the plan, and the cycle of the current period it opens (catch-up) with how many are overdue at once. */
export const ConfirmReply = Type.Intersect([
  PlanSummary,
  Type.Object({
    openedCycle: nullable(
      Type.Object({
        period: Type.String(),
        mode: StringEnum(['catch-up']),
        overdueAtOpening: Type.Integer({
          minimum: 0,
          description: 'Obligations of the period whose deadline had passed when it was opened',
        }),
      }),
    ),
  }),
]);

export const RepealBody = Type.Object(
  { act: ActRef, date: IsoDate, reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export type RepealBody = Static<typeof RepealBody>;

export const ImportQuery = Type.Object(
  {
    format: Type.Optional(StringEnum(UPLOAD_FORMATS)),
    filename: Type.Optional(Type.String({ maxLength: 255 })),
    dryRun: Type.Boolean({ default: false }),
    coordinator: Type.Optional(Type.String({ maxLength: 40 })),
    policy: Type.Optional(Type.String({ maxLength: 60 })),
    titleKk: Type.Optional(Type.String({ maxLength: 2000 })),
    titleRu: Type.Optional(Type.String({ maxLength: 2000 })),
    actIssuer: Type.Optional(Type.String({ maxLength: 300 })),
    actNumber: Type.Optional(Type.String({ maxLength: 50 })),
    actDate: Type.Optional(IsoDate),
    yearsFrom: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    yearsTo: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
    map: Type.Optional(
      List(Type.String({ pattern: '^[^:]+:.+$', maxLength: 300 }), {
        maxItems: 200,
        description: '"ПМ:ІІМ": an unknown executor code read as an agency of the directory',
      }),
    ),
    ignore: Type.Optional(
      List(Type.String({ minLength: 1, maxLength: 300 }), {
        maxItems: 200,
        description: 'An unknown executor that is no agency (owes no report)',
      }),
    ),
    columns: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Which column is which, 1-based: "name=2,form=4,deadline=5,executors=6" (over the header, or where there is none)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuery>;

/** What an import found (api/plan-import.ts importSummary): the plan's head, its measures, glossary and diagnostics. */
const ImportFindings = {
  format: Type.String({ description: 'The format given, or "detected"' }),
  storable: Type.Boolean({ description: 'False while error diagnostics remain' }),
  plan: nullable(
    Type.Object({
      title: BilingualName,
      approvedBy: StoredAct,
      amendments: List(Type.Object({ act: StoredAct, summary: Type.String() })),
      years: Years,
      coordinator: Type.String(),
      policy: Type.String(),
      sections: Type.Integer(),
      indicators: Type.Optional(List(PlanIndicator)),
    }),
  ),
  measures: List(
    Type.Object({
      number: Type.String(),
      title: BilingualName,
      completionForm: BilingualName,
      recipient: nullable(Recipient),
      executors: List(Type.Object({ code: Type.String(), byAgreement: Type.Boolean(), lead: Type.Boolean() })),
      deadline: Type.Object({ text: Type.String(), kind: Type.String() }),
      section: nullable(Type.Integer()),
      extra: Type.Optional(MeasureExtra),
      inferred: Type.Optional(Inferred),
      reporting: Type.Optional(FootnoteReporting),
    }),
  ),
  abbreviations: Type.Record(Type.String(), BilingualName),
  diagnostics: List(Diagnostic),
};
export const ImportReply = Type.Object(ImportFindings);
export const ImportedDraft = Type.Object({ id: Uuid, status: Type.Literal('draft'), ...ImportFindings });
/** A refused import: the error and, with it, what was found, so the caller can fix the file. */
export const ImportRefused = Type.Object({ error: ErrorBody.properties.error, ...ImportFindings });

export const TemplateParams = Type.Object({ format: StringEnum(['xlsx', 'csv']) });
export type TemplateParams = Static<typeof TemplateParams>;
export const ExportQuery = Type.Object(
  { format: StringEnum(['yaml', 'json'], { default: 'yaml' }) },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

/**
 * The upload of POST /plans/import, for the OpenAPI document only: the body is the file (raw) or a multipart form, which a
 * JSON Schema validator cannot check — the importer does, and names the line or row that is wrong.
 */
export const ImportUpload = {
  content: {
    ...Object.fromEntries(
      [
        'application/octet-stream',
        'text/plain',
        'text/csv',
        'application/yaml',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      ].map((type) => [type, { schema: Binary('The file itself: decree text, YAML, JSON, CSV or XLSX (≤ 50 MB)') }]),
    ),
    'multipart/form-data': {
      schema: Type.Object({
        file: Binary('The file'),
        ...Object.fromEntries(
          Object.entries(ImportQuery.properties).map(([k, v]) => [
            k,
            Type.Optional(
              Type.String({
                description: `As the ${k} query parameter${'description' in v ? `: ${String(v.description)}` : ''}`,
              }),
            ),
          ]),
        ),
      }),
    },
  },
};
