// The living demo on the real servers: from an empty database, within a minute, reminders and an escalation in the SMTP sink,
// one agency overdue, one report submitted and one returned — all through the real workflows and Updates.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createCycleEngine } from '../../api/cycle-engine.js';
import { listObligations } from '../../db/repositories/cycles.js';
import { listEvents } from '../../db/repositories/events.js';
import { getPlan } from '../../db/repositories/plans.js';
import { seedReferenceData } from '../../db/seed.js';
import { createLivingDemo, demoMailbox, loadDemoData, type DemoReport, type LivingDemo } from '../../worker/demo.js';
import { driveLivingDemo, startLivingDemo } from '../../worker/embedded/living-demo.js';
import { createMailer } from '../../platform/mailer.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestSink, waitFor } from '../helpers/mail.js';

const taskQueue = `living-demo-${randomUUID()}`;
const seedsDir = resolve(import.meta.dirname, '../../../shared/seeds');
let tdb: TestDatabase;
let sink: SmtpSink;
let mailer: ReturnType<typeof createMailer>;
let native: NativeConnection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;
let dataDir: string;
let demo: DemoReport;
let living: LivingDemo;
const started = Date.now();

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  tdb = await createTestDatabase();
  await seedReferenceData(tdb.db);
  sink = await startTestSink(tdb.db);
  mailer = createMailer(sink.url);
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowsPath,
    activities: createActivities({ db: tdb.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
  });
  workerRun = worker.run();
  dataDir = mkdtempSync(join(tmpdir(), 'merzim-demo-'));
  demo = await loadDemoData(tdb.db, { seedsDir, dataDir, log: () => undefined });
  // 15 s ahead (npm start: 20 s): time to open the cycle before the notices fall due (notices planned late are skipped).
  living = (await createLivingDemo(tdb.db, demo.living!, { leadMs: 15_000 }))!;
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await native?.close();
  await client?.connection.close();
  mailer?.close();
  await sink?.close();
  await tdb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const mailbox = (code: string): string => `${demoMailbox(code)}@demo.merzim.kz`;
const fateOf = (code: string) => living.obligations.find((o) => o.agencyCode === code)!;

