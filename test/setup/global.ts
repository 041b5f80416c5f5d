// Starts the real servers the integration and workflow tests share: an embedded PostgreSQL and a Temporal dev server.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { TemporalDevServer } from '../../worker/embedded/temporal-dev-server.js';
import { projectRootFrom, resolveTemporalBinary } from '../../worker/temporal-binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
    testServerPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const projectRoot = projectRootFrom(import.meta.url);
  const log = (line: string): void => console.error(`[test-setup] ${line}`);
  // Under the system temp dir: the PostgreSQL user (not root) must be able to reach it.
  const dir = mkdtempSync(join(tmpdir(), 'merzim-test-'));
  chmodSync(dir, 0o755);
  const [cli, testServer] = await Promise.all([
    resolveTemporalBinary('cli', { projectRoot, env: process.env, log }),
    resolveTemporalBinary('test-server', { projectRoot, env: process.env, log }),
  ]);
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const [postgres, temporal] = await Promise.all([
    EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: pgPort, log: () => undefined }),
    TemporalDevServer.start({
      binary: cli.path,
      dbFile: join(dir, 'temporal.sqlite'),
      pidFile: join(dir, 'temporal.pid'),
      port: temporalPort,
      uiPort,
      namespace: 'default',
      headless: true,
      log,
    }),
  ]);
  project.provide('pgAdminUrl', postgres.url('postgres'));
  project.provide('temporalAddress', temporal.address);
  project.provide('testServerPath', testServer.path);
  return async () => {
    await temporal.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
