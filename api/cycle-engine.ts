// What a plan's life sets in motion in Temporal: a Schedule per confirmed plan that opens its cycles, amendments signalled
// to running cycles, a repeal that deletes the schedule and closes open cycles with its reason.
import {
  QueryNotRegisteredError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listAgencies } from '../db/repositories/agencies.js';
import { loadWorkingCalendar } from '../db/repositories/calendar.js';
import { getCycle, listCycles } from '../db/repositories/cycles.js';
import { getCycleTexts } from '../db/repositories/cycle-texts.js';
import { compactAmendment } from '../domain/cycle-texts.js';
import { listPlans, PlanStateError, type StoredPlan } from '../db/repositories/plans.js';
import { openingModeRequiredMessage, overdueAtOpening, type OpeningMode } from '../domain/cycle-opening.js';
import { HttpError } from './errors.js';
import { cyclePeriodFor } from '../domain/cycle-period.js';
import { cycleSpecFromPlan } from '../domain/cycle-spec.js';
import {
  formatPeriodKey,
  parsePeriodKey,
  periodStart,
  periodsBetween,
  periodsOfYear,
  type PeriodKind,
} from '../domain/periods.js';
import { amendmentSignals } from '../domain/cycle-amendments.js';
import { localDateOf, startOfLocalDay } from '../domain/tz.js';
import { openCycleWorkflow } from '../workflows/index.js';
import { amendPlanSignal, closeCycleSignal, cycleStatusQuery, type OpenCycleResult } from '../workflows/shared.js';
import { cycleWorkflowId, planScheduleId, type CycleStatusView } from '../domain/cycle-model.js';
import type { PlanLifecycle } from './routes/plans.js';

/**
 * The cycle's status, asked of its workflow. A cycle that has just continued as new registers its query once it has taken
 * up what the last run carried (a few milliseconds, a workflow task): asked in between, it is asked again, for up to 10 s.
 */
