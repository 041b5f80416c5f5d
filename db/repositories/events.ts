// Writes to and reads from the append-only events log; a repeated idempotency key is a no-op, never a second row.
import type { Kysely } from 'kysely';
import type { Database, EventRow } from '../database.js';

export interface AppendEvent {
  readonly idempotencyKey: string;
  readonly type: string;
  readonly actor: string;
  readonly workflowId?: string | null;
  readonly runId?: string | null;
  readonly subjectType?: string | null;
  readonly subjectId?: string | null;
  readonly payload?: unknown;
}

/** Returns true when the row was written now, false when it was already there. */
export async function appendEvent(db: Kysely<Database>, e: AppendEvent): Promise<boolean> {
  const inserted = await db
    .insertInto('events')
    .values({
      idempotency_key: e.idempotencyKey,
      type: e.type,
      actor: e.actor,
      workflow_id: e.workflowId ?? null,
      run_id: e.runId ?? null,
      subject_type: e.subjectType ?? null,
      subject_id: e.subjectId ?? null,
      payload: JSON.stringify(e.payload ?? {}),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function listEvents(
  db: Kysely<Database>,
  filter: { workflowId?: string; type?: string; limit?: number },
): Promise<EventRow[]> {
  let q = db.selectFrom('events').selectAll().orderBy('id', 'asc');
  if (filter.workflowId !== undefined) q = q.where('workflow_id', '=', filter.workflowId);
  if (filter.type !== undefined) q = q.where('type', '=', filter.type);
  return q.limit(filter.limit ?? 500).execute();
}
