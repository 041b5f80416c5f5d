// Replays workflow histories (from the Temporal server or from a file) against the workflow code this release runs, and says
// per workflow whether the code still agrees with what happened: the admin's replay check (API, page and `merzim replay`).
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type ReplayWorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';

/** The workflows this release runs (the worker bundles the same file, or loads MERZIM_WORKFLOW_BUNDLE built from it). */
export const RELEASE_WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * For a process that only replays (the CLI): the SDK's own warnings about each failing replay task stay out of its output,
 * which reports them itself. Does nothing where a runtime is already installed.
 */
export function quietReplayRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Installed already: keep it.
  }
}

/** Which workflows to replay. */
export type ReplaySelection =
  | { readonly kind: 'workflow'; readonly workflowId: string; readonly runId?: string }
  | { readonly kind: 'plan'; readonly planId: string; readonly period?: string }
  | { readonly kind: 'open' }
  | { readonly kind: 'closed'; readonly from: Date; readonly to: Date }
  | { readonly kind: 'histories'; readonly histories: readonly HistoryInput[] };

/** One history to replay: what Temporal's `workflow show --output json` or the history download writes, with its id. */
export interface HistoryInput {
  readonly workflowId: string;
  readonly runId?: string;
  readonly history: History;
}

export interface ReplayOutcome {
  readonly workflowId: string;
  readonly runId: string | null;
  readonly workflowType: string | null;
  readonly ok: boolean;
  /** `nondeterminism`: the code would do something else than the history records; `failure`: the replay itself failed. */
  readonly problem: 'nondeterminism' | 'failure' | null;
  /** The history event where the code and the history first part ways, when the SDK names it. */
  readonly eventId: number | null;
  /** The SDK's message: what the code wanted instead. */
  readonly message: string | null;
  readonly events: number;
}

export interface ReplayReport {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  readonly workflows: readonly ReplayOutcome[];
}

/** A workflow bundle from a prebuilt file, or built once from the release's workflows; shared by every replay of a process. */
export interface ReplayBundleSource {
  readonly codePath?: string;
  readonly workflowsPath?: string;
}

const bundles = new Map<string, Promise<WorkflowBundleOption>>();

const silent = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

export function replayBundle(source: ReplayBundleSource = {}): Promise<WorkflowBundleOption> {
  if (source.codePath !== undefined) return Promise.resolve({ codePath: source.codePath });
  const path = source.workflowsPath ?? RELEASE_WORKFLOWS_PATH;
  let bundle = bundles.get(path);
  if (bundle === undefined) {
    bundle = bundleWorkflowCode({ workflowsPath: path, logger: silent });
    bundles.set(path, bundle);
    bundle.catch(() => bundles.delete(path));
  }
  return bundle;
}

/** The visibility query of a selection (the search attributes of workflows/shared.ts). */
export function selectionQuery(selection: ReplaySelection): string | undefined {
  const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  switch (selection.kind) {
    case 'plan':
      return `PlanId = ${quote(selection.planId)}${selection.period === undefined ? '' : ` AND Period = ${quote(selection.period)}`}`;
    case 'open':
      return `ExecutionStatus = 'Running'`;
    case 'closed':
      return `ExecutionStatus != 'Running' AND CloseTime >= ${quote(selection.from.toISOString())} AND CloseTime <= ${quote(selection.to.toISOString())}`;
    default:
      return undefined;
  }
}

/** The history event a determinism error names, when core writes it (`HistoryEvent(id: 12, …)`). */
export function divergingEventId(message: string): number | null {
  const m = /HistoryEvent\(id:\s*(\d+)/.exec(message);
  return m === null ? null : Number(m[1]);
}

/** Core's own words inside the SDK's wrapper ("… Failure { message: \"[TMPRL1100] Nondeterminism error: …\" …"). */
export function coreMessage(message: string): string {
  const inner = /message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  return inner === undefined || inner === '' ? message : inner.replace(/\\"/g, '"');
}

function patchIdOf(event: NonNullable<History['events']>[number]): string | null {
  const marker = event.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_patch') return null;
  const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
  if (data === undefined || data === null) return null;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: string }).id ?? null;
  } catch {
    return null;
  }
}

