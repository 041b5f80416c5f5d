// The walking skeleton through every layer, for real: API → Temporal dev server → worker → PostgreSQL events row → SMTP → outbox.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { postgresProbe, smtpProbe, temporalProbe } from '../../api/health.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../platform/mailer.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { receivedMail, startTestSink, waitFor } from '../helpers/mail.js';
import { PROJECTION_EVENT_TYPES } from '../../domain/projections.js';

let tdb: TestDatabase;
let sink: SmtpSink;
let mailer: ReturnType<typeof createMailer>;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;
let app: FastifyInstance;
let adminToken: string;
let reporterToken: string;
const taskQueue = `skeleton-${randomUUID()}`;

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  tdb = await createTestDatabase();
  sink = await startTestSink(tdb.db);
  mailer = createMailer(sink.url);
  const address = inject('temporalAddress');
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection: await Connection.connect({ address }) });
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createActivities({ db: tdb.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
  });
  workerRun = worker.run();
  app = await buildApp({
    db: tdb.db,
    temporal: client,
    taskQueue,
    probes: { temporal: temporalProbe(client), postgres: postgresProbe(tdb.db), smtp: smtpProbe(mailer, 0) },
    sinkEnabled: true,
  });
  adminToken = (await createApiToken(tdb.db, { name: 'ops', role: 'admin' })).secret;
  reporterToken = (await createApiToken(tdb.db, { name: 'mio-reporter', role: 'reporter', agencyCode: 'МИО' })).secret;
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerRun;
  await nativeConnection?.close();
  await client?.connection.close();
  mailer?.close();
  await sink?.close();
  await tdb?.drop();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('walking skeleton', () => {
  it('GET /health reports temporal, postgres and smtp separately', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'smtp', 'temporal']);
    for (const check of Object.values(body.checks) as { ok: boolean }[]) expect(check.ok).toBe(true);
  });

  it('an API call starts a workflow whose activity writes an events row and sends a mail that shows up in the outbox', async () => {
    const idempotencyKey = randomUUID();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/notifications/test',
      headers: { ...auth(adminToken), 'idempotency-key': idempotencyKey },
      payload: { to: ['Akimat.Almaty@example.kz'], lang: 'ru' },
    });
    expect(res.statusCode).toBe(202);
    const { workflowId, runId } = res.json();
    expect(workflowId).toBe(`test-notification:${idempotencyKey}`);

    const result = await client.workflow.getHandle(workflowId).result();
    expect(result.alreadySent).toBe(false);

    const events = await tdb.db
      .selectFrom('events')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .where('type', 'not in', [...PROJECTION_EVENT_TYPES])
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'notification.sent',
      run_id: runId,
      actor: 'token:ops',
      subject_type: 'notification',
    });
    expect(events[0]!.payload).toMatchObject({
      to: ['Akimat.Almaty@example.kz'],
      messageId: result.messageId,
      lang: 'ru',
    });

    const mail = await waitFor(
      async () => (await receivedMail(tdb.db)).find((m) => m.messageId === result.messageId),
      10_000,
      'the e-mail',
    );
    expect(mail.subject).toBe('Merzim: проверочное письмо / Merzim: тексеру хаты');
    expect(mail.from?.text).toContain('merzim@test');
    expect(JSON.stringify(mail.to)).toContain('Akimat.Almaty@example.kz');
    expect(mail.text).toMatch(/Это письмо отправлено[\s\S]*Бұл хат Merzim/);

    const outbox = await app.inject({ method: 'GET', url: '/api/v1/outbox', headers: auth(adminToken) });
    expect(outbox.statusCode).toBe(200);
    expect(outbox.json().items[0]).toMatchObject({
      key: workflowId,
      status: 'sent',
      messageId: result.messageId,
      attempts: 1,
    });

    const sinkList = await app.inject({
      method: 'GET',
      url: '/api/v1/sink/messages?to=akimat.almaty@example.kz',
      headers: auth(adminToken),
    });
    expect(sinkList.json().items.map((m: { messageId: string }) => m.messageId)).toEqual([result.messageId]);
  });

  it('a retried request with the same Idempotency-Key starts no second workflow and sends no second mail', async () => {
    const key = randomUUID();
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/api/v1/notifications/test',
        headers: { ...auth(adminToken), 'idempotency-key': key },
        payload: { to: ['once@example.kz'] },
      });
    expect((await send()).statusCode).toBe(202);
    await client.workflow.getHandle(`test-notification:${key}`).result();
    const again = await send();
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('already_started');
    const toOnce = (await receivedMail(tdb.db)).filter((m) => JSON.stringify(m.to).includes('once@example.kz'));
    expect(toOnce).toHaveLength(1);
  });

  it('rejects bad input naming the field, and nothing is started', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/notifications/test',
      headers: auth(adminToken),
      payload: { to: ['not-an-address'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('body/to/0');
  });

  it('every /api route needs a token, and the outbox is for admins only', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/outbox' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/outbox', headers: auth('mz_forged') })).statusCode).toBe(
      401,
    );
    expect((await app.inject({ method: 'GET', url: '/api/v1/outbox', headers: auth(reporterToken) })).statusCode).toBe(
      403,
    );
    const post = await app.inject({
      method: 'POST',
      url: '/api/v1/notifications/test',
      headers: auth(reporterToken),
      payload: { to: ['x@example.kz'] },
    });
    expect(post.statusCode).toBe(403);
  });

  it('the events log refuses UPDATE and DELETE', async () => {
    await expect(tdb.db.deleteFrom('events').execute()).rejects.toThrow(/append-only/);
    await expect(tdb.db.updateTable('events').set({ actor: 'x' }).execute()).rejects.toThrow(/append-only/);
  });
});
