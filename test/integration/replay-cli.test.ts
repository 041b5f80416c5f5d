// `merzim replay` as a deployment gate, against a live stack (the shared dev server, a worker, the API): a plan's cycle is
// opened through the API, and `replay --open` reports every workflow running now, `--plan` the plan's, all clean (exit 0);
// a history the code no longer agrees with makes it exit 1 naming the workflow and the event.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { type WorkflowExecutionInfo } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDraft } from '../../db/repositories/plans.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import type { ReplayReport } from '../../platform/workflow-replay.js';
import { startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { bearer } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/mail.js';
import { testPlan } from '../helpers/plans.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const YEAR = new Date().getUTCFullYear();
let stack: ApiTestStack;
let tdb: TestDatabase;
let client: Client;
let app: FastifyInstance;
let planId: string;

async function merzim(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(`${root}/node_modules/.bin/tsx`, ['api/cli/index.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: inject('temporalAddress') },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

async function running(): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({
    query: `ExecutionStatus = 'Running'`,
  }) as AsyncIterable<WorkflowExecutionInfo>)
    ids.push(w.workflowId);
  return ids;
}

beforeAll(async () => {
  stack = await startApiTestStack('replay-cli');
  ({ tdb, client, app } = stack);
  const admin = await stack.token('admin', 'admin');
  planId = await createDraft(tdb.db, {
    plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  // Confirming creates the plan's schedule, which opens the current period at once: a cycle and its obligations, running.
  expect(
    (await app.inject({ method: 'POST', url: `/api/v1/plans/${planId}/confirm`, headers: bearer(admin) })).statusCode,
  ).toBe(200);
  await waitFor(
    async () => {
      const rows = await tdb.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute();
      return rows.length >= 4 ? true : undefined;
    },
    60_000,
    'the obligations of the opened cycle',
  );
});

afterAll(async () => {
  await client?.schedule
    .getHandle(planScheduleId(planId))
    .delete()
    .catch(() => undefined);
  await stack?.close();
});

describe('merzim replay', () => {
  it('--open reports every workflow running now, each ok, and exits 0', async () => {
    const before = await running();
    const res = await merzim('replay', '--open', '--json');
    const after = new Set(await running());
    const report = JSON.parse(res.stdout) as ReplayReport;
    // Which workflow did not replay, and why, when one did not.
    expect([res.code, res.stderr, report.workflows.filter((w) => !w.ok)]).toEqual([0, '', []]);
    const reported = new Set(report.workflows.map((w) => w.workflowId));
    // Running before and after the replay: running throughout, so it must be in the report.
    const throughout = before.filter((id) => after.has(id));
    expect(throughout.filter((id) => id.includes(planId)).length).toBeGreaterThanOrEqual(5);
    expect(throughout.filter((id) => !reported.has(id))).toEqual([]);
    expect(report.workflows.filter((w) => !w.ok)).toEqual([]);
    expect(report.failed).toBe(0);
  });

  it("--plan replays the plan's cycle and obligations", async () => {
    const res = await merzim('replay', '--plan', planId, '--period', String(YEAR));
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^ok {6}cycle:${planId}:${YEAR} `, 'm'));
    expect(res.stdout).toMatch(new RegExp(`^ok {6}obligation:${planId}:${YEAR}:БҒМ:executors `, 'm'));
    expect(res.stdout).toMatch(/replayed, \d+ ok, 0 failed\n$/);
  });

  it('exits 1 and names the workflow and event when a history no longer replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'merzim-replay-'));
    const good = `${root}/test/replay/histories/never-reports.obligation-2.json`;
    const recorded = JSON.parse(readFileSync(good, 'utf8')) as {
      workflowId: string;
      history: { events: Record<string, Record<string, unknown>>[] };
    };
    // As if the release had sent its first reminder through another activity.
    const scheduled = recorded.history.events.find(
      (e) => (e.activityTaskScheduledEventAttributes?.activityType as { name?: string })?.name === 'sendObligationMail',
    )!;
    (scheduled.activityTaskScheduledEventAttributes!.activityType as { name: string }).name = 'sendEmail';
    writeFileSync(join(dir, 'changed.json'), JSON.stringify(recorded));
    const res = await merzim('replay', '--file', good, join(dir, 'changed.json'));
    expect(res.code).toBe(1);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe(`ok      ${recorded.workflowId}`);
    expect(lines[1]).toContain(
      `FAILED  ${recorded.workflowId}: nondeterminism at event ${String(scheduled.eventId)}: `,
    );
    expect(lines[2]).toBe('2 replayed, 1 ok, 1 failed');
  });
});
