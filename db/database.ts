// The kysely view of Merzim's PostgreSQL schema: one interface per table, with Selectable/Insertable aliases.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, never>;
type Json = ColumnType<unknown, string, string>;

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
  id: Generated<string>;
  name: string;
  token_hash: string;
  role: 'admin' | 'coordinator' | 'pm_office' | 'reporter';
  agency_code: string | null;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface Database {
  events: EventsTable;
  notifications: NotificationsTable;
  sink_messages: SinkMessagesTable;
  api_tokens: ApiTokensTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type SinkMessageRow = Selectable<SinkMessagesTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
