// The production topology for real: the Temporal server (not the dev server) on PostgreSQL, db:migrate, two `npm run worker`
// and one `npm run api` as separate processes on Node 24. A plan's schedule opens a cycle, one worker is SIGKILLed mid-cycle,
// the other sends each reminder exactly once, a report is submitted and accepted through the API, /ready follows its dependencies.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { parseDeadline } from '../../domain/deadline-language.js';
import { DEFAULT_STICKY_TIMEOUT_S } from '../../platform/config.js';
import { freePort } from '../../worker/embedded/ports.js';
import { resolveNodeRuntime, type NodeRuntime } from '../../worker/production/node-runtime.js';
import { startProductionStack, type ProductionStack } from '../../worker/production/stack.js';
import { resolveTemporalServer } from '../../worker/production/temporal-server-binaries.js';
import { obligationStatusQuery, SEARCH_ATTRIBUTES } from '../../workflows/shared.js';
import { waitFor } from '../helpers/mail.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

const projectRoot = process.cwd();
const logs: string[] = [];
const log = (line: string): void => {
  logs.push(line);
  if (process.env.MERZIM_TEST_VERBOSE === 'true') console.error(line);
};
let dir: string;
let node: NodeRuntime;
let stack: ProductionStack;
/** When the reminders fall due: the next whole minute at least 75 s after the workers start (MERZIM_NOTICE_TIME). */
let reminderAt: Date;
const tokens: Record<string, string> = {};
let planId: string;

/** Local (Asia/Almaty) date and HH:MM of an instant. */
function almaty(at: Date): { date: string; time: string; year: number; month: number; day: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Almaty',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
  };
}

const RU_MONTHS = [
  'января',
  'февраля',
  'марта',
  'апреля',
  'мая',
  'июня',
  'июля',
  'августа',
  'сентября',
  'октября',
  'ноября',
  'декабря',
];

/**
 * How long one API request may take: a report's Update waits at most the workers' sticky timeout (30 s,
 * DEFAULT_STICKY_TIMEOUT_S) when the worker that had its obligation cached was killed, plus a replay. A request that
 * outlives it fails here, naming itself, before the test's own timeout (and the stack's logs say why).
 */
const REQUEST_TIMEOUT_MS = 75_000;

// The API's JSON answers are `any`: checked field by field below.
async function api(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  token?: string,
  body?: object,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  const started = Date.now();
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch((err: Error) => {
    throw new Error(`${method} ${path}: no answer after ${Date.now() - started} ms (${err.message})`, { cause: err });
  });
  if (Date.now() - started > 5_000)
    log(`[test] ${method} ${path} answered ${res.status} after ${Date.now() - started} ms`);
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

/** The pid in the identity of the worker that completed the workflow's last workflow task (the SDK's `pid@host`). */
async function lastWorkflowTaskPid(client: Client, workflowId: string): Promise<number> {
  const { events } = JSON.parse(historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory())) as {
    events: { workflowTaskCompletedEventAttributes?: { identity?: string } }[];
  };
  const identity = events.findLast((e) => e.workflowTaskCompletedEventAttributes !== undefined)
    ?.workflowTaskCompletedEventAttributes?.identity;
  const pid = Number(/^(\d+)@/.exec(identity ?? '')?.[1]);
  if (!Number.isInteger(pid)) throw new Error(`${workflowId}: no worker identity with a pid (${identity})`);
  return pid;
}

