// The admin's history tools, for the JSON API and the pages alike: the replay check against this release's workflow code.
import type { Client } from '@temporalio/client';
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

export function createHistoryService(deps: { temporal: Client; workflowBundlePath?: string | undefined }) {
  const assertAdmin = (p: Principal) => {
    if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
  };
  return {
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