async function replaysClean(bundle: WorkflowBundleOption, input: HistoryInput, events: number): Promise<boolean> {
  const history = { events: input.history.events!.slice(0, events) };
  try {
    await Worker.runReplayHistory(
      { workflowBundle: bundle, replayName: 'merzim-replay-locate' },
      history,
      input.workflowId,
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the code first parts ways with the history, when core's message does not say: replays ever longer prefixes (each ending
 * where a workflow task starts, so the task before it has had its commands compared) to find the first task whose commands no
 * longer match, then names the event of that task the message points at (a patch marker by its id), else its first command.
 */
export async function locateDivergence(
  bundle: WorkflowBundleOption,
  input: HistoryInput,
  message: string,
): Promise<number | null> {
  const named = divergingEventId(message);
  if (named !== null) return named;
  const events = input.history.events ?? [];
  const starts = events.flatMap((e, i) => (e.workflowTaskStartedEventAttributes ? [i] : []));
  // Prefixes ending after the k-th started task; the full history is the last candidate.
  const cuts = [...starts.slice(1).map((i) => i + 1), events.length];
  let lo = 0;
  let hi = cuts.length - 1;
  if (await replaysClean(bundle, input, cuts[hi]!)) return null;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await replaysClean(bundle, input, cuts[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  // The commands of task `lo` are the events after its completion, up to the next task (or the end).
  const completed = events.findIndex((e, i) => i > starts[lo]! && e.workflowTaskCompletedEventAttributes);
  if (completed < 0) return null;
  const next = events.findIndex((e, i) => i > completed && e.workflowTaskScheduledEventAttributes);
  const commands = events.slice(completed + 1, next < 0 ? events.length : next);
  const patch = /change ([\w.:-]+)/.exec(message)?.[1];
  const pointed = patch === undefined ? undefined : commands.find((e) => patchIdOf(e) === patch);
  const event = pointed ?? commands[0] ?? events[completed];
  return event?.eventId === undefined || event.eventId === null ? null : Number(event.eventId);
}

/** Proto-JSON (Temporal's CLI and UI, historyToJSON), or the plain object form of protobufjs's toObject (older recordings). */
function historyOf(raw: unknown): History {
  try {
    return historyFromJSON(raw);
  } catch (jsonError) {
    try {
      return proto.temporal.api.history.v1.History.fromObject(raw as Record<string, unknown>);
    } catch {
      throw jsonError;
    }
  }
}

/** Reads a history file: `{workflowId, history}` (Merzim's download and test recordings) or Temporal's bare history JSON. */
export function parseHistoryFile(text: string, fallbackWorkflowId: string): HistoryInput {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const wrapped =
    typeof parsed.workflowId === 'string' && typeof parsed.history === 'object' && parsed.history !== null;
  const raw = wrapped ? parsed.history : parsed;
  if (!Array.isArray((raw as { events?: unknown }).events))
    throw new Error('not a workflow history: expected {"events": [...]} or {"workflowId", "history"}');
  return {
    workflowId: wrapped ? (parsed.workflowId as string) : fallbackWorkflowId,
    ...(wrapped && typeof parsed.runId === 'string' ? { runId: parsed.runId } : {}),
    history: historyOf(raw),
  };
}

function typeOf(history: History): string | null {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? null;
}

/** The histories a selection names, fetched from the server one at a time (a large selection is never all in memory). */
async function* historiesOf(client: Client, selection: ReplaySelection): AsyncGenerator<HistoryInput> {
  if (selection.kind === 'histories') {
    yield* selection.histories;
    return;
  }
  if (selection.kind === 'workflow') {
    const handle = client.workflow.getHandle(selection.workflowId, selection.runId);
    const runId = selection.runId ?? (await handle.describe()).runId;
    yield { workflowId: selection.workflowId, runId, history: await handle.fetchHistory() };
    return;
  }
  const query = selectionQuery(selection)!;
  for await (const info of client.workflow.list({ query }) as AsyncIterable<WorkflowExecutionInfo>) {
    const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    yield { workflowId: info.workflowId, runId: info.runId, history };
  }
}

export interface ReplayOptions {
  readonly client?: Client;
  readonly bundle: WorkflowBundleOption;
  /** Stop after this many workflows (the API bounds a request); unbounded when absent. */
  readonly limit?: number;
}

/** Replays every workflow of the selection and reports each; never throws for a workflow that does not replay. */
export async function replayWorkflows(selection: ReplaySelection, opts: ReplayOptions): Promise<ReplayReport> {
  if (selection.kind !== 'histories' && opts.client === undefined)
    throw new Error('replaying workflows from the server needs a Temporal client');
  const inputs: HistoryInput[] = [];
  async function* feed(): AsyncGenerator<{ workflowId: string; history: History }> {
    for await (const input of historiesOf(opts.client!, selection)) {
      if (opts.limit !== undefined && inputs.length >= opts.limit) return;
      inputs.push(input);
      yield { workflowId: input.workflowId, history: input.history };
    }
  }
  const workflows: ReplayOutcome[] = [];
  const options: ReplayWorkerOptions = { workflowBundle: opts.bundle, replayName: 'merzim-replay-check' };
  for await (const result of Worker.runReplayHistories(options, feed())) {
    const input = inputs[workflows.length]!;
    const error = result.error;
    const nondeterminism = error instanceof DeterminismViolationError;
    workflows.push({
      workflowId: input.workflowId,
      runId: input.runId ?? null,
      workflowType: typeOf(input.history),
      ok: error === undefined,
      problem: error === undefined ? null : nondeterminism ? 'nondeterminism' : 'failure',
      eventId: error === undefined ? null : await locateDivergence(opts.bundle, input, error.message),
      message: error === undefined ? null : coreMessage(error.message),
      events: input.history.events?.length ?? 0,
    });
  }
  const failed = workflows.filter((w) => !w.ok).length;
  return { total: workflows.length, ok: workflows.length - failed, failed, workflows };
}
