// Benchmark (issue 17, point 1): the coordinator board of a cycle of 5,000 obligations (board-seed.ts) under 50 concurrent
// clients, over real HTTP with autocannon — the JSON API (GET /api/v1/obligations of the cycle, a page at a time; GET
// /api/v1/cycles/:id: its counts and the link to that list) and the board page (/app/board, gzip; page304: each client sending
// back its own page's ETag, as a browser revalidating does: autocannon counts the 304s as non-2xx) — each client with its own
// API token or browser session, the service's default rate limits on.
// The API runs in a child process (its own event loop and CPU, as `npm run api`), on an embedded PostgreSQL; autocannon in
// this one. Prints one JSON document on stdout: latency p50/p95/p99, requests/s, non-2xx, the API's CPU and peak memory.
//
//   npm run -s bench -- --only board                 # as part of the season's benchmarks
//   npx tsx test/bench/board-load.bench.ts           # alone
//   BENCH_BOARD_CLIENTS=50 BENCH_BOARD_SECONDS=20 BENCH_BOARD_TIMEOUT_S=60 BENCH_BOARD_TARGETS=obligations,cycle,page,page304
//   BENCH_BOARD_CPU_PROF=/tmp/prof BENCH_BOARD_TARGETS=page …   # then: npx tsx test/bench/cpu-profile-summary.ts /tmp/prof/*.cpuprofile
import { fork, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app.js';
import { DEFAULT_LIMITS } from '../../api/limits.js';
import { newToken, SESSION_COOKIE } from '../../api/web/session.js';
import { createDb } from '../../db/connect.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { seedBoardCycle } from './board-seed.js';

const CLIENTS = Number(process.env.BENCH_BOARD_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_BOARD_SECONDS ?? 20);
const TIMEOUT_S = Number(process.env.BENCH_BOARD_TIMEOUT_S ?? 60);
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
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  headers?: Record<string, string>;
  setupClient?: (client: AutocannonClient) => void;
}) => Promise<AutocannonResult & { latency: Record<string, number> }>;

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
      limits: DEFAULT_LIMITS,
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
function peakRssMiB(pid: number): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? null : Math.round(Number(m[1]) / 1024);
}

async function benchMain(): Promise<void> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const dir = mkdtempSync(join(tmpdir(), 'merzim-board-load-'));
  chmodSync(dir, 0o755);
  const postgres = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort(), log });
  const results: Record<string, unknown> = {};
  let server: ReturnType<typeof fork> | undefined;
  try {
    await postgres.ensureDatabase('merzim');
    const db = createDb(postgres.url('merzim'), { max: 4, applicationName: 'merzim-bench' });
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
    await db.destroy();
    server = fork(fileURLToPath(import.meta.url), ['server'], {
      // BENCH_BOARD_CPU_PROF=<dir>: the API's V8 CPU profile, written there when it stops (test/bench/cpu-profile-summary.ts reads it).
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_BOARD_CPU_PROF === undefined
          ? []
          : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_BOARD_CPU_PROF}`]),
      ],
      env: { ...process.env, BENCH_DATABASE_URL: postgres.url('merzim') },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      server!.once('message', (m: { port: number }) => resolve(m.port));
      server!.once('exit', (code) => reject(new Error(`the API exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const targets: Record<string, { url: string; credential: (i: number) => Record<string, string> }> = {
      // The board's JSON: the cycle's obligations a page at a time (the API's default page), as a client lists them.
      obligations: {
        url: `${base}/api/v1/obligations?planId=${fixture.planId}&period=2026`,
        credential: (i) => ({ authorization: `Bearer ${tokens[i % CLIENTS]!}` }),
      },
      // The cycle with its counts (and the link to its obligations' paged list).
      cycle: {
        url: `${base}/api/v1/cycles/${encodeURIComponent(fixture.cycleId)}`,
        credential: (i) => ({ authorization: `Bearer ${tokens[i % CLIENTS]!}` }),
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
      const cpu0 = cpuSeconds(server.pid!);
      const load = loadavg().map((l) => Math.round(l * 100) / 100);
      let next = 0;
      log(`${name}: ${CLIENTS} clients for ${SECONDS} s on ${target.url.replace(base, '')}`);
      const r = await autocannon({
        url: target.url,
        connections: CLIENTS,
        duration: SECONDS,
        timeout: TIMEOUT_S,
        setupClient: (client) => client.setHeaders(target.credential(next++)),
      });
      const apiCpu = cpuSeconds(server.pid!) - cpu0;
      results[name] = {
        path: target.url.replace(base, '').replace(/cycle(%3A|:)[^&/]+/, 'cycle:…'),
        clients: CLIENTS,
        seconds: SECONDS,
        latencyMs: {
          p50: r.latency.p50,
          p90: r.latency.p90,
          p97_5: r.latency.p97_5,
          p99: r.latency.p99,
          max: r.latency.max,
        },
        requestsPerSecond: Math.round(r.requests.average * 10) / 10,
        requests: r.requests.total,
        non2xx: r.non2xx,
        responses3xx: (r as unknown as Record<string, number>)['3xx'] ?? 0,
        errors: r.errors,
        timeouts: r.timeouts,
        bytesPerSecond: Math.round(r.throughput.average),
        apiCpuSecondsPerRequest: r.requests.total === 0 ? null : Math.round((apiCpu / r.requests.total) * 1e5) / 1e5,
        loadAverageBefore: load,
        loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
      };
      log(
        `${name}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.average} req/s, non-2xx ${r.non2xx}`,
      );
    }
    const apiPeak = peakRssMiB(server.pid!);
    console.log(
      JSON.stringify(
        {
          benchmark: 'board under concurrent clients',
          at: new Date().toISOString(),
          obligations: fixture.obligations,
          note: 'autocannon reports p50/p90/p97.5/p99; p95 lies between p90 and p97.5 (goal: p95 < 100 ms, so p97.5 < 100 ms is enough and p90 > 100 ms misses it)',
          rateLimits: { perToken: DEFAULT_LIMITS.ratePerToken, windowS: DEFAULT_LIMITS.rateWindowMs / 1000 },
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
    if (server !== undefined && server.exitCode === null) {
      server.send({ stop: true });
      // A CPU profile is written as the API exits: give it time.
      await new Promise((r) => setTimeout(r, process.env.BENCH_BOARD_CPU_PROF === undefined ? 1000 : 10_000));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'server') await serverMain();
else await benchMain();
