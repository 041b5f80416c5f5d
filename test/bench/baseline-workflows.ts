// The floor under part 1 of bench:cycles: a parent that starts N children the way reportingCycleWorkflow does (batches of
// OPEN_BATCH per workflow task), children that do nothing but wait on one timer. What this costs on the dev server is what
// any child-per-obligation design costs; what Merzim's cycle costs above it is Merzim's own.
import { proxyLocalActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { OPEN_BATCH } from '../../workflows/reporting-cycle.js';

export async function baselineChildWorkflow(): Promise<void> {
  await sleep('30 days');
}

export async function baselineParentWorkflow(children: number, batch: number = OPEN_BATCH): Promise<void> {
  const prefix = `${workflowInfo().workflowId}/child-`;
  for (let i = 0; i < children; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, children - i) }, (_, j) =>
        startChild(baselineChildWorkflow, { workflowId: `${prefix}${i + j}` }),
      ),
    );
  }
  // Open as long as its children, like a cycle (its end would terminate them).
  await sleep('30 days');
}

const floorActivities = proxyLocalActivities<{ floorNoop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

/**
 * The floor under `bench:replay`: a workflow that does nothing but wait on a timer and run a do-nothing local activity,
 * `rounds` times (about six history events per round), so its history is as long as an obligation's or a cycle's. What
 * replaying it costs is what the SDK costs per history of that length; what Merzim's histories cost above it is Merzim's own.
 */
export async function baselineTimersWorkflow(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await sleep('1 day');
    await floorActivities.floorNoop();
  }
}
