// Benchmark (issue 17, point 1): the coordinator board of a cycle of 5,000 obligations (board-seed.ts) under 50 concurrent
// clients, over real HTTP with autocannon — the JSON API (GET /api/v1/obligations of the cycle, a page at a time; GET
// /api/v1/cycles/:id: its counts and the link to that list) and the board page (/app/board, gzip; page304: each client sending
// back its own page's ETag, as a browser revalidating does: autocannon counts the 304s as non-2xx) — each client with its own
// API token or browser session. Every client sends `accept-encoding: gzip`, as browsers and the CLI do.
// Rate limits: the API reads them from the environment as `npm run api` does (MERZIM_RATE_LIMIT_PER_TOKEN …, README); the
// benchmark starts it with MERZIM_RATE_LIMIT_PER_TOKEN=1000000 unless that variable is set (the limiter still runs and costs
// what it costs, but 50 clients measure the endpoints, not the limit; MERZIM_RATE_LIMIT_PER_TOKEN=1200 measures the default).
// The API runs in a child process (its own event loop and CPU, as `npm run api`), on an embedded PostgreSQL; autocannon in
// this one. Prints one JSON document on stdout: latency p50/p90/p95/p97.5/p99 (p95 from every response's time, recorded
// here; the others autocannon's), requests/s, non-2xx, CPU per request of the API, of PostgreSQL (the postmaster and its
// backends) and of this process (autocannon), and the API's peak memory.
//
//   npm run -s bench -- --only board                 # as part of the season's benchmarks
//   npx tsx test/bench/board-load.bench.ts           # alone
//   npx tsx test/bench/board-load.bench.ts --stack production   # against stack:production (`npm run api` on Node 24)
//   BENCH_BOARD_CLIENTS=50 BENCH_BOARD_SECONDS=20 BENCH_BOARD_TIMEOUT_S=60 BENCH_BOARD_TARGETS=obligations,cycle,page,page304
//   BENCH_BOARD_CPU_PROF=/tmp/prof BENCH_BOARD_TARGETS=page …   # then: npx tsx test/bench/cpu-profile-summary.ts /tmp/prof/*.cpuprofile
import { fork, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { buildApp } from '../../api/app.js';
import { loadConfig } from '../../platform/config.js';
import { newToken, SESSION_COOKIE } from '../../api/web/session.js';
import { createDb } from '../../db/connect.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { startBenchProductionStack } from './bench-production.js';
import { seedBoardCycle } from './board-seed.js';
import { benchStack } from './stack-choice.js';

const CLIENTS = Number(process.env.BENCH_BOARD_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_BOARD_SECONDS ?? 20);
const TIMEOUT_S = Number(process.env.BENCH_BOARD_TIMEOUT_S ?? 60);
const STACK = benchStack();
const TARGETS = (process.env.BENCH_BOARD_TARGETS ?? 'obligations,cycle,page').split(',').map((t) => t.trim());

interface AutocannonResult {
  readonly latency: { p50: number; p90: number; p97_5: number; p99: number; average: number; max: number };
  readonly requests: { average: number; total: number };
  readonly throughput: { average: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly duration: number;
}
interface AutocannonClient {
  setHeaders(headers: Record<string, string>): void;
}
type AutocannonRun = Promise<AutocannonResult & { latency: Record<string, number> }> & {
  /** Each response: its status and its time in milliseconds (from the request's first byte sent). */
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): void;
};
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  headers?: Record<string, string>;
  setupClient?: (client: AutocannonClient) => void;
}) => AutocannonRun;

