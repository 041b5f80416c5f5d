// Finds, or builds once with `go install`, the real Temporal server and its SQL schema tool, cached per user so later runs reuse them.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** The server release Merzim's production path is built and tested against (docker-compose.yml pins the same). */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The Go toolchain the server's go.mod needs; the go command fetches it from the module proxy (GOTOOLCHAIN). */
export const TEMPORAL_SERVER_GO_TOOLCHAIN = 'go1.27.3';
const MODULES = {
  server: `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
  sqlTool: `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
} as const;

export interface TemporalServerBinaries {
  readonly server: string;
  readonly sqlTool: string;
  /** Where they came from, for a human. */
  readonly description: string;
  /** Seconds the build took when this call built them. */
  readonly builtInSeconds?: number;
}

export class TemporalServerUnavailable extends Error {
  constructor(attempts: readonly string[]) {
    super(
      [
        `The Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool are neither cached nor buildable. Tried:`,
        ...attempts.map((a) => `  - ${a}`),
        'Ways out:',
        `  - build them: npm run temporal:setup (needs the go command; GOTOOLCHAIN=${TEMPORAL_SERVER_GO_TOOLCHAIN} is fetched by it);`,
        '  - or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL to binaries you have.',
      ].join('\n'),
    );
    this.name = 'TemporalServerUnavailable';
  }
}

interface ResolveOptions {
  readonly projectRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  /** false: only look (tests); true: build when missing. */
  readonly build: boolean;
}

/** The user-level cache: survives a fresh clone of the project, so CI and a second work tree never build again. */
export function userCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== ''
      ? env.XDG_CACHE_HOME
      : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'merzim', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** Order: TEMPORAL_SERVER_BIN/TEMPORAL_SQL_TOOL → user cache → project cache .cache/ → go install (into the user cache). */
export async function resolveTemporalServer(opts: ResolveOptions): Promise<TemporalServerBinaries> {
  const attempts: string[] = [];
  const { env } = opts;
  if ((env.TEMPORAL_SERVER_BIN ?? '') !== '' || (env.TEMPORAL_SQL_TOOL ?? '') !== '') {
    const server = env.TEMPORAL_SERVER_BIN ?? '';
    const sqlTool = env.TEMPORAL_SQL_TOOL ?? '';
    if (isExecutable(server) && isExecutable(sqlTool))
      return { server, sqlTool, description: 'TEMPORAL_SERVER_BIN / TEMPORAL_SQL_TOOL' };
    // An explicit setting that is wrong must not be silently replaced by something else.
    throw new TemporalServerUnavailable([
      `TEMPORAL_SERVER_BIN=${server || '(unset)'}, TEMPORAL_SQL_TOOL=${sqlTool || '(unset)'}: both must be executables`,
    ]);
  }
  const userDir = userCacheDir(env);
  const projectDir = resolve(opts.projectRoot, '.cache', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  for (const [dir, what] of [
    [userDir, 'user cache'],
    [projectDir, 'project cache'],
  ] as const) {
    const found = inDir(dir, what);
    if (found !== undefined) return found;
    attempts.push(`${what} ${dir}: empty`);
  }
  if (!opts.build) throw new TemporalServerUnavailable(attempts);

  const go = findOnPath('go', env.PATH ?? '');
  if (go === undefined) {
    attempts.push('go install: no go command on PATH');
    throw new TemporalServerUnavailable(attempts);
  }
  mkdirSync(userDir, { recursive: true });
  const gobin = mkdtempSync(join(tmpdir(), 'merzim-temporal-gobin-'));
  const started = Date.now();
  try {
    for (const module of [MODULES.server, MODULES.sqlTool]) {
      opts.log(
        `Building ${module} with ${TEMPORAL_SERVER_GO_TOOLCHAIN} (the first build takes many minutes; later runs reuse ${userDir}) …`,
      );
      await run(go, ['install', module], opts.log, {
        ...env,
        GOBIN: gobin,
        GOTOOLCHAIN: TEMPORAL_SERVER_GO_TOOLCHAIN,
        CGO_ENABLED: '0',
      });
    }
    // Copied under a temporary name and renamed: a reader never sees half a binary.
    for (const [from, to] of [
      ['server', 'temporal-server'],
      ['sql', 'temporal-sql-tool'],
    ] as const) {
      copyFileSync(join(gobin, from), join(userDir, `${to}.tmp`));
      chmodSync(join(userDir, `${to}.tmp`), 0o755);
      renameSync(join(userDir, `${to}.tmp`), join(userDir, to));
    }
  } catch (err) {
    attempts.push(`go install: ${(err as Error).message}`);
    throw new TemporalServerUnavailable(attempts);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  const builtInSeconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(
    join(userDir, 'build.json'),
    JSON.stringify(
      {
        version: TEMPORAL_SERVER_VERSION,
        toolchain: TEMPORAL_SERVER_GO_TOOLCHAIN,
        builtInSeconds,
        builtAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
  return { ...inDir(userDir, 'user cache')!, builtInSeconds };
}

function inDir(dir: string, what: string): TemporalServerBinaries | undefined {
  const server = join(dir, 'temporal-server');
  const sqlTool = join(dir, 'temporal-sql-tool');
  if (!isExecutable(server) || !isExecutable(sqlTool)) return undefined;
  let built = '';
  try {
    const info = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as { builtInSeconds?: number };
    if (info.builtInSeconds !== undefined) built = `, first built in ${info.builtInSeconds} s`;
  } catch {
    // Copied in by hand: no build record.
  }
  return { server, sqlTool, description: `${dir} (${what}${built})` };
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
    if (dir !== '' && isExecutable(join(dir, exe))) return join(dir, exe);
  }
  for (const dir of ['/usr/local/go/bin']) if (existsSync(join(dir, exe))) return join(dir, exe);
  return undefined;
}

function run(
  cmd: string,
  args: readonly string[],
  log: (l: string) => void,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-2000);
      for (const line of text.split('\n'))
        if (line.trim() !== '' && !line.startsWith('go: downloading')) log(`  ${line.trimEnd()}`);
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
