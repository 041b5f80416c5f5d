// scheduledNotificationWorkflow on the time-skipping server: sleeps through 30 days in seconds, sends once, records once.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createMailer } from '../../platform/mailer.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { scheduledNotificationWorkflow } from '../../workflows/index.js';
import type { ScheduledNotificationInput } from '../../workflows/shared.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { receivedMail, startTestSink } from '../helpers/mail.js';
import { PROJECTION_EVENT_TYPES } from '../../domain/projections.js';

const DAY = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let tdb: TestDatabase;
let sink: SmtpSink;

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
  bundle = await bundleWorkflowCode({
    workflowsPath,
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
  });
  tdb = await createTestDatabase();
  sink = await startTestSink(tdb.db);
});

afterAll(async () => {
  await sink?.close();
  await tdb?.drop();
  await env?.teardown();
});

function input(key: string, sendAt: Date): ScheduledNotificationInput {
  return {
    key,
    sendAt: sendAt.toISOString(),
    to: ['mio@example.kz'],
    lang: 'kk',
    actor: 'test',
    subject: { kk: 'Еске салу', ru: 'Напоминание' },
    body: { kk: 'Есеп беру мерзімі жақындады.', ru: 'Срок представления отчёта приближается.' },
  };
}

/** A worker with the real activities on a task queue of its own; the caller closes the mailer. */
async function newWorker(): Promise<{ worker: Worker; taskQueue: string; mailer: ReturnType<typeof createMailer> }> {
  const mailer = createMailer(sink.url);
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createActivities({ db: tdb.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
  });
  return { worker, taskQueue, mailer };
}

describe('scheduledNotificationWorkflow', () => {
  it('sleeps 30 days on the time-skipping server, then sends one bilingual e-mail and records the event', async () => {
    const { worker, taskQueue, mailer } = await newWorker();
    const key = `reminder:${randomUUID()}`;
    const workflowStart = await env.currentTimeMs();
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(scheduledNotificationWorkflow, {
        workflowId: key,
        taskQueue,
        args: [input(key, new Date(workflowStart + 30 * DAY))],
      }),
    );
    const skipped = (await env.currentTimeMs()) - workflowStart;
    mailer.close();

    expect(skipped).toBeGreaterThanOrEqual(30 * DAY);
    expect(Date.now() - wallStart).toBeLessThan(15_000);
    expect(result.alreadySent).toBe(false);

    const mail = await receivedMail(tdb.db);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Еске салу / Напоминание');
    expect(mail[0]!.messageId).toBe(result.messageId);
    // Kazakh first (the recipient's language), Russian below.
    expect(mail[0]!.text!.indexOf('Есеп беру')).toBeLessThan(mail[0]!.text!.indexOf('Срок представления'));

    const events = await tdb.db
      .selectFrom('events')
      .selectAll()
      .where('workflow_id', '=', key)
      .where('type', 'not in', [...PROJECTION_EVENT_TYPES])
      .execute();
    expect(events.map((e) => e.type)).toEqual(['notification.sent']);
    expect(events[0]!.run_id).toBeTruthy();
  });

  it('sends nothing the second time for the same key, even from a new workflow run', async () => {
    const { worker, taskQueue, mailer } = await newWorker();
    const key = `reminder:${randomUUID()}`;
    const before = (await receivedMail(tdb.db)).length;
    const now = new Date(await env.currentTimeMs());
    const [first, second] = await worker.runUntil(async () => {
      const a = await env.client.workflow.execute(scheduledNotificationWorkflow, {
        workflowId: `${key}:a`,
        taskQueue,
        args: [input(key, now)],
      });
      const b = await env.client.workflow.execute(scheduledNotificationWorkflow, {
        workflowId: `${key}:b`,
        taskQueue,
        args: [input(key, now)],
      });
      return [a, b] as const;
    });
    mailer.close();
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
    expect((await receivedMail(tdb.db)).length).toBe(before + 1);
    const events = await tdb.db
      .selectFrom('events')
      .select('type')
      .where('subject_id', '=', key)
      .where('type', 'not in', [...PROJECTION_EVENT_TYPES])
      .execute();
    expect(events).toHaveLength(1);
  });
});