/** The q-quantile (0 < q < 1) of sorted values, nearest rank. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10;
}

const log = (line: string): void => void process.stderr.write(`[board-load] ${line}\n`);

// ——— The API, in a child process ————————————————————————————————————————————————————————
async function serverMain(): Promise<void> {
  const db = createDb(process.env.BENCH_DATABASE_URL!, { applicationName: 'merzim-bench-api' });
  // The board never talks to Temporal: a lazy client that is never connected.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp(
    {
      db,
      temporal,
      taskQueue: 'bench',
      sinkEnabled: false,
      probes: {
        temporal: async () => ({ ok: true, latencyMs: 0 }),
        postgres: async () => ({ ok: true, latencyMs: 0 }),
        smtp: async () => ({ ok: true, latencyMs: 0 }),
      },
      // As `npm run api`: MERZIM_RATE_LIMIT_PER_TOKEN and the rest from the environment (the benchmark sets it; see above).
      limits: loadConfig(process.env, 'cli').limits,
    },
    { logger: false },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ port: (app.server.address() as AddressInfo).port });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop === true)
      void app
        .close()
        .then(() => db.destroy())
        .then(() => process.exit(0));
  });
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(
    readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2,
  );
  const parts = f.split(' ');
  return (Number(parts[11]) + Number(parts[12])) / CLK_TCK;
}
/** CPU seconds of PostgreSQL: the postmaster, its finished children, and its running backends. */
function postgresCpuSeconds(postmaster: number): number {
  let total = 0;
  const stat = (pid: number): string[] | null => {
    try {
      const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null; // gone meanwhile
    }
  };
  const own = stat(postmaster);
  if (own !== null) total += Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = stat(Number(entry));
    if (f !== null && Number(f[1]) === postmaster) total += Number(f[11]) + Number(f[12]);
  }
  return total / CLK_TCK;
}
function peakRssMiB(pid: number): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? null : Math.round(Number(m[1]) / 1024);
}
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
/** CPU seconds of a process and its descendants (`npm run api` runs node under npm). */
const treeCpuSeconds = (pid: number): number =>
  cpuSeconds(pid) + childrenOf(pid).reduce((sum, c) => sum + treeCpuSeconds(c), 0);
const treePeakRssMiB = (pid: number): number =>
  (peakRssMiB(pid) ?? 0) + childrenOf(pid).reduce((sum, c) => sum + treePeakRssMiB(c), 0);

