// The API process of the evidence benchmark (evidence.bench.ts): the real app over DATABASE_URL with the evidence store the
// environment names, on PORT; it prints "ready" when it listens. Temporal is never called by uploads: a lazy client.
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app.js';
import { openEvidenceStore } from '../../api/evidence/store.js';
import { createDb } from '../../db/connect.js';
import { loadConfig } from '../../platform/config.js';

const config = loadConfig(process.env, 'cli');
const db = createDb(process.env.DATABASE_URL!, { max: 4, applicationName: 'merzim-bench-api' });
const app = await buildApp({
  db,
  temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
  taskQueue: 'bench',
  sinkEnabled: false,
  probes: {
    temporal: async () => ({ ok: true, latencyMs: 0 }),
    postgres: async () => ({ ok: true, latencyMs: 0 }),
    smtp: async () => ({ ok: true, latencyMs: 0 }),
  },
  evidence: {
    store: openEvidenceStore(config.evidence, db),
    limits: { maxFileBytes: config.evidence.maxFileBytes, maxReportBytes: config.evidence.maxReportBytes },
  },
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void app.close().then(() => db.destroy().then(() => process.exit(0)));
});
