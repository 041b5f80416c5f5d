// Frozen consolidated summaries: inserted once (a repeat of the same id is a no-op), read back; never updated or deleted.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { FrozenSummary } from '../../domain/summary-version.js';

export interface SummaryVersion {
  readonly id: string;
  readonly obligationId: string;
  readonly cycleId: string;
  readonly stageId: string;
  readonly version: number;
  readonly agencyCode: string;
  readonly content: FrozenSummary;
  readonly contentHash: string;
  readonly submittedBy: string;
  readonly submittedAt: Date;
}

export type SummaryVersionHead = Omit<SummaryVersion, 'content'>;

const HEAD = [
  'id',
  'obligation_id',
  'cycle_id',
  'stage_id',
  'version',
  'agency_code',
  'content_hash',
  'submitted_by',
  'submitted_at',
] as const;

function head(r: {
  id: string;
  obligation_id: string;
  cycle_id: string;
  stage_id: string;
  version: number;
  agency_code: string;
  content_hash: string;
  submitted_by: string;
  submitted_at: Date;
}): SummaryVersionHead {
  return {
    id: r.id,
    obligationId: r.obligation_id,
    cycleId: r.cycle_id,
    stageId: r.stage_id,
    version: r.version,
    agencyCode: r.agency_code,
    contentHash: r.content_hash,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
  };
}

export async function latestSummaryVersionNumber(db: Kysely<Database>, obligationId: string): Promise<number> {
  const row = await db
    .selectFrom('summary_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('obligation_id', '=', obligationId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Inserts a version with the id the caller chose; a repeat of the same id writes nothing. */
export async function insertSummaryVersion(
  db: Kysely<Database>,
  v: Omit<SummaryVersion, 'submittedAt'>,
): Promise<boolean> {
  const r = await db
    .insertInto('summary_versions')
    .values({
      id: v.id,
      obligation_id: v.obligationId,
      cycle_id: v.cycleId,
      stage_id: v.stageId,
      version: v.version,
      agency_code: v.agencyCode,
      content: JSON.stringify(v.content),
      content_hash: v.contentHash,
      submitted_by: v.submittedBy,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The carrier obligation's versions, oldest first, without their content. */
export async function listSummaryVersions(db: Kysely<Database>, obligationId: string): Promise<SummaryVersionHead[]> {
  const rows = await db
    .selectFrom('summary_versions')
    .select(HEAD)
    .where('obligation_id', '=', obligationId)
    .orderBy('version')
    .execute();
  return rows.map(head);
}

export async function getSummaryVersion(
  db: Kysely<Database>,
  obligationId: string,
  version: number,
): Promise<SummaryVersion | undefined> {
  const r = await db
    .selectFrom('summary_versions')
    .select([...HEAD, 'content'])
    .where('obligation_id', '=', obligationId)
    .where('version', '=', version)
    .executeTakeFirst();
  return r === undefined ? undefined : { ...head(r), content: r.content };
}
