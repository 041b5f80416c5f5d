// An amendment re-addresses a running stage: the coordinator replaced by its successor (a reorganisation) receives the open
// obligations from then on — their notices name it, their escalations reach it — and each move is an event.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { amendPlanSignal, cycleStatusQuery } from '../../workflows/shared.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { IIM, MSM, eventsOf, localTime, mailLines, ladderMailsOf } from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
/** A directory to save the runs' histories in for the replay test (MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

describe('a successor coordinator', () => {
  it('takes over the open obligations it receives: reminders name it, escalations reach it, accepted ones stay', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.submit(IIM);
    await s.accept(IIM);
    const successor = { ...MSM, measures: [] };
    await s.handle.signal(amendPlanSignal, {
      kind: 'replaceCoordinator',
      amendmentId: 'reorg-1',
      actor: 'admin',
      act: 'Government decree No. 1 of 2 Jan (reorganisation)',
      successor,
    });
    const deadline = Date.now() + 20_000;
    let changed: Awaited<ReturnType<typeof eventsOf>> = [];
    while (changed.length < 2 && Date.now() < deadline) {
      changed = (await eventsOf(bed.db, s.planId)).filter((e) => e.type === 'receiver.changed');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(changed.map((e) => [e.subject.split(':')[3], e.payload.from, e.payload.to, e.actor]).sort()).toEqual([
      ['БҒМ', 'АҚДМ', 'МСМ', 'admin'],
      ['ҰҚК', 'АҚДМ', 'МСМ', 'admin'],
    ]);
    // Nobody else reports: past the coordinator's head's step.
    await s.advanceTo(localTime(KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 4)));
    const mails = await ladderMailsOf(bed.db, s.planId);
    expect(mailLines(mails.filter((m) => m.about === 'БҒМ'))).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'reminder 3 БҒМ → БҒМ (kk)',
      'reminder 1 БҒМ → БҒМ (kk)',
      'reminder 0 БҒМ → БҒМ (kk)',
      'escalation step 0 party БҒМ → БҒМ (kk)',
      'escalation step 0 coordinator БҒМ → МСМ (kk)',
      'escalation step 1 coordinator_head БҒМ → МСМ:head (kk)',
    ]);
    expect(mailLines(mails.filter((m) => m.about === 'ҰҚК')).slice(-2)).toEqual([
      'escalation step 0 coordinator ҰҚК → МСМ (kk)',
      'escalation step 1 coordinator_head ҰҚК → МСМ:head (kk)',
    ]);
    // The reminders after the amendment name the successor as the receiver; none reached АҚДМ after it.
    const after = mails.filter((m) => m.about === 'БҒМ' && m.kind === 'reminder').slice(2);
    expect(after.every((m) => m.text.includes('Кімге: Мәдениет және спорт министрлігі'))).toBe(true);
    expect(mails.filter((m) => m.to.some((t) => t.startsWith('АҚДМ')))).toEqual([]);
    const status = await s.handle.query(cycleStatusQuery);
    expect(status.amendments).toEqual([
      { amendmentId: 'reorg-1', kind: 'replaceCoordinator', applied: true, note: null },
    ]);
    expect(status.obligations.find((o) => o.agencyCode === 'ІІМ')!.status).toBe('accepted');
    const events = await eventsOf(bed.db, s.planId);
    expect(events.filter((e) => e.type === 'plan.amended')).toHaveLength(1);
    expect(events.filter((e) => e.subject.includes(':ІІМ:') && e.type.startsWith('receiver.'))).toEqual([]);
    await s.recordHistories('readdress', RECORD);
  });
});
