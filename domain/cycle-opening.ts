// Opening a cycle after some of its deadlines: which obligations are overdue at once, and the two modes it must be opened in. Pure.
import type { WorkingCalendar } from './calendar.js';
import type { CycleSpec } from './cycle-model.js';
import { previewCycle, type TimelineOptions } from './cycle-timeline.js';
import type { IsoDate } from './dates.js';

/**
 * How a cycle whose deadlines have partly passed is opened:
 * - catch-up: the period is live and late — each overdue obligation sends one overdue notice now (agency and coordinator),
 *   the escalations already due collapse into one notice at the step reached, passed reminders are not sent, and the
 *   coordinator gets one summary of what was found overdue;
 * - record-only: a past period loaded for the record — no e-mail at all, obligations in their true state, reports entered
 *   after the fact marked late and by whom.
 */
export type OpeningMode = 'catch-up' | 'record-only';
export const OPENING_MODES: readonly OpeningMode[] = ['catch-up', 'record-only'];

export function isOpeningMode(value: unknown): value is OpeningMode {
  return typeof value === 'string' && (OPENING_MODES as readonly string[]).includes(value);
}

/** What the refusal of an opening without a mode says (the API's 409, the CLI). */
export function openingModeRequiredMessage(period: string, overdue: number): string {
  return (
    `mode: ${overdue} obligation${overdue === 1 ? '' : 's'} of ${period} would be overdue at once; say how to open it: ` +
    `"catch-up" (the period is live and late: one overdue notice per overdue obligation to the agency and the coordinator, ` +
    `escalations already due collapsed into one notice at the step reached, passed reminders not sent, one summary to the ` +
    `coordinator) or "record-only" (a past period loaded for the record: no e-mail at all, obligations in their true state, ` +
    `reports entered afterwards marked late and by whom)`
  );
}

export interface OverdueAtOpening {
  readonly obligationId: string;
  readonly stageId: string;
  readonly agencyCode: string;
  readonly effectiveDueDate: IsoDate;
}

/** The obligations of the cycle whose deadline has passed at `atMs`: overdue the moment the cycle opens. */
export function overdueAtOpening(
  spec: CycleSpec,
  calendar: WorkingCalendar,
  atMs: number,
  options: TimelineOptions = {},
): OverdueAtOpening[] {
  return previewCycle(spec, calendar, options)
    .obligations.filter((o) => Date.parse(o.dueInstant) < atMs)
    .map((o) => ({
      obligationId: o.obligationId,
      stageId: o.stageId,
      agencyCode: o.agencyCode,
      effectiveDueDate: o.effectiveDueDate,
    }));
}
