// Report drafts: what a reporter typed and has not submitted yet, one per obligation, overwritten as they type. A draft is
// not a submission: it lives here, never in a workflow's history. New drafts hold the full report shape (`content`);
// drafts saved before it hold a list of items.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface DraftItem {
  readonly measure: string;
  readonly status: string;
  readonly text: string;
}

export interface ReportDraft {
  readonly obligationId: string;
  readonly items: readonly DraftItem[];
  /** The report as typed so far (possibly incomplete); null for a draft saved as items only. */
  readonly content: unknown;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

export async function saveDraft(
  db: Kysely<Database>,
  d: { obligationId: string; agencyCode: string; items?: readonly DraftItem[]; content?: unknown; updatedBy: string },
): Promise<Date> {
  const values = {
    agency_code: d.agencyCode,
    items: JSON.stringify(d.items ?? []),
    content: d.content === undefined ? null : JSON.stringify(d.content),
    updated_by: d.updatedBy,
    updated_at: new Date(),
  };
  const row = await db
    .insertInto('report_drafts')
    .values({ obligation_id: d.obligationId, ...values })
    .onConflict((oc) => oc.column('obligation_id').doUpdateSet(values))
    .returning('updated_at')
    .executeTakeFirstOrThrow();
  return row.updated_at;
}

export async function getDraft(db: Kysely<Database>, obligationId: string): Promise<ReportDraft | undefined> {
  const row = await db
    .selectFrom('report_drafts')
    .selectAll()
    .where('obligation_id', '=', obligationId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    obligationId: row.obligation_id,
    items: row.items as DraftItem[],
    content: row.content ?? null,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

/** A submitted report replaces its draft. */
export async function deleteDraft(db: Kysely<Database>, obligationId: string): Promise<void> {
  await db.deleteFrom('report_drafts').where('obligation_id', '=', obligationId).execute();
}
