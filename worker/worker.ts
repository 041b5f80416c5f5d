// Builds Merzim's Temporal worker: the workflows of workflows/ and the activities over the given database and mailer.
import { fileURLToPath } from 'node:url';
import {
  DefaultLogger,
  Runtime,
  Worker,
  type LogEntry,
  type NativeConnection,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { DEFAULT_STICKY_TIMEOUT_S, type Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import { connectWorker } from '../platform/temporal-connection.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface MerzimWorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly deps: ActivityDeps;
  readonly identity?: string;
  /** A bundle made by `npm run build:workflows` (MERZIM_WORKFLOW_BUNDLE); without it the worker bundles at start. */
  readonly workflowBundlePath?: string;
  /** Concurrency and cache sizes; unset ones keep Temporal's defaults (test/bench/cycles.bench.ts measures them). */
  readonly tuning?: WorkerTuning;
  /** Extra interceptors; production sets none (the cycles benchmark moves reminder instants with one). */
  readonly interceptors?: WorkerOptions['interceptors'];
  /** Activities beside Merzim's; production sets none (the cycles benchmark's opened floor registers one). */
  readonly extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}

/** The WorkerOptions of the same names. */
export type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxCachedWorkflows'
    | 'maxConcurrentActivityTaskPolls'
    | 'maxConcurrentWorkflowTaskPolls'
    | 'stickyQueueScheduleToStartTimeout'
    | 'workflowThreadPoolSize'
  >
>;

export async function createMerzimWorker(opts: MerzimWorkerOptions): Promise<Worker> {
  const workflowSource =
    opts.workflowBundlePath !== undefined
      ? { workflowBundle: { codePath: opts.workflowBundlePath } }
      : { workflowsPath };
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: { ...opts.extraActivities, ...createActivities(opts.deps) },
    ...(opts.identity === undefined ? {} : { identity: opts.identity }),
    ...(opts.interceptors === undefined ? {} : { interceptors: opts.interceptors }),
    // A workflow task waits this long for this worker (which has the workflow cached) before any worker may take it and replay
    // the history; a worker killed leaves what was queued for it waiting this long (platform/config.ts DEFAULT_STICKY_TIMEOUT_S,
    // MERZIM_STICKY_TIMEOUT_S through openMerzimWorker).
    stickyQueueScheduleToStartTimeout: `${DEFAULT_STICKY_TIMEOUT_S} seconds`,
    // Two threads run workflow code (the SDK uses one with its reused V8 context): activations are what a burst is made of.
    workflowThreadPoolSize: 2,
    // Only the settings given: a key present with `undefined` would put the SDK's default back.
    ...Object.fromEntries(Object.entries(opts.tuning ?? {}).filter(([, v]) => v !== undefined)),
    ...workflowSource,
  });
}

let runtimeInstalled = false;

/** The SDK logs every bundle at INFO; tests show warnings and errors only. Call before the first connection. */
export function quietTemporalRuntime(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN'): void {
  installRuntime(new DefaultLogger(level));
}

const SDK_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** One SDK log entry into Merzim's logger, keeping the SDK's fields (workflowId, runId, workflowType, activityType …). */
export function runtimeLogSink(logger: Logger): (entry: LogEntry) => void {
  return (entry) => {
    const { sdkComponent: _component, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
    logger[SDK_LEVELS[entry.level]]({ ...meta, source: 'temporal' }, entry.message);
  };
}

/**
 * Routes the Temporal SDK's logs (the worker's own, and workflows' and activities' with their workflowId, runId,
 * workflowType and activity fields) into Merzim's logger. The SDK's INFO chatter (bundling) shows only at debug.
 */
export function routeTemporalRuntimeLogs(logger: Logger, prometheusBindAddress?: string): void {
  const level = logger.isLevelEnabled('trace') ? 'TRACE' : logger.isLevelEnabled('debug') ? 'DEBUG' : 'WARN';
  installRuntime(new DefaultLogger(level, runtimeLogSink(logger)), prometheusBindAddress);
}

function installRuntime(logger: DefaultLogger, prometheusBindAddress?: string): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger,
      // The SDK's own metrics (task latencies, pollers, sticky cache, failures) on their own /metrics (MERZIM_TEMPORAL_METRICS_PORT).
      ...(prometheusBindAddress === undefined
        ? {}
        : {
            telemetryOptions: {
              metrics: { prometheus: { bindAddress: prometheusBindAddress, countersTotalSuffix: true } },
            },
          }),
    });
  } catch {
    // Already installed by someone else (e.g. a test environment): keep theirs.
  }
}

/**
 * The worker's start-up wiring, written once for `npm run worker` and the embedded stack: the SDK's logs into `logger`, the
 * connection (to `address`, or the configured TEMPORAL_ADDRESS) and the worker over the caller's database and mailer.
 * The caller runs the worker and closes the connection.
 */
export async function openMerzimWorker(
  config: Config,
  deps: Omit<ActivityDeps, 'mailFrom'>,
  logger: Logger,
  address?: string,
  observe: { readonly interceptors?: WorkerOptions['interceptors']; readonly sdkMetricsBindAddress?: string } = {},
): Promise<{ connection: NativeConnection; worker: Worker }> {
  routeTemporalRuntimeLogs(logger, observe.sdkMetricsBindAddress);
  const connection = await connectWorker(config.temporal, address);
  try {
    const worker = await createMerzimWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { ...deps, mailFrom: config.mailFrom, noticeTime: config.noticeTime },
      workflowBundlePath: config.workflowBundlePath,
      tuning: { stickyQueueScheduleToStartTimeout: `${config.stickyTimeoutSeconds} seconds` },
      ...(observe.interceptors === undefined ? {} : { interceptors: observe.interceptors }),
    });
    return { connection, worker };
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}
