// Benchmark: time from `npm start` to a green /health, cold (fresh data directory) and warm (restart), and peak memory. Prints JSON.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../worker/embedded/ports.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line === undefined ? null : Math.round(Number(line.replace(/\D+/g, '')) / 1024);
  } catch {
    return null;
  }
}

async function once(env: Record<string, string>, apiPort: number, dataDir: string) {
  const started = performance.now();
  // The same command a user runs (npm start → tsx worker/embedded.ts), minus npm's own start-up.
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['worker/embedded.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  let healthyMs: number | undefined;
  while (healthyMs === undefined) {
    if (child.exitCode !== null) throw new Error(`merzim exited early:\n${out}`);
    try {
      const res = await fetch(`http://127.0.0.1:${apiPort}/health`);
      if (res.ok) healthyMs = Math.round(performance.now() - started);
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const run = JSON.parse(readFileSync(join(dataDir, 'run.json'), 'utf8')) as {
    pids: { supervisor: number; postgres?: number; temporal?: number };
  };
  const rssAtReady = {
    merzim: rssMiB(run.pids.supervisor),
    postgresMain: rssMiB(run.pids.postgres),
    temporal: rssMiB(run.pids.temporal),
  };
  const stopStarted = performance.now();
  child.kill('SIGTERM');
  const code = await exited;
  const stopMs = Math.round(performance.now() - stopStarted);
  const peak = /Peak memory \(max RSS\) of this process: (\d+) MiB/.exec(out);
  return { healthyMs, stopMs, exitCode: code, peakRssMiB: peak ? Number(peak[1]) : null, rssAtReadyMiB: rssAtReady };
}

const base = mkdtempSync(join(tmpdir(), 'merzim-bench-'));
chmodSync(base, 0o755);
const dataDir = join(base, 'data');
const apiPort = await freePort();
const env = {
  MERZIM_DATA_DIR: dataDir,
  PORT: String(apiPort),
  MERZIM_PG_PORT: String(await freePort()),
  MERZIM_TEMPORAL_PORT: String(await freePort()),
  MERZIM_TEMPORAL_UI_PORT: String(await freePort()),
  MERZIM_SMTP_PORT: String(await freePort()),
};
try {
  const cold = await once(env, apiPort, dataDir);
  const warm = [
    await once(env, apiPort, dataDir),
    await once(env, apiPort, dataDir),
    await once(env, apiPort, dataDir),
  ];
  const warmSorted = warm.map((w) => w.healthyMs).sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        benchmark: 'startup',
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        coldFreshDataDir: cold,
        warm,
        warmMedianHealthyMs: warmSorted[1],
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(base, { recursive: true, force: true });
}
