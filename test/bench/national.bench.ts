// Benchmark (issue 17, point 1): a whole country's reporting season opened — BENCH_NATIONAL_PLANS plans (20) of
// BENCH_NATIONAL_MEASURES measures (60) with BENCH_NATIONAL_PARTIES executor agencies each (25): ≈ 30,000 obligations. Through
// the real path: agencies saved, each plan imported and confirmed over the HTTP API (confirming opens the current period's
// cycle), until the read model holds every obligation. Measures the time, obligations started per second, CPU per obligation
// of Merzim's processes (worker and API), of the Temporal server and of PostgreSQL, and their peak memory.
//
//   npm run -s bench -- --only national                          # the embedded stack (as `npm start`)
//   npm run -s bench -- --only national --stack production       # stack:production (Temporal server, 2 workers, API)
//   BENCH_NATIONAL_PLANS=4 npx tsx test/bench/national.bench.ts  # smaller
//
// On the embedded stack the worker and the API share one process (this one, as in `npm start`): their CPU is reported together.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import pino from 'pino';
import { exportCanonical } from '../../domain/import/canonical.js';
import type { Agency, Plan } from '../../domain/plan.js';
import { loadConfig } from '../../platform/config.js';
import { startStack } from '../../worker/embedded/stack.js';
import { freePort } from '../../worker/embedded/ports.js';
import { projectRootFrom } from '../../worker/temporal-binaries.js';
import { measure, testPlan } from '../helpers/plans.js';
import { startBenchProductionStack } from './bench-production.js';
import { benchStack } from './stack-choice.js';

const ROOT = projectRootFrom(import.meta.url);
const int = (name: string, fallback: number): number => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: a whole number ≥ 1, got "${process.env[name]}"`);
  return n;
};
const PLANS = int('BENCH_NATIONAL_PLANS', 20);
const MEASURES = int('BENCH_NATIONAL_MEASURES', 60);
const PARTIES = int('BENCH_NATIONAL_PARTIES', 25);
const TIMEOUT_S = int('BENCH_NATIONAL_TIMEOUT_S', 1800);
const STACK = benchStack();

const log = (line: string): void =>
  void process.stderr.write(`[national ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ——— Processes: CPU and peak memory from /proc ————————————————————————————————————————————————
const CLK_TCK = 100;
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}
/** CPU seconds of a process and its descendants (PostgreSQL's backends are children of the postmaster). */
const treeCpu = (pid: number): number => cpuOf(pid) + children(pid).reduce((s, c) => s + treeCpu(c), 0);
function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}
const treeRss = (pid: number): number => rssMiB(pid) + children(pid).reduce((s, c) => s + treeRss(c), 0);

interface Running {
  readonly apiUrl: string;
  readonly adminToken: string;
  /** The processes measured, by role; each role's CPU and peak RSS are summed over its pids (and their children). */
  readonly roles: Record<string, number[]>;
  readonly description: string;
  /** Resolves with the reason when a part of the stack stopped on its own (the embedded worker failing, a server exiting). */
  readonly failed: Promise<string>;
  stop(): Promise<void>;
}

async function startEmbedded(dir: string): Promise<Running> {
  const env = {
    ...process.env,
    MERZIM_DATA_DIR: dir,
    MERZIM_DEMO: 'false',
    PORT: String(await freePort()),
    MERZIM_PG_PORT: String(await freePort()),
    MERZIM_TEMPORAL_PORT: String(await freePort()),
    MERZIM_TEMPORAL_UI_PORT: String(await freePort()),
    MERZIM_SMTP_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env, 'embedded');
  const stack = await startStack(config, { projectRoot: ROOT, logger: pino({ level: 'warn' }) });
  const { pids } = stack.info;
  return {
    apiUrl: stack.info.apiUrl,
    adminToken: readFileSync(stack.info.adminTokenFile!, 'utf8').trim(),
    roles: {
      merzim: [process.pid],
      temporal: pids.temporal === undefined ? [] : [pids.temporal],
      postgres: pids.postgres === undefined ? [] : [pids.postgres],
    },
    description:
      'embedded (npm start): Temporal dev server (SQLite), embedded PostgreSQL, worker and API in one process',
    failed: stack.failed,
    stop: () => stack.stop(),
  };
}

