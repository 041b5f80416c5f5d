// Runs the real Temporal server (not the dev server) on its own PostgreSQL: schema by temporal-sql-tool, a production-like config,
// the namespace and Merzim's search attributes registered by a setup step with the temporal CLI's operator commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared.js';
import { StartupError } from '../embedded/errors.js';
import { freePort, isPortFree } from '../embedded/ports.js';
import { OutputTail, stopChild, waitForExit } from '../embedded/process.js';
import { waitUntilServing } from '../embedded/temporal-dev-server.js';
import type { TemporalServerBinaries } from './temporal-server-binaries.js';

/** Several history shards, as in production (the count is fixed for the life of a cluster). */
export const HISTORY_SHARDS = 4;
/** The role Temporal's server logs in as: owns its two databases, is no superuser. */
const TEMPORAL_ROLE = 'temporal';
export const DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;
/** The schemas embedded in temporal-sql-tool that the two databases are brought to (docker-compose.yml's schema job uses the same). */
export const SCHEMAS = { default: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;
/** The SQL plugin of PostgreSQL 12 and later. */
export const SQL_PLUGIN = 'postgres12';

export interface TemporalServerOptions {
  readonly binaries: TemporalServerBinaries;
  /** The temporal CLI, for the operator commands of the setup step. */
  readonly cli: string;
  /** Where the config, dynamic config and logs go. */
  readonly dir: string;
  /** Superuser URL of Temporal's own PostgreSQL (to create its role and databases). */
  readonly postgresSuperuserUrl: string;
  /** Password of the `temporal` role (created or updated to it). */
  readonly postgresPassword: string;
  readonly port: number;
  readonly namespace: string;
  /** deploy/temporal-dynamicconfig.yaml: the file docker-compose.yml mounts into its server too. */
  readonly dynamicConfigFile: string;
  readonly log: (line: string) => void;
}

export class TemporalServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
    /** Where the server's own Prometheus metrics are scraped. */
    readonly metricsUrl: string,
    /** What it was started with: starting again with these reopens the same persistence on the same frontend port. */
    readonly options: TemporalServerOptions,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM', 20_000);
  }

  exited(): Promise<void> {
    return waitForExit(this.child, 2 ** 31 - 1).then(() => undefined);
  }

  static async start(opts: TemporalServerOptions): Promise<TemporalServer> {
    mkdirSync(opts.dir, { recursive: true });
    const pgUrl = new URL(opts.postgresSuperuserUrl);
    await ensureRoleAndDatabases(opts.postgresSuperuserUrl, opts.postgresPassword);
    for (const [database, schema] of [
      [DATABASES.default, SCHEMAS.default],
      [DATABASES.visibility, SCHEMAS.visibility],
    ] as const) {
      await setupSchema(opts, pgUrl, database, schema);
    }

    const ports = { membership: [] as number[], grpc: [] as number[] };
    const taken = new Set<number>([opts.port]);
    for (let i = 0; i < 4; i++) ports.membership.push(await portBelow32768(taken));
    for (let i = 0; i < 3; i++) ports.grpc.push(await portBelow32768(taken));
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    const dynamicConfig = opts.dynamicConfigFile;
    const configFile = join(opts.dir, 'config.yaml');
    // JSON is YAML; the file holds the temporal role's password, so only its owner may read it.
    writeFileSync(
      configFile,
      JSON.stringify(
        serverConfig({
          pgAddress: `${pgUrl.hostname}:${pgUrl.port}`,
          password: opts.postgresPassword,
          port: opts.port,
          httpPort,
          metricsPort,
          ports,
          dynamicConfig,
        }),
        null,
        2,
      ),
      { mode: 0o600 },
    );

    const tail = new OutputTail(80);
    const child = spawn(opts.binaries.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
      cwd: opts.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new StartupError(`The Temporal server could not be started (${opts.binaries.server}): ${err.message}`)),
      );
      child.once('exit', (code, signal) => reject(explainFailure(tail.text(20), opts.port, code, signal)));
    });
    failed.catch(() => undefined);
    const address = `127.0.0.1:${opts.port}`;
    try {
      await Promise.race([waitForFrontend(opts.cli, address, 120_000), failed]);
      await Promise.race([registerNamespaceAndSearchAttributes(opts.cli, address, opts.namespace, opts.log), failed]);
      await Promise.race([waitUntilServing(address, opts.namespace, 60_000), failed]);
    } catch (err) {
      await stopChild(child, 'SIGKILL', 1_000);
      throw err;
    }
    return new TemporalServer(child, address, `http://127.0.0.1:${metricsPort}/metrics`, opts);
  }
}

