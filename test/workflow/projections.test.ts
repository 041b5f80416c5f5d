// The read models rebuilt from the events log (`merzim projections rebuild`): after a whole cycle on the time-skipping server
// with real PostgreSQL and the SMTP sink — reminders, a submission, a return, a resubmission, acceptances, an escalation and an
// extension — the rebuilt rows are the live ones; a row corrupted, removed or added by hand is named by --check and repaired
// by a rebuild; a second rebuild writes nothing.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rebuildProjections, type ProjectionDifference } from '../../db/repositories/projections.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { extendUpdate, returnReportUpdate } from '../../workflows/shared.js';
import { AQDM, BGM, IIM, PMO, UQK, localTime } from '../fixtures/cycle-fixtures.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';

const HOUR = 3_600_000;
const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const bed = useCycleTestBed();

async function check(planId?: string): Promise<ProjectionDifference[]> {
  const found: ProjectionDifference[] = [];
  const report = await rebuildProjections(bed.db, { check: true, planId, onDifference: (d) => found.push(d) });
  expect(report.differences).toBe(found.length);
  return found;
}

describe('projections rebuild', () => {
  it('rebuilds a whole cycle as it is live, names hand-made damage, repairs it, and is idempotent', async () => {
    const s = await bed.newScenario();
    await s.start('cascade');
    const due = s.effectiveDue();
    // Reminders 14 and 7 to every executor; ІІМ submits, is returned with a later date; БҒМ is accepted.
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.submit(IIM);
    const iimDue = KZ_WORKING_CALENDAR.addWorkingDays(due, 7);
    await s.obligation(IIM).executeUpdate(returnReportUpdate, {
      args: [{ returnedBy: 'din@АҚДМ', comment: 'көрсеткіштер жоқ / нет показателей', newDueDate: iimDue }],
    });
    await s.submit(BGM);
    await s.accept(BGM);
    // ҰҚК never reports by the deadline: overdue, escalated; then extended, and reports in time for the new date.
    await s.advanceTo(localTime(KZ_WORKING_CALENDAR.addWorkingDays(due, 1), 11));
    const uqkDue = KZ_WORKING_CALENDAR.addWorkingDays(due, 5);
    await s.obligation(UQK).executeUpdate(extendUpdate, {
      args: [{ extendedBy: 'din@АҚДМ', reason: 'Хат № 12-3/45', newDueDate: uqkDue }],
    });
    expect(await s.submit(IIM)).toMatchObject({ version: 2 });
    await s.accept(IIM);
    await s.submit(UQK);
    await s.accept(UQK);
    await s.advanceTo(s.reminderAt(AQDM, 7, 'summary') + HOUR);
    await s.submit(AQDM, 'summary');
    await s.accept(AQDM, 'summary', 'control@ПМК');
    await s.advanceTo(s.reminderAt(PMO, 7, 'pm-office') + HOUR);
    await s.submit(PMO, 'pm-office');
    await s.accept(PMO, 'pm-office', 'control@ПӘ');
    expect((await s.result()).status).toBe('completed');

    const types = await sql<{ type: string; n: string }>`SELECT type, count(*)::text AS n FROM events
      WHERE workflow_id LIKE ${`%:${s.planId}:%`} GROUP BY type`.execute(bed.db);
    const count = Object.fromEntries(types.rows.map((r) => [r.type, Number(r.n)]));
    for (const t of [
      'reminder.sent',
      'report.submitted',
      'report.returned',
      'report.accepted',
      'obligation.overdue',
      'escalation.sent',
      'deadline.extended',
      'cycle.saved',
      'obligation.saved',
      'notification.queued',
      'notification.delivered',
    ])
      expect(count[t], t).toBeGreaterThan(0);

    // Nothing differs, and the fold made every live row of the plan.
    expect(await check()).toEqual([]);
    const live = await sql<{ n: string }>`SELECT (SELECT count(*) FROM obligations WHERE plan_id = ${s.planId})
      + (SELECT count(*) FROM cycles WHERE plan_id = ${s.planId}) AS n`.execute(bed.db);
    const planCheck = await rebuildProjections(bed.db, { check: true, planId: s.planId });
    expect(planCheck.rows.obligations + planCheck.rows.cycles).toBe(Number(live.rows[0]!.n));
    expect(planCheck.rows.notifications).toBe(
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*)::text AS n FROM notifications WHERE workflow_id LIKE ${`%:${s.planId}:%`}`.execute(bed.db)
        ).rows[0]!.n,
      ),
    );

    // Damage by hand: a status changed, an e-mail's subject changed, an e-mail deleted, an obligation nobody opened.
    const uqk = s.obligationId(UQK);
    const [victim, lost] = (
      await bed.db
        .selectFrom('notifications')
        .select(['dedupe_key', 'subject'])
        .where('workflow_id', '=', s.obligationId(BGM))
        .orderBy('id')
        .execute()
    ).map((r) => r.dedupe_key);
    await bed.db
      .updateTable('obligations')
      .set({ status: 'overdue', working_days_late: 9 })
      .where('workflow_id', '=', uqk)
      .execute();
    await bed.db.updateTable('notifications').set({ subject: 'forged' }).where('dedupe_key', '=', victim!).execute();
    await bed.db.deleteFrom('notifications').where('dedupe_key', '=', lost!).execute();
    const ghost = `obligation:${s.planId}:${s.spec.period}:ГОСТ:executors`;
    await sql`INSERT INTO obligations (workflow_id, run_id, revision, plan_id, period, stage_id, agency_code, status, due_date,
      due_at, opened_at) SELECT ${ghost}, run_id, 1, plan_id, period, stage_id, 'ГОСТ', 'pending', due_date, due_at, opened_at
      FROM obligations WHERE workflow_id = ${uqk}`.execute(bed.db);

    const found = await check();
    expect(found).toEqual(
      expect.arrayContaining([
        { table: 'obligations', key: uqk, kind: 'changed', column: 'status', live: 'overdue', rebuilt: 'accepted' },
        expect.objectContaining({
          table: 'obligations',
          key: uqk,
          kind: 'changed',
          column: 'working_days_late',
          live: 9,
        }),
        expect.objectContaining({ table: 'notifications', key: victim, column: 'subject', live: 'forged' }),
        { table: 'notifications', key: lost, kind: 'missing' },
        { table: 'obligations', key: ghost, kind: 'extra' },
      ]),
    );
    expect(found).toHaveLength(5);

    // The CLI says the same and exits 1.
    const cli = await run(
      `${root}/node_modules/.bin/tsx`,
      ['api/cli/index.ts', 'projections', 'rebuild', '--check', '--plan', s.planId, '--json'],
      { cwd: root, env: { PATH: process.env.PATH, DATABASE_URL: bed.url } },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    expect(cli.code).toBe(1);
    const out = JSON.parse(cli.stdout) as { differences: number; list: ProjectionDifference[]; notRebuilt: object };
    expect(out.differences).toBe(5);
    expect(out.notRebuilt).toMatchObject({ notifications: ['attempts', 'last_error'] });

    // A rebuild repairs all of it in one transaction; a check then finds nothing; a second rebuild writes nothing.
    const rebuilt = await rebuildProjections(bed.db, { check: false });
    expect([rebuilt.written, rebuilt.deleted]).toEqual([3, 1]);
    expect(await check()).toEqual([]);
    const again = await rebuildProjections(bed.db, { check: false });
    expect([again.differences, again.written, again.deleted]).toEqual([0, 0, 0]);
    const row = await bed.db
      .selectFrom('obligations')
      .selectAll()
      .where('workflow_id', '=', uqk)
      .executeTakeFirstOrThrow();
    expect([row.status, row.working_days_late]).toEqual(['accepted', 0]);
  }, 240_000);

  it('rebuilds the e-mails a cycle sent in batches (cycle-batched-reminders) as they are live', async () => {
    const s = await bed.newScenario();
    await s.startSpec(smallPlanSpec({ planId: s.planId, year: s.year, stages: 'cascade' }), undefined, undefined, {
      batchedReminders: true,
    });
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.submit(IIM);
    await s.accept(IIM);
    const batched = await sql<{ n: string }>`SELECT count(*)::text AS n FROM notifications
      WHERE workflow_id = ${s.handle.workflowId} AND status = 'sent'`.execute(bed.db);
    expect(Number(batched.rows[0]!.n)).toBeGreaterThan(0);
    expect(await check(s.planId)).toEqual([]);
  }, 240_000);
});
