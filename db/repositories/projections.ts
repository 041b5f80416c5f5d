// `merzim projections rebuild [--check]`: the read models made again from the events log. The events are read one stream after
// another in stream order, a page at a time (keyset on the (stream, stream_seq) index), folded by domain/projections.ts, and the
// rows compared with the live ones a batch at a time — constant memory whatever the log's size. A rebuild runs in ONE
// transaction that first locks the three tables in EXCLUSIVE mode: readers (the API) go on seeing the previous committed rows
// until the commit and never a half-rebuilt model; writers (the workers' saves) wait for the commit, then apply their upsert
// rule on the rebuilt rows. A check runs in one read-only REPEATABLE READ snapshot (an event and its row commit together).
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import {
  KEY_COLUMN,
  NOT_REBUILT,
  PROJECTION_EVENT_TYPES,
  ProjectionFold,
  diffImages,
  isoInstant,
  type CycleImage,
  type NotificationImage,
  type ObligationImage,
  type ProjectionTable,
  type RebuiltRows,
} from '../../domain/projections.js';

export interface ProjectionDifference {
  readonly table: ProjectionTable;
  readonly key: string;
  /** `changed`: a column differs; `missing`: the events make a row the table lacks; `extra`: a live row no event makes. */
  readonly kind: 'changed' | 'missing' | 'extra';
  readonly column?: string;
  readonly live?: unknown;
  readonly rebuilt?: unknown;
}

export interface RebuildOptions {
  /** Compare only: write nothing. */
  readonly check: boolean;
  /** Only this plan's cycles, obligations and their e-mails. */
  readonly planId?: string | undefined;
  /** Events per page read (default 5000). */
  readonly pageSize?: number;
  /** Called for every difference found, as it is found. */
  readonly onDifference?: (d: ProjectionDifference) => void;
}

export interface RebuildReport {
  readonly mode: 'check' | 'rebuild';
  readonly planId: string | null;
  readonly events: number;
  readonly streams: number;
  readonly rows: Record<ProjectionTable, number>;
  readonly differences: number;
  /** Rows written (inserted or replaced) and live rows deleted; 0 for a check. */
  readonly written: number;
  readonly deleted: number;
  /** Columns that no event determines: kept as they are, never compared. */
  readonly notRebuilt: Readonly<Record<ProjectionTable, readonly string[]>>;
  readonly ms: number;
}

const BATCH_ROWS = 1000;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Rebuilds (or, with `check`, compares) the read models from the events log; see the file's head for the transaction. */
export async function rebuildProjections(db: Kysely<Database>, opts: RebuildOptions): Promise<RebuildReport> {
  const started = performance.now();
  const body = async (trx: Transaction<Database>) => {
    if (!opts.check) await sql`LOCK TABLE cycles, obligations, notifications IN EXCLUSIVE MODE`.execute(trx);
    return run(trx, opts);
  };
  const counts = opts.check
    ? await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(body)
    : await db.transaction().execute(body);
  return {
    mode: opts.check ? 'check' : 'rebuild',
    planId: opts.planId ?? null,
    ...counts,
    notRebuilt: NOT_REBUILT,
    ms: Math.round(performance.now() - started),
  };
}

interface EventPageRow {
  stream: string;
  /** The stream_seq as text (a bigint); named apart so ORDER BY stream_seq sorts the number, not this text. */
  seq: string;
  type: string;
  workflow_id: string | null;
  run_id: string | null;
  actor: string;
  occurred_at: Date;
  payload: unknown;
}

