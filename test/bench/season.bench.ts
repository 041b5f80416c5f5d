// Benchmark: a reporting season's reminder burst, Merzim and the alternative side by side in one run — `bench:cycles` (Temporal
// dev server, a cycle per 500 parties, every obligation's first reminder due at one instant) and `bench:alternative` (pg-boss jobs
// due at the same kind of instant, sent through the same mailer and outbox), one after the other on the same machine, each on
// fresh servers; then Merzim's figures as ratios to the alternative's. Prints one JSON document on stdout.
//
//   npm run -s bench                      # 10,000 reminders each
//   BENCH_REMINDERS=2000 npm run -s bench # a shorter run
//
// Issue 17's scenarios are parts of the same run, each selectable with --only (default: all three):
//   npm run -s bench -- --only reminders          # the burst above
//   npm run -s bench -- --only national           # a national season opened (national.bench.ts; BENCH_NATIONAL_*)
//   npm run -s bench -- --only board              # the board under 50 clients (board-load.bench.ts; BENCH_BOARD_*)
//   npm run -s bench -- --only national --stack production   # the national season on stack:production (any part: --stack)
// The output is then {reminders, national, board}, each part's JSON as its script prints it.
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRootFrom } from '../../worker/temporal-binaries.js';
import { resolveNodeRuntime } from '../../worker/production/node-runtime.js';
import { benchStack } from './stack-choice.js';

const ROOT = projectRootFrom(import.meta.url);
const REMINDERS = Number(process.env.BENCH_REMINDERS ?? 10_000);
const PARTIES_PER_CYCLE = 500;
if (!Number.isInteger(REMINDERS) || REMINDERS < PARTIES_PER_CYCLE || REMINDERS % PARTIES_PER_CYCLE !== 0) {
  throw new Error(`BENCH_REMINDERS: a multiple of ${PARTIES_PER_CYCLE}, got "${process.env.BENCH_REMINDERS}"`);
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs a benchmark script on `node`, its progress passed through to stderr, its stdout parsed as the JSON it prints. */
function runBench(node: string, script: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ['--import', 'tsx', join(ROOT, script)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(out.slice(out.indexOf('{'))) as Record<string, unknown>);
      } catch (err) {
        reject(new Error(`${script} printed no JSON: ${(err as Error).message}`));
      }
    });
  });
}

interface Burst {
  readonly allInSinkMs: number;
  readonly latenessMs: { readonly p50: number; readonly p99: number };
  readonly sinkMessages?: number;
  readonly distinctMessageIds?: number;
  readonly duplicates?: number;
  readonly worker?: { readonly cpuSeconds: number };
  readonly workerCpuSeconds?: number;
}

const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

const PARTS = ['reminders', 'national', 'board'] as const;
const onlyAt = process.argv.indexOf('--only');
const only = (onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '') : PARTS.join(',')).split(',').map((p) => p.trim());
for (const p of only)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: ${PARTS.join(', ')}; got "${p}"`);
const stack = benchStack();

const node24 = resolveNodeRuntime({ projectRoot: ROOT, env: process.env, log });
const parts: Record<string, unknown> = {};
if (only.includes('reminders')) parts.reminders = await reminders();
if (only.includes('national')) {
  log(`a national season opened on the ${stack} stack (national.bench.ts)`);
  parts.national = await runBench(node24.node, 'test/bench/national.bench.ts', { BENCH_STACK: stack });
}
if (only.includes('board')) {
  log(`the board under concurrent clients on the ${stack} stack (board-load.bench.ts)`);
  parts.board = await runBench(node24.node, 'test/bench/board-load.bench.ts', { BENCH_STACK: stack });
}
process.stdout.write(
  `${JSON.stringify(only.length === 1 && only[0] === 'reminders' ? parts.reminders : parts, null, 2)}\n`,
);

/** Merzim and the alternative, side by side: the reminder burst. */
async function reminders(): Promise<Record<string, unknown>> {
  log(`Merzim: ${REMINDERS} reminders due at one instant on the ${stack} stack (bench:cycles)`);
  const merzim = await runBench(node24.node, 'test/bench/cycles.bench.ts', {
    BENCH_BURST_CYCLES: String(REMINDERS / PARTIES_PER_CYCLE),
    BENCH_BURST_PARTIES: String(PARTIES_PER_CYCLE),
    // The faster design (docs/benchmarks.md: batched reminders); BENCH_DESIGN=both or per-obligation to compare.
    BENCH_DESIGN: process.env.BENCH_DESIGN ?? 'batched',
    BENCH_STACK: stack,
  });
  log(`the alternative: ${REMINDERS} reminders as pg-boss jobs (bench:alternative, Node ${node24.version})`);
  const alternative = await runBench(node24.node, 'test/bench/alternative.bench.ts', {
    BENCH_ALT_REMINDERS: String(REMINDERS),
    BENCH_SMTP_CONNECTIONS: '8',
  });

  const m = merzim.reminderBurst as Burst;
  const a = alternative.burst as Burst;
  const mDuplicates = (m.sinkMessages ?? 0) - (m.distinctMessageIds ?? 0);
  return {
    benchmark: 'season: Merzim and the alternative, side by side',
    at: new Date().toISOString(),
    stack,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
    reminders: REMINDERS,
    merzim: {
      allInSinkMs: m.allInSinkMs,
      latenessMs: m.latenessMs,
      duplicates: mDuplicates,
      workerCpuSeconds: m.worker?.cpuSeconds,
    },
    alternative: {
      allInSinkMs: a.allInSinkMs,
      latenessMs: a.latenessMs,
      duplicates: a.duplicates,
      workerCpuSeconds: a.workerCpuSeconds,
      workerKilled: alternative.workerKilled,
    },
    merzimOverAlternative: {
      allInSink: ratio(m.allInSinkMs, a.allInSinkMs),
      latenessP50: ratio(m.latenessMs.p50, a.latenessMs.p50),
      latenessP99: ratio(m.latenessMs.p99, a.latenessMs.p99),
    },
    goals: {
      allWithin60s: { merzim: m.allInSinkMs <= 60_000, alternative: a.allInSinkMs <= 60_000 },
      p99Under30s: { merzim: m.latenessMs.p99 < 30_000, alternative: a.latenessMs.p99 < 30_000 },
      noDuplicates: { merzim: mDuplicates === 0, alternative: a.duplicates === 0 },
    },
    details: { merzim, alternative },
  };
}
