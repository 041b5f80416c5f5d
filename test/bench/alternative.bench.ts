// Benchmark: the alternative a team would otherwise build — each reminder a job in a PostgreSQL job queue (pg-boss) due at its
// instant, a worker process sending it through Merzim's own mailer and outbox (claim by dedupe key, send, mark sent) to the SMTP
// sink, on the same embedded PostgreSQL binaries. Two runs: a burst of N reminders due at one instant, and the same burst with
// the worker killed (SIGKILL) part-way and restarted. Prints one JSON document on stdout; progress goes to stderr.
//
//   npm run -s bench:alternative
//
// pg-boss needs Node ≥ 22: `npm run bench:alternative` runs it on the project's Node 24 (worker/production/node-runtime.ts).
// Settings (environment): BENCH_ALT_REMINDERS (10000), BENCH_ALT_LEAD_S (15), BENCH_ALT_BATCH (50), BENCH_ALT_CONCURRENCY (4),
// BENCH_SMTP_CONNECTIONS (8), BENCH_ALT_KILL_AT (0.3: the share delivered when the worker is killed).
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { PgBoss } from 'pg-boss';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { claimNotification, markNotificationSent } from '../../db/repositories/notifications.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { createMailer } from '../../platform/mailer.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { startSmtpSink } from '../../worker/embedded/smtp-sink.js';

