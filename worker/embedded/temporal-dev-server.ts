// Runs `temporal server start-dev` with its state in a SQLite file under .data/, our search attributes registered and the web UI on.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared.js';
import { isAlive } from '../temporal-binaries.js';
import { StartupError } from './errors.js';
import { OutputTail, stopChild, waitForExit } from './process.js';

export interface TemporalDevServerOptions {
  readonly binary: string;
  /** SQLite file that keeps workflows across restarts. */
  readonly dbFile: string;
  readonly pidFile: string;
  readonly port: number;
  readonly uiPort: number;
  readonly namespace: string;
  readonly log: (line: string) => void;
  readonly headless?: boolean;
  /** More `temporal server start-dev` flags, after EMBEDDED_TUNING (the cycles benchmark adds its metrics port). */
  readonly extraArgs?: readonly string[];
}

/**
 * How the embedded server runs (docs/benchmarks.md measures it): SQLite in WAL mode with synchronous=NORMAL (a crash of the
 * process loses nothing; a power cut may lose the last transactions, which is the embedded default's bargain — production
 * runs a Temporal cluster), and one partition per task queue (one process has nothing to spread them over).
 */
export const EMBEDDED_TUNING: readonly string[] = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

export class TemporalDevServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: TemporalDevServerOptions,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.opts.port}`;
  }

  get uiUrl(): string {
    return `http://127.0.0.1:${this.opts.uiPort}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM', 15_000);
    rmSync(this.opts.pidFile, { force: true });
  }

  exited(): Promise<void> {
    return waitForExit(this.child, 2 ** 31 - 1).then(() => undefined);
  }

  static async start(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
    stopOrphan(opts);
    const args = [
      'server',
      'start-dev',
      '--db-filename',
      opts.dbFile,
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--ui-port',
      String(opts.uiPort),
      '--ui-disable-news-fetch',
      '--log-level',
      'warn',
      ...(opts.namespace === 'default' ? [] : ['--namespace', opts.namespace]),
      ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
      ...(opts.headless === true ? ['--headless'] : []),
      ...EMBEDDED_TUNING,
      ...(opts.extraArgs ?? []),
    ];
    const tail = new OutputTail();
    const child = spawn(opts.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    if (child.pid !== undefined) writeFileSync(opts.pidFile, String(child.pid));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new StartupError(`The Temporal dev server could not be started (${opts.binary}): ${err.message}`)),
      );
      child.once('exit', (code, signal) => reject(explainFailure(tail.text(), opts, code, signal)));
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([waitUntilServing(`127.0.0.1:${opts.port}`, opts.namespace, 60_000), failed]);
      await registerMissingSearchAttributes(`127.0.0.1:${opts.port}`, opts.namespace, opts.log);
    } catch (err) {
      await stopChild(child, 'SIGKILL', 1_000);
      rmSync(opts.pidFile, { force: true });
      throw err;
    }
    return new TemporalDevServer(child, opts);
  }
}

/** Polls the frontend until the namespace answers; the gRPC port opens a moment before the server is usable. */
export async function waitUntilServing(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close();
    }
  }
  throw new StartupError(
    `Temporal at ${address} did not become ready within ${timeoutMs / 1000} s: ${(lastError as Error)?.message ?? 'no answer'}`,
  );
}

/** The API's IndexedValueType numbers of the types SEARCH_ATTRIBUTES uses. */
const INDEXED_VALUE_TYPE = { Keyword: 2 } as const;

/**
 * `start-dev --search-attribute` registers attributes only when it creates the SQLite file: a data directory from an earlier
 * release lacks those added since (ObligationStatus, CycleStatus), and a workflow that upserts an unregistered attribute
 * fails its task. Registers what is missing; returns the names it added.
 */
export async function registerMissingSearchAttributes(
  address: string,
  namespace: string,
  log: (line: string) => void,
): Promise<string[]> {
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => customAttributes?.[name] === undefined);
    if (missing.length === 0) return [];
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((name) => [name, INDEXED_VALUE_TYPE[SEARCH_ATTRIBUTES[name as keyof typeof SEARCH_ATTRIBUTES]]]),
      ),
    });
    log(`Registered the search attributes ${missing.join(', ')} on the existing Temporal data.`);
    return missing;
  } finally {
    await connection.close();
  }
}

/** A dev server left running by a Merzim that was killed holds the SQLite file: stop it before starting a new one. */
function stopOrphan(opts: TemporalDevServerOptions): void {
  if (!existsSync(opts.pidFile)) return;
  const pid = Number(readFileSync(opts.pidFile, 'utf8'));
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // Not Linux or the process just went away: treat as not ours.
    }
    if (cmdline.includes('start-dev') && cmdline.includes(opts.dbFile)) {
      opts.log(`Stopping a Temporal dev server (pid ${pid}) left running by an earlier Merzim that was killed.`);
      process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(opts.pidFile, { force: true });
}

function explainFailure(
  output: string,
  opts: TemporalDevServerOptions,
  code: number | null,
  signal: string | null,
): StartupError {
  if (/address already in use/i.test(output)) {
    return new StartupError(
      `The Temporal dev server could not listen: a port is already in use (gRPC ${opts.port}, UI ${opts.uiPort}).`,
      'stop whatever uses it, or set MERZIM_TEMPORAL_PORT / MERZIM_TEMPORAL_UI_PORT, or point TEMPORAL_ADDRESS at a running server.',
    );
  }
  if (/database is locked|SQLITE_BUSY/i.test(output)) {
    return new StartupError(`Another Temporal server is using ${opts.dbFile}.`, 'stop it first.');
  }
  return new StartupError(
    `The Temporal dev server exited during start (code ${code ?? '-'}, signal ${signal ?? '-'}):\n${output}`,
  );
}
