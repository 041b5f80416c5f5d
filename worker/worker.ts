// Builds Merzim's Temporal worker: the workflows of workflows/ and the activities over the given database and mailer.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface MerzimWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly deps: ActivityDeps;
  readonly identity?: string;
  /** A bundle made by `npm run build:workflows` (MERZIM_WORKFLOW_BUNDLE); without it the worker bundles at start. */
  readonly workflowBundlePath?: string;
}

export async function createMerzimWorker(opts: MerzimWorkerOptions): Promise<Worker> {
  const workflowSource = opts.workflowBundlePath !== undefined
    ? { workflowBundle: { codePath: opts.workflowBundlePath } }
    : { workflowsPath };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...(opts.identity === undefined ? {} : { identity: opts.identity }),
    ...workflowSource,
  });
}

let runtimeInstalled = false;

/** The SDK logs every bundle at INFO; Merzim's console shows warnings and errors only. Call before the first connection. */
export function quietTemporalRuntime(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by someone else (e.g. a test environment): keep theirs.
  }
}
