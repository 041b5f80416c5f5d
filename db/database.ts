// The kysely view of Merzim's PostgreSQL schema: one interface per table, with Selectable/Insertable aliases.
import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';
import type { CalendarEntry } from '../domain/calendar.js';
import type { CycleSpec } from '../domain/cycle-model.js';
import type { CycleTexts } from '../domain/cycle-texts.js';
import type { ActRef, AgencyContact, Diagnostic, Plan } from '../domain/plan.js';
import type { ReportContent } from '../domain/report.js';
import type { FrozenSummary } from '../domain/summary-version.js';

type Timestamp = ColumnType<Date, Date | string | undefined, never>;
/** A JSON column read as T (pg parses json/jsonb) and written as the JSON text of T. */
type Json<T extends object | null = object | null> = JSONColumnType<T, string, string>;

/** Append-only audit log: every effect the system has. UPDATE and DELETE are refused by a trigger. */
export interface EventsTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  /** Natural key of the effect, so a retried activity records it once. */
  idempotency_key: string;
  type: string;
  actor: string;
  workflow_id: string | null;
  run_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  payload: Json;
  /** Set by the insert trigger (2026_12_02_0500_event_chain): the workflow id, else `subject_type:subject_id`, else `-`. */
  stream: Generated<string>;
  /** 1, 2, … within the stream. */
  stream_seq: Generated<string>;
  /** The previous row's hash in the stream ('' for the first). */
  prev_hash: Generated<string>;
  /** SHA-256 (hex) of prev_hash, a newline and the row's canonical content (db/repositories/event-chain.ts). */
  hash: Generated<string>;
}

/** Every e-mail Merzim sends; dedupe_key makes "one reminder per obligation × offset, ever" a database fact. */
export interface NotificationsTable {
  id: Generated<string>;
  dedupe_key: string;
  created_at: Timestamp;
  to_addresses: string[];
  subject: string;
  body_text: string;
  lang: string;
  status: ColumnType<'pending' | 'sent', 'pending' | 'sent' | undefined, 'pending' | 'sent'>;
  message_id: string;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  sent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  workflow_id: string | null;
  run_id: string | null;
}

/** What the embedded SMTP sink received (the local stand-in for agencies' mailboxes). */
export interface SinkMessagesTable {
  id: Generated<string>;
  received_at: Timestamp;
  message_id: string | null;
  mail_from: string | null;
  rcpt_to: string[];
  subject: string | null;
  size_bytes: number;
  raw: Buffer;
}

