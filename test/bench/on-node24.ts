// Runs a benchmark script on the project's Node 24 (pg-boss needs Node ≥ 22; the machine's own Node may be older).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { projectRootFrom } from '../../worker/temporal-binaries.js';
import { resolveNodeRuntime } from '../../worker/production/node-runtime.js';

const ROOT = projectRootFrom(import.meta.url);
const [script, ...args] = process.argv.slice(2);
if (script === undefined) throw new Error('usage: tsx test/bench/on-node24.ts <script.ts> [args…]');
const runtime = resolveNodeRuntime({ projectRoot: ROOT, env: process.env, log: (l) => process.stderr.write(`${l}\n`) });
const r = spawnSync(runtime.node, ['--import', 'tsx', resolve(ROOT, script), ...args], { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