describe('the living demo', () => {
  it('loads a plan labelled DEMO in both languages, for the current year, with the demo users named', async () => {
    expect(demo.living?.base.measures.length).toBe(59);
    const stored = await getPlan(tdb.db, living.planId);
    expect(stored?.status).toBe('confirmed');
    expect(stored!.plan.title.kk).toMatch(/^ДЕМО \(DEMO/);
    expect(stored!.plan.title.ru).toMatch(/^ДЕМО \(DEMO/);
    expect(living.period).toBe(String(new Date(living.noticeAt).getUTCFullYear()));
    expect(demo.users).toEqual(
      expect.arrayContaining(['akdm.coordinator', 'bgm.reporter', 'almaty.reporter', 'pm.office']),
    );
    const file = readFileSync(join(dataDir, 'demo-users.txt'), 'utf8');
    expect(file).toContain('akdm.coordinator\t');
  });

  it('within a minute: an overdue and escalated agency, reminders in the sink, a report submitted and one returned', async () => {
    const engine = createCycleEngine({ client, db: tdb.db, taskQueue });
    const result = await driveLivingDemo({ db: tdb.db, client, engine, log: () => undefined }, living);
    expect(result.cycleId).toBe(cycleWorkflowId(living.planId, living.period));
    expect(result.submitted).toHaveLength(2);
    expect(result.returned).toHaveLength(1);

    const status = async (code: string) =>
      (await listObligations(tdb.db, { planId: living.planId, agencyCode: code }))[0]?.status;
    // Yesterday's deadline passes as soon as the obligation plans it: no waiting for the notice time.
    await waitFor(
      async () => ((await status(fateOf('ІІМ').agencyCode)) === 'overdue' ? true : undefined),
      30_000,
      'ІІМ overdue',
    );
    expect(await status('МСМ')).toBe('submitted');
    expect(await status('БҒМ')).toBe('returned');
    expect(await status('Алматы')).toBe('pending');
    // The demo's reports are real versions, submitted through the report service (the API's), by the demo user where one is.
    const versions = await tdb.db
      .selectFrom('report_versions')
      .select(['obligation_id', 'version', 'submitted_by'])
      .where('obligation_id', 'in', result.submitted)
      .orderBy('obligation_id')
      .execute();
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => v.version === 1)).toBe(true);
    expect(versions.map((v) => v.submitted_by)).toContain('user:bgm.reporter');
    // A summary in progress: the overdue agency marked missing with a reason, a preface written.
    const marks = await tdb.db.selectFrom('summary_marks').select(['agency_code', 'marked_by']).execute();
    expect(marks).toEqual([{ agency_code: fateOf('ІІМ').agencyCode, marked_by: 'user:akdm.coordinator' }]);
    expect(await tdb.db.selectFrom('summary_texts').select('preface_ru').execute()).toHaveLength(1);

    const eventsOf = async (type: string) =>
      (await listEvents(tdb.db, { type, limit: 1000 })).filter((e) => e.subject_id?.includes(living.planId));
    const escalations = await waitFor(
      async () => {
        const e = await eventsOf('escalation.sent');
        return e.filter((x) => x.subject_id!.includes(':ІІМ:')).length >= 2 ? e : undefined;
      },
      60_000,
      'the escalation',
    );
    // Step 1 of the demo ladder: the agency itself and the coordinator are told.
    expect(
      escalations
        .filter((e) => e.subject_id!.includes(':ІІМ:'))
        .map((e) => (e.payload as { notice: { audience: string } }).notice.audience)
        .sort(),
    ).toEqual(['coordinator', 'party']);
    const reminders = await waitFor(
      async () => {
        const r = await eventsOf('reminder.sent');
        return r.some((x) => x.subject_id!.includes(':Алматы:')) && r.some((x) => x.subject_id!.includes(':ДСМ:'))
          ? r
          : undefined;
      },
      30_000,
      'the reminders',
    );
    // Nobody reminds an agency that has reported, nor an overdue one.
    expect(reminders.some((r) => r.subject_id!.includes(':МСМ:'))).toBe(false);
    expect(reminders.some((r) => r.subject_id!.includes(':ІІМ:'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(60_000 + 30_000); // set-up included

    const sinkTo = async (address: string) =>
      tdb.db
        .selectFrom('sink_messages')
        .select(['subject', 'rcpt_to'])
        .where((eb) => eb(eb.val(address), '=', eb.fn.any('rcpt_to')))
        .execute();
    expect((await sinkTo(mailbox('Алматы'))).length).toBeGreaterThan(0);
    expect((await sinkTo(mailbox('ІІМ'))).length).toBeGreaterThan(0);
    expect((await sinkTo(mailbox('АҚДМ'))).length).toBeGreaterThan(0);
    // The returned report's notice reached БҒМ with the reviewer's comment.
    const returnedNotice = await waitFor(
      async () =>
        (await eventsOf('notice.sent')).find(
          (e) =>
            e.subject_id!.includes(':БҒМ:') && (e.payload as { notice: { kind: string } }).notice.kind === 'returned',
        ),
      30_000,
      'the return notice',
    );
    expect((returnedNotice.payload as { notice: { kind: string; comment: string } }).notice).toMatchObject({
      kind: 'returned',
      comment: expect.stringContaining('Демо'),
    });
  });

  it('is driven once: a second start sends nothing again', async () => {
    const engine = createCycleEngine({ client, db: tdb.db, taskQueue });
    const again = await driveLivingDemo({ db: tdb.db, client, engine, log: () => undefined }, living);
    expect(again.alreadyDriven).toBe(true);
    expect(await startLivingDemo({ db: tdb.db, client, engine, log: () => undefined }, demo.living!)).toBeUndefined();
    const again2 = await loadDemoData(tdb.db, { seedsDir, dataDir, log: () => undefined });
    expect(again2.living).toBeUndefined();
  });
});