/**
 * A free port under 32768: the server stores its hosts' ports in a smallint column (cluster_membership), so the OS's
 * ephemeral ports (32768 and up) make it fail at start with "out of range for type smallint".
 */
async function portBelow32768(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isPortFree(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new StartupError("No free port between 20000 and 32000 for the Temporal server's internal services.");
}

interface ConfigInput {
  readonly pgAddress: string;
  readonly password: string;
  readonly port: number;
  readonly httpPort: number;
  readonly metricsPort: number;
  readonly ports: { readonly membership: readonly number[]; readonly grpc: readonly number[] };
  readonly dynamicConfig: string;
}

function serverConfig(c: ConfigInput): object {
  const sqlStore = (databaseName: string, maxConns: number): object => ({
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName,
      connectAddr: c.pgAddress,
      connectProtocol: 'tcp',
      user: TEMPORAL_ROLE,
      password: c.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, extra: object = {}): object => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': sqlStore(DATABASES.default, 20),
        'postgres-visibility': sqlStore(DATABASES.visibility, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${c.metricsPort}` },
      },
    },
    services: {
      frontend: rpc(c.port, c.ports.membership[0]!, { httpPort: c.httpPort }),
      history: rpc(c.ports.grpc[0]!, c.ports.membership[1]!),
      matching: rpc(c.ports.grpc[1]!, c.ports.membership[2]!),
      worker: rpc(c.ports.grpc[2]!, c.ports.membership[3]!),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${c.port}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: c.dynamicConfig, pollInterval: '10s' },
  };
}

/** As the superuser: the role `temporal` (no superuser) owning the two databases the server uses. */
async function ensureRoleAndDatabases(superuserUrl: string, password: string): Promise<void> {
  const u = new URL(superuserUrl);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    const role = admin.escapeIdentifier(TEMPORAL_ROLE);
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [TEMPORAL_ROLE]);
    await admin.query(
      `${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${admin.escapeLiteral(password)}`,
    );
    for (const db of Object.values(DATABASES)) {
      const there = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (there.rowCount === 0)
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(db)} OWNER ${role} ENCODING 'UTF8'`);
    }
  } finally {
    await admin.end();
  }
}

/** setup-schema once (the version table), then update-schema to the schema embedded in the tool; both as the `temporal` role. */
async function setupSchema(
  opts: TemporalServerOptions,
  pgUrl: URL,
  database: string,
  schemaName: string,
): Promise<void> {
  const env = {
    PATH: process.env.PATH,
    SQL_PLUGIN,
    SQL_HOST: pgUrl.hostname,
    SQL_PORT: pgUrl.port,
    SQL_USER: TEMPORAL_ROLE,
    SQL_PASSWORD: opts.postgresPassword,
    SQL_DATABASE: database,
  };
  const check = new URL(opts.postgresSuperuserUrl);
  check.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: check.toString() });
  await client.connect();
  let versioned: boolean;
  try {
    versioned =
      (await client.query("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'schema_version'"))
        .rowCount !== 0;
  } finally {
    await client.end();
  }
  if (!versioned) await runTool(opts.binaries.sqlTool, ['setup-schema', '-v', '0.0'], env, `set up ${database}`);
  await runTool(
    opts.binaries.sqlTool,
    ['update-schema', '--schema-name', schemaName],
    env,
    `update ${database} to ${schemaName}`,
  );
  opts.log(`Temporal schema ${database}: up to date (${schemaName})`);
}