/** The process group of a pid (each of the stack's processes leads its own: npm → sh → tsx → node). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name in parentheses: state, ppid, pgrp.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** The value of one Prometheus sample (name with its labels as printed), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  // Fails here, saying how to build it, when the server was never built: never a silent skip.
  await resolveTemporalServer({ projectRoot, env: process.env, log, build: false });
  node = resolveNodeRuntime({ projectRoot, env: process.env, log });
  dir = mkdtempSync(join(tmpdir(), 'merzim-prod-'));
  chmodSync(dir, 0o755);
  try {
    stack = await startProductionStack({
      projectRoot,
      dataDir: dir,
      ports: { api: await freePort(), postgres: await freePort(), temporal: await freePort(), smtp: await freePort() },
      workers: 2,
      namespace: 'default',
      taskQueue: 'reporting',
      logLevel: 'warn',
      mailFrom: 'Merzim <merzim@test>',
      nodeBinDir: node.binDir,
      noticeTime: () => {
        reminderAt = new Date(Math.ceil((Date.now() + 75_000) / 60_000) * 60_000);
        return almaty(reminderAt).time;
      },
      buildServer: false,
      log,
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- stack output (last 40 lines) ---\n${logs.slice(-40).join('\n')}`);
  }
  tokens.admin = readFileSync(stack.adminTokenFile, 'utf8').trim();
}, 300_000);

/**
 * What Temporal holds for the plan's workflows: each one's pending workflow task (on which queue, since when) and its last
 * events — a task left on a killed worker's sticky queue shows here as scheduled long ago and never started.
 */
async function temporalState(): Promise<string> {
  if (planId === undefined) return '(no plan yet)';
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: stack.temporalAddress, connectTimeout: '5 seconds' });
    const client = new Client({ connection, namespace: 'default' });
    const ids = [
      ...(await stack.db.selectFrom('cycles').select('workflow_id').where('plan_id', '=', planId).execute()),
      ...(await stack.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute()),
    ].map((r) => r.workflow_id);
    const out: string[] = [];
    for (const id of ids) {
      const handle = client.workflow.getHandle(id);
      const described = await handle.describe();
      const pending = described.raw.pendingWorkflowTask;
      const at = (ts: Parameters<typeof optionalTsToMs>[0]): string => {
        const ms = optionalTsToMs(ts);
        return ms === undefined ? '-' : new Date(ms).toISOString();
      };
      out.push(
        `${id}: ${described.status.name}; pending workflow task: ${
          pending == null
            ? 'none'
            : `${pending.state === 2 ? 'started' : 'scheduled'} ${at(pending.scheduledTime)} (first ${at(pending.originalScheduledTime)}), started ${at(pending.startedTime)}, attempt ${pending.attempt}`
        }`,
      );
      const events = (
        JSON.parse(historyToJSON(await handle.fetchHistory())) as {
          events: {
            eventId: string;
            eventTime: string;
            eventType: string;
            workflowTaskScheduledEventAttributes?: { taskQueue?: { kind?: string } };
            workflowTaskStartedEventAttributes?: { identity?: string };
            workflowTaskCompletedEventAttributes?: { identity?: string };
          }[];
        }
      ).events;
      for (const e of events.slice(-8))
        out.push(
          `  ${e.eventId} ${e.eventTime} ${e.eventType.replace('EVENT_TYPE_', '')} ${
            e.workflowTaskScheduledEventAttributes?.taskQueue?.kind ??
            e.workflowTaskStartedEventAttributes?.identity ??
            e.workflowTaskCompletedEventAttributes?.identity ??
            ''
          }`,
        );
    }
    return out.join('\n');
  } catch (err) {
    return `(Temporal could not be asked: ${(err as Error).message})`;
  } finally {
    await connection?.close();
  }
}

// A failed test shows what the stack's processes said meanwhile (the workers', the API's and the servers' logs), and where
// the plan's workflows stand in Temporal.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  process.stderr.write(`--- stack output (last 80 lines) ---\n${logs.slice(-80).join('\n')}\n`);
  if (stack === undefined) return;
  const state = await Promise.race([
    temporalState(),
    new Promise<string>((r) => setTimeout(() => r('(Temporal did not answer within 20 s)'), 20_000)),
  ]);
  process.stderr.write(`--- the plan's workflows in Temporal ---\n${state}\n`);
});

