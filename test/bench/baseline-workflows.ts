// The floor under part 1 of bench:cycles: a parent that starts N children the way reportingCycleWorkflow does (batches of
// OPEN_BATCH per workflow task), children that do nothing but wait on one timer. What this costs on the dev server is what
// any child-per-obligation design costs; what Merzim's cycle costs above it is Merzim's own.
import { sleep, startChild, workflowInfo } from '@temporalio/workflow';
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
