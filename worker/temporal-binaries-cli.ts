// `npm run temporal:setup`: makes sure the Temporal binaries are present (used by npm test before anything starts): the CLI, the
// test server, and (unless --cli-only or --no-server) the real server and its SQL tool, built once into the user cache.
import { resolveNodeRuntime } from './production/node-runtime.js';
import { resolveTemporalServer, TemporalServerUnavailable } from './production/temporal-server-binaries.js';
import {
  binaryVersion,
  projectRootFrom,
  resolveTemporalBinary,
  TemporalBinaryUnavailable,
  type BinaryKind,
} from './temporal-binaries.js';

const cliOnly = process.argv.includes('--cli-only');
const kinds: BinaryKind[] = cliOnly ? ['cli'] : ['cli', 'test-server'];
const projectRoot = projectRootFrom(import.meta.url);
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const log = (l: string): void => say(`[temporal] ${l}`);
try {
  for (const kind of kinds) {
    const bin = await resolveTemporalBinary(kind, { projectRoot, env: process.env, log });
    const version = binaryVersion(bin);
    say(`[temporal] ${kind === 'cli' ? 'CLI' : 'test server'}: ${bin.description}${version ? ` — ${version}` : ''}`);
  }
  if (!cliOnly && !process.argv.includes('--no-server')) {
    // The production-topology test needs the real server (built once: minutes) and the production Node (24, a PyPI wheel).
    const server = await resolveTemporalServer({ projectRoot, env: process.env, log, build: true });
    say(
      `[temporal] server and SQL tool: ${server.description}${server.builtInSeconds === undefined ? '' : ` — built now in ${server.builtInSeconds} s`}`,
    );
    const node = resolveNodeRuntime({ projectRoot, env: process.env, log: (l) => say(`[node] ${l}`) });
    say(`[node] production runtime: ${node.node} (${node.version})`);
  }
} catch (err) {
  if (err instanceof TemporalBinaryUnavailable || err instanceof TemporalServerUnavailable) {
    say(err.message);
    process.exit(1);
  }
  throw err;
}
