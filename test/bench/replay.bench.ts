// Replay throughput: the committed histories of full simulated cycles (obligations and cycles, recorded by the workflow tests)
// replayed against this release's bundle through the same module the replay check uses; histories per second for each kind.
// Beside each kind, the floor measured in the same run: histories of a do-nothing workflow (a timer and a no-op local activity per
// round, test/bench/baseline-workflows.ts) recorded on the time-skipping test server with as many events as Merzim's mean,
// replayed the same way — what the SDK costs per history of that length, whatever the workflow does.
// Prints JSON for docs/benchmarks.md. REPLAY_ROUNDS (default 10) sets how many times each history is replayed.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  quietReplayRuntime,
  replayBundle,
  replayWorkflows,
  type HistoryInput,
} from '../../platform/workflow-replay.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { projectRootFrom, resolveTemporalBinary } from '../../worker/temporal-binaries.js';
import { historyFromObject } from '../fixtures/cycle-fixtures.js';
import { baselineTimersWorkflow } from './baseline-workflows.js';

const ROUNDS = Number(process.env.REPLAY_ROUNDS ?? 10);
const DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

function load(file: string): HistoryInput {
  const { workflowId, history } = JSON.parse(readFileSync(`${DIR}${file}`, 'utf8')) as {
    workflowId: string;
    history: unknown;
  };
  return { workflowId, history: historyFromObject(history) };
}

quietReplayRuntime();
const files = readdirSync(DIR).filter((f) => f.startsWith('status-attribute.') && f.endsWith('.json'));
const kinds = {
  obligation: files.filter((f) => f.includes('.obligation-')).map(load),
  cycle: files.filter((f) => f.endsWith('.cycle.json')).map(load),
};
const t0 = performance.now();
const bundle = await replayBundle();
const bundleMs = performance.now() - t0;

/** Replays `histories` ROUNDS times after one warm-up pass (the replay worker's V8 context); wall and process CPU. */
async function measure(
  histories: readonly HistoryInput[],
  replayBundleOption: Awaited<ReturnType<typeof replayBundle>>,
) {
  const inputs = Array.from({ length: ROUNDS }, () => histories).flat();
  await replayWorkflows({ kind: 'histories', histories }, { bundle: replayBundleOption });
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const report = await replayWorkflows({ kind: 'histories', histories: inputs }, { bundle: replayBundleOption });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const events = histories.map((h) => h.history.events?.length ?? 0);
  return {
    histories: report.total,
    failed: report.failed,
    eventsPerHistory: {
      min: Math.min(...events),
      max: Math.max(...events),
      mean: Math.round(events.reduce((a, b) => a + b, 0) / events.length),
    },
    seconds: Number(seconds.toFixed(2)),
    historiesPerSecond: Number((report.total / seconds).toFixed(1)),
    cpuMsPerHistory: Number(((cpu.user + cpu.system) / 1000 / report.total).toFixed(1)),
  };
}

const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const [kind, histories] of Object.entries(kinds)) results[kind] = await measure(histories, bundle);

// The floor: do-nothing histories of the same mean length, recorded now on the time-skipping test server.
const ROOT = projectRootFrom(import.meta.url);
const testServer = await resolveTemporalBinary('test-server', {
  projectRoot: ROOT,
  env: process.env,
  log: (line) => process.stderr.write(`${line}\n`),
});
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: testServer.path } },
});
const floorPath = fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url));
const floorBundle = await replayBundle({ workflowsPath: floorPath });
const floors: Record<string, unknown> = {};
try {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'replay-floor',
    workflowBundle: floorBundle,
    activities: { floorNoop: async () => {} },
  });
  await worker.runUntil(async () => {
    for (const [kind, result] of Object.entries(results)) {
      const rounds = Math.max(1, Math.round((result.eventsPerHistory.mean - 5) / 6));
      const recorded: HistoryInput[] = [];
      for (let i = 0; i < kinds[kind as keyof typeof kinds].length; i++) {
        const workflowId = `floor-${kind}-${i}`;
        const handle = await env.client.workflow.start(baselineTimersWorkflow, {
          taskQueue: 'replay-floor',
          workflowId,
          args: [rounds],
        });
        await handle.result();
        recorded.push({ workflowId, history: await handle.fetchHistory() });
      }
      floors[kind] = recorded;
    }
  });
} finally {
  await env.teardown();
}
const floorResults: Record<string, unknown> = {};
for (const [kind, result] of Object.entries(results)) {
  const floor = await measure(floors[kind] as HistoryInput[], floorBundle);
  floorResults[kind] = {
    ...result,
    floor,
    ratioToFloor: Number((result.historiesPerSecond / floor.historiesPerSecond).toFixed(2)),
  };
}
process.stdout.write(
  `${JSON.stringify({ rounds: ROUNDS, bundleSeconds: Number((bundleMs / 1000).toFixed(1)), cpus: cpus().length, loadavg: loadavg().map((l) => Number(l.toFixed(1))), ...floorResults }, null, 2)}\n`,
);
