// The whole stack the web pages run on, for page tests: a test database with the test agencies, a real worker on the shared
// Temporal dev server, the SMTP sink, the app, users of every role, and a confirmed plan whose current cycle is open.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { buildApp, type AppDeps } from '../../api/app.js';
import { postgresProbe, temporalProbe } from '../../api/health.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import { seedReferenceData } from '../../db/seed.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { createMailer } from '../../platform/mailer.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import { bearer } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestSink, waitFor } from './mail.js';
import { TEST_AGENCIES, testPlan } from './plans.js';

export const YEAR = new Date().getUTCFullYear();
export const PASSWORD = 'correct-horse-battery';

/** Users of every role; `fresh` still has its one-time password. */
export const WEB_USERS = {
  reporter: { username: 'bgm.reporter', displayName: 'БҒМ есепшісі', role: 'reporter', agencyCode: 'БҒМ' },
  other: { username: 'iim.reporter', displayName: 'ІІМ есепшісі', role: 'reporter', agencyCode: 'ІІМ' },
  coordinator: {
    username: 'akdm.coordinator',
    displayName: 'АҚДМ үйлестірушісі',
    role: 'coordinator',
    agencyCode: 'АҚДМ',
  },
  pm: { username: 'pm.office', displayName: 'Кеңсе', role: 'pm_office', agencyCode: 'ПМК' },
  admin: { username: 'web.admin', displayName: 'Әкімші', role: 'admin', agencyCode: null },
  fresh: { username: 'fresh.reporter', displayName: 'Жаңа', role: 'reporter', agencyCode: 'БҒМ' },
} as const;

export interface WebStack {
  readonly tdb: TestDatabase;
  readonly app: FastifyInstance;
  readonly client: Client;
  readonly planId: string;
  obligationId(agency: string, stage?: string): string;
  close(): Promise<void>;
}

export async function startWebStack(options: { evidence?: AppDeps['evidence'] } = {}): Promise<WebStack> {
  quietTemporalRuntime('ERROR');
  const taskQueue = `web-${randomUUID()}`;
  const tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  const sink: SmtpSink = await startTestSink(tdb.db);
  const mailer = createMailer(sink.url);
  const native = await NativeConnection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowsPath,
    activities: createActivities({ db: tdb.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
  });
  const workerRun = worker.run();
  const app = await buildApp({
    db: tdb.db,
    temporal: client,
    taskQueue,
    sinkEnabled: true,
    temporalUiUrl: 'http://127.0.0.1:8233',
    ...(options.evidence === undefined ? {} : { evidence: options.evidence }),
    probes: {
      temporal: temporalProbe(client),
      postgres: postgresProbe(tdb.db),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
  });
  for (const [key, u] of Object.entries(WEB_USERS)) {
    await createUser(tdb.db, { ...u, password: PASSWORD, mustChangePassword: key === 'fresh' });
  }
  const admin = (await createApiToken(tdb.db, { name: 'admin', role: 'admin' })).secret;
  const planId = await createDraft(tdb.db, {
    plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  const confirmed = await app.inject({
    method: 'POST',
    url: `/api/v1/plans/${planId}/confirm`,
    headers: bearer(admin),
  });
  if (confirmed.statusCode !== 200) throw new Error(`confirm: ${confirmed.statusCode} ${confirmed.body}`);
  await waitFor(
    async () => {
      const rows = await tdb.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute();
      return rows.length >= 4 ? true : undefined;
    },
    60_000,
    'the obligations of the opened cycle',
  );
  return {
    tdb,
    app,
    client,
    planId,
    obligationId: (agency, stage = 'executors') => `obligation:${planId}:${YEAR}:${agency}:${stage}`,
    async close() {
      await app.close();
      await client.schedule
        .getHandle(planScheduleId(planId))
        .delete()
        .catch(() => undefined);
      worker.shutdown();
      await workerRun;
      await native.close();
      await client.connection.close();
      mailer.close();
      await sink.close();
      await tdb.drop();
    },
  };
}
