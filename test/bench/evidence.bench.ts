// Evidence uploads: a report with 20 attachments of 10 MB each, sent one after another and all at once, to the API in its own
// process (evidence-api.ts) with the directory store and with the PostgreSQL store. Measures the upload time and the API
// process's resident memory above idle (sampled from /proc every 10 ms; goal: flat, under 100 MB above idle). Prints JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateToLatest } from '../../db/migrate.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { freePort } from '../../worker/embedded/ports.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';
import { startBenchPostgres } from './bench-postgres.js';

const FILES = Number(process.env.EVIDENCE_FILES ?? 20);
const FILE_MB = Number(process.env.EVIDENCE_FILE_MB ?? 10);
const MiB = 1024 * 1024;

const bench = await startBenchPostgres('evidence-bench', 2);
const { dir, postgres, db } = bench;
let api: ChildProcess | undefined;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function startApi(store: 'dir' | 'pg'): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'evidence-api.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: postgres.url('merzim'),
      PORT: String(port),
      MERZIM_EVIDENCE_STORE: store,
      MERZIM_EVIDENCE_DIR: join(dir, 'evidence'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  api = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => (b.toString().includes('ready') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`the API exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid! };
}

async function stopApi(): Promise<void> {
  const child = api;
  api = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function multipart(name: string, bytes: Buffer): { body: Buffer; type: string } {
  const boundary = `bench${randomBytes(6).toString('hex')}`;
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  };
}

async function scenario(store: 'dir' | 'pg', obligation: string, token: string, concurrent: boolean) {
  const { url, pid } = await startApi(store);
  const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(FILE_MB * MiB - 9)]);
  const bodies = Array.from({ length: FILES }, (_, i) => multipart(`annex-${i + 1}.pdf`, file));
  // Warm up (JIT, pools) with one small upload, withdrawn again, then let the process settle.
  const warm = multipart('warm.pdf', file.subarray(0, 64 * 1024));
  const w = await fetch(`${url}/api/v1/obligations/${encodeURIComponent(obligation)}/evidence`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': warm.type },
    body: warm.body,
  });
  const warmId = ((await w.json()) as { id: string }).id;
  await fetch(`${url}/api/v1/evidence/${warmId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rssOf(pid);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 10);
  const upload = async (b: { body: Buffer; type: string }) => {
    const s = performance.now();
    const res = await fetch(`${url}/api/v1/obligations/${encodeURIComponent(obligation)}/evidence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': b.type },
      body: b.body,
    });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
    return performance.now() - s;
  };
  const started = performance.now();
  const times = concurrent ? await Promise.all(bodies.map(upload)) : [];
  if (!concurrent) for (const b of bodies) times.push(await upload(b));
  const totalMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(pid));
  await stopApi();
  times.sort((a, b) => a - b);
  return {
    store,
    mode: concurrent ? `${FILES} at once` : 'one after another',
    totalSeconds: Number((totalMs / 1000).toFixed(2)),
    perFileMs: { p50: Math.round(times[Math.floor(times.length / 2)]!), max: Math.round(times[times.length - 1]!) },
    throughputMBps: Number(((FILES * FILE_MB) / (totalMs / 1000)).toFixed(1)),
    rssIdleMB: Math.round(idle / MiB),
    rssPeakAboveIdleMB: Math.round((peak - idle) / MiB),
  };
}

try {
  await migrateToLatest(db);
  await seedAgencies(db, TEST_AGENCIES);
  const planId = await createDraft(db, {
    plan: testPlan(),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'bench',
  });
  const obligation = (n: number) => `obligation:${planId}:2026:БҒМ:bench-${n}`;
  for (let n = 0; n < 4; n++) {
    await db
      .insertInto('obligations')
      .values({
        workflow_id: obligation(n),
        run_id: 'bench',
        revision: 1,
        cycle_workflow_id: null,
        plan_id: planId,
        period: '2026',
        stage_id: `bench-${n}`,
        agency_code: 'БҒМ',
        status: 'pending',
        due_date: '2026-12-31',
        effective_due_date: '2026-12-31',
        due_at: '2026-12-31T18:59:59.999Z',
        report_version: 0,
        report: null,
        submitted_at: null,
        working_days_late: null,
        accepted_at: null,
        closed_reason: null,
        opened_at: '2026-01-01T00:00:00Z',
        finished_at: null,
      })
      .execute();
  }
  const { secret } = await createApiToken(db, { name: 'bench', role: 'reporter', agencyCode: 'БҒМ' });
  const results = [];
  let n = 0;
  for (const store of ['dir', 'pg'] as const)
    for (const concurrent of [false, true]) results.push(await scenario(store, obligation(n++), secret, concurrent));
  console.log(
    JSON.stringify(
      {
        benchmark: 'evidence',
        report: { files: FILES, fileMB: FILE_MB, totalMB: FILES * FILE_MB },
        results,
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
  await stopApi();
  await bench.close();
}
