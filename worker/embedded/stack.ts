// The embedded default: starts what is not configured (PostgreSQL, Temporal dev server, SMTP sink), then the worker and the API.
import { existsSync, mkdirSync, chmodSync, lstatSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Transporter } from 'nodemailer';
import { composeApi } from '../../api/compose.js';
import { createCycleEngine } from '../../api/cycle-engine.js';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { grantApplicationAccess, roleOf } from '../../db/grants.js';
import { migrateToLatest } from '../../db/migrate.js';
import { seedReferenceData } from '../../db/seed.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import type { Config } from '../../platform/config.js';
import { bootstrapAdmin, type BootstrapResult } from '../bootstrap.js';
import { loadDemoData, type DemoReport } from '../demo.js';
import { createMailer } from '../../platform/mailer.js';
import { connectClient } from '../../platform/temporal-connection.js';
import { startLivingDemo } from './living-demo.js';
import { binaryVersion, resolveTemporalBinary } from '../temporal-binaries.js';
import { openMerzimWorker } from '../worker.js';
import type { Logger } from '../../platform/logger.js';
import { StartupError } from './errors.js';
import { assertPortsFree, type PortNeed } from './ports.js';
import { EmbeddedPostgres } from './postgres.js';
import { ensureLeastPrivilegeRoles } from './roles.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { TemporalDevServer } from './temporal-dev-server.js';

export interface StackInfo {
  readonly apiUrl: string;
  readonly temporalAddress: string;
  readonly temporalUiUrl: string | undefined;
  readonly smtpUrl: string;
  readonly adminTokenFile: string | undefined;
  readonly bootstrap: BootstrapResult;
  readonly demo: DemoReport | undefined;
  /** Usernames in .data/demo-users.txt (every start, not only the first): whom a newcomer signs in as. */
  readonly demoUsers: readonly string[];
  readonly started: { readonly postgres: boolean; readonly temporal: boolean; readonly smtpSink: boolean };
  readonly pids: { readonly supervisor: number; readonly postgres?: number; readonly temporal?: number };
}

export interface Stack {
  readonly info: StackInfo;
  /** Resolves (with the reason) when a supervised part stopped on its own. */
  readonly failed: Promise<string>;
  stop(): Promise<void>;
}

interface Resources {
  lock?: RunLock;
  postgres?: EmbeddedPostgres;
  temporalServer?: TemporalDevServer;
  db?: Kysely<Database>;
  sink?: SmtpSink;
  mailer?: Transporter;
  workerConnection?: NativeConnection;
  worker?: Worker;
  workerRun?: Promise<void>;
  client?: Client;
  app?: FastifyInstance;
  /** The living demo's driver, running in the background after start. */
  demoRun?: Promise<void>;
  demoAbort?: AbortController;
}

/** Files an earlier release left readable by others (a Temporal SQLite file, run.json, the demo users) become 0600. */
function tightenModes(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const st = lstatSync(path);
    if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
  }
}

