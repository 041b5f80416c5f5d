// A local activity's result does not always resume the workflow's code in the same workflow task live as in replay. Live, the
// worker may complete the task with the activity's marker and resume the code in the next task (seen on a continued cycle whose
// first task also brought two signals: its carry's load ended the first task, the code after it ran in the second); in replay
// the result is known at once and the code runs on in the first task. A patch asked after the await is then asked in a task
// where replay does not know its marker yet: patched() answers false, and the marker met later is non-deterministic (the CI
// failure of 2026-12-02: `cycle-reminder-timer-kept`). Runs since CYCLE_PATCHES_FIRST_PATCH / OBLIGATION_PATCHES_FIRST_PATCH ask
// every patch in their first activation. Here every history recorded since is split after each local activity's marker, as the
// live worker split that run, and must still replay; the same split of a run recorded before fails as it failed in CI, and so
// does that run's own history.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import { CYCLE_PATCHES_FIRST_PATCH, OBLIGATION_PATCHES_FIRST_PATCH } from '../../workflows/shared.js';
import { historyFromObject, quietLogger } from '../fixtures/cycle-fixtures.js';

const HISTORIES = fileURLToPath(new URL('../replay/histories/', import.meta.url));
const BEFORE = fileURLToPath(new URL('../fixtures/split-task/', import.meta.url));

interface EventObject {
  eventId: string;
  eventType: string;
  eventTime?: unknown;
  [attributes: string]: unknown;
}
interface Recorded {
  workflowId: string;
  history: { events: EventObject[] };
}

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
}, 120_000);

function read(path: string): Recorded {
  return JSON.parse(readFileSync(path, 'utf8')) as Recorded;
}

function patchIds(recorded: Recorded): string[] {
  return recorded.history.events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes as
      { markerName: string; details: Record<string, { payloads: { data: string }[] }> } | undefined;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details['patch-data']!.payloads[0]!.data;
    return [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id];
  });
}

const isLocalActivityMarker = (e: EventObject | undefined): boolean =>
  (e?.markerRecordedEventAttributes as { markerName?: string } | undefined)?.markerName === 'core_local_activity';

/** Every id an event names (`scheduledEventId`, `initiatedEventId`, … at any depth) past `after` moves by `by`. */
function shiftIds(value: unknown, after: number, by: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shiftIds(v, after, by));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      if ((k === 'eventId' || k.endsWith('EventId')) && (typeof v === 'string' || typeof v === 'number')) {
        const n = Number(v);
        const moved = n > after ? n + by : n;
        return [k, typeof v === 'string' ? String(moved) : moved];
      }
      return [k, shiftIds(v, after, by)];
    }),
  );
}

/**
 * The history as if the worker had completed the workflow task right after the marker at `index` and resumed the code in a
 * new one: three workflow-task events (scheduled, started, completed) after it, every later id moved by three.
 */
function splitAfter(recorded: Recorded, index: number): Recorded {
  const events = recorded.history.events;
  const at = Number(events[index]!.eventId);
  const shifted = events.map((e) => shiftIds(e, at, 3) as EventObject);
  const task = (type: string): EventObject =>
    structuredClone(events.find((e) => e.eventType === `EVENT_TYPE_WORKFLOW_TASK_${type}`)!);
  const [scheduled, started, completed] = [task('SCHEDULED'), task('STARTED'), task('COMPLETED')];
  const time = events[index]!.eventTime;
  Object.assign(scheduled, { eventId: String(at + 1), eventTime: time });
  Object.assign(started, { eventId: String(at + 2), eventTime: time });
  (started.workflowTaskStartedEventAttributes as Record<string, unknown>).scheduledEventId = String(at + 1);
  Object.assign(completed, { eventId: String(at + 3), eventTime: time });
  Object.assign(completed.workflowTaskCompletedEventAttributes as Record<string, unknown>, {
    scheduledEventId: String(at + 1),
    startedEventId: String(at + 2),
  });
  return {
    workflowId: recorded.workflowId,
    history: { events: [...shifted.slice(0, index + 1), scheduled, started, completed, ...shifted.slice(index + 1)] },
  };
}

/** Where the code resumed after a local activity in the same task: a marker followed by another command, not a new task. */
function resumePoints(recorded: Recorded): number[] {
  const events = recorded.history.events;
  return events.flatMap((e, i) => {
    const next = events[i + 1];
    return isLocalActivityMarker(e) &&
      next !== undefined &&
      !isLocalActivityMarker(next) &&
      next.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'
      ? [i]
      : [];
  });
}

async function replay(inputs: Recorded[]): Promise<{ workflowId: string; error: string | null }[]> {
  const out: { workflowId: string; error: string | null }[] = [];
  const histories = inputs.map((r) => ({ workflowId: r.workflowId, history: historyFromObject(r.history) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'split-task' }, histories))
    out.push({ workflowId: result.workflowId, error: result.error === undefined ? null : result.error.message });
  return out;
}

describe('a workflow task split after a local activity', () => {
  it('replays every run recorded since the patches are asked first, split after each local activity it resumed from', async () => {
    const since = readdirSync(HISTORIES)
      .filter((f) => f.startsWith('patches-first.') && f.endsWith('.json'))
      .sort()
      .map((f) => ({ file: f, recorded: read(`${HISTORIES}${f}`) }));
    // The cycle's runs (the first and a continued one) and obligations that took a report after a local activity.
    expect(since.filter((h) => h.file.includes('.cycle')).length).toBeGreaterThanOrEqual(2);
    for (const { file, recorded } of since) {
      const ids = patchIds(recorded);
      const own = file.includes('.cycle') ? CYCLE_PATCHES_FIRST_PATCH : OBLIGATION_PATCHES_FIRST_PATCH;
      expect([file, ids[0]]).toEqual([file, own]);
    }
    const variants = since.flatMap(({ file, recorded }) =>
      resumePoints(recorded).map((i) => ({
        file,
        event: Number(recorded.history.events[i]!.eventId),
        split: splitAfter(recorded, i),
      })),
    );
    // A continued run resumes after loading its carry; obligations after recording a report or a decision.
    expect(variants.filter((v) => v.file.includes('continued-run')).length).toBeGreaterThanOrEqual(1);
    expect(variants.length).toBeGreaterThanOrEqual(10);
    const results = await replay(variants.map((v) => v.split));
    const failed = results.flatMap((r, i) =>
      r.error === null ? [] : [`${variants[i]!.file} split after event ${variants[i]!.event}: ${r.error}`],
    );
    expect(failed).toEqual([]);
  }, 300_000);

  it('fails, as CI did, for a continued run recorded before: split, and the run the live worker split itself', async () => {
    const before = read(`${BEFORE}reminder-timer-kept.continued-run.cycle.json`);
    const live = read(`${BEFORE}reminder-timer-kept.split-live.cycle.json`);
    // Recorded before the patch: no first marker; the timer's patch asked after the carry's load.
    expect(patchIds(before)).toContain('cycle-reminder-timer-kept');
    expect(patchIds(before)).not.toContain(CYCLE_PATCHES_FIRST_PATCH);
    // Unsplit, it replays; split after its carry's load (its first resume point), it fails at the timer's patch.
    const first = resumePoints(before)[0]!;
    const results = await replay([before, splitAfter(before, first), live]);
    expect(results[0]!.error).toBeNull();
    for (const r of results.slice(1))
      expect(r.error).toMatch(/Nondeterminism error: .*patch marker .*cycle-reminder-timer-kept/);
  }, 120_000);
});
