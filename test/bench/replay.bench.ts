// Replay throughput: the committed histories of full simulated cycles (obligations and cycles, recorded by the workflow tests)
// replayed against this release's bundle through the same module the replay check uses; histories per second for each kind.
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
import { historyFromObject } from '../fixtures/cycle-fixtures.js';

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
const results: Record<string, unknown> = {};
for (const [kind, histories] of Object.entries(kinds)) {
  const inputs = Array.from({ length: ROUNDS }, () => histories).flat();
  // One warm-up pass (the replay worker's V8 context).
  await replayWorkflows({ kind: 'histories', histories }, { bundle });
  const start = performance.now();
  const report = await replayWorkflows({ kind: 'histories', histories: inputs }, { bundle });
  const seconds = (performance.now() - start) / 1000;
  const events = histories.map((h) => h.history.events?.length ?? 0);
  results[kind] = {
    histories: report.total,
    failed: report.failed,
    eventsPerHistory: {
      min: Math.min(...events),
      max: Math.max(...events),
      mean: Math.round(events.reduce((a, b) => a + b, 0) / events.length),
    },
    seconds: Number(seconds.toFixed(2)),
    historiesPerSecond: Number((report.total / seconds).toFixed(1)),
  };
}
process.stdout.write(
  `${JSON.stringify({ rounds: ROUNDS, bundleSeconds: Number((bundleMs / 1000).toFixed(1)), cpus: cpus().length, loadavg: loadavg().map((l) => Number(l.toFixed(1))), ...results }, null, 2)}\n`,
);
