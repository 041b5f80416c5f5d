// The floor under part 1 of bench:cycles: a parent that starts N children the way reportingCycleWorkflow does (batches of
// OPEN_BATCH per workflow task), children that do nothing but wait on one timer. What this costs on the dev server is what
// any child-per-obligation design costs; what Merzim's cycle costs above it is Merzim's own. A second floor, the "opened" one:
// children that first persist that they opened (one local activity, one PostgreSQL transaction: an event and a read-model row
// in scratch tables the benchmark creates) and then wait — what any serious per-obligation design must at least do.
import { proxyLocalActivities, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import { OPEN_BATCH } from '../../workflows/reporting-cycle.js';
import { SearchAttributeKeys } from '../../workflows/shared.js';

export async function baselineChildWorkflow(): Promise<void> {
  await sleep('30 days');
}

/** What the opened floor's local activity writes (test/bench/cycles.bench.ts, `floorOpened`). */
export interface FloorOpenedInput {
  readonly workflowId: string;
  readonly runId: string;
}

const openedActivities = proxyLocalActivities<{ floorOpened(input: FloorOpenedInput): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

/** A child of the opened floor: one local activity (one transaction: the event and the read-model row), then one timer. */
export async function baselineOpenedChildWorkflow(): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  await openedActivities.floorOpened({ workflowId, runId });
  await sleep('30 days');
}

/** A child of the "carries" floor: started with an obligation's input and search attributes, it only waits on one timer. */
export async function baselineCarriesChildWorkflow(_input: { readonly padding: string }): Promise<void> {
  await sleep('30 days');
}

/**
 * Starts `children` children `batch` per workflow task: do-nothing ones (`waits`), ones that persist their opening (`opens`),
 * or do-nothing ones that carry what every obligation must (`carries`): an input of `inputChars` characters (an obligation's
 * party, chain and timeline answers) and the five search attributes the Temporal UI finds obligations by. (Terminated with
 * their parent when measured, unlike obligations, which a cycle abandons: the policy costs nothing at start.)
 */
export async function baselineParentWorkflow(
  children: number,
  batch: number = OPEN_BATCH,
  kind: 'waits' | 'opens' | 'carries' = 'waits',
  inputChars = 0,
): Promise<void> {
  const prefix = `${workflowInfo().workflowId}/child-`;
  const padding = 'x'.repeat(inputChars);
  const start = (i: number) =>
    kind === 'carries'
      ? startChild(baselineCarriesChildWorkflow, {
          workflowId: `${prefix}${i}`,
          args: [{ padding }],
          typedSearchAttributes: [
            { key: SearchAttributeKeys.PlanId, value: 'bench-floor-plan' },
            { key: SearchAttributeKeys.Period, value: '2026' },
            { key: SearchAttributeKeys.Stage, value: 'executors' },
            { key: SearchAttributeKeys.AgencyCode, value: `AGENCY${i % 100}` },
            { key: SearchAttributeKeys.ObligationStatus, value: 'pending' },
          ],
        })
      : startChild(kind === 'opens' ? baselineOpenedChildWorkflow : baselineChildWorkflow, {
          workflowId: `${prefix}${i}`,
        });
  for (let i = 0; i < children; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, children - i) }, (_, j) => start(i + j)));
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
