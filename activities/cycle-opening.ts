// The activity that resolves which cycle a schedule's firing (or an admin's request) opens, from the stored plan.
import type { ActivityDeps } from './deps.js';
import { getPlan } from '../db/repositories/plans.js';
import { cyclePeriodFor, type ResolvedCyclePeriod } from '../domain/cycle-period.js';

export interface ResolveCyclePeriodInput {
  readonly planId: string;
  /** Given by hand ("2019", "2019-H1"); else the period holding `at`. */
  readonly period?: string;
  /** ISO instant: when the schedule fired (its scheduled time, also for a backfill). */
  readonly at: string;
}

export function createCycleOpeningActivities(deps: ActivityDeps) {
  return {
    /** Resolves the period a scheduled or requested opening is for, or why none opens. */
    async resolveCyclePeriod(input: ResolveCyclePeriodInput): Promise<ResolvedCyclePeriod> {
      const stored = await getPlan(deps.db, input.planId);
      if (stored === undefined) return { open: false, period: input.period ?? null, reason: `no plan ${input.planId}` };
      return cyclePeriodFor(stored.plan, stored.status, {
        at: input.at,
        ...(input.period === undefined ? {} : { period: input.period }),
      });
    },
  };
}
