// `npm run temporal:setup`: makes sure both Temporal binaries are present (used by npm test before anything starts).
import { binaryVersion, projectRootFrom, resolveTemporalBinary, TemporalBinaryUnavailable, type BinaryKind } from './temporal-binaries.js';

const kinds: BinaryKind[] = process.argv.includes('--cli-only') ? ['cli'] : ['cli', 'test-server'];
const projectRoot = projectRootFrom(import.meta.url);
try {
  for (const kind of kinds) {
    const bin = await resolveTemporalBinary(kind, { projectRoot, env: process.env, log: (l) => process.stderr.write(`[temporal] ${l}\n`) });
    const version = binaryVersion(bin);
    process.stderr.write(`[temporal] ${kind === 'cli' ? 'CLI' : 'test server'}: ${bin.description}${version ? ` — ${version}` : ''}\n`);
  }
} catch (err) {
  if (err instanceof TemporalBinaryUnavailable) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
