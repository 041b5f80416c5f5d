// How CLI commands reach Temporal: TEMPORAL_ADDRESS, or the dev server of a running `npm start` in this project.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../platform/config.js';
import { connectClient } from '../../platform/temporal-connection.js';

export class NoTemporal extends Error {
  override readonly name = 'NoTemporal';
}

/** A client for one command; the caller closes its connection. */
export async function openCliTemporal(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ client: Client; config: Config }> {
  const config = loadConfig(env, 'cli');
  let address = config.temporal.address;
  if (address === undefined) {
    if (!existsSync(join(resolve(config.dataDir), 'merzim.pid')))
      throw new NoTemporal(
        'No Temporal: set TEMPORAL_ADDRESS, or start Merzim on its embedded defaults (npm start) in this directory first.',
      );
    address = `127.0.0.1:${config.embedded.temporalPort}`;
  }
  try {
    return { client: await connectClient(config.temporal, address), config };
  } catch (err) {
    throw new NoTemporal(`Cannot reach Temporal at ${address}: ${(err as Error).message.split('\n')[0]}`);
  }
}
