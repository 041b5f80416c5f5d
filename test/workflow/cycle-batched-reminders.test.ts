// Batched reminders (patch cycle-batched-reminders): the cycle sends its obligations' reminders due at one instant through
// one activity; exactly once per outbox key, in each recipient's language, none once the report is in, re-planned when a
// deadline moves. On the real time-skipping server, the test database and the SMTP sink.
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { messageIdOf } from '../../activities/email.js';
import type { ReminderBatchInput } from '../../activities/reminder-batch.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { createMailer } from '../../platform/mailer.js';
import { chunkBatch, ReminderBook } from '../../workflows/reminder-batch.js';
import { extendUpdate } from '../../workflows/shared.js';
import { BGM, IIM, MSM, UQK, eventsOf, localTime, mailsOf, type SentMail } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';

/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

async function remindersWhen(planId: string, count: number): Promise<SentMail[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reminders = (await mailsOf(bed.db, planId)).filter((m) => m.kind === 'reminder');
    if (reminders.length >= count) return reminders;
    if (Date.now() > deadline) throw new Error(`expected ${count} reminders, got ${reminders.length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Obligations of a plan's 2031 cycle in the read model (those at `submitted` already reported) and one batch input holding
 * each one's 7-working-day reminder, as the cycle hands it to sendReminderBatch.
 */
async function batchScenario(
  plan: string,
  codes: readonly string[],
  o: { submitted: readonly number[]; to: (i: number) => string; lang: (i: number) => 'kk' | 'ru' },
): Promise<{ ids: string[]; input: ReminderBatchInput }> {
  const ids = codes.map((c) => `obligation:${plan}:2031:${c}:executors`);
  const cycleId = `cycle:${plan}:2031`;
  const dueDate = '2031-12-20';
  const dueInstant = '2031-12-20T18:59:59.999Z';
  await bed.db
    .insertInto('obligations')
    .values(
      ids.map((id, i) => ({
        workflow_id: id,
        run_id: 'run',
        revision: 1,
        cycle_workflow_id: cycleId,
        plan_id: plan,
        period: '2031',
        stage_id: 'executors',
        agency_code: codes[i]!,
        status: o.submitted.includes(i) ? 'submitted' : 'pending',
        due_date: dueDate,
        due_at: dueInstant,
        opened_at: new Date(),
      })),
    )
    .execute();
  const input: ReminderBatchInput = {
    cycleId,
    planTitle: { kk: 'Жоспар', ru: 'План' },
    period: '2031',
    now: new Date().toISOString(),
    items: ids.map((id, i) => ({
      obligationId: id,
      runId: 'run',
      key: `reminder:${id}:${dueInstant}:7`,
      plannedFor: '2031-12-11T04:00:00.000Z',
      offset: 7,
      unit: 'working' as const,
      to: [o.to(i)],
      lang: o.lang(i),
      due: { dueDate, effectiveDueDate: dueDate, dueInstant },
      sequence: 0,
      receiver: { kk: 'Үйлестіруші', ru: 'Координатор' },
      party: { ...IIM, agencyCode: codes[i]! },
    })),
  };
  return { ids, input };
}

describe('batched reminders', () => {
  it('sends each reminder once, in its party’s language, none after the report, and re-plans on an extension', async () => {
    const s = await bed.newScenario();
    await s.startSpec(
      smallPlanSpec({ planId: s.planId, year: s.year, stages: 'executors', executors: [IIM, BGM, UQK, MSM] }),
      undefined,
      undefined,
      { batchedReminders: true },
    );
    const due = s.effectiveDue();
    // ІІМ reports after its 7-day reminder; БҒМ's deadline is extended then by 5 working days.
    await s.advanceTo(s.reminderAt(IIM, 7) + 3_600_000);
    await remindersWhen(s.planId, 8);
    await s.submit(IIM);
    await s.accept(IIM);
    const newDue = KZ_WORKING_CALENDAR.addWorkingDays(due, 5);
    await s.obligation(BGM).executeUpdate(extendUpdate, {
      args: [{ extendedBy: 'din@АҚДМ', reason: 'Хат № 7', newDueDate: newDue }],
    });
    await s.advanceTo(localTime(newDue, 10));
    // ІІМ 14, 7; БҒМ 14, 7 of the old date and 7, 3, 1, 0 of the new one; ҰҚК and МСМ all five.
    const expected = 2 + 6 + 5 + 5;
    await remindersWhen(s.planId, expected);
    await new Promise((r) => setTimeout(r, 1_000));
    const reminders = (await mailsOf(bed.db, s.planId)).filter((m) => m.kind === 'reminder');
    expect(reminders).toHaveLength(expected);
    expect(new Set(reminders.map((m) => m.key)).size).toBe(expected);
    const langOf: Record<string, string> = { ІІМ: 'ru', БҒМ: 'kk', ҰҚК: 'ru', МСМ: 'kk' };
    for (const m of reminders) expect([m.about, m.lang]).toEqual([m.about, langOf[m.about]]);
    expect(reminders.filter((m) => m.about === 'ІІМ').map((m) => m.key.split(':').at(-1))).toEqual(['14', '7']);
    const bgm = reminders.filter((m) => m.about === 'БҒМ').map((m) => m.key.split(':').at(-1));
    expect(bgm).toEqual(['14', '7', '7', '3', '1', '0']);
    // The new date's reminders carry its instant: none of the old date's 3, 1, 0 went out.
    const oldInstant = reminders
      .find((m) => m.about === 'БҒМ')!
      .key.split(':')
      .slice(5, -1)
      .join(':');
    expect(
      reminders.filter((m) => m.about === 'БҒМ' && m.key.includes(oldInstant)).map((m) => m.key.split(':').at(-1)),
    ).toEqual(['14', '7']);
    expect(reminders.find((m) => m.about === 'БҒМ' && m.key.endsWith(':0'))!.text).toContain('Бүгін — соңғы күн.');

    // Recorded in each obligation's stream, by the cycle's batch; the obligations sent none themselves.
    const events = await eventsOf(bed.db, s.planId);
    const sent = events.filter((e) => e.type === 'reminder.sent');
    expect(sent).toHaveLength(expected);
    expect(sent.every((e) => (e.payload.batch as { workflowId: string }).workflowId === s.handle.workflowId)).toBe(
      true,
    );
    const cycleHistory = await s.handle.fetchHistory();
    // БҒМ's new plan (after its extension) brought no reminder earlier than the others' next one: the loop kept its timer
    // (REMINDER_TIMER_PATCH; before, every plan handed over restarted it).
    expect(cycleHistory.events!.filter((e) => e.timerCanceledEventAttributes != null)).toHaveLength(0);
    const batches = cycleHistory.events!.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReminderBatch',
    );
    // One batch per instant: 14, 7 (all four at once), then 3, 1, 0 of the old date and 7, 3, 1, 0 of БҒМ's new one.
    expect(batches.length).toBeLessThanOrEqual(9);
    expect(batches.length).toBeGreaterThanOrEqual(7);
    const obligationHistory = await s.obligation(MSM).fetchHistory();
    expect(
      obligationHistory.events!.filter((e) =>
        JSON.stringify(e.markerRecordedEventAttributes?.details ?? {}).includes('sendObligationMail'),
      ),
    ).toHaveLength(0);
    await s.recordHistories('batched-reminders', RECORD);
  });

  it('decides at send time: a report that arrives while the batch waits withdraws its reminder; a retry resends nothing', async () => {
    const mailer = createMailer(bed.sinkUrl);
    const acts = createActivities({ db: bed.db, mailer, mailFrom: 'Merzim <merzim@test>' });
    const plan = `plan-${randomUUID().slice(0, 8)}`;
    const codes = ['A', 'B', 'C'];
    const { ids, input } = await batchScenario(plan, codes, {
      submitted: [1],
      to: (i) => `report@${codes[i]!.toLowerCase()}.test`,
      lang: (i) => (i === 0 ? 'kk' : 'ru'),
    });
    // C's report arrives as the batch starts: its read model write holds the row until it commits.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const submission = bed.db.transaction().execute(async (trx) => {
      await trx.updateTable('obligations').set({ status: 'submitted' }).where('workflow_id', '=', ids[2]!).execute();
      locked();
      await gate;
    });
    await isLocked;
    const batch = new MockActivityEnvironment().run(acts.sendReminderBatch, input);
    await new Promise((r) => setTimeout(r, 500));
    release();
    await submission;
    expect(await batch).toEqual({ sent: 1, alreadySent: 0, withdrawn: 2, undeliverable: 0, failed: 0 });
    // A retried batch (the worker died after sending): nothing is sent twice.
    expect(await new MockActivityEnvironment().run(acts.sendReminderBatch, input)).toEqual({
      sent: 0,
      alreadySent: 1,
      withdrawn: 2,
      undeliverable: 0,
      failed: 0,
    });
    mailer.close();
    const rows = await bed.db
      .selectFrom('notifications')
      .select(['dedupe_key', 'status', 'subject', 'message_id', 'attempts'])
      .where('dedupe_key', 'like', `reminder:obligation:${plan}:%`)
      .execute();
    expect(rows.map((r) => [r.dedupe_key.split(':')[4], r.status, r.attempts])).toEqual([['A', 'sent', 2]]);
    // In A's language (Kazakh) first, Russian after.
    expect(rows[0]!.subject.indexOf('еске салу')).toBeLessThan(rows[0]!.subject.indexOf('напоминание'));
    const received = await bed.db
      .selectFrom('sink_messages')
      .select('id')
      .where('message_id', '=', rows[0]!.message_id)
      .execute();
    expect(received).toHaveLength(1);
    const events = await bed.db
      .selectFrom('events')
      .select(['type', 'subject_id'])
      .where('subject_id', 'like', `obligation:${plan}:%`)
      .orderBy('subject_id')
      .execute();
    expect(events.map((e) => [e.type, e.subject_id!.split(':')[3]])).toEqual([
      ['reminder.sent', 'A'],
      ['reminder.withdrawn', 'B'],
      ['reminder.withdrawn', 'C'],
    ]);
  });

  it('sends a cycle’s groups without waiting for its events stream; one queued and one delivered event per e-mail, in one statement after the sends', async () => {
    const mailer = createMailer(bed.sinkUrl);
    const acts = createActivities({ db: bed.db, mailer, mailFrom: 'Merzim <merzim@test>' });
    const plan = `plan-${randomUUID().slice(0, 8)}`;
    const cycleId = `cycle:${plan}:2031`;
    // 60 obligations: three groups of the same batch (REMINDER_GROUP 25); the 30th's report is in before the batch.
    const n = 60;
    const code = (i: number) => `A${String(i).padStart(2, '0')}`;
    const { ids, input } = await batchScenario(
      plan,
      Array.from({ length: n }, (_, i) => code(i)),
      { submitted: [29], to: (i) => `report@${code(i).toLowerCase()}.test`, lang: (i) => (i % 2 === 0 ? 'kk' : 'ru') },
    );
    const keys = input.items.map((i) => i.key);
    // Counted by Message-ID: the outbox rows are not committed until each group's sends are done.
    const messageIds = keys.map(messageIdOf);
    const inSink = async () =>
      Number(
        (
          await bed.db
            .selectFrom('sink_messages')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('message_id', 'in', messageIds)
            .executeTakeFirstOrThrow()
        ).n,
      );
    // Another writer holds the cycle's events stream (the chain's per-stream lock) while the batch runs: every e-mail still
    // reaches the sink before it lets go — no group waits for the stream before its sends.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = bed.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`merzim.events:${cycleId}`}, 0))`.execute(trx);
      locked();
      await gate;
    });
    await isLocked;
    const batch = new MockActivityEnvironment({
      workflowExecution: { workflowId: cycleId, runId: 'cycle-run' },
    }).run(acts.sendReminderBatch, input);
    try {
      const deadline = Date.now() + 20_000;
      while ((await inSink()) < n - 1) {
        if (Date.now() > deadline)
          throw new Error(`only ${await inSink()} of ${n - 1} e-mails sent while the stream was held`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      release();
      await holder;
    }
    expect(await batch).toEqual({ sent: n - 1, alreadySent: 0, withdrawn: 1, undeliverable: 0, failed: 0 });
    mailer.close();

    // The cycle's stream: per e-mail sent, its queued event before its delivered one, numbered without a gap.
    const outbox = await bed.db
      .selectFrom('events')
      .select(['type', 'subject_id', 'stream_seq'])
      .where('stream', '=', cycleId)
      .orderBy('stream_seq')
      .execute();
    expect(outbox).toHaveLength(2 * (n - 1));
    expect(outbox.map((e) => Number(e.stream_seq))).toEqual(outbox.map((_, i) => i + 1));
    const sentKeys = keys.filter((_, i) => i !== 29);
    for (const key of sentKeys) {
      const of = outbox.filter((e) => e.subject_id === key);
      expect(of.map((e) => e.type)).toEqual(['notification.queued', 'notification.delivered']);
    }
    expect(outbox.some((e) => e.subject_id === keys[29])).toBe(false);
    // Each obligation's own stream: its reminder sent, or (the 30th) withdrawn.
    const own = await bed.db
      .selectFrom('events')
      .select(['type', 'subject_id'])
      .where('subject_id', 'like', `obligation:${plan}:%`)
      .execute();
    expect(own).toHaveLength(n);
    expect(own.filter((e) => e.type === 'reminder.sent')).toHaveLength(n - 1);
    expect(own.find((e) => e.subject_id === ids[29])?.type).toBe('reminder.withdrawn');
  });

  it('keeps the newest plan of an obligation and chunks a batch by count and size', () => {
    const book = new ReminderBook();
    const item = (key: string, at: string) => ({
      key,
      at,
      offset: 1,
      unit: 'working' as const,
      to: ['x@y'],
      lang: 'kk' as const,
    });
    const due = { dueDate: '2031-12-20', effectiveDueDate: '2031-12-20', dueInstant: '2031-12-20T18:59:59.999Z' };
    const base = { obligationId: 'o1', runId: 'r', due, receiver: { kk: 'a', ru: 'b' } };
    book.take({
      ...base,
      sequence: 0,
      items: [item('k1', '2031-12-01T04:00:00Z'), item('k2', '2031-12-10T04:00:00Z')],
    });
    book.take({ ...base, sequence: 0, items: [] });
    expect(book.nextAt(() => true)).toBeUndefined();
    book.take({ ...base, sequence: 1, items: [item('k3', '2031-12-05T04:00:00Z')] });
    book.take({ ...base, sequence: 0, items: [item('k1', '2031-12-01T04:00:00Z')] });
    expect(book.nextAt(() => true)).toBe(Date.parse('2031-12-05T04:00:00Z'));
    expect(book.nextAt(() => false)).toBeUndefined();
    expect(book.due(Date.parse('2031-12-06T00:00:00Z'), () => true).map((d) => d.item.key)).toEqual(['k3']);
    book.markDone(['k3']);
    expect(book.nextAt(() => true)).toBeUndefined();

    const batchItem = (n: number, measures = 0) => ({
      obligationId: `o${n}`,
      runId: 'r',
      key: `k${n}`,
      plannedFor: '2031-12-01T04:00:00Z',
      offset: 1,
      unit: 'working' as const,
      to: ['x@y'],
      lang: 'kk' as const,
      due,
      sequence: 0,
      receiver: { kk: 'a', ru: 'b' },
      party: {
        ...IIM,
        measures: Array.from({ length: measures }, (_, i) => ({
          ...IIM.measures[0]!,
          number: `${i}.`,
          title: { kk: 'ә'.repeat(200), ru: 'я'.repeat(200) },
        })),
      },
    });
    const head = { cycleId: 'c', planTitle: { kk: 'a', ru: 'b' }, period: '2031', now: '2031-12-01T04:00:00Z' };
    const small = chunkBatch(
      head,
      Array.from({ length: 1200 }, (_, i) => batchItem(i)),
    );
    expect(small.every((c) => c.items.length <= 500)).toBe(true);
    expect(small.flatMap((c) => c.items)).toHaveLength(1200);
    const large = chunkBatch(
      head,
      Array.from({ length: 300 }, (_, i) => batchItem(i, 20)),
    );
    expect(large.length).toBeGreaterThan(1);
    for (const c of large) expect(Buffer.byteLength(JSON.stringify(c), 'utf8')).toBeLessThan(200 * 1024);
  });
});