/** API tokens; only a SHA-256 hash of each secret is stored. */
export interface ApiTokensTable {
  /** A random UUID (never sequential). */
  id: Generated<string>;
  name: string;
  token_hash: string;
  role: 'admin' | 'coordinator' | 'pm_office' | 'reporter';
  agency_code: string | null;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  user_id: string | null;
  kind: ColumnType<'api' | 'session', 'api' | 'session' | undefined, never>;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** A browser session's synchronizer CSRF token; null for API tokens. */
  csrf_token: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The agencies directory: executors, coordinators, the PM Office, the Presidential Administration. */
export interface AgenciesTable {
  code: string;
  name_kk: string | null;
  name_ru: string | null;
  kind: string;
  by_agreement: ColumnType<boolean, boolean | undefined, boolean>;
  successor_code: string | null;
  successor_date: ColumnType<string | null, string | null | undefined, string | null>;
  successor_act: string | null;
  lang: ColumnType<'kk' | 'ru', 'kk' | 'ru' | undefined, 'kk' | 'ru'>;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
  contacts: JSONColumnType<AgencyContact[], string | undefined, string>;
  since: ColumnType<string | null, string | null | undefined, string | null>;
  note: string | null;
  created_at: Timestamp;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type PlanStatus = 'draft' | 'confirmed' | 'repealed' | 'discarded';

/** A plan: the current version's document (domain/plan.ts Plan) plus columns to list and filter by. */
export interface PlansTable {
  id: Generated<string>;
  status: PlanStatus;
  version: ColumnType<number, number | undefined, number>;
  title_kk: string | null;
  title_ru: string | null;
  coordinator_code: string | null;
  policy_id: string | null;
  years_from: number | null;
  years_to: number | null;
  act_number: string | null;
  act_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** What a list shows without reading the document: the measures, the diagnostics' errors and warnings, the approving act. */
  measure_count: number;
  error_count: number;
  warning_count: number;
  act: Json<ActRef>;
  document: Json<Plan>;
  diagnostics: Json<Diagnostic[]>;
  source_format: string;
  source_name: string | null;
  created_by: string;
  created_at: Timestamp;
  confirmed_by: string | null;
  confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  repealed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  repeal_reason: string | null;
}

export interface PlanVersionsTable {
  plan_id: string;
  version: number;
  document: Json<Plan>;
  /** What made this version: { kind: 'confirmed' | 'amended' | 'repealed', … } (the amendment's applied changes). */
  change: Json;
  created_by: string;
  created_at: Timestamp;
}

export interface MeasuresTable {
  plan_id: string;
  idx: number;
  number: string;
  title_kk: string | null;
  title_ru: string | null;
  deadline_text: string;
  deadline_kind: string;
  recipient: Json | null;
}

export interface MeasureExecutorsTable {
  plan_id: string;
  measure_idx: number;
  agency_code: string;
  by_agreement: boolean;
  lead: boolean;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  email: string | null;
  role: 'admin' | 'coordinator' | 'pm_office' | 'reporter';
  agency_code: string | null;
  lang: ColumnType<'kk' | 'ru', 'kk' | 'ru' | undefined, 'kk' | 'ru'>;
  password_hash: string | null;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  /** The web interface's language (null: Kazakh, the default); users.lang stays the language of the user's e-mails. */
  ui_lang: ColumnType<'kk' | 'ru' | 'en' | null, 'kk' | 'ru' | 'en' | null | undefined, 'kk' | 'ru' | 'en' | null>;
  created_at: Timestamp;
  disabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Takes the daily digests (the PM Office's escalations, the coordinator's summary); the user may turn them off. */
  digests: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface UserPlansTable {
  user_id: string;
  plan_id: string;
}

/** One row of the working-day calendar (domain/calendar.ts CalendarEntry), editable by admins. */
export interface CalendarEntriesTable {
  id: Generated<string>;
  date: ColumnType<string, string, string>;
  kind: string;
  entry: Json<CalendarEntry>;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface CalendarYearsTable {
  year: number;
  status: 'official' | 'provisional';
  note: string | null;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Read model of a reporting cycle (projection of reportingCycleWorkflow), upserted by workflow id; a write with an older revision of the same run is ignored. */
export interface CyclesTable {
  workflow_id: string;
  run_id: string;
  revision: number;
  plan_id: string;
  period: string;
  policy_id: string;
  status: 'open' | 'completed' | 'closed';
  stage: string | null;
  closed_reason: string | null;
  /** The spec the run was opened with (JSON null only if a later revision were ever written first). */
  spec: Json<CycleSpec | null>;
  opened_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Read model of one obligation (projection of obligationWorkflow); due dates are ISO text, calendar days without a zone. */
export interface ObligationsTable {
  workflow_id: string;
  run_id: string;
  revision: number;
  cycle_workflow_id: string | null;
  plan_id: string;
  period: string;
  stage_id: string;
  agency_code: string;
  status: 'pending' | 'overdue' | 'submitted' | 'returned' | 'accepted' | 'closed';
  due_date: string;
  effective_due_date: string | null;
  due_at: ColumnType<Date, Date | string, Date | string>;
  report_version: ColumnType<number, number | undefined, number>;
  report: ColumnType<unknown, string | null | undefined, string | null>;
  submitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  working_days_late: number | null;
  accepted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  closed_reason: string | null;
  opened_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** What a reporter has typed into a report form and not yet submitted: one draft per obligation, kept as they type. */
export interface ReportDraftsTable {
  obligation_id: string;
  agency_code: string;
  /** The legacy item list ({measure, status, text}[]); [] for drafts saved in the full shape. */
  items: Json;
  /** The full report being typed (domain/report.ts ReportContent, possibly incomplete); null in drafts saved before it. */
  content: ColumnType<unknown, string | null | undefined, string | null>;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One secret .ics feed URL per agency (the live one has no revoked_at). */
export interface AgencyFeedsTable {
  id: Generated<string>;
  agency_code: string;
  secret: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_by: string | null;
}

/** An evidence file (a report's annex); its bytes are in the storage backend named by `storage`. */
export interface EvidenceFilesTable {
  id: Generated<string>;
  obligation_id: string;
  agency_code: string;
  file_name: string;
  media_type: string;
  /** bigint: pg returns it as a string. */
  size_bytes: ColumnType<string, number | string, never>;
  sha256: string;
  storage: string;
  storage_key: string;
  uploaded_by: string;
  uploaded_at: ColumnType<Date, Date | string | undefined, never>;
  withdrawn_at: ColumnType<Date | null, never, Date | string | null>;
  withdrawn_by: ColumnType<string | null, never, string | null>;
}

/** An agency the coordinator marked missing from a cycle stage's summary, with the reason (never blank). */
export interface SummaryMarksTable {
  cycle_id: string;
  stage_id: string;
  agency_code: string;
  reason: string;
  marked_by: string;
  marked_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The summary's editable preface and conclusions, per cycle stage, in Kazakh and Russian. */
export interface SummaryTextsTable {
  cycle_id: string;
  stage_id: string;
  preface_kk: string | null;
  preface_ru: string | null;
  conclusions_kk: string | null;
  conclusions_ru: string | null;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** The bytes of evidence files kept in PostgreSQL (MERZIM_EVIDENCE_STORE=pg): ordered chunks of at most 1 MiB. */
export interface EvidenceChunksTable {
  storage_key: string;
  seq: number;
  data: Buffer;
}

/** A submitted report version: immutable (UPDATE, DELETE and TRUNCATE refused by trigger and by privilege). */
export interface ReportVersionsTable {
  id: Generated<string>;
  obligation_id: string;
  version: number;
  agency_code: string;
  content: Json<ReportContent>;
  content_hash: string;
  submitted_by: string;
  submitted_at: Timestamp;
}

/** A consolidated summary frozen and submitted up the chain (migration 2026_12_03_0500). */
export interface SummaryVersionsTable {
  id: string;
  obligation_id: string;
  cycle_id: string;
  stage_id: string;
  version: number;
  agency_code: string;
  content: Json<FrozenSummary>;
  content_hash: string;
  submitted_by: string;
  submitted_at: Timestamp;
}

/** A cycle's measure texts by the SHA-256 of their canonical JSON (domain/cycle-texts.ts): immutable, like report versions. */
export interface CycleTextsTable {
  hash: string;
  texts: Json<CycleTexts>;
  created_at: Timestamp;
}

/** A chunk of the state a reporting cycle carried into its next run (continue-as-new), by SHA-256 of its text. */
export interface CycleCarriesTable {
  hash: string;
  cycle_id: string;
  chunk: string;
  created_at: Generated<Timestamp>;
}

/** A plan file under review on the import page (kept while the reviewer answers its diagnostics). */
export interface PlanUploadsTable {
  id: Generated<string>;
  created_by: string;
  filename: string | null;
  bytes: Buffer;
  /** The review form's answers so far (metadata, map, ignore, columns), as strings. */
  fields: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: Timestamp;
}

/** A failed sign-in, counted for the rate limit and the lockout (the audit record is the event). */
export interface SignInFailuresTable {
  id: Generated<string>;
  username: string;
  address: string;
  at: Timestamp;
}

export interface Database {
  events: EventsTable;
  notifications: NotificationsTable;
  sink_messages: SinkMessagesTable;
  api_tokens: ApiTokensTable;
  agencies: AgenciesTable;
  plans: PlansTable;
  plan_versions: PlanVersionsTable;
  measures: MeasuresTable;
  measure_executors: MeasureExecutorsTable;
  users: UsersTable;
  user_plans: UserPlansTable;
  calendar_entries: CalendarEntriesTable;
  calendar_years: CalendarYearsTable;
  cycles: CyclesTable;
  obligations: ObligationsTable;
  report_drafts: ReportDraftsTable;
  agency_feeds: AgencyFeedsTable;
  evidence_files: EvidenceFilesTable;
  summary_marks: SummaryMarksTable;
  summary_texts: SummaryTextsTable;
  evidence_chunks: EvidenceChunksTable;
  report_versions: ReportVersionsTable;
  summary_versions: SummaryVersionsTable;
  plan_uploads: PlanUploadsTable;
  sign_in_failures: SignInFailuresTable;
  cycle_texts: CycleTextsTable;
  cycle_carries: CycleCarriesTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type SinkMessageRow = Selectable<SinkMessagesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type AgencyRow = Selectable<AgenciesTable>;
export type PlanRow = Selectable<PlansTable>;
export type UserRow = Selectable<UsersTable>;
export type CycleRow = Selectable<CyclesTable>;
export type ObligationRow = Selectable<ObligationsTable>;
