// Submitted report versions: inserted once, read back; never updated or deleted (trigger and privilege). Each submission is
// the next version number of its obligation; the unique (obligation_id, version) serialises two racing submissions.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { ReportContent } from '../../domain/report.js';

export interface ReportVersion {
  readonly id: string;
  readonly obligationId: string;
  readonly version: number;
  readonly agencyCode: string;
  readonly content: ReportContent;
  readonly contentHash: string;
  readonly submittedBy: string;
  readonly submittedAt: Date;
}

export type ReportVersionHead = Omit<ReportVersion, 'content'>;

const HEAD = ['id', 'obligation_id', 'version', 'agency_code', 'content_hash', 'submitted_by', 'submitted_at'] as const;

function head(r: {
  id: string;
  obligation_id: string;
  version: number;
  agency_code: string;
  content_hash: string;
  submitted_by: string;
  submitted_at: Date;
}): ReportVersionHead {
  return {
    id: r.id,
    obligationId: r.obligation_id,
    version: r.version,
    agencyCode: r.agency_code,
    contentHash: r.content_hash,
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at,
  };
}

/** The highest version number stored for the obligation (0 when none). */
export async function latestVersionNumber(db: Kysely<Database>, obligationId: string): Promise<number> {
  const row = await db
    .selectFrom('report_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('obligation_id', '=', obligationId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/**
 * Inserts a version with the id the caller chose; a repeat of the same id is a no-op (a commit that failed after the
 * workflow accepted the version is written again with the same id). Returns whether a row was written.
 */
export async function insertVersion(
  db: Kysely<Database>,
  v: Omit<ReportVersion, 'submittedAt'> & { submittedAt?: Date },
): Promise<boolean> {
  const r = await db
    .insertInto('report_versions')
    .values({
      id: v.id,
      obligation_id: v.obligationId,
      version: v.version,
      agency_code: v.agencyCode,
      content: JSON.stringify(v.content),
      content_hash: v.contentHash,
      submitted_by: v.submittedBy,
      ...(v.submittedAt === undefined ? {} : { submitted_at: v.submittedAt }),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The obligation's versions, oldest first, without their content. */
export async function listVersions(db: Kysely<Database>, obligationId: string): Promise<ReportVersionHead[]> {
  const rows = await db
    .selectFrom('report_versions')
    .select(HEAD)
    .where('obligation_id', '=', obligationId)
    .orderBy('version')
    .execute();
  return rows.map(head);
}

/** One version of the obligation by number. */
export async function getVersion(
  db: Kysely<Database>,
  obligationId: string,
  version: number,
): Promise<ReportVersion | undefined> {
  const r = await db
    .selectFrom('report_versions')
    .select([...HEAD, 'content'])
    .where('obligation_id', '=', obligationId)
    .where('version', '=', version)
    .executeTakeFirst();
  return r === undefined ? undefined : { ...head(r), content: r.content };
}
