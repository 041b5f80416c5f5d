// Connections to Temporal for the client (API) and the worker, from one validated config: address, namespace, TLS, API key.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from './config.js';

export async function connectClient(cfg: TemporalConfig, address = cfg.address): Promise<Client> {
  if (address === undefined) throw new Error('TEMPORAL_ADDRESS is not set');
  const connection = await Connection.connect({
    address,
    tls: cfg.tls ? {} : undefined,
    apiKey: cfg.apiKey,
    connectTimeout: 10_000,
  });
  return new Client({ connection, namespace: cfg.namespace });
}

export async function connectWorker(cfg: TemporalConfig, address = cfg.address): Promise<NativeConnection> {
  if (address === undefined) throw new Error('TEMPORAL_ADDRESS is not set');
  return NativeConnection.connect({ address, tls: cfg.tls ? {} : undefined, apiKey: cfg.apiKey });
}
