// Where a moved deadline (an extension, a returned report's new date) may land: after today in Almaty, and no later than the end of
// the cycle's year plus a margin. Pure: the API's schema bounds the year, the obligation's Update validators apply this rule.
import { isIsoDate, type IsoDate } from './dates.js';
import { isPeriodKey, parsePeriodKey } from './periods.js';

/** Years after the cycle's period a deadline may still be moved to (a year-end report extended into the next spring, and more). */
export const DUE_DATE_MARGIN_YEARS = 2;

/** The schema-level bound: a date in 2000–2199, so "9999-12-31" never reaches a workflow. */
export const DUE_DATE_PATTERN = '^2[01][0-9]{2}-[0-9]{2}-[0-9]{2}$';

/** The latest date a deadline of a cycle of this period may be moved to. */
export function latestDueDate(period: string): IsoDate {
  const year = isPeriodKey(period) ? parsePeriodKey(period).year : Number(String(period).slice(0, 4));
  return `${year + DUE_DATE_MARGIN_YEARS}-12-31`;
}

/** Why `newDueDate` cannot be a cycle's new deadline ("newDueDate: …"), or null when it can. `today` is the Almaty date. */
export function newDueDateProblem(
  newDueDate: unknown,
  ctx: { readonly today: IsoDate; readonly period: string },
): string | null {
  if (!isIsoDate(newDueDate)) return `newDueDate: not a date (YYYY-MM-DD): "${String(newDueDate)}"`;
  if (newDueDate <= ctx.today) return `newDueDate: must be after today (${ctx.today}), not ${newDueDate}`;
  const latest = latestDueDate(ctx.period);
  if (newDueDate > latest)
    return `newDueDate: must be no later than ${latest} (the cycle ${ctx.period} plus ${DUE_DATE_MARGIN_YEARS} years), not ${newDueDate}`;
  return null;
}
