// `npm run temporal:setup`: makes sure both Temporal binaries are present (used by npm test before anything starts).
import { binaryVersion, projectRootFrom, resolveTemporalBinary, TemporalBinaryUnavailable, type BinaryKind } from './temporal-binaries.js';

const kinds: BinaryKind[] = process.argv.includes('--cli-only') ? ['cli'] : ['cli', 'test-server'];
const projectRoot = projectRootFrom(import.meta.url);
try {
  for (const kind of kinds) {
    const bin = await resolveTemporalBinary(kind, { projectRoot, env: process.env, log: (l) => console.error(`[temporal] ${l}`) });
    const version = binaryVersion(bin);
    console.error(`[temporal] ${kind === 'cli' ? 'CLI' : 'test server'}: ${bin.description}${version ? ` — ${version}` : ''}`);
  }
} catch (err) {
  if (err instanceof TemporalBinaryUnavailable) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
