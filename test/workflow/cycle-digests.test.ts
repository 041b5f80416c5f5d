// Digests instead of floods: the PM Office gets one e-mail per plan and working day of who was escalated to it, the
// coordinator one daily summary of reports arrived, overdue and escalations sent; a user can turn digests off.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { smallPlanSpec } from '../fixtures/small-plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { BGM, IIM, MSM, UQK, countTypes, eventsOf, mailLines, ladderMailsOf } from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

describe('daily digests', () => {
  it('sends the PM Office one digest of the agencies escalated to it that day, and the coordinator one summary a day', async () => {
    const s = await bed.newScenario();
    // АҚДМ's coordinator: one user takes the digests at an address of their own; the other (the agency's contact address)
    // turned them off.
    const suffix = s.planId.slice(-8);
    await bed.db
      .insertInto('users')
      .values([
        {
          username: `chief-${suffix}`,
          display_name: 'Бас',
          email: 'chief@aqdm.test',
          role: 'coordinator',
          agency_code: 'АҚДМ',
        },
        {
          username: `desk-${suffix}`,
          display_name: 'Үстел',
          email: 'report@aqdm.test',
          role: 'coordinator',
          agency_code: 'АҚДМ',
          digests: false,
        },
      ])
      .execute();
    await s.startSpec(
      smallPlanSpec({ planId: s.planId, year: s.year, stages: 'executors', executors: [IIM, BGM, UQK, MSM] }),
      undefined,
      true,
    );
    const submittedAt = s.reminderAt(IIM, 7) + HOUR;
    await s.advanceTo(submittedAt);
    await s.submit(IIM);
    await s.accept(IIM);
    // БҒМ and МСМ never report: both reach the PM Office's step on the same day; ҰҚК, by agreement, never does.
    const due = s.effectiveDue();
    const pmDay = KZ_WORKING_CALENDAR.addWorkingDays(due, 7);
    const headDay = KZ_WORKING_CALENDAR.addWorkingDays(due, 3);
    const overdueDay = KZ_WORKING_CALENDAR.shift(nextDay(due), 'next');
    await s.advanceTo(Date.parse(`${pmDay}T00:00:00Z`) + 3 * DAY);
    const mails = await s.mailsWhen(30);
    await s.advanceTo((await s.now()) + 10 * DAY);
    const all = await ladderMailsOf(bed.db, s.planId);
    expect(all).toHaveLength(mails.length);

    const digests = all.filter((m) => m.kind === 'digest');
    const pm = digests.filter((m) => m.key.startsWith('digest:pm_office:'));
    expect(pm.map((m) => [m.key.split(':').at(-1), m.to, m.lang])).toEqual([[pmDay, ['ПМК'], 'kk']]);
    expect(pm[0]!.subject).toContain('(2)');
    expect(pm[0]!.text).toContain('Білім және ғылым министрлігі (кезең: executors; мерзімнен кешігуі: 7 жұмыс күні)');
    expect(pm[0]!.text).toContain('Министерство культуры и спорта (этап: executors; просрочка: 7 рабочих дней)');
    expect(pm[0]!.text).not.toContain('Комитет национальной безопасности');
    // No e-mail of its own per agency to the PM Office any more.
    expect(mailLines(all).filter((l) => l.includes('pm_office'))).toEqual([]);

    const coordinator = digests.filter((m) => m.key.startsWith('digest:coordinator:'));
    const day = (ms: number): string => new Date(ms + 5 * HOUR).toISOString().slice(0, 10);
    expect(coordinator.map((m) => m.key.split(':').at(-1))).toEqual([day(submittedAt), overdueDay, headDay, pmDay]);
    expect(coordinator.every((m) => m.to.length === 1 && m.to[0] === 'chief@aqdm.test' && m.lang === 'kk')).toBe(true);
    expect(coordinator[0]!.text).toContain('Поступившие отчёты (1):\n  — Министерство внутренних дел');
    expect(coordinator[1]!.text).toContain('Просроченные отчёты (3)');
    expect(coordinator[3]!.text).toContain('Направленные эскалации (2)');

    // The rest is as before: reminders, and the ladder below the PM Office.
    expect(all.filter((m) => m.kind !== 'digest')).toHaveLength(2 + 3 * 5 + 3 * 3);
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toMatchObject({ 'escalation.digested': 2, 'obligation.overdue': 3 });
    expect(events.filter((e) => e.type === 'digest.sent')).toHaveLength(5);
    // One timer per digest instant (DIGEST_TIMER_PATCH): the obligations' messages woke the loop without restarting it.
    const history = (await s.handle.fetchHistory()).events!;
    const woken = history.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'obligationChanged');
    const cancelled = history.filter((e) => e.timerCanceledEventAttributes != null);
    expect(woken.length).toBeGreaterThanOrEqual(4);
    expect(cancelled).toHaveLength(0);
    await s.recordHistories('digests', RECORD);
  });
});

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
