// Evidence files (annexes of reports): what Merzim records of each stored file. The bytes are in a storage backend.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface EvidenceFile {
  readonly id: string;
  readonly obligationId: string;
  readonly agencyCode: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly storage: string;
  readonly storageKey: string;
  readonly uploadedBy: string;
  readonly uploadedAt: Date;
  readonly withdrawnAt: Date | null;
}

export type NewEvidenceFile = Omit<EvidenceFile, 'id' | 'uploadedAt' | 'withdrawnAt'>;

type Row = Database['evidence_files'];

function toFile(r: {
  id: string;
  obligation_id: string;
  agency_code: string;
  file_name: string;
  media_type: string;
  size_bytes: string;
  sha256: string;
  storage: string;
  storage_key: string;
  uploaded_by: string;
  uploaded_at: Date;
  withdrawn_at: Date | null;
}): EvidenceFile {
  return {
    id: r.id,
    obligationId: r.obligation_id,
    agencyCode: r.agency_code,
    fileName: r.file_name,
    mediaType: r.media_type,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    storage: r.storage,
    storageKey: r.storage_key,
    uploadedBy: r.uploaded_by,
    uploadedAt: r.uploaded_at,
    withdrawnAt: r.withdrawn_at,
  };
}

const COLUMNS = [
  'id',
  'obligation_id',
  'agency_code',
  'file_name',
  'media_type',
  'size_bytes',
  'sha256',
  'storage',
  'storage_key',
  'uploaded_by',
  'uploaded_at',
  'withdrawn_at',
] as const satisfies readonly (keyof Row)[];

/** Records a file whose bytes are already stored (and hashed); returns it with its id. */
export async function insertEvidence(db: Kysely<Database>, f: NewEvidenceFile): Promise<EvidenceFile> {
  const row = await db
    .insertInto('evidence_files')
    .values({
      obligation_id: f.obligationId,
      agency_code: f.agencyCode,
      file_name: f.fileName,
      media_type: f.mediaType,
      size_bytes: f.sizeBytes,
      sha256: f.sha256,
      storage: f.storage,
      storage_key: f.storageKey,
      uploaded_by: f.uploadedBy,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toFile(row);
}

export async function findEvidence(db: Kysely<Database>, id: string): Promise<EvidenceFile | undefined> {
  const row = await db.selectFrom('evidence_files').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toFile(row);
}

/** The obligation's files not withdrawn, oldest first. */
export async function listEvidence(db: Kysely<Database>, obligationId: string): Promise<EvidenceFile[]> {
  const rows = await db
    .selectFrom('evidence_files')
    .select(COLUMNS)
    .where('obligation_id', '=', obligationId)
    .where('withdrawn_at', 'is', null)
    .orderBy('uploaded_at')
    .orderBy('id')
    .execute();
  return rows.map(toFile);
}

/**
 * Of `ids`, those that are not live files of this obligation (unknown, another obligation's, or withdrawn): a report may
 * name as annexes only its own obligation's files. Ids that are not UUIDs are returned as missing without a query error.
 */
export async function missingEvidence(
  db: Kysely<Database>,
  obligationId: string,
  ids: readonly string[],
): Promise<string[]> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const wellFormed = ids.filter((id) => uuid.test(id));
  const found =
    wellFormed.length === 0
      ? []
      : await db
          .selectFrom('evidence_files')
          .select('id')
          .where('obligation_id', '=', obligationId)
          .where('withdrawn_at', 'is', null)
          .where('id', 'in', wellFormed)
          .execute();
  const live = new Set(found.map((r) => r.id.toLowerCase()));
  return ids.filter((id) => !live.has(id.toLowerCase()));
}

/** Marks a draft's file withdrawn (the caller checks no submitted version names it); false when not live. */
export async function withdrawEvidence(db: Kysely<Database>, id: string, by: string): Promise<boolean> {
  const r = await db
    .updateTable('evidence_files')
    .set({ withdrawn_at: new Date(), withdrawn_by: by })
    .where('id', '=', id)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Bytes of the obligation's live files together (what the per-report limit counts). */
export async function liveEvidenceBytes(db: Kysely<Database>, obligationId: string): Promise<number> {
  const row = await db
    .selectFrom('evidence_files')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('size_bytes'), eb.val('0')).as('total'))
    .where('obligation_id', '=', obligationId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Whether a submitted report version names this file as an annex — then it is part of the record and is never withdrawn. */
export async function isNamedBySubmittedVersion(db: Kysely<Database>, fileId: string): Promise<boolean> {
  const row = await db
    .selectFrom('report_versions as v')
    .innerJoin('evidence_files as f', 'f.obligation_id', 'v.obligation_id')
    .select(sql<number>`1`.as('one'))
    .where('f.id', '=', fileId)
    .where(sql<boolean>`v.content -> 'annexes' @> ${JSON.stringify([{ fileId }])}::jsonb`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A chunk of a file kept in PostgreSQL (MERZIM_EVIDENCE_STORE=pg); the caller writes a file's chunks in one transaction. */
export async function insertEvidenceChunk(
  db: Kysely<Database>,
  storageKey: string,
  seq: number,
  data: Buffer,
): Promise<void> {
  await db.insertInto('evidence_chunks').values({ storage_key: storageKey, seq, data }).execute();
}

export async function readEvidenceChunk(
  db: Kysely<Database>,
  storageKey: string,
  seq: number,
): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('evidence_chunks')
    .select('data')
    .where('storage_key', '=', storageKey)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.data;
}

export async function deleteEvidenceChunks(db: Kysely<Database>, storageKey: string): Promise<void> {
  await db.deleteFrom('evidence_chunks').where('storage_key', '=', storageKey).execute();
}

/** Serialises uploads to one obligation until the caller's transaction ends, so two at once cannot both pass the report limit. */
export async function lockObligationEvidence(trx: Kysely<Database>, obligationId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`evidence:${obligationId}`}, 0))`.execute(trx);
}