async function queryCycle(handle: WorkflowHandle): Promise<CycleStatusView> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await handle.query(cycleStatusQuery);
    } catch (err) {
      if (!(err instanceof QueryNotRegisteredError) || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const MONTH_NAMES = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;

/** The months a period kind starts in: a schedule fires at 00:05 Almaty time on the first day of each period. */
function periodStartMonths(kind: PeriodKind): (typeof MONTH_NAMES)[number][] {
  const months = periodsOfYear(kind, 2000).map((p) => Number(periodStart(p).slice(5, 7)));
  return months.map((m) => MONTH_NAMES[m - 1]!);
}

export interface CycleEngine extends PlanLifecycle {
  /** Creates the plan's schedule if missing (idempotent). */
  ensureSchedule(plan: StoredPlan): Promise<void>;
  pause(planId: string, note: string): Promise<void>;
  unpause(planId: string, note: string): Promise<void>;
  /**
   * Opens the cycles of missed periods, from..to inclusive (period keys), one opener per period, and waits for their answers.
   * The plan must still have its schedule (confirmed, not repealed).
   */
  backfill(plan: StoredPlan, from: string, to: string, actor: string, mode?: OpeningMode): Promise<OpeningAnswer[]>;
  /**
   * Opens one period's cycle now (admin), whatever the schedule says; waits for the opener's answer. A period some of whose
   * deadlines have passed needs a mode (refused with 409 opening_mode_required otherwise), and so does a backfill of one.
   */
  openCycle(plan: StoredPlan, period: string, actor: string, mode?: OpeningMode): Promise<OpeningAnswer>;
  /**
   * How many obligations of the plan's `period` would be overdue the moment its cycle opened now (0 when the cycle cannot be
   * built: the opener says why). Opening such a period needs a mode (domain/cycle-opening.ts).
   */
  overdueAtOpening(plan: StoredPlan, period: string): Promise<number>;
  scheduleState(
    planId: string,
  ): Promise<{ exists: boolean; paused: boolean; note: string | null; nextActionTimes: string[] }>;
  /**
   * At start: every confirmed plan has its schedule (a confirmation while Temporal was unreachable, the demo plans). A plan whose
   * schedule cannot be made is reported in `failed` and the others are still done: one bad row never keeps the service down.
   */
  reconcileSchedules(): Promise<ReconcileResult>;
}

/** The opener's answer, with the mode the cycle was opened in (null when none was opened) and how many were overdue at once. */
export interface OpeningAnswer extends OpenCycleResult {
  readonly mode: OpeningMode | null;
  readonly overdueAtOpening: number;
}

export interface ReconcileResult {
  /** Confirmed plans whose schedule exists now. */
  readonly ensured: number;
  readonly failed: readonly { readonly planId: string; readonly error: string }[];
}

/** Logs each plan reconcileSchedules could not give a schedule, with its id, and a one-line total. */
export function logReconciliation(
  result: ReconcileResult,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): void {
  for (const f of result.failed)
    log.error(
      { planId: f.planId, error: f.error },
      'a confirmed plan has no schedule and could not be given one; fix or repeal it',
    );
  log.info({ ensured: result.ensured, failed: result.failed.length }, 'plan schedules reconciled');
}

function answer(result: OpenCycleResult, mode: OpeningMode | undefined, overdue: number): OpeningAnswer {
  // The opener opens in catch-up unless told otherwise (nothing differs while no deadline has passed).
  return { ...result, mode: result.status === 'opened' ? (mode ?? 'catch-up') : null, overdueAtOpening: overdue };
}

export function createCycleEngine(deps: {
  client: Client;
  db: Kysely<Database>;
  taskQueue: string;
  now?: () => Date;
}): CycleEngine {
  const { client, db, taskQueue } = deps;
  const now = deps.now ?? (() => new Date());

  async function openCycles(planId: string): Promise<string[]> {
    return (await listCycles(db, { planId, status: 'open' })).map((c) => c.workflow_id);
  }

  const engine: CycleEngine = {
    async ensureSchedule(plan) {
      const { years, policy } = plan.plan;
      let startAt: Date;
      let endAt: Date;
      try {
        if (
          !Number.isInteger(years.from) ||
          !Number.isInteger(years.to) ||
          years.from < 1900 ||
          years.to > 2200 ||
          years.from > years.to
        ) {
          throw new RangeError(`years ${years.from}..${years.to} are not a span of years 1900..2200`);
        }
        startAt = new Date(startOfLocalDay(`${years.from}-01-01`));
        endAt = new Date(startOfLocalDay(`${years.to + 1}-01-01`) - 1);
      } catch (err) {
        throw new PlanStateError(
          'unschedulable',
          `Plan ${plan.id} cannot be scheduled: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      try {
        await client.schedule.create({
          scheduleId: planScheduleId(plan.id),
          spec: {
            calendars: [{ month: periodStartMonths(policy.period), dayOfMonth: 1, hour: 0, minute: 5 }],
            timezone: 'Asia/Almaty',
            startAt,
            endAt,
          },
          action: {
            type: 'startWorkflow',
            workflowType: openCycleWorkflow,
            workflowId: `open-cycle:${plan.id}`,
            taskQueue,
            args: [{ planId: plan.id, actor: 'schedule' }],
          },
          // Periods never overlap each other's opening, and a firing missed while Temporal was down is caught up within a day.
          policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' },
          memo: { planId: plan.id },
        });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      }
    },

    async scheduling(plan) {
      await engine.ensureSchedule(plan);
    },

    async unscheduled(planId) {
      try {
        await client.schedule.getHandle(planScheduleId(planId)).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
    },

    async confirmed(plan) {
      await engine.ensureSchedule(plan);
      // A plan confirmed in the middle of one of its periods opens that period's cycle now rather than at the next period,
      // in catch-up mode (the Schedule's opener): the answer says how many obligations it finds overdue.
      const year = Number(localDateOf(now().getTime()).slice(0, 4));
      if (year < plan.plan.years.from || year > plan.plan.years.to) return null;
      const period = cyclePeriodFor(plan.plan, plan.status, { at: now().toISOString() });
      await client.schedule.getHandle(planScheduleId(plan.id)).trigger();
      if (!period.open) return null;
      return {
        period: period.period,
        mode: 'catch-up',
        overdueAtOpening: await engine.overdueAtOpening(plan, period.period),
      };
    },

    async overdueAtOpening(plan, period) {
      // A period the opener will refuse (outside the plan's years, repealed) is answered by the opener, with its reason; one
      // already opened is answered already_open, whatever the mode.
      if (!cyclePeriodFor(plan.plan, plan.status, { period, at: now().toISOString() }).open) return 0;
      const opened = await client.workflow
        .getHandle(cycleWorkflowId(plan.id, period))
        .describe()
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkflowNotFoundError) return false;
            throw err;
          },
        );
      if (opened) return 0;
      const [directory, calendar] = await Promise.all([listAgencies(db), loadWorkingCalendar(db)]);
      const built = cycleSpecFromPlan({ planId: plan.id, plan: plan.plan, directory, period, calendar });
      return built.ok ? overdueAtOpening(built.spec, calendar, now().getTime()).length : 0;
    },

    async amended(plan, applied, actor) {
      const cycles = await openCycles(plan.id);
      if (cycles.length === 0) return;
      const [directory, calendar] = await Promise.all([listAgencies(db), loadWorkingCalendar(db)]);
      for (const cycleId of cycles) {
        const handle = client.workflow.getHandle(cycleId);
        let running: CycleStatusView;
        try {
          running = await queryCycle(handle);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) continue;
          throw err;
        }
        // A cycle opened before measures had stages of their own keeps its three-stage shape: compare like with like.
        const stored = await getCycle(db, cycleId);
        const measureStages = stored?.spec?.notOwed !== undefined;
        // And one opened while the coordinator still reported to itself keeps its obligations to itself.
        const coordinatorReportsToItself =
          stored?.spec?.stages.some(
            (st) =>
              st.from === 'executors' &&
              st.to === 'coordinator' &&
              st.recipient === undefined &&
              st.parties.some((p) => p.agencyCode === stored.spec!.coordinator.agencyCode),
          ) ?? false;
        // And one opened before group executors were expanded per cycle keeps the groups it was opened with.
        const regroup = stored?.spec?.stages.some((st) => st.parties.some((p) => p.via !== undefined)) ?? false;
        // And one opened before footnotes set stages (spec version 3) keeps the stages it has.
        const footnoteStages = (stored?.spec?.version ?? 1) >= 3;
        const next = cycleSpecFromPlan({
          planId: plan.id,
          plan: plan.plan,
          directory,
          period: running.period,
          calendar,
          measureStages,
          coordinatorReportsToItself,
          regroup,
          footnoteStages,
        });
        if (!next.ok) continue;
        // A cycle keeping its measure texts by hash gets parties without the titles it already holds (domain/cycle-texts.ts).
        const texts = stored?.spec?.texts === undefined ? undefined : await getCycleTexts(db, stored.spec.texts.hash);
        for (const signal of amendmentSignals(plan, running, next.spec, applied, actor))
          await handle.signal(amendPlanSignal, texts === undefined ? signal : compactAmendment(signal, texts));
      }
    },

    async repealed(plan, reason, actor) {
      try {
        await client.schedule.getHandle(planScheduleId(plan.id)).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
      const act =
        plan.plan.repeal === null
          ? undefined
          : `${plan.plan.repeal.act.issuer} No. ${plan.plan.repeal.act.number} of ${plan.plan.repeal.act.date}`;
      for (const cycleId of await openCycles(plan.id)) {
        try {
          await client.workflow
            .getHandle(cycleId)
            .signal(closeCycleSignal, { reason, actor, ...(act === undefined ? {} : { act }) });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
    },

    async pause(planId, note) {
      await client.schedule.getHandle(planScheduleId(planId)).pause(note);
    },

    async unpause(planId, note) {
      await client.schedule.getHandle(planScheduleId(planId)).unpause(note);
    },

    async backfill(plan, from, to, actor, mode) {
      const first = parsePeriodKey(from);
      const last = parsePeriodKey(to);
      const periods = periodsBetween(plan.plan.policy.period, first, last);
      // Throws ScheduleNotFoundError for a plan that has none (never confirmed, or repealed).
      await client.schedule.getHandle(planScheduleId(plan.id)).describe();
      const overdue = new Map<string, number>();
      for (const period of periods.map(formatPeriodKey))
        overdue.set(period, await engine.overdueAtOpening(plan, period));
      const late = [...overdue].filter(([, n]) => n > 0);
      if (mode === undefined && late.length > 0)
        throw new HttpError(
          409,
          'opening_mode_required',
          late.map(([period, n]) => openingModeRequiredMessage(period, n)).join(' | '),
        );
      // Not the Schedule's own backfill: that request is asynchronous, and one sent while a new schedule was still taking its
      // first action was seen to be dropped. An opener per period, under a business-keyed id, is acknowledged, can be waited
      // for, and cannot open a period twice (two backfills at once share the running opener; the cycle's id is used once).
      const results: OpeningAnswer[] = [];
      for (const period of periods.map(formatPeriodKey)) {
        const workflowId = `open-cycle:${plan.id}:${period}:backfill`;
        let handle;
        try {
          handle = await client.workflow.start(openCycleWorkflow, {
            workflowId,
            taskQueue,
            args: [{ planId: plan.id, period, actor, ...(mode === undefined ? {} : { mode }) }],
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          handle = client.workflow.getHandle<typeof openCycleWorkflow>(workflowId);
        }
        results.push(answer(await handle.result(), mode, overdue.get(period) ?? 0));
      }
      return results;
    },

    async openCycle(plan, period, actor, mode) {
      const overdue = await engine.overdueAtOpening(plan, period);
      if (mode === undefined && overdue > 0)
        throw new HttpError(409, 'opening_mode_required', openingModeRequiredMessage(period, overdue));
      const result = await client.workflow.execute(openCycleWorkflow, {
        workflowId: `open-cycle:${plan.id}:${period}:${now().getTime()}`,
        taskQueue,
        args: [{ planId: plan.id, period, actor, ...(mode === undefined ? {} : { mode }) }],
      });
      return answer(result, mode, overdue);
    },

    async reconcileSchedules() {
      const plans = await listPlans(db, { status: 'confirmed' });
      let ensured = 0;
      const failed: { planId: string; error: string }[] = [];
      for (const plan of plans) {
        try {
          await engine.ensureSchedule(plan);
          ensured++;
        } catch (err) {
          failed.push({ planId: plan.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
      return { ensured, failed };
    },

    async scheduleState(planId) {
      try {
        const d = await client.schedule.getHandle(planScheduleId(planId)).describe();
        return {
          exists: true,
          paused: d.state.paused,
          note: d.state.note ?? null,
          nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
        };
      } catch (err) {
        if (err instanceof ScheduleNotFoundError)
          return { exists: false, paused: false, note: null, nextActionTimes: [] };
        throw err;
      }
    },
  };
  return engine;
}