afterAll(async () => {
  await stack?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the production topology', () => {
  it('is the real Temporal server on PostgreSQL with 4 history shards, and Merzim runs on Node 24 in separate processes', async () => {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const info = await connection.workflowService.getClusterInfo({});
      expect(info.persistenceStore).toBe('postgres12');
      expect(info.visibilityStore).toBe('postgres12');
      expect(Number(info.historyShardCount)).toBe(4);
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(attrs.customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
    } finally {
      await connection.close();
    }
    expect(stack.workers).toHaveLength(2);
    // Every node in the api's and the workers' process groups is Node 24's binary, none the machine's own Node 20.
    const node24 = realpathSync(node.node);
    for (const p of [stack.api, ...stack.workers]) {
      const members = execFileSync('ps', ['-o', 'pid=', '-g', String(p.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      const exes = members
        .map((pid) => {
          try {
            return readlinkSync(`/proc/${pid}/exe`);
          } catch {
            return '';
          }
        })
        .filter((e) => e.endsWith('/node'));
      expect(exes.length, `${p.name} runs node`).toBeGreaterThan(0);
      for (const exe of exes) expect(realpathSync(exe)).toBe(node24);
    }
    expect((await api('GET', '/ready')).status).toBe(200);
  });

  it('a confirmed plan’s schedule opens the cycle and its obligations', async () => {
    for (const agency of TEST_AGENCIES)
      expect(
        (await api('PUT', `/api/v1/agencies/${encodeURIComponent(agency.code)}`, tokens.admin, agency)).status,
      ).toBe(200);
    const due = almaty(reminderAt);
    const text = `до ${due.day} ${RU_MONTHS[due.month - 1]} ${due.year} года`;
    const base = testPlan();
    planId = await createDraft(stack.db, {
      plan: testPlan({
        years: { from: due.year, to: due.year },
        shift: 'none',
        reminders: { offsets: [0], unit: 'calendar' },
        measures: [{ ...base.measures[0]!, deadline: { text, rule: parseDeadline(text) } }],
      }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'test',
    });
    tokens.coordinator = (
      await createApiToken(stack.db, { name: 'akdm', role: 'coordinator', agencyCode: 'АҚДМ' })
    ).secret;
    tokens.bgm = (await createApiToken(stack.db, { name: 'bgm', role: 'reporter', agencyCode: 'БҒМ' })).secret;
    expect((await api('POST', `/api/v1/plans/${planId}/confirm`, tokens.coordinator)).status).toBe(200);
    const owed = await waitFor(
      async () => {
        const items = (await api('GET', `/api/v1/obligations?planId=${planId}`, tokens.coordinator)).json.items as {
          agencyCode: string;
          dueDate: string;
        }[];
        return items.some((o) => o.agencyCode === 'БҒМ') ? items : undefined;
      },
      60_000,
      'the obligations of the cycle the schedule opened',
    );
    expect(owed.map((o) => o.agencyCode)).toEqual(expect.arrayContaining(['БҒМ', 'АҚДМ']));
    const cycles = (await api('GET', `/api/v1/cycles?planId=${planId}`, tokens.coordinator)).json.items;
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ period: String(due.year), status: 'open' });
    // Least privilege: the worker and api processes log in as the application role, which is no superuser (a worker's pool
    // holds its connections for 10 s after the opening's activities).
    const sessions = await waitFor(
      async () => {
        const rows = (
          await sql<{ usename: string; application_name: string; rolsuper: boolean }>`
        SELECT DISTINCT a.usename, a.application_name, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
         WHERE a.application_name IN ('merzim-worker', 'merzim-api')`.execute(stack.db)
        ).rows;
        return new Set(rows.map((r) => r.application_name)).size === 2 ? rows : undefined;
      },
      30_000,
      'sessions of the worker and the api',
    );
    for (const r of sessions) expect([r.usename, r.rolsuper]).toEqual(['merzim_app', false]);
  }, 120_000);

  it('a worker SIGKILLed mid-cycle: the other answers its obligation within the sticky timeout and sends every reminder, each exactly once', async () => {
    expect(
      reminderAt.getTime(),
      'the reminders must still be ahead when the worker is killed (the stack started too slowly)',
    ).toBeGreaterThan(Date.now() + 5_000);
    // The worker killed is the one that has БҒМ's obligation cached (it completed the obligation's last workflow task), just
    // after it answered a query about it: the server has seen it poll its sticky queue within 10 s, so it queues the next
    // task of that obligation there — the case of a task scheduled as a worker dies, made certain.
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const bgm = (
      await stack.db
        .selectFrom('obligations')
        .select('workflow_id')
        .where('plan_id', '=', planId)
        .where('agency_code', '=', 'БҒМ')
        .executeTakeFirstOrThrow()
    ).workflow_id;
    let holder: number;
    try {
      const lastWorkflowTaskWorker = await lastWorkflowTaskPid(client, bgm);
      holder = stack.workers.findIndex((w) => w.pid === processGroupOf(lastWorkflowTaskWorker));
      expect(holder, `the worker process whose node has pid ${lastWorkflowTaskWorker}`).toBeGreaterThanOrEqual(0);
      await client.workflow.getHandle(bgm).query(obligationStatusQuery);
    } finally {
      await connection.close();
    }
    const killed = stack.workers[holder]!;
    const survivor = stack.workers[1 - holder]!;
    log(`[test] SIGKILL ${killed.name} (it has ${bgm} cached) at ${new Date().toISOString()}`);
    killed.signal('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    expect(survivor.running).toBe(true);
    // An Update to that obligation now (the coordinator accepting a report not yet submitted: refused by its validator)
    // waits on the dead worker's queue for the sticky timeout, then the survivor takes it: answered within a minute, not 5.
    // Two seconds first: until the server has cancelled the dead worker's open polls (its connections closed), a task goes
    // to one of them and comes back after the workflow task timeout (10 s); after that, while the worker still counts as
    // seen (10 s after its last poll began), the task is queued on its sticky queue — the case of this step.
    await new Promise((r) => setTimeout(r, 2_000));
    const asked = Date.now();
    const early = await api('POST', `/api/v1/obligations/${encodeURIComponent(bgm)}/accept`, tokens.coordinator, {});
    const waited = Date.now() - asked;
    log(`[test] the accept after the kill answered ${early.status} after ${waited} ms`);
    expect(early.status, JSON.stringify(early.json)).toBe(409);
    expect(waited, 'a task queued for the killed worker moved to the survivor within the sticky timeout').toBeLessThan(
      DEFAULT_STICKY_TIMEOUT_S * 1000 + 20_000,
    );

    const reminders = () =>
      stack.db
        .selectFrom('notifications')
        .selectAll()
        .where('dedupe_key', 'like', `reminder:obligation:${planId}:%`)
        .where('status', '=', 'sent')
        .execute();
    const sent = await waitFor(
      async () => {
        const rows = await reminders();
        return rows.length >= 1 ? rows : undefined;
      },
      reminderAt.getTime() - Date.now() + 90_000,
      'the reminders due at the notice time',
    );
    // Anything late or doubled would arrive within this quiet time (a timer replayed, an activity retried).
    await new Promise((r) => setTimeout(r, 10_000));
    const after = await reminders();
    expect(after).toHaveLength(sent.length);
    // One executor owes the measure: БҒМ. АҚДМ, its other executor, is the plan's coordinator and reports to no one but
    // the PM Office, in its own stage (due later): it gets no reminder now.
    expect(after.map((n) => n.to_addresses.join(','))).toEqual(['report@bgm.example.kz']);
    for (const n of after) {
      const arrived = await stack.db
        .selectFrom('sink_messages')
        .select('id')
        .where('message_id', '=', n.message_id)
        .execute();
      expect(arrived, `reminder ${n.dedupe_key} arrived exactly once`).toHaveLength(1);
      expect(n.sent_at!.getTime()).toBeGreaterThanOrEqual(reminderAt.getTime() - 1_000);
    }
    const events = await sql<{
      type: string;
      n: string;
    }>`SELECT type, count(*)::text AS n FROM events WHERE subject_id LIKE ${`obligation:${planId}:%`} AND type IN ('reminder.sent', 'obligation.opened') GROUP BY type`.execute(
      stack.db,
    );
    const counts = Object.fromEntries(events.rows.map((r) => [r.type, Number(r.n)]));
    expect(counts['reminder.sent']).toBe(1);
    const obligations = await stack.db
      .selectFrom('obligations')
      .select('workflow_id')
      .where('plan_id', '=', planId)
      .execute();
    expect(counts['obligation.opened']).toBe(obligations.length);
    expect(survivor.running).toBe(true);

    // The survivor's /metrics counts what the sink received (the killed worker sent nothing: it died before the notice time).
    const metricsUrl = stack.workerMetrics[1 - holder]!;
    expect((await scrape(metricsUrl.merzim)).status).toBe(401);
    const own = await scrape(metricsUrl.merzim, tokens.admin);
    expect(own.status).toBe(200);
    const delivered = await stack.db
      .selectFrom('sink_messages')
      .select('id')
      .where(
        'message_id',
        'in',
        after.map((n) => n.message_id),
      )
      .execute();
    expect(sample(own.text, 'merzim_notices_total{kind="reminder",result="sent"}')).toBe(delivered.length);
    expect(sample(own.text, 'merzim_notices_total{kind="reminder",result="failed"}')).toBeUndefined();
    expect(sample(own.text, 'merzim_email_send_seconds_count{kind="reminder"}')).toBe(delivered.length);
    // The Temporal SDK's own exporter: the survivor polled and completed workflow tasks.
    const sdk = await scrape(metricsUrl.temporal);
    expect(sdk.status).toBe(200);
    expect(sdk.text).toMatch(/^temporal_workflow_task_execution_latency\w*\{/m);
    expect(sdk.text).toMatch(/^temporal_request_total\{/m);
  }, 300_000);

  it('a report is submitted and accepted through the API (served by the surviving worker)', async () => {
    const mine = (await api('GET', '/api/v1/obligations', tokens.bgm)).json.items as { id: string; stage: string }[];
    expect(mine).toHaveLength(1);
    const id = encodeURIComponent(mine[0]!.id);
    const submitted = await api('POST', `/api/v1/obligations/${id}/submit`, tokens.bgm, {
      items: [{ measure: '1', status: 'done', text: 'Курс 120 мектепте енгізілді' }],
    });
    expect(submitted.status, JSON.stringify(submitted.json)).toBe(200);
    expect(submitted.json).toMatchObject({ version: 1, late: false });
    const accepted = await api('POST', `/api/v1/obligations/${id}/accept`, tokens.coordinator, {
      comment: 'Қабылданды',
    });
    expect(accepted.status).toBe(200);
    expect(accepted.json.status).toBe('accepted');
    expect((await api('GET', `/api/v1/obligations/${id}`, tokens.bgm)).json.status).toBe('accepted');
    // The API's /metrics (admins only) counted the submission.
    expect((await scrape(`${stack.apiUrl}/metrics`, tokens.bgm)).status).toBe(403);
    const metrics = await scrape(`${stack.apiUrl}/metrics`, tokens.admin);
    expect(metrics.status).toBe(200);
    expect(sample(metrics.text, 'merzim_submissions_total{result="accepted"}')).toBe(1);
    expect(metrics.text).toContain('# TYPE merzim_overdue_obligations gauge');
  }, 120_000);

  it('/ready answers 503 while Temporal or PostgreSQL does not answer, 200 when they do; /health stays', async () => {
    const temporalPid = stack.servers.temporal.pid!;
    process.kill(temporalPid, 'SIGSTOP');
    try {
      const down = await waitFor(
        async () => {
          const r = await api('GET', '/ready');
          return r.status === 503 ? r : undefined;
        },
        30_000,
        '/ready to answer 503 with Temporal frozen',
      );
      expect(down.json.checks.temporal.ok).toBe(false);
      expect(down.json.checks.postgres.ok).toBe(true);
    } finally {
      process.kill(temporalPid, 'SIGCONT');
    }
    await waitFor(
      async () => ((await api('GET', '/ready')).status === 200 ? true : undefined),
      30_000,
      '/ready back to 200',
    );
    expect((await api('GET', '/health')).json.checks).toHaveProperty('smtp');

    await stack.servers.merzimPostgres.stop();
    const noDb = await waitFor(
      async () => {
        const r = await api('GET', '/ready');
        return r.status === 503 ? r : undefined;
      },
      30_000,
      '/ready to answer 503 with PostgreSQL stopped',
    );
    expect(noDb.json.checks.postgres.ok).toBe(false);
  }, 120_000);
});
