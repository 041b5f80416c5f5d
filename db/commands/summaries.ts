// Summary commands: a missing mark or the summary's texts, and the audit event that records who changed them, in the caller's
// transaction. The events name the agency and the reason (the coordinator's own words), never the preface or conclusions.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { MissingMarkInput, SummaryTextsInput } from '../../domain/summary.js';
import type { Database } from '../database.js';
import { appendEvent } from '../repositories/events.js';
import { deleteSummaryMark, saveSummaryTexts, upsertSummaryMark, type SummaryKey } from '../repositories/summaries.js';

type Trx = Transaction<Database>;

/** Marks an agency missing from the summary with a reason, and records summary.agency_marked_missing. */
export async function markMissingCommand(
  trx: Trx,
  c: SummaryKey & { agencyCode: string; reason: string; actor: string },
): Promise<MissingMarkInput> {
  const mark = await upsertSummaryMark(trx, { ...c, markedBy: c.actor });
  await appendEvent(trx, {
    idempotencyKey: `summary.agency_marked_missing:${c.cycleId}:${c.stageId}:${c.agencyCode}:${randomUUID()}`,
    type: 'summary.agency_marked_missing',
    actor: c.actor,
    workflowId: c.cycleId,
    subjectType: 'agency',
    subjectId: c.agencyCode,
    payload: { stageId: c.stageId, reason: c.reason },
  });
  return mark;
}

/** Takes a mark back and records summary.mark_removed; false when there was none. */
export async function unmarkMissingCommand(
  trx: Trx,
  c: SummaryKey & { agencyCode: string; actor: string },
): Promise<boolean> {
  if (!(await deleteSummaryMark(trx, c))) return false;
  await appendEvent(trx, {
    idempotencyKey: `summary.mark_removed:${c.cycleId}:${c.stageId}:${c.agencyCode}:${randomUUID()}`,
    type: 'summary.mark_removed',
    actor: c.actor,
    workflowId: c.cycleId,
    subjectType: 'agency',
    subjectId: c.agencyCode,
    payload: { stageId: c.stageId },
  });
  return true;
}

/** Saves the preface and conclusions and records summary.texts_saved (which texts are filled, not the texts). */
export async function saveSummaryTextsCommand(
  trx: Trx,
  c: SummaryKey & { texts: SummaryTextsInput; actor: string },
): Promise<void> {
  await saveSummaryTexts(trx, { ...c, updatedBy: c.actor });
  await appendEvent(trx, {
    idempotencyKey: `summary.texts_saved:${c.cycleId}:${c.stageId}:${randomUUID()}`,
    type: 'summary.texts_saved',
    actor: c.actor,
    workflowId: c.cycleId,
    subjectType: 'cycle',
    subjectId: c.cycleId,
    payload: {
      stageId: c.stageId,
      filled: Object.entries(c.texts).flatMap(([field, text]) =>
        (['kk', 'ru'] as const).filter((l) => text[l] !== null && text[l] !== '').map((l) => `${field}.${l}`),
      ),
    },
  });
}
