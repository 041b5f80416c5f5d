// An embedded data directory from before the status attribute was renamed: the next start registers what it lacks.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../worker/embedded/ports.js';
import { stopChild } from '../../worker/embedded/process.js';
import { TemporalDevServer, waitUntilServing } from '../../worker/embedded/temporal-dev-server.js';
import { projectRootFrom, resolveTemporalBinary } from '../../worker/temporal-binaries.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'merzim-sa-upgrade-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function customAttributes(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    return Object.keys(
      (await connection.operatorService.listSearchAttributes({ namespace: 'default' })).customAttributes ?? {},
    ).sort();
  } finally {
    await connection.close();
  }
}

describe('an embedded Temporal data directory from an earlier release', () => {
  it('gets ObligationStatus and CycleStatus registered on the next start, once', async () => {
    const cli = await resolveTemporalBinary('cli', {
      projectRoot: projectRootFrom(import.meta.url),
      env: process.env,
      log: () => undefined,
    });
    const dbFile = join(dir, 'temporal.sqlite');
    const [port, uiPort] = [await freePort(), await freePort()];
    // The server as the earlier release started it: only the five attributes it knew.
    const old = spawn(
      cli.path,
      [
        'server',
        'start-dev',
        '--db-filename',
        dbFile,
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--headless',
        '--log-level',
        'error',
        ...['PlanId', 'Period', 'AgencyCode', 'Stage', 'Status'].flatMap((n) => ['--search-attribute', `${n}=Keyword`]),
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitUntilServing(`127.0.0.1:${port}`, 'default', 60_000);
      expect(await customAttributes(`127.0.0.1:${port}`)).toEqual([
        'AgencyCode',
        'Period',
        'PlanId',
        'Stage',
        'Status',
      ]);
    } finally {
      await stopChild(old, 'SIGTERM', 15_000);
    }
    const lines: string[] = [];
    const opts = {
      binary: cli.path,
      dbFile,
      pidFile: join(dir, 'temporal.pid'),
      port,
      uiPort,
      namespace: 'default',
      headless: true,
      log: (l: string) => lines.push(l),
    };
    const server = await TemporalDevServer.start(opts);
    try {
      expect(await customAttributes(server.address)).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
      expect(lines).toContain(
        'Registered the search attributes ObligationStatus, CycleStatus on the existing Temporal data.',
      );
    } finally {
      await server.stop();
    }
    // Already there the next time: nothing to add, nothing said.
    const again = await TemporalDevServer.start({ ...opts, log: (l: string) => lines.push(`again: ${l}`) });
    await again.stop();
    expect(lines.filter((l) => l.startsWith('again: Registered'))).toEqual([]);
  });
});
