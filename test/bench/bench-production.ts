// stack:production as the benchmarks run it (worker/production/stack.ts): the real Temporal server on its own PostgreSQL, two
// workers and the API on Node 24, each its own process, on free loopback ports, the server prebuilt (never built here).
import { resolveNodeRuntime, type NodeRuntime } from '../../worker/production/node-runtime.js';
import {
  startProductionStack,
  type ProductionStack,
  type ProductionStackOptions,
} from '../../worker/production/stack.js';
import { freePort } from '../../worker/embedded/ports.js';
import { projectRootFrom } from '../../worker/temporal-binaries.js';

export async function startBenchProductionStack(
  dataDir: string,
  log: (line: string) => void,
  extra: Partial<Pick<ProductionStackOptions, 'rateLimitPerToken'>> = {},
): Promise<{ readonly stack: ProductionStack; readonly node: NodeRuntime }> {
  const projectRoot = projectRootFrom(import.meta.url);
  const node = resolveNodeRuntime({ projectRoot, env: process.env, log });
  const stack = await startProductionStack({
    projectRoot,
    dataDir,
    ports: { api: await freePort(), postgres: await freePort(), temporal: await freePort(), smtp: await freePort() },
    workers: 2,
    namespace: 'default',
    taskQueue: 'reporting',
    logLevel: 'warn',
    mailFrom: 'Merzim <merzim@bench>',
    nodeBinDir: node.binDir,
    buildServer: false,
    log,
    ...extra,
  });
  return { stack, node };
}
