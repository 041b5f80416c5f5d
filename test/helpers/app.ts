// Builds the real API over a test database and the shared Temporal dev server, for app.inject tests.
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../api/app.js';
import { postgresProbe, temporalProbe } from '../../api/health.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import type { TestDatabase } from './database.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly client: Client;
  readonly adminToken: string;
  close(): Promise<void>;
}

export async function createTestApp(tdb: TestDatabase, taskQueue = 'unused-in-this-test'): Promise<TestApp> {
  const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  const app = await buildApp({
    db: tdb.db,
    temporal: client,
    taskQueue,
    probes: {
      temporal: temporalProbe(client),
      postgres: postgresProbe(tdb.db),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
    sinkEnabled: false,
  });
  const adminToken = (await createApiToken(tdb.db, { name: 'test-admin', role: 'admin' })).secret;
  return {
    app,
    client,
    adminToken,
    async close() {
      await app.close();
      await client.connection.close();
    },
  };
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