/** The frontend's gRPC health check (what Temporal's own compose files poll). */
async function waitForFrontend(cli: string, address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await runQuiet(cli, ['operator', 'cluster', 'health', '--address', address]);
    if (r.code === 0 && /SERVING/.test(r.output)) return;
    last = r.output.trim().split('\n').slice(-1)[0] ?? '';
    await new Promise((res) => setTimeout(res, 1_000));
  }
  throw new StartupError(
    `The Temporal server at ${address} did not answer its health check within ${timeoutMs / 1000} s: ${last}`,
  );
}

/** The setup step: the namespace (72 h retention) and Merzim's search attributes; each skipped when already there. */
async function registerNamespaceAndSearchAttributes(
  cli: string,
  address: string,
  namespace: string,
  log: (l: string) => void,
): Promise<void> {
  const described = await runQuiet(cli, [
    'operator',
    'namespace',
    'describe',
    '--address',
    address,
    '--namespace',
    namespace,
  ]);
  if (described.code !== 0) {
    const created = await runQuiet(cli, [
      'operator',
      'namespace',
      'create',
      '--address',
      address,
      '--namespace',
      namespace,
      '--retention',
      '72h',
    ]);
    if (created.code !== 0 && !/already exists|AlreadyExists/i.test(created.output)) {
      throw new StartupError(`Could not create the Temporal namespace "${namespace}": ${created.output.trim()}`);
    }
    log(`Temporal namespace "${namespace}" created`);
  }
  const listed = await runQuiet(cli, [
    'operator',
    'search-attribute',
    'list',
    '--address',
    address,
    '--namespace',
    namespace,
  ]);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    if (listed.code === 0 && new RegExp(`\\b${name}\\b`).test(listed.output)) continue;
    let r = await runQuiet(cli, [
      'operator',
      'search-attribute',
      'create',
      '--address',
      address,
      '--namespace',
      namespace,
      '--name',
      name,
      '--type',
      type,
    ]);
    // A namespace created a moment ago reaches the server's namespace cache within its refresh interval (~10 s).
    for (
      let waited = 0;
      r.code !== 0 && /Namespace .* is not found|NamespaceNotFound/i.test(r.output) && waited < 60;
      waited++
    ) {
      await new Promise((res) => setTimeout(res, 1_000));
      r = await runQuiet(cli, [
        'operator',
        'search-attribute',
        'create',
        '--address',
        address,
        '--namespace',
        namespace,
        '--name',
        name,
        '--type',
        type,
      ]);
    }
    if (r.code !== 0 && !/already exists|AlreadyExists/i.test(r.output)) {
      throw new StartupError(`Could not register the search attribute ${name} (${type}): ${r.output.trim()}`);
    }
  }
  log(`Temporal search attributes registered: ${Object.keys(SEARCH_ATTRIBUTES).join(' ')}`);
}

function runQuiet(
  cmd: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env }) });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => resolve({ code: -1, output: err.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function runTool(
  tool: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
  what: string,
): Promise<void> {
  const r = await runQuiet(tool, args, env as NodeJS.ProcessEnv);
  if (r.code !== 0)
    throw new StartupError(
      `temporal-sql-tool could not ${what} (exit ${r.code}):\n${r.output.trim().split('\n').slice(-8).join('\n')}`,
    );
}

function explainFailure(output: string, port: number, code: number | null, signal: string | null): StartupError {
  if (/address already in use/i.test(output)) {
    return new StartupError(
      `The Temporal server could not listen: a port is already in use (frontend ${port}).`,
      'stop whatever uses it, or set MERZIM_TEMPORAL_PORT.',
    );
  }
  return new StartupError(
    `The Temporal server exited during start (code ${code ?? '-'}, signal ${signal ?? '-'}):\n${output}`,
  );
}