async function benchMain(): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const dir = mkdtempSync(join(tmpdir(), 'merzim-board-load-'));
  chmodSync(dir, 0o755);
  const results: Record<string, unknown> = {};
  let served: Served | undefined;
  let db: ReturnType<typeof createDb> | undefined;
  try {
    served = STACK === 'production' ? await startProduction(dir) : await startEmbedded(dir);
    db = createDb(served.ownerUrl, { max: 4, applicationName: 'merzim-bench' });
    log('seeding a cycle of 5,000 obligations');
    const fixture = await seedBoardCycle(db);
    // One credential per client: each token or session is counted by the rate limit on its own, as real callers are.
    const tokens: string[] = [];
    const sessions: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const base = { role: 'coordinator' as const, agencyCode: 'АҚДМ', userId: fixture.userId };
      tokens.push((await createApiToken(db, { ...base, name: `bench-${i}` })).secret);
      sessions.push(
        (
          await createApiToken(db, {
            ...base,
            name: `session:bench-${i}`,
            kind: 'session',
            expiresAt: new Date(Date.now() + 3600_000),
            csrfToken: newToken(),
          })
        ).secret,
      );
    }
    const statsDb = db;
    // Kept open: PostgreSQL's count of committed transactions (each of the API's statements is one) is read through it.
    const transactions = async (): Promise<number> =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`.execute(
            statsDb,
          )
        ).rows[0]!.n,
      );
    const api = await served.api();
    const base = api.base;
    const targets: Record<string, { url: string; credential: (i: number) => Record<string, string> }> = {
      // The board's JSON: the cycle's obligations a page at a time (the API's default page), as a client lists them.
      obligations: {
        url: `${base}/api/v1/obligations?planId=${fixture.planId}&period=2026`,
        credential: (i) => ({ authorization: `Bearer ${tokens[i % CLIENTS]!}`, 'accept-encoding': 'gzip' }),
      },
      // The cycle with its counts (and the link to its obligations' paged list).
      cycle: {
        url: `${base}/api/v1/cycles/${encodeURIComponent(fixture.cycleId)}`,
        credential: (i) => ({ authorization: `Bearer ${tokens[i % CLIENTS]!}`, 'accept-encoding': 'gzip' }),
      },
      page: {
        url: `${base}/app/board?cycle=${encodeURIComponent(fixture.cycleId)}`,
        credential: (i) => ({
          cookie: `${SESSION_COOKIE}=${encodeURIComponent(sessions[i % CLIENTS]!)}`,
          'accept-encoding': 'gzip',
        }),
      },
      // The board revalidated: each client sends back the ETag of its own page (fetched once before the run).
      page304: {
        url: `${base}/app/board?cycle=${encodeURIComponent(fixture.cycleId)}`,
        credential: (i) => ({
          cookie: `${SESSION_COOKIE}=${encodeURIComponent(sessions[i % CLIENTS]!)}`,
          'accept-encoding': 'gzip',
          ...(etags[i % CLIENTS] === undefined ? {} : { 'if-none-match': etags[i % CLIENTS]! }),
        }),
      },
    };
    const etags: (string | undefined)[] = [];
    if (TARGETS.includes('page304'))
      for (let i = 0; i < CLIENTS; i++) {
        const res = await fetch(targets.page!.url, {
          headers: { cookie: `${SESSION_COOKIE}=${encodeURIComponent(sessions[i]!)}`, 'accept-encoding': 'gzip' },
        });
        await res.arrayBuffer();
        etags.push(res.headers.get('etag') ?? undefined);
      }
    for (const name of TARGETS) {
      const target = targets[name];
      if (target === undefined)
        throw new Error(`BENCH_BOARD_TARGETS: unknown target "${name}" (obligations, cycle, page, page304)`);
      // Warm-up: the first requests compile schemas and fill PostgreSQL's cache.
      await autocannon({ url: target.url, connections: 5, duration: 3, headers: target.credential(0) });
      const cpu0 = treeCpuSeconds(api.pid);
      const pg0 = postgresCpuSeconds(served.postmasterPid);
      const tx0 = await transactions();
      const own0 = process.cpuUsage();
      const load = loadavg().map((l) => Math.round(l * 100) / 100);
      let next = 0;
      log(`${name}: ${CLIENTS} clients for ${SECONDS} s on ${target.url.replace(base, '')}`);
      const times: number[] = [];
      const run = autocannon({
        url: target.url,
        connections: CLIENTS,
        duration: SECONDS,
        timeout: TIMEOUT_S,
        setupClient: (client) => client.setHeaders(target.credential(next++)),
      });
      run.on('response', (_client, _status, _bytes, responseTime) => void times.push(responseTime));
      const r = await run;
      const apiCpu = treeCpuSeconds(api.pid) - cpu0;
      const pgCpu = postgresCpuSeconds(served.postmasterPid) - pg0;
      // Backends report their counts at most once a second: give the last second time to arrive.
      await new Promise((r) => setTimeout(r, 1500));
      const tx = (await transactions()) - tx0 - 1;
      const own = process.cpuUsage(own0);
      const ownCpu = (own.user + own.system) / 1e6;
      times.sort((a, b) => a - b);
      const perRequest = (s: number): number | null =>
        r.requests.total === 0 ? null : Math.round((s / r.requests.total) * 1e5) / 1e5;
      results[name] = {
        path: target.url.replace(base, '').replace(/cycle(%3A|:)[^&/]+/, 'cycle:…'),
        clients: CLIENTS,
        seconds: SECONDS,
        latencyMs: {
          p50: r.latency.p50,
          p90: r.latency.p90,
          p95: quantile(times, 0.95),
          p97_5: r.latency.p97_5,
          p99: r.latency.p99,
          max: r.latency.max,
        },
        // The same quantiles from the recorded response times (autocannon's histogram rounds to whole milliseconds).
        recordedMs: {
          responses: times.length,
          p50: quantile(times, 0.5),
          p90: quantile(times, 0.9),
          p95: quantile(times, 0.95),
          p97_5: quantile(times, 0.975),
          p99: quantile(times, 0.99),
        },
        requestsPerSecond: Math.round(r.requests.average * 10) / 10,
        requests: r.requests.total,
        non2xx: r.non2xx,
        responses3xx: (r as unknown as Record<string, number>)['3xx'] ?? 0,
        errors: r.errors,
        timeouts: r.timeouts,
        bytesPerSecond: Math.round(r.throughput.average),
        apiCpuSecondsPerRequest: perRequest(apiCpu),
        postgresCpuSecondsPerRequest: perRequest(pgCpu),
        // Statements per request, approximately (pg_stat_database's committed transactions: the API runs each statement as
        // its own; backends report at most once a second, so the edges of the run blur by about a second's worth).
        postgresTransactionsPerRequest: r.requests.total === 0 ? null : Math.round((tx / r.requests.total) * 100) / 100,
        loadGeneratorCpuSecondsPerRequest: perRequest(ownCpu),
        loadAverageBefore: load,
        loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
      };
      log(
        `${name}: p50 ${r.latency.p50} ms, p95 ${quantile(times, 0.95)} ms, p99 ${r.latency.p99} ms, ${r.requests.average} req/s, non-2xx ${r.non2xx}`,
      );
    }
    const apiPeak = treePeakRssMiB(api.pid);
    console.log(
      JSON.stringify(
        {
          benchmark: 'board under concurrent clients',
          at: new Date().toISOString(),
          stack: served.description,
          obligations: fixture.obligations,
          note: 'latencyMs: autocannon’s p50/p90/p97.5/p99 and p95 from every recorded response time (goal: p95 < 100 ms); every client sends accept-encoding: gzip',
          rateLimits: {
            perToken: Number(process.env.MERZIM_RATE_LIMIT_PER_TOKEN ?? 1_000_000),
            windowS: loadConfig(process.env, 'cli').limits.rateWindowMs / 1000,
          },
          results,
          apiPeakRssMiB: apiPeak,
          machine: {
            cpus: cpus().length,
            model: cpus()[0]?.model,
            memGiB: Math.round(totalmem() / 2 ** 30),
            node: process.version,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await db?.destroy();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where the API runs and how to reach its database: the benchmark's own (embedded) or stack:production. */
interface Served {
  readonly description: string;
  /** Merzim's database as its owner (the seed migrates and writes as the harness, not as the application). */
  readonly ownerUrl: string;
  readonly postmasterPid: number;
  /** The API, started (embedded) or found (production) once the cycle is seeded. */
  api(): Promise<{ readonly base: string; readonly pid: number }>;
  stop(): Promise<void>;
}

const RATE_LIMIT = Number(process.env.MERZIM_RATE_LIMIT_PER_TOKEN ?? 1_000_000);

async function startEmbedded(dir: string): Promise<Served> {
  const postgres = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort(), log });
  await postgres.ensureDatabase('merzim');
  let server: ReturnType<typeof fork> | undefined;
  return {
    description: `embedded: the API (buildApp) in a child process on Node ${process.version}, embedded PostgreSQL`,
    ownerUrl: postgres.url('merzim'),
    postmasterPid: postgres.pid!,
    async api() {
      server = fork(fileURLToPath(import.meta.url), ['server'], {
        // BENCH_BOARD_CPU_PROF=<dir>: the API's V8 CPU profile, written there when it stops (test/bench/cpu-profile-summary.ts reads it).
        execArgv: [
          '--import',
          'tsx',
          ...(process.env.BENCH_BOARD_CPU_PROF === undefined
            ? []
            : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_BOARD_CPU_PROF}`]),
        ],
        env: {
          ...process.env,
          BENCH_DATABASE_URL: postgres.url('merzim'),
          MERZIM_RATE_LIMIT_PER_TOKEN: String(RATE_LIMIT),
        },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        server!.once('message', (m: { port: number }) => resolve(m.port));
        server!.once('exit', (code) => reject(new Error(`the API exited with ${code}`)));
      });
      return { base: `http://127.0.0.1:${port}`, pid: server.pid! };
    },
    async stop() {
      if (server !== undefined && server.exitCode === null) {
        server.send({ stop: true });
        // A CPU profile is written as the API exits: give it time.
        await new Promise((r) => setTimeout(r, process.env.BENCH_BOARD_CPU_PROF === undefined ? 1000 : 10_000));
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      await postgres.stop();
    },
  };
}

/**
 * stack:production (worker/production/stack.ts): the real Temporal server on its own PostgreSQL, two workers and `npm run api`
 * on Node 24, each its own process, configured by its environment; the API connects as the application role.
 */
async function startProduction(dir: string): Promise<Served> {
  const { stack, node } = await startBenchProductionStack(dir, log, { rateLimitPerToken: RATE_LIMIT });
  return {
    description: `production (stack:production): ${stack.serverDescription}, two workers and \`npm run api\` on Node ${node.version}`,
    ownerUrl: stack.servers.merzimPostgres.url('merzim'),
    postmasterPid: stack.servers.merzimPostgres.pid!,
    api: async () => ({ base: stack.apiUrl, pid: stack.api.pid! }),
    stop: () => stack.stop(),
  };
}

if (process.argv[2] === 'server') await serverMain();
else await benchMain();