async function startProduction(dir: string): Promise<Running> {
  const { stack, node } = await startBenchProductionStack(dir, log);
  const temporalPid = stack.servers.temporal.pid;
  const pgPid = stack.servers.merzimPostgres.pid;
  return {
    apiUrl: stack.apiUrl,
    adminToken: readFileSync(stack.adminTokenFile, 'utf8').trim(),
    roles: {
      workers: stack.workers.map((w) => w.pid),
      api: [stack.api.pid],
      temporal: temporalPid === undefined ? [] : [temporalPid],
      postgres: pgPid === undefined ? [] : [pgPid],
    },
    description: `production (stack:production): ${stack.serverDescription}, two workers and the API on Node ${node.version}`,
    failed: stack.failed,
    stop: () => stack.stop(),
  };
}

// ——— The season ——————————————————————————————————————————————————————————————————————
const codeOf = (i: number): string => `BENCH${String(i).padStart(3, '0')}`;

function agency(i: number): Agency {
  return {
    code: codeOf(i),
    name: { kk: `Бенчмарк органы ${i}`, ru: `Орган для замера ${i}` },
    kind: 'ministry',
    byAgreement: false,
    contacts: [{ role: 'reporter', email: `r${i}@bench.example.kz` }],
    lang: i % 2 === 0 ? 'kk' : 'ru',
  };
}

/** Plan `p`: MEASURES measures, each owed by PARTIES agencies (a window of the directory), due by 25 December every year. */
function plan(p: number): Plan {
  const year = new Date().getUTCFullYear();
  const measures = Array.from({ length: MEASURES }, (_, m) =>
    measure(
      String(m + 1),
      `Іс-шара ${p + 1}.${m + 1}`,
      Array.from({ length: PARTIES }, (_, k): [string, boolean] => [codeOf(1 + ((p + k) % (PARTIES + PLANS))), false]),
      'жыл сайын, 25 желтоқсанға дейін',
    ),
  );
  return testPlan({
    title: { kk: `Ұлттық жоспар ${p + 1}`, ru: null },
    approvedBy: { issuer: 'Қазақстан Республикасының Үкіметі', number: `B-${p + 1}`, date: `${year}-01-15` },
    years: { from: year, to: year + 1 },
    coordinator: codeOf(0),
    measures,
  });
}

