// The coordinator's part of a consolidated summary: missing marks and the preface and conclusions, per cycle and stage.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { MissingMarkInput, SummaryTextsInput } from '../../domain/summary.js';

export interface SummaryKey {
  readonly cycleId: string;
  readonly stageId: string;
}

export async function listSummaryMarks(db: Kysely<Database>, k: SummaryKey): Promise<MissingMarkInput[]> {
  const rows = await db
    .selectFrom('summary_marks')
    .selectAll()
    .where('cycle_id', '=', k.cycleId)
    .where('stage_id', '=', k.stageId)
    .orderBy('agency_code')
    .execute();
  return rows.map((r) => ({
    agencyCode: r.agency_code,
    reason: r.reason,
    markedBy: r.marked_by,
    markedAt: r.marked_at.toISOString(),
  }));
}

/** Writes or replaces an agency's mark; the stored mark. */
export async function upsertSummaryMark(
  db: Kysely<Database>,
  m: SummaryKey & { agencyCode: string; reason: string; markedBy: string },
): Promise<MissingMarkInput> {
  const values = { reason: m.reason, marked_by: m.markedBy, marked_at: new Date() };
  const row = await db
    .insertInto('summary_marks')
    .values({ cycle_id: m.cycleId, stage_id: m.stageId, agency_code: m.agencyCode, ...values })
    .onConflict((oc) => oc.columns(['cycle_id', 'stage_id', 'agency_code']).doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return {
    agencyCode: row.agency_code,
    reason: row.reason,
    markedBy: row.marked_by,
    markedAt: row.marked_at.toISOString(),
  };
}

/** Removes an agency's mark; false when there was none. */
export async function deleteSummaryMark(
  db: Kysely<Database>,
  m: SummaryKey & { agencyCode: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('summary_marks')
    .where('cycle_id', '=', m.cycleId)
    .where('stage_id', '=', m.stageId)
    .where('agency_code', '=', m.agencyCode)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

const NO_TEXTS: SummaryTextsInput = { preface: { kk: null, ru: null }, conclusions: { kk: null, ru: null } };

export async function getSummaryTexts(db: Kysely<Database>, k: SummaryKey): Promise<SummaryTextsInput> {
  const row = await db
    .selectFrom('summary_texts')
    .selectAll()
    .where('cycle_id', '=', k.cycleId)
    .where('stage_id', '=', k.stageId)
    .executeTakeFirst();
  if (row === undefined) return NO_TEXTS;
  return {
    preface: { kk: row.preface_kk, ru: row.preface_ru },
    conclusions: { kk: row.conclusions_kk, ru: row.conclusions_ru },
  };
}

export async function saveSummaryTexts(
  db: Kysely<Database>,
  t: SummaryKey & { texts: SummaryTextsInput; updatedBy: string },
): Promise<void> {
  const values = {
    preface_kk: t.texts.preface.kk,
    preface_ru: t.texts.preface.ru,
    conclusions_kk: t.texts.conclusions.kk,
    conclusions_ru: t.texts.conclusions.ru,
    updated_by: t.updatedBy,
    updated_at: new Date(),
  };
  await db
    .insertInto('summary_texts')
    .values({ cycle_id: t.cycleId, stage_id: t.stageId, ...values })
    .onConflict((oc) => oc.columns(['cycle_id', 'stage_id']).doUpdateSet(values))
    .execute();
}
