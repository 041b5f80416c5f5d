// The real stack an API integration test runs against: a fresh PostgreSQL database with the test agencies and the calendar,
// the SMTP sink storing into it, a worker on its own task queue of the suite's Temporal dev server, and the app over them.
// One place for what every such test file used to build by hand (call from beforeAll; close() from afterAll).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { buildApp, type AppDeps } from '../../api/app.js';
import { postgresProbe, temporalProbe } from '../../api/health.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { seedReferenceData } from '../../db/seed.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import { createMailer } from '../../platform/mailer.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import { bearer } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestSink } from './mail.js';
import { TEST_AGENCIES } from './plans.js';

export interface ApiTestStack {
  readonly tdb: TestDatabase;
  readonly sink: SmtpSink;
  readonly client: Client;
  readonly app: FastifyInstance;
  readonly taskQueue: string;
  /** The worker's mailer (to the sink), for a test that builds activities of its own. */
  readonly mailer: ReturnType<typeof createMailer>;
  /** An API token's secret for a role (and agency). */
  token(name: string, role: 'admin' | 'coordinator' | 'pm_office' | 'reporter', agencyCode?: string): Promise<string>;
  /** Plans whose Temporal schedules close() deletes. */
  readonly plans: string[];
  close(): Promise<void>;
}

export async function startApiTestStack(
  name: string,
  options: Partial<Pick<AppDeps, 'evidence' | 'publicUrl' | 'limits'>> & {
    /** Seed test/helpers/plans.ts's agencies (default); false for a test that loads its own (the demo's seeds). */
    readonly testAgencies?: boolean;
  } = {},
): Promise<ApiTestStack> {
  const { testAgencies = true, ...appOptions } = options;
  quietTemporalRuntime('ERROR');
  const taskQueue = `${name}-${randomUUID()}`;
  const tdb = await createTestDatabase();
  if (testAgencies) await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  const sink = await startTestSink(tdb.db);
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
    probes: {
      temporal: temporalProbe(client),
      postgres: postgresProbe(tdb.db),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
    sinkEnabled: true,
    ...appOptions,
  });
  const plans: string[] = [];
  return {
    tdb,
    sink,
    client,
    app,
    taskQueue,
    mailer,
    plans,
    async token(tokenName, role, agencyCode) {
      return (
        await createApiToken(tdb.db, { name: tokenName, role, ...(agencyCode === undefined ? {} : { agencyCode }) })
      ).secret;
    },
    async close() {
      await app.close();
      for (const planId of plans)
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

/** An API call with a bearer token, as app.inject. */
export function caller(app: FastifyInstance) {
  return (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });
}