async function api(r: Running, method: string, path: string, body?: string, type = 'application/json') {
  const res = await fetch(`${r.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${r.adminToken}`, ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 400)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function obligationsInReadModel(r: Running): Promise<number> {
  let total = 0;
  let cursor: string | null = null;
  do {
    const page = (await api(r, 'GET', `/api/v1/cycles?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`)) as {
      items: { counts: Record<string, number> }[];
      nextCursor: string | null;
    };
    for (const c of page.items) total += Object.values(c.counts).reduce((s, n) => s + n, 0);
    cursor = page.nextCursor === null ? null : encodeURIComponent(page.nextCursor);
  } while (cursor !== null);
  return total;
}

const dir = mkdtempSync(join(tmpdir(), 'merzim-national-'));
chmodSync(dir, 0o755);
log(`starting the ${STACK} stack`);
const running = STACK === 'production' ? await startProduction(dir) : await startEmbedded(dir);
const stopAll = async () => {
  await running.stop().catch((e: Error) => log(`stop: ${e.message}`));
  rmSync(dir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
try {
  log(`saving ${PARTIES + PLANS + 1} agencies, importing ${PLANS} plans of ${MEASURES} measures × ${PARTIES} parties`);
  for (let i = 0; i <= PARTIES + PLANS; i++)
    await api(running, 'PUT', `/api/v1/agencies/${codeOf(i)}`, JSON.stringify(agency(i)));
  const ids: string[] = [];
  for (let p = 0; p < PLANS; p++) {
    const res = await api(
      running,
      'POST',
      `/api/v1/plans/import?filename=plan-${p}.yaml`,
      exportCanonical(plan(p), 'yaml'),
      'application/yaml',
    );
    ids.push(res.id as string);
  }
  const roles = running.roles;
  const cpu0 = Object.fromEntries(
    Object.entries(roles).map(([k, pids]) => [k, pids.reduce((s, p) => s + treeCpu(p), 0)]),
  );
  const peak: Record<string, number> = Object.fromEntries(Object.keys(roles).map((k) => [k, 0]));
  const sampler = setInterval(() => {
    for (const [k, pids] of Object.entries(roles))
      peak[k] = Math.max(
        peak[k]!,
        pids.reduce((s, p) => s + treeRss(p), 0),
      );
  }, 500);
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  log(`confirming ${PLANS} plans (each opens the current period's cycle)`);
  const t0 = Date.now();
  let confirmedMs = 0;
  for (const id of ids) await api(running, 'POST', `/api/v1/plans/${id}/confirm`, '{}');
  confirmedMs = Date.now() - t0;
  const expected = PLANS * MEASURES * PARTIES;
  let count = 0;
  let last = -1;
  let stableSince = Date.now();
  let allMs: number | undefined;
  // A part of the stack that stops on its own ends the run at once, with the reason (a stall used to look like a slow run).
  let stopped: string | undefined;
  let finished = false;
  void running.failed.then((reason) => {
    if (finished) return;
    stopped = reason;
    log(`stack stopped on its own: ${reason}`);
  });
  const heapPeak = { usedMiB: 0, limitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20) };
  while (Date.now() - t0 < TIMEOUT_S * 1000 && stopped === undefined) {
    heapPeak.usedMiB = Math.max(heapPeak.usedMiB, Math.round(getHeapStatistics().used_heap_size / 2 ** 20));
    count = await obligationsInReadModel(running);
    if (count !== last) {
      last = count;
      stableSince = Date.now();
      log(`${count} obligations in the read model after ${Math.round((Date.now() - t0) / 1000)} s`);
    }
    if (count < expected && Date.now() - stableSince > 60_000 && (Date.now() - stableSince) % 60_000 < 2_500) {
      const m = process.memoryUsage();
      log(
        `no progress for ${Math.round((Date.now() - stableSince) / 1000)} s: this process rss ${Math.round(m.rss / 2 ** 20)} MiB, ` +
          `heap ${Math.round(m.heapUsed / 2 ** 20)} / ${heapPeak.limitMiB} MiB`,
      );
    }
    if (count >= expected && allMs === undefined) allMs = Date.now() - t0;
    // The cascade adds the coordinator's and the PM Office's obligations: done when the count has stood still for 15 s.
    if (count >= expected && Date.now() - stableSince > 15_000) break;
    await sleep(2000);
  }
  clearInterval(sampler);
  finished = true;
  // BENCH_NATIONAL_SAVE_HISTORY=prefix: every run of the first plan's cycle (raw JSON, as admins download it), to replay and
  // profile: prefix.run-1.json, prefix.run-2.json …
  const saveTo = process.env.BENCH_NATIONAL_SAVE_HISTORY;
  if (saveTo !== undefined) {
    const cycles = (await api(running, 'GET', '/api/v1/cycles?limit=1')) as { items: { id: string }[] };
    const id = encodeURIComponent(cycles.items[0]!.id);
    const view = (await api(running, 'GET', `/api/v1/history/${id}`)) as { runs: { runId: string }[] };
    for (const [i, run] of view.runs.entries()) {
      const res = await fetch(`${running.apiUrl}/api/v1/history/${id}/raw?runId=${run.runId}`, {
        headers: { authorization: `Bearer ${running.adminToken}` },
      });
      writeFileSync(`${saveTo}.run-${i + 1}.json`, await res.text());
    }
    log(`saved ${view.runs.length} runs of ${cycles.items[0]!.id} to ${saveTo}.run-*.json`);
  }
  const doneMs = allMs ?? Date.now() - t0;
  const cpu = Object.fromEntries(
    Object.entries(roles).map(([k, pids]) => [k, pids.reduce((s, p) => s + treeCpu(p), 0) - cpu0[k]!]),
  );
  const perObligationMs = (s: number) => (count === 0 ? null : Math.round(((s * 1000) / count) * 100) / 100);
  console.log(
    JSON.stringify(
      {
        benchmark: 'national season opened',
        at: new Date().toISOString(),
        stack: running.description,
        size: { plans: PLANS, measures: MEASURES, parties: PARTIES, expectedObligations: expected },
        complete: count >= expected,
        ...(stopped === undefined ? {} : { stackStopped: stopped }),
        // This process's own V8 heap (on the embedded stack: the API and the worker's main thread; workflows run in threads).
        benchProcessHeapPeak: heapPeak,
        obligations: count,
        confirmAllMs: confirmedMs,
        allInReadModelMs: doneMs,
        obligationsStartedPerSecond: Math.round((count / (doneMs / 1000)) * 10) / 10,
        cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, s]) => [k, Math.round(s * 10) / 10])),
        cpuMsPerObligation: Object.fromEntries(Object.entries(cpu).map(([k, s]) => [k, perObligationMs(s)])),
        peakRssMiB: Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v)])),
        loadAverageBefore: load,
        loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
      },
      null,
      2,
    ),
  );
} finally {
  await stopAll();
}
