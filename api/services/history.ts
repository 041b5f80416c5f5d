// The admin's history tools, for the JSON API and the pages alike: the replay check against this release's workflow code.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';
import type { Kysely } from 'kysely';
import type { Database, EventRow, NotificationRow } from '../../db/database.js';
import { listEvents, searchEvents, streamEvents, type EventSearch } from '../../db/repositories/events.js';
import { cycleAsOf, type CycleAsOf } from '../../domain/point-in-time.js';
import { neutraliseFormula } from '../../domain/spreadsheet-safety.js';
import { notificationsOfWorkflow } from '../../db/repositories/notifications.js';
import { historyTimeline, type TimelineEntry } from '../../platform/history-timeline.js';
import {
  replayBundle,
  replayWorkflows,
  parseHistoryFile,
  type ReplayReport,
  type ReplaySelection,
} from '../../platform/workflow-replay.js';
import type { Principal } from '../auth.js';
import { HttpError } from '../errors.js';

export interface ReplayQuery {
  readonly workflowId?: string | undefined;
  readonly runId?: string | undefined;
  readonly planId?: string | undefined;
  readonly period?: string | undefined;
  readonly open?: boolean | undefined;
  readonly closedFrom?: string | undefined;
  readonly closedTo?: string | undefined;
  readonly history?: { readonly workflowId: string; readonly history: unknown } | undefined;
  readonly limit: number;
}

export type HistoryService = ReturnType<typeof createHistoryService>;

export interface WorkflowHistoryView {
  readonly workflowId: string;
  readonly runId: string;
  readonly workflowType: string;
  readonly status: string;
  /** The same workflow in the Temporal web UI, where one is known. */
  readonly temporalUrl: string | null;
  readonly timeline: readonly TimelineEntry[];
  /** The rows of the events log this workflow wrote. */
  readonly events: readonly EventRow[];
  /** The e-mails it sent, by Message-ID (the timeline's mail entries point here). */
  readonly mails: readonly NotificationRow[];
  /**
   * Every run of this workflow id, oldest first (a cycle that continued as new has several; the events and e-mails above are
   * the workflow id's, across its runs).
   */
  readonly runs: readonly WorkflowRun[];
}

export interface WorkflowRun {
  readonly runId: string;
  readonly status: string;
  readonly startedAt: string;
  readonly closedAt: string | null;
}

