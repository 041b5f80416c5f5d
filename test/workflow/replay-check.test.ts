// The admin's replay check (platform/workflow-replay.ts) over histories recorded from full simulated cycles: the release replays
// them clean; code changed without patched() is reported as non-deterministic at the right event; the same change behind
// patched() replays clean; a history downloaded as JSON (historyToJSON, one protobufjs) reads back and replays.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietTemporalRuntime } from '../../worker/worker.js';
import { parseHistoryFile, replayBundle, replayWorkflows, type HistoryInput } from '../../platform/workflow-replay.js';
import { historyFromObject } from '../fixtures/cycle-fixtures.js';

const HISTORIES = fileURLToPath(new URL('../replay/histories/', import.meta.url));
const VARIANTS = fileURLToPath(new URL('../fixtures/replay-variants/', import.meta.url));
const SCENARIO = ['cycle', 'obligation-1', 'obligation-2', 'obligation-3', 'obligation-4', 'obligation-5'].map(
  (n) => `status-attribute.on-time.${n}.json`,
);

function load(file: string): HistoryInput {
  const { workflowId, history } = JSON.parse(readFileSync(`${HISTORIES}${file}`, 'utf8')) as {
    workflowId: string;
    history: unknown;
  };
  return { workflowId, history: historyFromObject(history) };
}

/** The first event an inserted command meets: the one after the first completed workflow task. */
function firstCommandEvent(input: HistoryInput): number {
  const events = input.history.events!;
  const completed = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
  return Number(events[completed + 1]!.eventId);
}

let release: WorkflowBundleOption;
let inserted: WorkflowBundleOption;
let patched: WorkflowBundleOption;

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  [release, inserted, patched] = await Promise.all([
    replayBundle(),
    replayBundle({ workflowsPath: `${VARIANTS}inserted-activity.ts` }),
    replayBundle({ workflowsPath: `${VARIANTS}patched-activity.ts` }),
  ]);
}, 300_000);

describe('replay check', () => {
  it('replays a full simulated cycle (the cycle and its five obligations) clean against the release', async () => {
    const report = await replayWorkflows({ kind: 'histories', histories: SCENARIO.map(load) }, { bundle: release });
    expect(report).toMatchObject({ total: 6, ok: 6, failed: 0 });
    expect(report.workflows.map((w) => [w.workflowType, w.ok, w.problem])).toEqual([
      ['reportingCycleWorkflow', true, null],
      ...Array.from({ length: 5 }, () => ['obligationWorkflow', true, null]),
    ]);
  });

  it('reports code changed without patched() as non-deterministic, naming the first diverging event', async () => {
    const histories = SCENARIO.map(load);
    const report = await replayWorkflows({ kind: 'histories', histories }, { bundle: inserted });
    // The cycle's code did not change; every obligation now schedules an activity where the history has something else.
    expect(report).toMatchObject({ total: 6, ok: 1, failed: 5 });
    expect(report.workflows[0]!.ok).toBe(true);
    for (const [i, w] of report.workflows.entries()) {
      if (i === 0) continue;
      expect(w).toMatchObject({ ok: false, problem: 'nondeterminism', workflowId: histories[i]!.workflowId });
      expect([w.workflowId, w.eventId]).toEqual([w.workflowId, firstCommandEvent(histories[i]!)]);
      // Where the release recorded its first patch marker, the changed code commands an activity instead.
      expect(w.message).toMatch(/^\[TMPRL1100\] Nondeterminism error: .*patch marker .*obligation-local-activities/);
    }
  });

  it('replays the same change behind patched() clean', async () => {
    const report = await replayWorkflows({ kind: 'histories', histories: SCENARIO.map(load) }, { bundle: patched });
    expect(report).toMatchObject({ total: 6, ok: 6, failed: 0 });
  });

  it("reads back a history downloaded as JSON (the SDK's historyToJSON) and replays it", async () => {
    const { workflowId, history } = load(SCENARIO[1]!);
    const file = JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) as unknown });
    const bare = parseHistoryFile(historyToJSON(history), 'from-file');
    const report = await replayWorkflows(
      { kind: 'histories', histories: [parseHistoryFile(file, 'unused'), bare] },
      { bundle: release },
    );
    expect(report.workflows.map((w) => [w.workflowId, w.ok])).toEqual([
      [workflowId, true],
      ['from-file', true],
    ]);
  });
});
