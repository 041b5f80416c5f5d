// The production topology on one machine: the real Temporal server on its own PostgreSQL, Merzim's PostgreSQL, an SMTP sink
// standing in for the relay, `npm run db:migrate` once, N × `npm run worker` and `npm run api` — each a separate process.
import { mkdirSync, chmodSync, existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { bootstrapAdmin } from '../bootstrap.js';
import { StartupError } from '../embedded/errors.js';
import { assertPortsFree, freePort } from '../embedded/ports.js';
import { EmbeddedPostgres } from '../embedded/postgres.js';
import { ensureLeastPrivilegeRoles } from '../embedded/roles.js';
import { acquireRunLock, type RunLock } from '../embedded/run-lock.js';
import { startSmtpSink, type SmtpSink } from '../embedded/smtp-sink.js';
import { resolveTemporalBinary } from '../temporal-binaries.js';
import { ManagedProcess, runOnce } from './processes.js';
import { TemporalServer } from './temporal-server.js';
import { resolveTemporalServer } from './temporal-server-binaries.js';

/** What each of Merzim's processes runs and the variables it is given — docker-compose.yml must match (its test checks). */
export const SERVICES = {
  migrate: { command: ['npm', 'run', 'db:migrate'], env: ['MIGRATION_DATABASE_URL', 'DATABASE_URL'] },
  worker: {
    command: ['npm', 'run', 'worker'],
    env: [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'DATABASE_URL',
      'SMTP_URL',
      'MAIL_FROM',
      'MERZIM_WORKFLOW_BUNDLE',
      'LOG_LEVEL',
      'HOST',
      'MERZIM_METRICS_PORT',
      'MERZIM_TEMPORAL_METRICS_PORT',
    ],
  },
  api: {
    command: ['npm', 'run', 'api'],
    env: [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'DATABASE_URL',
      'SMTP_URL',
      'MAIL_FROM',
      'HOST',
      'PORT',
      'LOG_LEVEL',
    ],
  },
} as const;
/**
 * Set only when asked (the production test moves the reminder time minutes ahead; the board's benchmark raises the API's limit
 * per token, as an operator would for a load balancer's health checks or a known heavy client).
 */
export const OPTIONAL_ENV = ['MERZIM_NOTICE_TIME', 'MERZIM_PUBLIC_URL', 'MERZIM_RATE_LIMIT_PER_TOKEN'] as const;

export interface ProductionStackOptions {
  readonly projectRoot: string;
  /** Absolute; state of both PostgreSQL clusters, the Temporal config, the bundle, the admin token. */
  readonly dataDir: string;
  readonly ports: { readonly api: number; readonly postgres: number; readonly temporal: number; readonly smtp: number };
  readonly workers: number;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly logLevel: string;
  readonly mailFrom: string;
  /** The node to run Merzim's processes on: its directory goes first on their PATH (tests pass Node 24's). */
  readonly nodeBinDir?: string;
  /** A prebuilt bundle; without one, `npm run build:workflows` makes one in the data directory first. */
  readonly workflowBundle?: string;
  /** MERZIM_NOTICE_TIME for the workers, asked for just before they start (the production test puts it minutes ahead). */
  readonly noticeTime?: () => string;
  /** MERZIM_RATE_LIMIT_PER_TOKEN for the API (README: configuration); its default when absent. */
  readonly rateLimitPerToken?: number;
  /** Build the Temporal server with go install when it is not cached (stack:production); tests only look. */
  readonly buildServer: boolean;
  readonly log: (line: string) => void;
}

export interface ProductionStack {
  readonly apiUrl: string;
  readonly temporalAddress: string;
  readonly temporalMetricsUrl: string;
  readonly smtpUrl: string;
  readonly adminTokenFile: string;
  /** Merzim's database as the application role (the sink stores into it; tests read it). */
  readonly db: Kysely<Database>;
  readonly workers: readonly ManagedProcess[];
  /** Each worker's Prometheus endpoints: Merzim's own (admin token) and the Temporal SDK's. */
  readonly workerMetrics: readonly { readonly merzim: string; readonly temporal: string }[];
  readonly api: ManagedProcess;
  readonly serverDescription: string;
  /** The MERZIM_NOTICE_TIME the workers were given, if any. */
  readonly noticeTime: string | undefined;
  /** The servers underneath, for tests that take one away (GET /ready must then answer 503). */
  readonly servers: { readonly temporal: TemporalServer; readonly merzimPostgres: EmbeddedPostgres };
  /** Resolves with a reason when a process or server stopped on its own (before any fault was injected through `faults`). */
  readonly failed: Promise<string>;
  /** Faults on purpose, for `npm run chaos`: each part taken away and brought back as an operator (or a crash) would. */
  readonly faults: StackFaults;
  stop(): Promise<void>;
}

export interface StackFaults {
  /** Worker `index` (0-based) gets `signal`; a new worker process takes its place, with a new MERZIM_NOTICE_TIME if given. */
  replaceWorker(index: number, signal: 'SIGKILL' | 'SIGTERM', noticeTime?: string): Promise<void>;
  /** The SMTP sink stops listening (the relay is down) until `startSink`. */
  stopSink(): Promise<void>;
  startSink(): Promise<void>;
  /** Merzim's PostgreSQL stops (fast shutdown) and starts again after `downMs`, same data and port. */
  restartPostgres(downMs: number): Promise<void>;
  /** The Temporal server stops and starts again after `downMs`, same persistence and frontend port. */
  restartTemporal(downMs: number): Promise<void>;
}

export async function startProductionStack(opts: ProductionStackOptions): Promise<ProductionStack> {
  const { log, dataDir } = opts;
  mkdirSync(dataDir, { recursive: true });
  // The clusters run as the postgres user when we are root: it must be able to enter the data directory.
  chmodSync(dataDir, 0o755);
  const parts: {
    lock?: RunLock;
    merzimPg?: EmbeddedPostgres;
    temporalPg?: EmbeddedPostgres;
    temporal?: TemporalServer;
    db?: Kysely<Database>;
    sink?: SmtpSink;
    processes: ManagedProcess[];
  } = { processes: [] };
  const stop = async (): Promise<void> => {
    // Reverse order: the API and the workers (they finish what they hold), then what they depend on.
    await Promise.all(parts.processes.map((p) => p.stop()));
    await parts.sink?.close();
    await parts.db?.destroy().catch(() => undefined);
    await parts.temporal?.stop();
    await Promise.all([parts.merzimPg?.stop(), parts.temporalPg?.stop()]);
    parts.lock?.release();
  };

  try {
    parts.lock = acquireRunLock(join(dataDir, 'merzim.pid'), log);
    await assertPortsFree([
      { port: opts.ports.api, what: 'Merzim API', envVar: 'PORT' },
      { port: opts.ports.postgres, what: "Merzim's PostgreSQL", envVar: 'MERZIM_PG_PORT' },
      { port: opts.ports.temporal, what: 'Temporal frontend', envVar: 'MERZIM_TEMPORAL_PORT' },
      { port: opts.ports.smtp, what: 'SMTP sink', envVar: 'MERZIM_SMTP_PORT' },
    ]);
    const [binaries, cli] = await Promise.all([
      resolveTemporalServer({ projectRoot: opts.projectRoot, env: process.env, log, build: opts.buildServer }),
      resolveTemporalBinary('cli', { projectRoot: opts.projectRoot, env: process.env, log }),
    ]);
    log(`Temporal server: ${binaries.description}`);

    const temporalPgPort = await freePort();
    [parts.merzimPg, parts.temporalPg] = await Promise.all([
      EmbeddedPostgres.start({
        dataDir: join(dataDir, 'postgres'),
        port: opts.ports.postgres,
        log,
        credentialsFile: join(dataDir, 'postgres.credentials.json'),
      }),
      EmbeddedPostgres.start({
        dataDir: join(dataDir, 'temporal-postgres'),
        port: temporalPgPort,
        log,
        credentialsFile: join(dataDir, 'temporal-postgres.credentials.json'),
      }),
    ]);
    const roles = await ensureLeastPrivilegeRoles(
      parts.merzimPg.url('postgres'),
      'merzim',
      join(dataDir, 'postgres.roles.json'),
    );
    const env = baseEnv(opts);
    const npm = npmCommand(opts.nodeBinDir);

    // Temporal's setup, the bundle and the migration are independent: run them side by side.
    const bundle = opts.workflowBundle ?? join(dataDir, 'workflow-bundle.js');
    const temporalPg = parts.temporalPg;
    // All three are awaited even when one fails, so nothing is left starting (or running) behind the stop below.
    await allSettledOrThrow([
      (async () => {
        parts.temporal = await TemporalServer.start({
          binaries,
          cli: cli.path,
          dir: join(dataDir, 'temporal'),
          postgresSuperuserUrl: temporalPg.url('postgres'),
          postgresPassword: secret(join(dataDir, 'temporal-role.password')),
          port: opts.ports.temporal,
          namespace: opts.namespace,
          dynamicConfigFile: join(opts.projectRoot, 'deploy', 'temporal-dynamicconfig.yaml'),
          log,
        });
      })(),
      opts.workflowBundle !== undefined
        ? Promise.resolve()
        : runOnce('build:workflows', npm.cmd, [...npm.args, 'run', '-s', 'build:workflows', '--', bundle], {
            cwd: opts.projectRoot,
            env,
            log,
          }),
      runOnce('migrate', npm.cmd, [...npm.args, 'run', '-s', 'db:migrate'], {
        cwd: opts.projectRoot,
        env: { ...env, MIGRATION_DATABASE_URL: roles.ownerUrl, DATABASE_URL: roles.appUrl },
        log,
      }),
    ]);
    if (!existsSync(bundle))
      throw new StartupError(
        `No workflow bundle at ${bundle}.`,
        'run npm run build:workflows, or unset MERZIM_WORKFLOW_BUNDLE.',
      );

    parts.db = createDb(roles.appUrl, { applicationName: 'merzim-stack' });
    const db = parts.db;
    parts.sink = await startSmtpSink({ port: opts.ports.smtp, store: (m) => storeSinkMessage(db, m), log });
    const adminTokenFile = join(dataDir, 'admin-token');
    await bootstrapAdmin(db, adminTokenFile, join(dataDir, 'admin-password'));

    const common = {
      ...env,
      TEMPORAL_ADDRESS: parts.temporal!.address,
      TEMPORAL_NAMESPACE: opts.namespace,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      DATABASE_URL: roles.appUrl,
      SMTP_URL: parts.sink.url,
      MAIL_FROM: opts.mailFrom,
      LOG_LEVEL: opts.logLevel,
    };
    const noticeTime = opts.noticeTime?.();
    const workerMetrics: { merzim: string; temporal: string }[] = [];
    const workerEnvs: NodeJS.ProcessEnv[] = [];
    for (let i = 1; i <= opts.workers; i++) {
      const [metricsPort, temporalMetricsPort] = [await freePort(), await freePort()];
      workerMetrics.push({
        merzim: `http://127.0.0.1:${metricsPort}/metrics`,
        temporal: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
      });
      const workerEnv = pick(
        {
          ...common,
          HOST: '127.0.0.1',
          MERZIM_METRICS_PORT: String(metricsPort),
          MERZIM_TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
          MERZIM_WORKFLOW_BUNDLE: bundle,
          ...(noticeTime === undefined ? {} : { MERZIM_NOTICE_TIME: noticeTime }),
        },
        SERVICES.worker.env,
        env,
      );
      workerEnvs.push(workerEnv);
      parts.processes.push(
        ManagedProcess.start(`worker-${i}`, npm.cmd, [...npm.args, 'run', '-s', 'worker'], {
          cwd: opts.projectRoot,
          env: workerEnv,
          log,
        }),
      );
    }
    const apiEnv = pick(
      {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(opts.ports.api),
        ...(opts.rateLimitPerToken === undefined
          ? {}
          : { MERZIM_RATE_LIMIT_PER_TOKEN: String(opts.rateLimitPerToken) }),
      },
      SERVICES.api.env,
      env,
    );
    const api = ManagedProcess.start('api', npm.cmd, [...npm.args, 'run', '-s', 'api'], {
      cwd: opts.projectRoot,
      env: apiEnv,
      log,
    });
    parts.processes.push(api);
    const apiUrl = `http://127.0.0.1:${opts.ports.api}`;
    await waitForReady(apiUrl, api, 120_000);

    const failed = Promise.race([
      ...parts.processes.map((p) => p.exited.then((s) => `${p.name} exited (${s.code ?? s.signal})`)),
      parts.temporal!.exited().then(() => 'the Temporal server stopped'),
      parts.merzimPg.exited().then(() => "Merzim's PostgreSQL stopped"),
      parts.temporalPg.exited().then(() => "Temporal's PostgreSQL stopped"),
    ]);
    const temporalOptions = parts.temporal!.options;
    const merzimPgOptions = parts.merzimPg.options;
    const workerProcesses = (): ManagedProcess[] => parts.processes.filter((p) => p.name.startsWith('worker-'));
    const faults: StackFaults = {
      async replaceWorker(index, signal, newNoticeTime) {
        const old = workerProcesses()[index];
        if (old === undefined) throw new Error(`no worker ${index}`);
        if (signal === 'SIGKILL') {
          old.signal('SIGKILL');
          await old.exited;
        } else await old.stop();
        const workerEnv = {
          ...workerEnvs[index],
          ...(newNoticeTime === undefined ? {} : { MERZIM_NOTICE_TIME: newNoticeTime }),
        };
        workerEnvs[index] = workerEnv;
        const fresh = ManagedProcess.start(old.name, npm.cmd, [...npm.args, 'run', '-s', 'worker'], {
          cwd: opts.projectRoot,
          env: workerEnv,
          log,
        });
        parts.processes[parts.processes.indexOf(old)] = fresh;
      },
      async stopSink() {
        await parts.sink?.close();
        parts.sink = undefined;
      },
      async startSink() {
        parts.sink ??= await startSmtpSink({ port: opts.ports.smtp, store: (m) => storeSinkMessage(db, m), log });
      },
      async restartPostgres(downMs) {
        await parts.merzimPg!.stop();
        await sleep(downMs);
        parts.merzimPg = await EmbeddedPostgres.start(merzimPgOptions);
      },
      async restartTemporal(downMs) {
        await parts.temporal!.stop();
        await sleep(downMs);
        parts.temporal = await TemporalServer.start(temporalOptions);
      },
    };
    return {
      apiUrl,
      temporalAddress: parts.temporal!.address,
      temporalMetricsUrl: parts.temporal!.metricsUrl,
      smtpUrl: parts.sink.url,
      adminTokenFile,
      db,
      get workers() {
        return workerProcesses();
      },
      workerMetrics,
      api,
      serverDescription: binaries.description,
      noticeTime,
      servers: {
        get temporal() {
          return parts.temporal!;
        },
        get merzimPostgres() {
          return parts.merzimPg!;
        },
      },
      failed,
      faults,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    if (err instanceof StartupError) throw err;
    throw new StartupError(`The production stack could not start: ${(err as Error).message}`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What every child gets besides its service's variables: a PATH (Node first) and a HOME, nothing else of ours. */
function baseEnv(opts: ProductionStackOptions): NodeJS.ProcessEnv {
  const path = [opts.nodeBinDir, process.env.PATH].filter((p) => p !== undefined && p !== '').join(':');
  return {
    PATH: path,
    HOME: process.env.HOME,
    ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
  };
}

function pick(
  all: Record<string, string | undefined>,
  keys: readonly string[],
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  for (const key of [...keys, ...OPTIONAL_ENV]) if (all[key] !== undefined) out[key] = all[key];
  return out;
}

/**
 * `npm` on the chosen node: that node running its own npm-cli.js (the wheel's `bin/npm` is a CommonJS stub that Node 24 would
 * load as ESM), or plain `npm` from PATH.
 */
function npmCommand(nodeBinDir: string | undefined): { cmd: string; args: string[] } {
  if (nodeBinDir === undefined) return { cmd: 'npm', args: [] };
  const cli = join(nodeBinDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (!existsSync(cli)) throw new StartupError(`No npm beside ${nodeBinDir}/node (looked for ${cli}).`);
  return { cmd: join(nodeBinDir, 'node'), args: [cli] };
}

async function allSettledOrThrow(promises: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

/** A password kept in a file (0600) of the data directory, made on first use. */
function secret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(18).toString('base64url');
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

/** The API answers /ready only when Temporal and PostgreSQL answer: that is when the stack is up. */
async function waitForReady(apiUrl: string, api: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!api.running)
      throw new StartupError(`The API process exited during start (${(await api.exited).code}); its output is above.`);
    try {
      const res = await fetch(`${apiUrl}/ready`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new StartupError(`The API at ${apiUrl} was not ready within ${timeoutMs / 1000} s: ${last}`);
}

/** Removes a stack's state (tests). */
export function removeStackData(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