export interface EventFilter {
  readonly planId?: string | undefined;
  readonly period?: string | undefined;
  readonly agency?: string | undefined;
  readonly type?: string | undefined;
  readonly actor?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

const searchOf = (f: EventFilter, afterId?: string): EventSearch => ({
  planId: f.planId,
  period: f.period,
  agency: f.agency,
  type: f.type,
  actor: f.actor,
  from: f.from === undefined ? undefined : new Date(f.from),
  to: f.to === undefined ? undefined : new Date(f.to),
  afterId,
});

/** An events row as the API and the exports write it (camelCase). */
export function eventJson(e: EventRow) {
  return {
    id: e.id,
    occurredAt: e.occurred_at.toISOString(),
    type: e.type,
    actor: e.actor,
    workflowId: e.workflow_id,
    runId: e.run_id,
    subject: e.subject_type === null ? null : `${e.subject_type}:${e.subject_id ?? ''}`,
    payload: e.payload,
    seq: e.stream_seq,
    hash: e.hash,
  };
}

const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'type',
  'actor',
  'workflowId',
  'runId',
  'subject',
  'payload',
  'seq',
  'hash',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const safe = neutraliseFormula(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface HistoryServiceDeps {
  readonly temporal: Client;
  readonly db?: Kysely<Database>;
  readonly workflowBundlePath?: string | undefined;
  readonly temporalUiUrl?: string | undefined;
  readonly temporalNamespace?: string | undefined;
  /** Whether the caller may see this cycle (the obligations service's scoping); admins always may. */
  readonly canSeeCycle?: (p: Principal, planId: string, period: string) => Promise<boolean>;
}

/** `cycle:<plan>:<period>` → its plan and period. */
function cycleParts(cycleId: string): { planId: string; period: string } | undefined {
  const m = /^cycle:(.+):([^:]+)$/.exec(cycleId);
  return m === null ? undefined : { planId: m[1]!, period: m[2]! };
}

export function createHistoryService(deps: HistoryServiceDeps) {
  const assertAdmin = (p: Principal) => {
    if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
  };
  async function fetch(
    workflowId: string,
    runId?: string,
  ): Promise<{ history: History; runId: string; type: string; status: string }> {
    const handle = deps.temporal.workflow.getHandle(workflowId, runId);
    try {
      const info = await handle.describe();
      return { history: await handle.fetchHistory(), runId: info.runId, type: info.type, status: info.status.name };
    } catch (err) {
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      // 5: not found; 3: a run id that is no run id at all (Temporal's "invalid RunId").
      if (err instanceof WorkflowNotFoundError || code === 5 || (runId !== undefined && code === 3))
        throw new HttpError(
          404,
          'not_found',
          runId === undefined ? `workflowId: no workflow ${workflowId}` : `runId: no run ${runId} of ${workflowId}`,
        );
      throw err;
    }
  }
  /** The runs of a workflow id from Temporal's visibility store, oldest first (at most 500). */
  async function runsOf(workflowId: string): Promise<WorkflowRun[]> {
    const runs: WorkflowRun[] = [];
    const quoted = `'${workflowId.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    for await (const w of deps.temporal.workflow.list({ query: `WorkflowId = ${quoted}`, pageSize: 100 })) {
      runs.push({
        runId: w.runId,
        status: w.status.name,
        startedAt: w.startTime.toISOString(),
        closedAt: w.closeTime?.toISOString() ?? null,
      });
      if (runs.length >= 500) break;
    }
    return runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }
  return {
    /** A workflow's history for a person, beside the events it logged and the e-mails it sent. */
    async workflow(p: Principal, workflowId: string, run?: string): Promise<WorkflowHistoryView> {
      assertAdmin(p);
      const { history, runId, type, status } = await fetch(workflowId, run);
      const ui = deps.temporalUiUrl;
      return {
        workflowId,
        runId,
        workflowType: type,
        status,
        temporalUrl:
          ui === undefined
            ? null
            : `${ui.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.temporalNamespace ?? 'default')}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`,
        timeline: historyTimeline(history),
        events: deps.db === undefined ? [] : await listEvents(deps.db, { workflowId, limit: 5000 }),
        mails: deps.db === undefined ? [] : await notificationsOfWorkflow(deps.db, workflowId),
        runs: await runsOf(workflowId),
      };
    },
    /**
     * The state of a cycle's obligations as of `at`, rebuilt from the events log (not the read models): admins, and the
     * coordinators and PM Office who see the cycle; reporters see their own obligation instead.
     */
    async cycleAsOf(p: Principal, cycleId: string, at: Date): Promise<CycleAsOf> {
      const parts = cycleParts(cycleId);
      if (parts === undefined) throw new HttpError(404, 'not_found', `cycleId: no cycle ${cycleId}`);
      if (p.role === 'reporter')
        throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin, coordinator, pm_office');
      if (p.role !== 'admin' && !(await deps.canSeeCycle?.(p, parts.planId, parts.period)))
        throw new HttpError(404, 'not_found', `cycleId: no cycle ${cycleId}`);
      if (deps.db === undefined) throw new Error('the point-in-time view needs the database');
      const rows = streamEvents(deps.db, { ...parts, to: new Date(at.getTime() + 1) });
      const events = [];
      for await (const r of rows)
        if (r.workflow_id?.startsWith('obligation:'))
          events.push({
            workflowId: r.workflow_id,
            type: r.type,
            actor: r.actor,
            occurredAt: r.occurred_at.toISOString(),
            payload: r.payload,
          });
      return cycleAsOf(at.toISOString(), events);
    },
    /** One page of the events log matching the filter, in id order. */
    async searchEvents(p: Principal, f: EventFilter & { limit: number; after?: string | undefined }) {
      assertAdmin(p);
      if (deps.db === undefined) throw new Error('the events search needs the database');
      const rows = await searchEvents(deps.db, searchOf(f, f.after), f.limit + 1);
      return {
        items: rows.slice(0, f.limit).map(eventJson),
        next: rows.length > f.limit ? rows[f.limit - 1]!.id : null,
      };
    },
    /** Every matching row as CSV (formula-neutralised cells) or JSON Lines, produced as it is read: constant memory. */
    exportEvents(p: Principal, f: EventFilter, format: 'csv' | 'jsonl'): AsyncGenerator<string> {
      assertAdmin(p);
      const db = deps.db;
      if (db === undefined) throw new Error('the events export needs the database');
      return (async function* () {
        if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
        for await (const row of streamEvents(db, searchOf(f))) {
          const e = eventJson(row);
          yield format === 'csv' ? `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n` : `${JSON.stringify(e)}\n`;
        }
      })();
    },
    /** The raw history as Temporal's JSON (what `temporal workflow show --output json` writes), with its ids. */
    async rawHistory(p: Principal, workflowId: string, run?: string): Promise<string> {
      assertAdmin(p);
      const { history, runId } = await fetch(workflowId, run);
      return `{"workflowId":${JSON.stringify(workflowId)},"runId":${JSON.stringify(runId)},"history":${historyToJSON(history)}}`;
    },
    async replay(p: Principal, q: ReplayQuery): Promise<ReplayReport> {
      assertAdmin(p);
      const selection = selectionOf(q);
      const bundle = await replayBundle(
        deps.workflowBundlePath === undefined ? {} : { codePath: deps.workflowBundlePath },
      );
      return replayWorkflows(selection, { client: deps.temporal, bundle, limit: q.limit });
    },
  };
}

function selectionOf(q: ReplayQuery): ReplaySelection {
  const given = (['workflowId', 'planId', 'open', 'closedFrom', 'history'] as const).filter((k) => q[k] !== undefined);
  if (given.length !== 1)
    throw new HttpError(
      400,
      'invalid_request',
      `body: give exactly one of workflowId, planId, open, closedFrom (with closedTo), history; got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  if (q.runId !== undefined && q.workflowId === undefined)
    throw new HttpError(400, 'invalid_request', 'body/runId: only with workflowId');
  if (q.period !== undefined && q.planId === undefined)
    throw new HttpError(400, 'invalid_request', 'body/period: only with planId');
  if ((q.closedTo === undefined) !== (q.closedFrom === undefined))
    throw new HttpError(400, 'invalid_request', 'body/closedTo: closedFrom and closedTo go together');
  if (q.workflowId !== undefined)
    return { kind: 'workflow', workflowId: q.workflowId, ...(q.runId === undefined ? {} : { runId: q.runId }) };
  if (q.planId !== undefined)
    return { kind: 'plan', planId: q.planId, ...(q.period === undefined ? {} : { period: q.period }) };
  if (q.open === true) return { kind: 'open' };
  if (q.closedFrom !== undefined) return { kind: 'closed', from: new Date(q.closedFrom), to: new Date(q.closedTo!) };
  try {
    return { kind: 'histories', histories: [parseHistoryFile(JSON.stringify(q.history), q.history!.workflowId)] };
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `body/history: ${(err as Error).message}`);
  }
}