const SCRIPT = fileURLToPath(import.meta.url);
const QUEUE = 'reminder';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: not a non-negative number: "${raw}"`);
  return n;
}

const SETTINGS = {
  reminders: envNumber('BENCH_ALT_REMINDERS', 10_000),
  leadSeconds: envNumber('BENCH_ALT_LEAD_S', 15),
  batchSize: envNumber('BENCH_ALT_BATCH', 50),
  localConcurrency: envNumber('BENCH_ALT_CONCURRENCY', 4),
  smtpConnections: envNumber('BENCH_SMTP_CONNECTIONS', 8),
  killAt: envNumber('BENCH_ALT_KILL_AT', 0.3),
  /** A job whose worker died is retried after this (pg-boss's expiry of an active job). */
  expireInSeconds: 10,
};

interface Reminder {
  readonly key: string;
  readonly to: string;
  readonly lang: 'kk' | 'ru';
}

function log(line: string): void {
  process.stderr.write(`[bench:alternative ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

// ——— The worker process: what a team's reminder worker would be ————————————————————————————————

async function workerMain(): Promise<void> {
  const { databaseUrl, smtpUrl } = JSON.parse(process.env.BENCH_ALT_WORKER!) as {
    databaseUrl: string;
    smtpUrl: string;
  };
  const db = createDb(databaseUrl, { max: 10, applicationName: 'alt-worker' });
  const mailer = createMailer(smtpUrl, { maxConnections: SETTINGS.smtpConnections });
  const boss = new PgBoss({ connectionString: databaseUrl, max: 10 });
  boss.on('error', (err) => log(`worker: pg-boss error: ${err.message}`));
  await boss.start();
  // The same outbox discipline as Merzim's sendEmailOnce: claim the dedupe key, skip if already sent, send, mark sent.
  const sendOnce = async (r: Reminder): Promise<void> => {
    const messageId = `<${r.key}@alt>`;
    const row = await claimNotification(db, {
      dedupeKey: r.key,
      to: [r.to],
      subject: r.lang === 'kk' ? 'Есеп беру мерзімі жақындады' : 'Приближается срок отчёта',
      bodyText: r.lang === 'kk' ? 'Есеп беру мерзімі: 10 қаңтар.' : 'Срок представления отчёта: 10 января.',
      lang: r.lang,
      messageId,
      workflowId: null,
      runId: null,
    });
    if (row.status === 'sent') return;
    await mailer.sendMail({
      from: 'merzim@localhost',
      to: [...row.to_addresses],
      subject: row.subject,
      text: row.body_text,
      messageId: row.message_id,
    });
    await markNotificationSent(db, r.key, new Date());
  };
  await boss.work<Reminder>(
    QUEUE,
    { batchSize: SETTINGS.batchSize, localConcurrency: SETTINGS.localConcurrency, pollingIntervalSeconds: 0.5 },
    async (jobs) => {
      await Promise.all(jobs.map((j) => sendOnce(j.data)));
    },
  );
  process.send?.({ ready: true });
}

// ——— The benchmark ————————————————————————————————————————————————————————————————————————

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function startWorker(env: { databaseUrl: string; smtpUrl: string }): Promise<ChildProcess> {
  const child = fork(SCRIPT, ['--worker'], {
    env: { ...process.env, BENCH_ALT_WORKER: JSON.stringify(env) },
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function sinkCount(db: Kysely<Database>, prefix: string): Promise<number> {
  const r = await db
    .selectFrom('sink_messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('message_id', 'like', `<${prefix}%`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function burst(
  run: 'burst' | 'worker-killed',
  ctx: { db: Kysely<Database>; boss: PgBoss; databaseUrl: string; smtpUrl: string },
): Promise<Record<string, unknown>> {
  const n = SETTINGS.reminders;
  const prefix = `${run}-${Date.now()}-`;
  let worker = await startWorker({ databaseUrl: ctx.databaseUrl, smtpUrl: ctx.smtpUrl });
  const instant = new Date(Date.now() + SETTINGS.leadSeconds * 1000);
  log(`${run}: queueing ${n} reminders due at ${instant.toISOString()}`);
  const queued = Date.now();
  for (let i = 0; i < n; i += 1000) {
    const jobs = Array.from({ length: Math.min(1000, n - i) }, (_, k) => {
      const j = i + k;
      const data: Reminder = { key: `${prefix}${j}`, to: `agency-${j % 500}@gov.kz`, lang: j % 2 === 0 ? 'kk' : 'ru' };
      return { data, startAfter: instant, singletonKey: data.key, expireInSeconds: SETTINGS.expireInSeconds };
    });
    await ctx.boss.insert(QUEUE, jobs);
  }
  const queueMs = Date.now() - queued;
  if (Date.now() > instant.getTime()) log(`${run}: queueing took longer than the lead (${queueMs} ms)`);
  const cpu0 = cpuSeconds(worker.pid);
  let killed = false;
  let cpuKilled = 0;
  await waitFor(`${n} reminders in the sink`, 600_000, async () => {
    const got = await sinkCount(ctx.db, prefix);
    if (run === 'worker-killed' && !killed && got >= n * SETTINGS.killAt) {
      killed = true;
      cpuKilled = cpuSeconds(worker.pid) - cpu0;
      log(`${run}: ${got}/${n} delivered — SIGKILL the worker, start another`);
      worker.kill('SIGKILL');
      worker = await startWorker({ databaseUrl: ctx.databaseUrl, smtpUrl: ctx.smtpUrl });
    }
    return (await sinkCount(ctx.db, prefix)) >= n;
  });
  const workerCpu = cpuKilled + cpuSeconds(worker.pid) - (killed ? 0 : cpu0);
  // Settle: anything still to arrive (a duplicate from a retried job) has its expiry to do so.
  if (run === 'worker-killed') await new Promise((r) => setTimeout(r, (SETTINGS.expireInSeconds + 5) * 1000));
  worker.kill('SIGTERM');
  const rows = await ctx.db
    .selectFrom('sink_messages')
    .select(['message_id', 'received_at'])
    .where('message_id', 'like', `<${prefix}%`)
    .execute();
  const distinct = new Set(rows.map((r) => r.message_id));
  const lateness = rows.map((r) => new Date(r.received_at).getTime() - instant.getTime()).sort((a, b) => a - b);
  const result = {
    reminders: n,
    queueMs,
    delivered: distinct.size,
    duplicates: rows.length - distinct.size,
    lost: n - distinct.size,
    allInSinkMs: lateness.at(-1),
    latenessMs: {
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: lateness.at(-1),
    },
    perSecond: Math.round((n / Math.max(1, lateness.at(-1)! - Math.min(0, lateness[0]!))) * 1000),
    workerCpuSeconds: Math.round(workerCpu * 10) / 10,
    workerCpuMsPerReminder: Math.round((workerCpu * 1000 * 100) / n) / 100,
    ...(run === 'worker-killed' && { killedAfterShare: SETTINGS.killAt }),
  };
  log(`${run}: ${JSON.stringify(result)}`);
  return result;
}

async function benchMain(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'merzim-bench-alt-'));
  chmodSync(dir, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  try {
    const [pgPort, smtpPort] = [await freePort(), await freePort()];
    log('starting PostgreSQL and the SMTP sink');
    const postgres = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: pgPort, log });
    cleanups.push(() => postgres.stop());
    await postgres.ensureDatabase('merzim');
    const databaseUrl = postgres.url('merzim');
    const db = createDb(databaseUrl, { max: 10, applicationName: 'alt-bench' });
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    const sink = await startSmtpSink({ port: smtpPort, store: (m) => storeSinkMessage(db, m), log });
    cleanups.push(() => sink.close());
    const boss = new PgBoss({ connectionString: databaseUrl, max: 4 });
    boss.on('error', (err) => log(`pg-boss error: ${err.message}`));
    await boss.start();
    cleanups.push(() => boss.stop({ graceful: false }));
    await boss.createQueue(QUEUE, { retryLimit: 5, retryDelay: 1, expireInSeconds: SETTINGS.expireInSeconds });
    const ctx = { db, boss, databaseUrl, smtpUrl: sink.url };
    const plain = await burst('burst', ctx);
    await sql`TRUNCATE notifications`.execute(db);
    const killedRun = await burst('worker-killed', ctx);
    const out = {
      benchmark: 'alternative: pg-boss job queue + nodemailer through the outbox',
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: SETTINGS,
      burst: plain,
      workerKilled: killedRun,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        log(`cleanup: ${(err as Error).message}`);
      }
    }
  }
}

if (process.argv.includes('--worker')) {
  workerMain().catch((err: unknown) => {
    log(`worker: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
} else {
  benchMain().then(
    () => process.exit(0),
    (err: unknown) => {
      log((err as Error).stack ?? String(err));
      process.exit(1);
    },
  );
}
