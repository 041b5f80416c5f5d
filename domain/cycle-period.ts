// Which cycle a schedule's firing (or an admin's request) opens: the plan's period that holds the instant, or a reason to open none.
import { formatPeriodKey, isPeriodKey, parsePeriodKey, periodContaining, periodStart } from './periods.js';
import type { Plan } from './plan.js';
import { localDateOf } from './tz.js';

export type ResolvedCyclePeriod =
  | { readonly open: true; readonly period: string }
  | { readonly open: false; readonly period: string | null; readonly reason: string };

/** The pure rule: a period opens only for a confirmed plan, inside the plan's years, and before its repeal took effect. */
export function cyclePeriodFor(
  plan: Plan,
  status: string,
  input: { period?: string; at: string },
): ResolvedCyclePeriod {
  let key: string;
  if (input.period !== undefined) {
    if (!isPeriodKey(input.period))
      return {
        open: false,
        period: null,
        reason: `"${input.period}" is not a period (2019, 2019-H1, 2019-Q3, 2019-07)`,
      };
    key = input.period;
  } else {
    key = formatPeriodKey(periodContaining(plan.policy.period, localDateOf(Date.parse(input.at))));
  }
  const period = parsePeriodKey(key);
  if (period.kind !== plan.policy.period)
    return { open: false, period: key, reason: `the plan reports per ${plan.policy.period}, not per ${period.kind}` };
  if (status !== 'confirmed') return { open: false, period: key, reason: `the plan is ${status}` };
  if (period.year < plan.years.from || period.year > plan.years.to)
    return {
      open: false,
      period: key,
      reason: `${key} is outside the plan's years ${plan.years.from}–${plan.years.to}`,
    };
  if (plan.repeal !== null && plan.repeal.date <= periodStart(period))
    return { open: false, period: key, reason: `the plan was repealed on ${plan.repeal.date}` };
  return { open: true, period: key };
}
