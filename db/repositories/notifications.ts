// The outbox of e-mails Merzim sends: claimed by dedupe key before sending, marked sent after the SMTP server accepted it.
import { sql, type Kysely } from 'kysely';
import type { Database, NotificationRow } from '../database.js';

export interface NotificationDraft {
  readonly dedupeKey: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly bodyText: string;
  readonly lang: string;
  readonly messageId: string;
  readonly workflowId: string | null;
  readonly runId: string | null;
}

/** The outbox row of a draft, as first claimed (one attempt). */
function rowOf(n: NotificationDraft) {
  return {
    dedupe_key: n.dedupeKey,
    to_addresses: [...n.to],
    subject: n.subject,
    body_text: n.bodyText,
    lang: n.lang,
    message_id: n.messageId,
    attempts: 1,
    workflow_id: n.workflowId,
    run_id: n.runId,
  };
}

/** Inserts the notification if it is new and counts an attempt; returns the stored row either way. */
export async function claimNotification(db: Kysely<Database>, n: NotificationDraft): Promise<NotificationRow> {
  const [row] = await claimNotifications(db, [n]);
  return row!;
}

/** Claims many notifications in one statement (idempotent on dedupe_key, counting an attempt); returns the stored rows. */
export async function claimNotifications(
  db: Kysely<Database>,
  drafts: readonly NotificationDraft[],
): Promise<NotificationRow[]> {
  if (drafts.length === 0) return [];
  return db
    .insertInto('notifications')
    .values(drafts.map(rowOf))
    .onConflict((oc) => oc.column('dedupe_key').doUpdateSet({ attempts: sql`notifications.attempts + 1` }))
    .returningAll()
    .execute();
}

/** Marks many notifications sent at once. */
export async function markNotificationsSent(
  db: Kysely<Database>,
  dedupeKeys: readonly string[],
  sentAt: Date,
): Promise<void> {
  if (dedupeKeys.length === 0) return;
  await db
    .updateTable('notifications')
    .set({ status: 'sent', sent_at: sentAt, last_error: null })
    .where('dedupe_key', 'in', [...dedupeKeys])
    .execute();
}

export async function markNotificationSent(db: Kysely<Database>, dedupeKey: string, sentAt: Date): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ status: 'sent', sent_at: sentAt, last_error: null })
    .where('dedupe_key', '=', dedupeKey)
    .execute();
}

export async function recordNotificationError(db: Kysely<Database>, dedupeKey: string, error: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ last_error: error.slice(0, 2000) })
    .where('dedupe_key', '=', dedupeKey)
    .execute();
}

export async function listNotifications(
  db: Kysely<Database>,
  opts: { limit: number; beforeId?: string },
): Promise<NotificationRow[]> {
  let q = db.selectFrom('notifications').selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  return q.execute();
}

/** The e-mails one workflow sent (or is sending), oldest first. */
export async function notificationsOfWorkflow(db: Kysely<Database>, workflowId: string): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('id', 'asc')
    .execute();
}