export async function startStack(config: Config, opts: { projectRoot: string; logger: Logger }): Promise<Stack> {
  const log = (line: string): void => opts.logger.info(line);
  const dataDir = resolve(opts.projectRoot, config.dataDir);
  // Workflow histories (Temporal's SQLite), reports (PostgreSQL) and secrets live here: whatever this process and the servers
  // it starts create is theirs alone (files 0600, directories 0700; PostgreSQL keeps its own 0700/0600).
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The embedded PostgreSQL may run as its own user (as root), which must be able to enter the directory, not list it.
  chmodSync(dataDir, 0o711);
  tightenModes(dataDir);
  const r: Resources = {};
  const stop = async (): Promise<void> => {
    // Reverse order of start: stop taking requests, finish activities, then the servers underneath.
    // The Temporal runtime stops the worker on the same signal, so a demo step waiting on a workflow would wait for ever:
    // give it a moment, then go on (its failure is logged; what it did is in Temporal and the database).
    r.demoAbort?.abort();
    if (r.demoRun !== undefined)
      await Promise.race([r.demoRun, new Promise((done) => setTimeout(done, 2_000).unref())]);
    await r.app?.close().catch((e: Error) => log(`API close: ${e.message}`));
    if (r.worker !== undefined && r.worker.getState() === 'RUNNING') r.worker.shutdown();
    await r.workerRun?.catch(() => undefined);
    await r.workerConnection?.close().catch(() => undefined);
    await r.client?.connection.close().catch(() => undefined);
    r.mailer?.close();
    await r.sink?.close();
    await r.db?.destroy().catch(() => undefined);
    await r.temporalServer?.stop();
    await r.postgres?.stop();
    rmSync(join(dataDir, 'run.json'), { force: true });
    r.lock?.release();
  };

  let bootstrap: BootstrapResult = {};
  let demo: DemoReport | undefined;
  try {
    r.lock = acquireRunLock(join(dataDir, 'merzim.pid'), log);
    const ports: PortNeed[] = [{ port: config.api.port, what: 'Merzim API', envVar: 'PORT' }];
    if (config.databaseUrl === undefined)
      ports.push({ port: config.embedded.postgresPort, what: 'embedded PostgreSQL', envVar: 'MERZIM_PG_PORT' });
    if (config.temporal.address === undefined) {
      ports.push({ port: config.embedded.temporalPort, what: 'Temporal gRPC', envVar: 'MERZIM_TEMPORAL_PORT' });
      ports.push({ port: config.embedded.temporalUiPort, what: 'Temporal web UI', envVar: 'MERZIM_TEMPORAL_UI_PORT' });
    }
    if (config.smtpUrl === undefined)
      ports.push({ port: config.embedded.smtpPort, what: 'SMTP sink', envVar: 'MERZIM_SMTP_PORT' });
    await assertPortsFree(ports);

    // PostgreSQL and Temporal start in parallel: they are independent and each takes seconds. Both are awaited even when
    // one fails, so the other is recorded in `r` and stopped below instead of being left running.
    const [database, temporalAddress] = await allOrFirstError([
      (async () => {
        if (config.databaseUrl !== undefined)
          return { ownerUrl: config.migrationDatabaseUrl ?? config.databaseUrl, appUrl: config.databaseUrl };
        log('Starting embedded PostgreSQL …');
        r.postgres = await EmbeddedPostgres.start({
          dataDir: join(dataDir, 'postgres'),
          port: config.embedded.postgresPort,
          log,
        });
        // Least privilege: migrations as the owner, everything else as a login that owns nothing and is no superuser.
        return ensureLeastPrivilegeRoles(r.postgres.url('postgres'), 'merzim', join(dataDir, 'postgres.roles.json'));
      })(),
      (async () => {
        if (config.temporal.address !== undefined) return config.temporal.address;
        const binary = await resolveTemporalBinary('cli', {
          projectRoot: opts.projectRoot,
          env: process.env,
          log: (l) => log(`[temporal] ${l}`),
        });
        log(`Temporal CLI: ${binary.description}${binaryVersion(binary) ? ` — ${binaryVersion(binary)}` : ''}`);
        log('Starting the Temporal dev server …');
        r.temporalServer = await TemporalDevServer.start({
          binary: binary.path,
          dbFile: join(dataDir, 'temporal.sqlite'),
          pidFile: join(dataDir, 'temporal.pid'),
          port: config.embedded.temporalPort,
          uiPort: config.embedded.temporalUiPort,
          namespace: config.temporal.namespace,
          log,
        });
        return r.temporalServer.address;
      })(),
    ] as const);

    const ownerDb = createDb(database.ownerUrl, { max: 1, applicationName: 'merzim-migrate' });
    try {
      const applied = await migrateToLatest(ownerDb);
      if (applied.length > 0) log(`Database migrated: ${applied.join(', ')}`);
      const seeded = await seedReferenceData(ownerDb);
      if (seeded.calendarEntries > 0) log(`Working-day calendar seeded: ${seeded.calendarEntries} entries (2017–2027)`);
      if (seeded.agencies > 0) log(`Agencies directory seeded: ${seeded.agencies} agencies`);
      if (roleOf(database.appUrl) !== roleOf(database.ownerUrl))
        await grantApplicationAccess(ownerDb, roleOf(database.appUrl));
    } finally {
      await ownerDb.destroy();
    }
    r.db = createDb(database.appUrl, { applicationName: 'merzim-embedded' });
    bootstrap = await bootstrapAdmin(r.db, join(dataDir, 'admin-token'), join(dataDir, 'admin-password'));
    if (config.demo)
      demo = await loadDemoData(r.db, { seedsDir: resolve(opts.projectRoot, config.seedsDir), dataDir, log });

    let smtpUrl = config.smtpUrl;
    if (smtpUrl === undefined) {
      const db = r.db;
      r.sink = await startSmtpSink({ port: config.embedded.smtpPort, store: (m) => storeSinkMessage(db, m), log });
      smtpUrl = r.sink.url;
    }
    r.mailer = createMailer(smtpUrl);

    const opened = await openMerzimWorker(
      config,
      { db: r.db, mailer: r.mailer },
      opts.logger.child({ name: 'merzim-worker' }),
      temporalAddress,
    );
    r.workerConnection = opened.connection;
    r.worker = opened.worker;
    r.workerRun = r.worker.run();

    r.client = await connectClient(config.temporal, temporalAddress);
    r.app = await composeApi(
      {
        db: r.db,
        temporal: r.client,
        taskQueue: config.temporal.taskQueue,
        mailer: r.mailer,
        sinkEnabled: r.sink !== undefined,
        publicUrl: config.api.publicUrl,
        evidence: config.evidence,
        limits: config.limits,
        // The pages link each cycle and obligation to its workflow in the Temporal web UI (MERZIM_TEMPORAL_UI_URL, else the
        // embedded dev server's).
        ...((config.temporalUiUrl ?? r.temporalServer?.uiUrl) === undefined
          ? {}
          : {
              temporalUi: {
                url: (config.temporalUiUrl ?? r.temporalServer?.uiUrl)!,
                namespace: config.temporal.namespace,
              },
            }),
      },
      // Requests are logged from warn up at the default level: the console of `npm start` is for people.
      {
        loggerInstance: opts.logger.child(
          { name: 'merzim-api' },
          { level: config.logLevel === 'info' ? 'warn' : config.logLevel },
        ),
      },
    );
    await r.app.listen({ host: config.api.host, port: config.api.port });
    if (demo?.living !== undefined) {
      // In the background: the stack is usable at once, and the demo's reports go in a few seconds later.
      r.demoAbort = new AbortController();
      const { db, client } = r;
      const engine = createCycleEngine({ client, db, taskQueue: config.temporal.taskQueue });
      r.demoRun = startLivingDemo({ db, client, engine, log, signal: r.demoAbort.signal }, demo.living).then(
        () => undefined,
        (e: Error) => log(`Living demo not completed: ${e.message}`),
      );
    }
  } catch (err) {
    await stop().catch(() => undefined);
    if (err instanceof StartupError) throw err;
    throw new StartupError(`Merzim could not start: ${(err as Error).message}`);
  }

  const info: StackInfo = {
    apiUrl: config.api.publicUrl,
    temporalAddress: r.temporalServer?.address ?? config.temporal.address!,
    temporalUiUrl: r.temporalServer?.uiUrl,
    smtpUrl: r.sink?.url ?? '(SMTP_URL)',
    adminTokenFile: bootstrap.tokenFile,
    bootstrap,
    demo,
    demoUsers: demoUsernames(join(dataDir, 'demo-users.txt')),
    started: {
      postgres: r.postgres !== undefined,
      temporal: r.temporalServer !== undefined,
      smtpSink: r.sink !== undefined,
    },
    pids: { supervisor: process.pid, postgres: r.postgres?.pid, temporal: r.temporalServer?.pid },
  };
  // run.json is for tools and tests (pids, ports); what the bootstrap handed over stays in its own 0600 files.
  const { bootstrap: _handedOver, ...runState } = info;
  writeFileSync(join(dataDir, 'run.json'), JSON.stringify(runState, null, 2));

  const failed = Promise.race([
    r.postgres?.exited().then(() => 'PostgreSQL stopped unexpectedly') ?? new Promise<string>(() => undefined),
    r.temporalServer?.exited().then(() => 'the Temporal dev server stopped unexpectedly') ??
      new Promise<string>(() => undefined),
    r.workerRun!.then(
      () => 'the worker stopped',
      (e: Error) => `the worker failed: ${e.message}`,
    ),
  ]);
  return { info, failed, stop };
}

/** The first column of the demo users file (username, role, password); the passwords stay in the file. */
function demoUsernames(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split('\t')[0]!);
}

async function allOrFirstError<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
