// The Temporal server a benchmark runs on (stack-choice.ts): the dev server as `npm start` runs it (SQLite), or the real
// server stack:production runs (worker/production/temporal-server.ts: built from Go, on its own embedded PostgreSQL, 4
// history shards, deploy/temporal-dynamicconfig.yaml). One handle either way, so a benchmark changes one call to use it.
import { join } from 'node:path';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { EMBEDDED_TUNING, TemporalDevServer } from '../../worker/embedded/temporal-dev-server.js';
import { TemporalServer } from '../../worker/production/temporal-server.js';
import { resolveTemporalServer } from '../../worker/production/temporal-server-binaries.js';
import { resolveTemporalBinary } from '../../worker/temporal-binaries.js';
import type { BenchStack } from './stack-choice.js';

export interface BenchTemporal {
  readonly address: string;
  /** The server's Prometheus endpoint (persistence latencies and counts). */
  readonly metricsUrl: string;
  readonly pid: number | undefined;
  /** Temporal's own PostgreSQL (production only), to measure beside the server. */
  readonly persistencePid: number | undefined;
  readonly description: string;
  stop(): Promise<void>;
}

export async function startBenchTemporal(
  stack: BenchStack,
  opts: {
    readonly projectRoot: string;
    readonly dir: string;
    readonly namespace: string;
    readonly log: (line: string) => void;
    /** "key=value" dynamic config (the dev server only; the real server reads deploy/temporal-dynamicconfig.yaml). */
    readonly dynamicConfig?: readonly string[];
  },
): Promise<BenchTemporal> {
  const cli = await resolveTemporalBinary('cli', { projectRoot: opts.projectRoot, env: process.env, log: opts.log });
  if (stack === 'embedded') {
    const metricsPort = await freePort();
    const dev = await TemporalDevServer.start({
      binary: cli.path,
      dbFile: join(opts.dir, 'temporal.sqlite'),
      pidFile: join(opts.dir, 'temporal.pid'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: opts.namespace,
      headless: true,
      log: opts.log,
      extraArgs: [
        '--metrics-port',
        String(metricsPort),
        ...(opts.dynamicConfig ?? []).flatMap((kv) => ['--dynamic-config-value', kv]),
      ],
    });
    return {
      address: dev.address,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      pid: dev.pid,
      persistencePid: undefined,
      description: `temporal server start-dev as \`npm start\` runs it: SQLite file, ${EMBEDDED_TUNING.join(' ')}, headless`,
      stop: () => dev.stop(),
    };
  }
  const binaries = await resolveTemporalServer({
    projectRoot: opts.projectRoot,
    env: process.env,
    log: opts.log,
    build: false,
  });
  const pg = await EmbeddedPostgres.start({
    dataDir: join(opts.dir, 'temporal-postgres'),
    port: await freePort(),
    log: opts.log,
    credentialsFile: join(opts.dir, 'temporal-postgres.credentials.json'),
  });
  try {
    const server = await TemporalServer.start({
      binaries,
      cli: cli.path,
      dir: join(opts.dir, 'temporal'),
      postgresSuperuserUrl: pg.url('postgres'),
      postgresPassword: 'bench-temporal',
      port: await freePort(),
      namespace: opts.namespace,
      dynamicConfigFile: join(opts.projectRoot, 'deploy', 'temporal-dynamicconfig.yaml'),
      log: opts.log,
    });
    return {
      address: server.address,
      metricsUrl: server.metricsUrl,
      pid: server.pid,
      persistencePid: pg.pid,
      description: `the real Temporal server as stack:production runs it (${binaries.description}), on its own PostgreSQL`,
      stop: async () => {
        await server.stop();
        await pg.stop();
      },
    };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}