async function run(trx: Transaction<Database>, opts: RebuildOptions) {
  const pageSize = opts.pageSize ?? 5000;
  const fold = new ProjectionFold();
  const pending: { cycles: CycleImage[]; obligations: ObligationImage[]; notifications: NotificationImage[] } = {
    cycles: [],
    obligations: [],
    notifications: [],
  };
  const tally = { events: 0, streams: 0, differences: 0, written: 0, deleted: 0 };
  const rows: Record<ProjectionTable, number> = { cycles: 0, obligations: 0, notifications: 0 };
  const report = (d: ProjectionDifference) => {
    tally.differences++;
    opts.onDifference?.(d);
  };

  async function flushBatch(): Promise<void> {
    const c = await reconcile(trx, 'cycles', pending.cycles, opts.check, report);
    const o = await reconcile(trx, 'obligations', pending.obligations, opts.check, report);
    const n = await reconcile(trx, 'notifications', pending.notifications, opts.check, report);
    tally.written += c + o + n;
    pending.cycles = [];
    pending.obligations = [];
    pending.notifications = [];
  }
  async function endStream(): Promise<void> {
    const drained: RebuiltRows = fold.drain();
    for (const t of ['cycles', 'obligations', 'notifications'] as const) {
      rows[t] += drained[t].length;
      (pending[t] as unknown[]).push(...drained[t]);
    }
    if (pending.cycles.length + pending.obligations.length + pending.notifications.length >= BATCH_ROWS)
      await flushBatch();
  }

  let after: { stream: string; seq: string } | undefined;
  let current: string | undefined;
  for (;;) {
    const page = await sql<EventPageRow>`
      SELECT stream, stream_seq::text AS seq, type, workflow_id, run_id, actor, occurred_at, payload FROM events
      WHERE type IN (${sql.join([...PROJECTION_EVENT_TYPES])})
        ${after === undefined ? sql`` : sql`AND (stream, stream_seq) > (${after.stream}, ${after.seq}::bigint)`}
        ${planFilter(opts.planId, sql.ref('stream'))}
      ORDER BY stream, stream_seq LIMIT ${pageSize}`.execute(trx);
    for (const e of page.rows) {
      if (e.stream !== current) {
        if (current !== undefined) await endStream();
        current = e.stream;
        tally.streams++;
      }
      tally.events++;
      try {
        fold.apply({
          workflowId: e.workflow_id,
          runId: e.run_id,
          type: e.type,
          actor: e.actor,
          occurredAt: e.occurred_at.toISOString(),
          payload: e.payload,
        });
      } catch (err) {
        throw new Error(`event #${e.seq} of stream ${e.stream} (${e.type}): ${(err as Error).message}`);
      }
    }
    if (page.rows.length < pageSize) break;
    const last = page.rows[page.rows.length - 1]!;
    after = { stream: last.stream, seq: last.seq };
  }
  if (current !== undefined) await endStream();
  await flushBatch();
  tally.deleted = await extras(trx, opts, report);
  return { ...tally, rows };
}

/** Streams of one plan's cycles and obligations (an e-mail's events are in its workflow's stream); no filter without a plan. */
function planFilter(planId: string | undefined, column: ReturnType<typeof sql.ref>) {
  if (planId === undefined) return sql``;
  const escaped = planId.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`AND (${column} LIKE ${`cycle:${escaped}:%`} OR ${column} LIKE ${`obligation:${escaped}:%`})`;
}

/** The live rows of these keys, normalised to images. */
async function liveRows(
  trx: Transaction<Database>,
  table: ProjectionTable,
  keys: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (keys.length === 0) return new Map();
  const key = KEY_COLUMN[table];
  // An e-mail's body is most of the bytes: compared by its MD5, not fetched (a difference shows the two digests).
  const columns =
    table === 'notifications'
      ? sql`id, dedupe_key, created_at, to_addresses, subject, md5(body_text) AS body_md5, lang, status, message_id,
          sent_at, workflow_id, run_id`
      : sql`*`;
  const result = await sql<Record<string, unknown>>`SELECT ${columns} FROM ${sql.table(table)}
    WHERE ${sql.ref(key)} IN (${sql.join([...keys])})`.execute(trx);
  return new Map(result.rows.map((r) => [String(r[key]), normalise(table, r)]));
}

const INSTANT_COLUMNS: Record<ProjectionTable, readonly string[]> = {
  cycles: ['opened_at', 'finished_at'],
  obligations: ['due_at', 'submitted_at', 'accepted_at', 'opened_at', 'finished_at'],
  notifications: ['created_at', 'sent_at'],
};

/** A live row as the fold makes one: instants as ISO strings, the id as text, no column that is not rebuilt. */
function normalise(table: ProjectionTable, r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r };
  for (const c of INSTANT_COLUMNS[table]) out[c] = isoInstant(r[c]);
  for (const c of NOT_REBUILT[table]) delete out[c];
  if (table === 'notifications') {
    out.id = String(r.id);
    out.body_text = `md5:${String(r.body_md5)}`;
    delete out.body_md5;
  }
  return out;
}

