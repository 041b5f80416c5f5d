// Writes to and reads from the append-only events log; a repeated idempotency key is a no-op, never a second row.
import { sql, type Kysely } from 'kysely';
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

/** The events row of an event. */
function rowOf(e: AppendEvent) {
  return {
    idempotency_key: e.idempotencyKey,
    type: e.type,
    actor: e.actor,
    workflow_id: e.workflowId ?? null,
    run_id: e.runId ?? null,
    subject_type: e.subjectType ?? null,
    subject_id: e.subjectId ?? null,
    payload: JSON.stringify(e.payload ?? {}),
  };
}

/** Returns true when the row was written now, false when it was already there. */
export async function appendEvent(db: Kysely<Database>, e: AppendEvent): Promise<boolean> {
  const inserted = await db
    .insertInto('events')
    .values(rowOf(e))
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Appends many events, each once per idempotency key, in stream order (so two writers never take chain locks crosswise). */
export async function appendEvents(db: Kysely<Database>, events: readonly AppendEvent[]): Promise<void> {
  const rows = events
    .map(rowOf)
    .sort((a, b) =>
      (a.workflow_id ?? '') < (b.workflow_id ?? '') ? -1 : (a.workflow_id ?? '') > (b.workflow_id ?? '') ? 1 : 0,
    );
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('events')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
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

/** What the admin's events search filters by; every field optional. Plan, period and agency come from the workflow id
 * (`cycle:<plan>:<period>`, `obligation:<plan>:<period>:<agency>:<stage>`) or a plan's own subject. */
export interface EventSearch {
  readonly planId?: string | undefined;
  readonly period?: string | undefined;
  readonly agency?: string | undefined;
  readonly type?: string | undefined;
  readonly actor?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** Rows with a greater id (the next page). */
  readonly afterId?: string | undefined;
}

/** One page of the search in id order. */
export async function searchEvents(db: Kysely<Database>, s: EventSearch, limit: number): Promise<EventRow[]> {
  let q = db.selectFrom('events').selectAll().orderBy('id', 'asc').limit(limit);
  const part = (n: number) => sql<string>`split_part(workflow_id, ':', ${sql.lit(n)})`;
  const workflowKind = sql<string>`split_part(workflow_id, ':', 1)`;
  if (s.planId !== undefined) {
    const planId = s.planId;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb(workflowKind, 'in', ['cycle', 'obligation']), eb(part(2), '=', planId)]),
        eb.and([eb('subject_type', '=', 'plan'), eb('subject_id', '=', planId)]),
      ]),
    );
  }
  if (s.period !== undefined) q = q.where(workflowKind, 'in', ['cycle', 'obligation']).where(part(3), '=', s.period);
  if (s.agency !== undefined) q = q.where(workflowKind, '=', 'obligation').where(part(4), '=', s.agency);
  if (s.type !== undefined) q = q.where('type', '=', s.type);
  if (s.actor !== undefined) q = q.where('actor', '=', s.actor);
  if (s.from !== undefined) q = q.where('occurred_at', '>=', s.from);
  if (s.to !== undefined) q = q.where('occurred_at', '<', s.to);
  if (s.afterId !== undefined) q = q.where('id', '>', s.afterId);
  return q.execute();
}

/** Every row of the search, fetched `batch` at a time by id (constant memory, whatever the log's size). */
export async function* streamEvents(db: Kysely<Database>, s: EventSearch, batch = 1000): AsyncGenerator<EventRow> {
  let afterId = s.afterId;
  for (;;) {
    const page = await searchEvents(db, { ...s, afterId }, batch);
    yield* page;
    if (page.length < batch) return;
    afterId = page[page.length - 1]!.id;
  }
}
