// The embedded PostgreSQL a benchmark runs on: a temporary directory, the `merzim` database and a pool; close() removes it all.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../db/connect.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';

export async function startBenchPostgres(name: string, poolSize: number) {
  const dir = mkdtempSync(join(tmpdir(), `merzim-${name}-`));
  chmodSync(dir, 0o755);
  const postgres = await EmbeddedPostgres.start({
    dataDir: join(dir, 'postgres'),
    port: await freePort(),
    log: () => undefined,
  });
  await postgres.ensureDatabase('merzim');
  const db = createDb(postgres.url('merzim'), { max: poolSize, applicationName: 'merzim-bench' });
  return {
    dir,
    postgres,
    db,
    async close(): Promise<void> {
      await db.destroy();
      await postgres.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
