// Report text never reaches a log (issue 10, point 10): the API (Fastify's request logs) and the worker (the Temporal SDK's
// lines routed into Merzim's logger, activities, workflows) log at trace while a report carrying a marker is submitted,
// refused and accepted; neither log holds the marker, while both did log the work (ids, not payloads).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { postgresProbe, temporalProbe } from '../../api/health.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { seedReferenceData } from '../../db/seed.js';
import { createLogger } from '../../platform/logger.js';
import { createMailer } from '../../platform/mailer.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { createMerzimWorker, routeTemporalRuntimeLogs } from '../../worker/worker.js';
import { bearer } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestSink, waitFor } from '../helpers/mail.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

const MARKER = `SECRET-REPORT-${randomUUID()}`;
const YEAR = new Date().getUTCFullYear();
const taskQueue = `log-privacy-${randomUUID()}`;

/** Everything both processes log, as text. */
const captured: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    captured.push(chunk.toString('utf8'));
    done();
  },
});
const logger = createLogger({ level: 'trace', name: 'merzim-test', destination: sink });

let tdb: TestDatabase;
let smtp: SmtpSink;
let native: NativeConnection;
let client: Client;
let worker: Worker;
let run: Promise<void>;
let app: FastifyInstance;

beforeAll(async () => {
  // Before any connection: the SDK's runtime logs go into the captured logger, at trace.
  routeTemporalRuntimeLogs(logger.child({ name: 'merzim-worker' }));
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  smtp = await startTestSink(tdb.db);
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  worker = await createMerzimWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    deps: { db: tdb.db, mailer: createMailer(smtp.url), mailFrom: 'Merzim <merzim@test>' },
  });
  run = worker.run();
  app = await buildApp(
    {
      db: tdb.db,
      temporal: client,
      taskQueue,
      probes: {
        temporal: temporalProbe(client),
        postgres: postgresProbe(tdb.db),
        smtp: async () => ({ ok: true, latencyMs: 0 }),
      },
      sinkEnabled: false,
    },
    { loggerInstance: logger.child({ name: 'merzim-api' }) },
  );
}, 120_000);

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await run?.catch(() => undefined);
  await native?.close();
  await client?.connection.close();
  await smtp?.close();
  await tdb?.drop();
});

describe('logs', () => {
  it('never hold report text, whatever the outcome of the submission', { timeout: 180_000 }, async () => {
    const admin = (await createApiToken(tdb.db, { name: 'admin', role: 'admin' })).secret;
    const bgm = (await createApiToken(tdb.db, { name: 'bgm', role: 'reporter', agencyCode: 'БҒМ' })).secret;
    const planId = await createDraft(tdb.db, {
      plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'test',
    });
    expect(
      (await app.inject({ method: 'POST', url: `/api/v1/plans/${planId}/confirm`, headers: bearer(admin) })).statusCode,
    ).toBe(200);
    try {
      const opened = await app.inject({
        method: 'POST',
        url: `/api/v1/plans/${planId}/cycles`,
        headers: bearer(admin),
        // Part of the period's deadlines may have passed: the cycle then opens only with a mode.
        payload: { period: String(YEAR), mode: 'catch-up' },
      });
      // Confirming triggered the plan's schedule, whose opener races this request to open the period: whichever comes
      // first opens it (201), the other finds it open (200); it is opened once either way.
      expect([200, 201], opened.body).toContain(opened.statusCode);
      const id = encodeURIComponent(`obligation:${planId}:${YEAR}:БҒМ:executors`);
      await waitFor(
        async () =>
          (await app.inject({ method: 'GET', url: `/api/v1/obligations/${id}`, headers: bearer(bgm) })).statusCode ===
            200 || undefined,
        60_000,
        "БҒМ's obligation",
      );
      const submit = (text: string) =>
        app.inject({
          method: 'POST',
          url: `/api/v1/obligations/${id}/submit`,
          headers: bearer(bgm),
          payload: { items: [{ measure: '1', status: 'done', text }] },
        });
      // Refused by the schema (a NUL), by the Update's validator (a measure not owed), then accepted.
      expect((await submit(`${MARKER}\u0000`)).statusCode).toBe(400);
      const notOwed = await app.inject({
        method: 'POST',
        url: `/api/v1/obligations/${id}/submit`,
        headers: bearer(bgm),
        payload: { items: [{ measure: '999', status: 'done', text: MARKER }] },
      });
      expect(notOwed.statusCode).toBe(422);
      const accepted = await submit(`${MARKER} — курс енгізілді`);
      expect(accepted.statusCode, accepted.body).toBe(200);
      // The text is stored (in the report's version; the read model and the history carry only its id and hash).
      const stored = await tdb.db
        .selectFrom('report_versions')
        .select('content')
        .where('obligation_id', '=', decodeURIComponent(id))
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(stored.content)).toContain(MARKER);
    } finally {
      await client.schedule
        .getHandle(`schedule:${planId}`)
        .delete()
        .catch(() => undefined);
    }
    const all = captured.join('');
    expect(all).toContain('merzim-api');
    expect(all).toContain('/submit');
    expect(all).toMatch(/"source":"temporal"/);
    expect(all).not.toContain(MARKER);
    expect(all).not.toContain('курс енгізілді');
  });
});
