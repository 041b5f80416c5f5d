// Checks the hash chains of the events log (migration 2026_12_02_0500_event_chain): every stream numbered 1, 2, … without a gap,
// each row linked to the previous row's hash, and each hash recomputed here — in Node, over the row's canonical text read with
// this file's own expression, not the database's function — so a row altered by anyone, a superuser included, is found.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface BrokenLink {
  readonly stream: string;
  readonly id: string;
  readonly seq: string;
  /** `content`: the row is not what was hashed; `link`: it does not point at the previous row; `sequence`: a row is missing. */
  readonly reason: 'content' | 'link' | 'sequence';
  /** For `link`: the row before it, whose hash no longer matches what this row recorded (one of the two was changed). */
  readonly previousId: string | null;
}

export interface ChainReport {
  readonly streams: number;
  readonly rows: number;
  readonly ok: boolean;
  /** The first broken row of each broken stream, in stream order. */
  readonly broken: readonly BrokenLink[];
}

/** SHA-256 (hex) of the previous hash, a newline and the canonical content: what the insert trigger stores. */
export function chainHash(prevHash: string, content: string): string {
  return createHash('sha256').update(`${prevHash}\n${content}`, 'utf8').digest('hex');
}

interface ChainRow {
  row_id: string;
  stream: string;
  seq: string;
  prev_hash: string;
  hash: string;
  content: string;
}

/** Walks every chain in (stream, seq) order, `batch` rows at a time (constant memory whatever the log's size). */
export async function verifyEventChains(db: Kysely<Database>, batch = 5000): Promise<ChainReport> {
  const broken: BrokenLink[] = [];
  let streams = 0;
  let rows = 0;
  let after: { stream: string; seq: string } | undefined;
  let current: { stream: string; seq: bigint; hash: string; id: string | null; broken: boolean } | undefined;
  for (;;) {
    const page = await sql<ChainRow>`
      SELECT id::text AS row_id, stream, stream_seq::text AS seq, prev_hash, hash,
        jsonb_build_array(id::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, stream, stream_seq::text, payload)::text
          AS content
      FROM events
      ${after === undefined ? sql`` : sql`WHERE (stream, stream_seq) > (${after.stream}, ${after.seq}::bigint)`}
      ORDER BY events.stream, events.stream_seq
      LIMIT ${batch}`.execute(db);
    for (const r of page.rows) {
      rows++;
      if (current?.stream !== r.stream) {
        streams++;
        current = { stream: r.stream, seq: 0n, hash: '', id: null, broken: false };
      }
      const seq = BigInt(r.seq);
      const reason =
        seq !== current.seq + 1n
          ? 'sequence'
          : r.prev_hash !== current.hash
            ? 'link'
            : chainHash(r.prev_hash, r.content) !== r.hash
              ? 'content'
              : undefined;
      if (reason !== undefined && !current.broken) {
        broken.push({
          stream: r.stream,
          id: r.row_id,
          seq: r.seq,
          reason,
          previousId: reason === 'link' ? current.id : null,
        });
        current.broken = true;
      }
      current.seq = seq;
      current.hash = r.hash;
      current.id = r.row_id;
    }
    if (page.rows.length < batch) break;
    const last = page.rows[page.rows.length - 1]!;
    after = { stream: last.stream, seq: last.seq };
  }
  return { streams, rows, ok: broken.length === 0, broken };
}