/** Compares a batch of rebuilt rows with the live ones, reports each difference and, unless checking, writes those rows. */
async function reconcile<T extends CycleImage | ObligationImage | NotificationImage>(
  trx: Transaction<Database>,
  table: ProjectionTable,
  rebuilt: readonly T[],
  check: boolean,
  report: (d: ProjectionDifference) => void,
): Promise<number> {
  if (rebuilt.length === 0) return 0;
  const keyColumn = KEY_COLUMN[table] as keyof T;
  const live = await liveRows(
    trx,
    table,
    rebuilt.map((r) => String(r[keyColumn])),
  );
  const toWrite: T[] = [];
  for (const row of rebuilt) {
    const key = String(row[keyColumn]);
    const l = live.get(key);
    if (l === undefined) {
      report({ table, key, kind: 'missing' });
      toWrite.push(row);
      continue;
    }
    const compared =
      table === 'notifications' ? { ...row, body_text: `md5:${md5((row as NotificationImage).body_text)}` } : row;
    const diffs = diffImages(l as unknown as T, compared);
    for (const d of diffs) report({ table, key, kind: 'changed', column: d.column, live: d.live, rebuilt: d.rebuilt });
    if (diffs.length > 0) toWrite.push(row);
  }
  if (check || toWrite.length === 0) return 0;
  await write(trx, table, toWrite);
  return toWrite.length;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

async function write(trx: Transaction<Database>, table: ProjectionTable, rows: readonly unknown[]): Promise<void> {
  if (table === 'cycles') {
    const values = (rows as CycleImage[]).map((r) => ({ ...r, spec: JSON.stringify(r.spec ?? null) }));
    await trx
      .insertInto('cycles')
      .values(values)
      .onConflict((oc) => oc.column('workflow_id').doUpdateSet((eb) => excludedOf(eb, Object.keys(values[0]!))))
      .execute();
  } else if (table === 'obligations') {
    const values = (rows as ObligationImage[]).map((r) => ({ ...r, report: json(r.report) }));
    await trx
      .insertInto('obligations')
      .values(values)
      .onConflict((oc) => oc.column('workflow_id').doUpdateSet((eb) => excludedOf(eb, Object.keys(values[0]!))))
      .execute();
  } else {
    const values = (rows as NotificationImage[]).map((r) => ({
      ...r,
      to_addresses: [...r.to_addresses],
      sent_at: r.sent_at === null ? null : new Date(r.sent_at),
      attempts: 1,
    }));
    const columns = Object.keys(values[0]!).filter((c) => c !== 'attempts');
    await trx
      .insertInto('notifications')
      .values(values)
      .onConflict((oc) => oc.column('dedupe_key').doUpdateSet((eb) => excludedOf(eb, columns)))
      .execute();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one SET list over any of the three tables' columns
function excludedOf(eb: any, columns: readonly string[]): any {
  return Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]));
}

/** Live rows that no event makes: reported as `extra`, deleted by a rebuild. */
async function extras(
  trx: Transaction<Database>,
  opts: RebuildOptions,
  report: (d: ProjectionDifference) => void,
): Promise<number> {
  const plan = opts.planId;
  const queries: [ProjectionTable, Promise<{ rows: { key: string }[] }>][] = [
    [
      'cycles',
      sql<{ key: string }>`SELECT workflow_id AS key FROM cycles c WHERE NOT EXISTS (SELECT 1 FROM events e
        WHERE e.stream = c.workflow_id AND e.type = 'cycle.saved') ${plan === undefined ? sql`` : sql`AND c.plan_id = ${plan}`}
        ORDER BY 1`.execute(trx),
    ],
    [
      'obligations',
      sql<{ key: string }>`SELECT workflow_id AS key FROM obligations o WHERE NOT EXISTS (SELECT 1 FROM events e
        WHERE e.stream = o.workflow_id AND e.type = 'obligation.saved') ${plan === undefined ? sql`` : sql`AND o.plan_id = ${plan}`}
        ORDER BY 1`.execute(trx),
    ],
    [
      'notifications',
      sql<{ key: string }>`SELECT dedupe_key AS key FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM events e
        WHERE e.idempotency_key = 'notification:' || n.dedupe_key || ':queued') ${planFilter(plan, sql.ref('n.workflow_id'))}
        ORDER BY 1`.execute(trx),
    ],
  ];
  let deleted = 0;
  for (const [table, q] of queries) {
    const keys = (await q).rows.map((r) => r.key);
    for (const key of keys) report({ table, key, kind: 'extra' });
    if (!opts.check && keys.length > 0) {
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(KEY_COLUMN[table])} IN (${sql.join(chunk)})`.execute(
          trx,
        );
      }
      deleted += keys.length;
    }
  }
  return deleted;
}
