// openCycleWorkflow: what a plan's Temporal Schedule (or an admin) runs to open one reporting cycle, exactly once per plan × period.
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  patched,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, defineSearchAttributeKey } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import { reportingCycleWorkflow } from './reporting-cycle.js';
import {
  CYCLE_TEXTS_PATCH,
  DB_RETRY,
  BATCHED_REMINDERS_PATCH,
  CYCLE_TASK_TIMEOUT,
  CYCLE_TASK_TIMEOUT_PATCH,
  DIGESTS_PATCH,
  OPENING_MODES_PATCH,
  STATUS_ATTRIBUTE_PATCH,
  SearchAttributeKeys,
  type OpenCycleInput,
  type OpenCycleResult,
} from './shared.js';
import { cycleWorkflowId } from '../domain/cycle-model.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });

/** Set by the server on every workflow a Schedule starts, backfills included: the time the firing was for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');

/** Opens the cycle of the period that holds the scheduled time (or the given period); a cycle already open is left alone. */
export async function openCycleWorkflow(input: OpenCycleInput): Promise<OpenCycleResult> {
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
  const at = (scheduled ?? new Date()).toISOString();
  const resolved = await acts.resolveCyclePeriod({
    planId: input.planId,
    at,
    ...(input.period === undefined ? {} : { period: input.period }),
  });
  if (!resolved.open) {
    await acts.recordEvent({
      idempotencyKey: `cycle.not_opened:${input.planId}:${resolved.period ?? at}:${workflowInfo().workflowId}`,
      type: 'cycle.not_opened',
      actor: input.actor,
      subjectType: 'plan',
      subjectId: input.planId,
      payload: { period: resolved.period, reason: resolved.reason, at },
    });
    return { status: 'not_opened', cycleId: null, period: resolved.period, reason: resolved.reason };
  }
  // Since the patch the titles stay in PostgreSQL (one cycle_texts row) and the spec carries their hash.
  const texts = patched(CYCLE_TEXTS_PATCH) ? { texts: 'by-hash' as const } : {};
  const spec = await acts.buildCycleSpec({ planId: input.planId, period: resolved.period, ...texts });
  const cycleId = cycleWorkflowId(input.planId, resolved.period);
  const statusKey = patched(STATUS_ATTRIBUTE_PATCH) ? SearchAttributeKeys.CycleStatus : SearchAttributeKeys.Status;
  // A Schedule's opening (a plan confirmed part-way through its period included) is catch-up: live and late.
  const opening = patched(OPENING_MODES_PATCH) ? { opening: { mode: input.mode ?? 'catch-up' } } : {};
  const digests = patched(DIGESTS_PATCH) ? { digests: true as const } : {};
  const batchedReminders = patched(BATCHED_REMINDERS_PATCH) ? { batchedReminders: true as const } : {};
  const taskTimeout = patched(CYCLE_TASK_TIMEOUT_PATCH) ? { workflowTaskTimeout: CYCLE_TASK_TIMEOUT } : {};
  try {
    await startChild(reportingCycleWorkflow, {
      workflowId: cycleId,
      args: [{ spec, ...opening, ...digests, ...batchedReminders }],
      // The cycle outlives this short opener; a business-keyed id that may be used once makes a second opening impossible.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...taskTimeout,
      typedSearchAttributes: [
        { key: SearchAttributeKeys.PlanId, value: input.planId },
        { key: SearchAttributeKeys.Period, value: resolved.period },
        { key: statusKey, value: 'open' },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { status: 'already_open', cycleId, period: resolved.period, reason: null };
    throw err;
  }
  return { status: 'opened', cycleId, period: resolved.period, reason: null };
}
