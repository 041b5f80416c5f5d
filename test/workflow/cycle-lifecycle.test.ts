// Reporting cycles on the time-skipping server, real PostgreSQL and a real SMTP sink: on time, late, never, returned, shifted deadlines.
import { describe, expect, it } from 'vitest';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { endOfLocalDay } from '../../domain/tz.js';
import {
  FailureType,
  SearchAttributeKeys,
  acceptUpdate,
  extendUpdate,
  obligationStatusQuery,
  returnReportUpdate,
  submitUpdate,
} from '../../workflows/shared.js';
import { type ReportItem, type ReportSubmission } from '../../domain/cycle-model.js';
import {
  AQDM,
  BGM,
  IIM,
  PMO,
  UQK,
  countTypes,
  eventsOf,
  fullReport,
  ladderMailsOf,
  localTime,
  mailLines,
  mailsOf,
} from '../fixtures/cycle-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A directory to save the runs' histories in for the replay test (npm run … with MERZIM_RECORD_HISTORIES=test/replay/histories). */
const RECORD = process.env.MERZIM_RECORD_HISTORIES;

const bed = useCycleTestBed();

describe('reportingCycleWorkflow', () => {
  it('runs the whole cascade when everybody reports on time: two reminders each, no escalation', async () => {
    const s = await bed.newScenario();
    await s.start('cascade');
    // Executors report the day after their 7-days reminder; the coordinator accepts each.
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, BGM, UQK]) {
      expect(await s.submit(p)).toEqual({ version: 1, late: false, workingDaysLate: 0 });
      await s.accept(p);
    }
    await s.advanceTo(s.reminderAt(AQDM, 7, 'summary') + HOUR);
    await s.submit(AQDM, 'summary');
    await s.accept(AQDM, 'summary', 'control@ПМК');
    await s.advanceTo(s.reminderAt(PMO, 7, 'pm-office') + HOUR);
    await s.submit(PMO, 'pm-office');
    await s.accept(PMO, 'pm-office', 'control@ПӘ');

    const result = await s.result();
    expect(result.status).toBe('completed');
    expect(result.obligations.map((o) => [o.agencyCode, o.stageId, o.status, o.workingDaysLate])).toEqual([
      ['ІІМ', 'executors', 'accepted', 0],
      ['БҒМ', 'executors', 'accepted', 0],
      ['ҰҚК', 'executors', 'accepted', 0],
      ['АҚДМ', 'summary', 'accepted', 0],
      ['ПМК', 'pm-office', 'accepted', 0],
    ]);
    const mails = await mailsOf(bed.db, s.planId);
    expect(mailLines(mails).sort()).toEqual(
      [
        'reminder 14 ІІМ → ІІМ (ru)',
        'reminder 7 ІІМ → ІІМ (ru)',
        'reminder 14 БҒМ → БҒМ (kk)',
        'reminder 7 БҒМ → БҒМ (kk)',
        'reminder 14 ҰҚК → ҰҚК (ru)',
        'reminder 7 ҰҚК → ҰҚК (ru)',
        'reminder 14 АҚДМ → АҚДМ (kk)',
        'reminder 7 АҚДМ → АҚДМ (kk)',
        'reminder 14 ПМК → ПМК (kk)',
        'reminder 7 ПМК → ПМК (kk)',
        // Each report's arrival is told to its recipient, each acceptance to the party (patch obligation-review-mail).
        'arrived ІІМ → АҚДМ (kk)',
        'arrived БҒМ → АҚДМ (kk)',
        'arrived ҰҚК → АҚДМ (kk)',
        'arrived АҚДМ → ПМК (kk)',
        'arrived ПМК → ПӘ (kk)',
        'accepted ІІМ → ІІМ (ru)',
        'accepted БҒМ → БҒМ (kk)',
        'accepted ҰҚК → ҰҚК (ru)',
        'accepted АҚДМ → АҚДМ (kk)',
        'accepted ПМК → ПМК (kk)',
      ].sort(),
    );
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 5,
      'reminder.sent': 10,
      'report.submitted': 5,
      'report.accepted': 5,
      'notice.sent': 10,
      'cycle.completed': 1,
    });
    const rows = await bed.db.selectFrom('obligations').selectAll().where('plan_id', '=', s.planId).execute();
    expect(rows.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    const cycle = await bed.db
      .selectFrom('cycles')
      .selectAll()
      .where('plan_id', '=', s.planId)
      .executeTakeFirstOrThrow();
    expect(cycle.status).toBe('completed');
    // Search attributes follow the state, so the API and the Temporal UI can list cycles and obligations by them.
    const attributes = async (
      handle: { describe(): Promise<{ typedSearchAttributes: { get(key: unknown): unknown } }> },
      keys: (keyof typeof SearchAttributeKeys)[],
    ) => {
      const described = await handle.describe();
      return keys.map((k) => described.typedSearchAttributes.get(SearchAttributeKeys[k]));
    };
    expect(await attributes(s.handle, ['PlanId', 'Period', 'Stage', 'CycleStatus'])).toEqual([
      s.planId,
      s.spec.period,
      'pm-office',
      'completed',
    ]);
    expect(
      await attributes(s.obligation(UQK), ['PlanId', 'Period', 'Stage', 'AgencyCode', 'ObligationStatus']),
    ).toEqual([s.planId, s.spec.period, 'executors', 'ҰҚК', 'accepted']);
    // Status (a reserved name no query can use) is left to runs started before the rename.
    expect([...(await attributes(s.handle, ['Status'])), ...(await attributes(s.obligation(UQK), ['Status']))]).toEqual(
      [undefined, undefined],
    );
    await s.recordHistories('on-time', RECORD);
  });

  it('marks a report 5 working days late as late 5, after the reminders and the first two escalation steps', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    const fifthDayLate = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 5);
    await s.advanceTo(localTime(fifthDayLate));
    expect(await s.submit(BGM)).toEqual({ version: 1, late: true, workingDaysLate: 5 });
    await s.accept(BGM);

    const result = await s.result();
    expect(result.obligations.map((o) => [o.agencyCode, o.status, o.workingDaysLate])).toEqual([
      ['ІІМ', 'accepted', 0],
      ['БҒМ', 'accepted', 5],
      ['ҰҚК', 'accepted', 0],
    ]);
    const mails = await mailsOf(bed.db, s.planId);
    // БҒМ: every reminder, the notice at the deadline to it and to the coordinator, the coordinator's head at +3; it reported before +7.
    expect(mailLines(mails.filter((m) => m.about === 'БҒМ'))).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'reminder 3 БҒМ → БҒМ (kk)',
      'reminder 1 БҒМ → БҒМ (kk)',
      'reminder 0 БҒМ → БҒМ (kk)',
      'escalation step 0 party БҒМ → БҒМ (kk)',
      'escalation step 0 coordinator БҒМ → АҚДМ (kk)',
      'escalation step 1 coordinator_head БҒМ → АҚДМ:head (kk)',
      'arrived БҒМ → АҚДМ (kk)',
      'accepted БҒМ → БҒМ (kk)',
    ]);
    expect(mailLines(mails.filter((m) => m.about !== 'БҒМ')).sort()).toEqual(
      [
        'reminder 14 ІІМ → ІІМ (ru)',
        'reminder 7 ІІМ → ІІМ (ru)',
        'reminder 14 ҰҚК → ҰҚК (ru)',
        'reminder 7 ҰҚК → ҰҚК (ru)',
        'arrived ІІМ → АҚДМ (kk)',
        'arrived ҰҚК → АҚДМ (kk)',
        'accepted ІІМ → ІІМ (ru)',
        'accepted ҰҚК → ҰҚК (ru)',
      ].sort(),
    );
    const events = await eventsOf(bed.db, s.planId);
    const submitted = events.find((e) => e.type === 'report.submitted' && e.subject === s.obligationId(BGM))!;
    expect(submitted.payload).toMatchObject({ late: true, workingDaysLate: 5, version: 1 });
    expect(countTypes(events.filter((e) => e.subject === s.obligationId(BGM)))).toEqual({
      'obligation.opened': 1,
      'reminder.sent': 5,
      'obligation.overdue': 1,
      'escalation.sent': 3,
      'report.submitted': 1,
      'report.accepted': 1,
      'notice.sent': 2,
    });
    const row = await bed.db
      .selectFrom('obligations')
      .selectAll()
      .where('workflow_id', '=', s.obligationId(BGM))
      .executeTakeFirstOrThrow();
    expect([row.status, row.working_days_late, row.report_version]).toEqual(['accepted', 5, 1]);
    await s.recordHistories('late-5', RECORD);
  });

  it('walks the whole ladder for an agency that never reports, and stops short of the PM Office for a by-agreement one', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    await s.submit(IIM);
    await s.accept(IIM);
    const pmOfficeStep = Date.parse(
      s.item(BGM, 'executors', (i) => i.kind === 'escalation' && i.audience === 'pm_office').at,
    );
    await s.advanceTo(pmOfficeStep + 30 * DAY);
    const ladder = await s.mailsWhen(19);
    expect(mailLines(ladder.filter((m) => m.about === 'БҒМ'))).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'reminder 3 БҒМ → БҒМ (kk)',
      'reminder 1 БҒМ → БҒМ (kk)',
      'reminder 0 БҒМ → БҒМ (kk)',
      'escalation step 0 party БҒМ → БҒМ (kk)',
      'escalation step 0 coordinator БҒМ → АҚДМ (kk)',
      'escalation step 1 coordinator_head БҒМ → АҚДМ:head (kk)',
      'escalation step 2 pm_office БҒМ → ПМК (kk)',
    ]);
    // ҰҚК reports by agreement: reminded in Russian, escalated to the coordinator and its head, never to the PM Office.
    expect(mailLines(ladder.filter((m) => m.about === 'ҰҚК'))).toEqual([
      'reminder 14 ҰҚК → ҰҚК (ru)',
      'reminder 7 ҰҚК → ҰҚК (ru)',
      'reminder 3 ҰҚК → ҰҚК (ru)',
      'reminder 1 ҰҚК → ҰҚК (ru)',
      'reminder 0 ҰҚК → ҰҚК (ru)',
      'escalation step 0 party ҰҚК → ҰҚК (ru)',
      'escalation step 0 coordinator ҰҚК → АҚДМ (kk)',
      'escalation step 1 coordinator_head ҰҚК → АҚДМ:head (kk)',
    ]);
    expect(ladder.filter((m) => m.about === 'ІІМ')).toHaveLength(2);
    const toPmOffice = ladder.find((m) => m.key.endsWith(':pm_office'))!;
    expect(
      toPmOffice.subject.startsWith(
        'Merzim: Білім және ғылым министрлігінің есебі мерзімінде ұсынылмады (7 жұмыс күні)',
      ),
    ).toBe(true);
    expect(toPmOffice.text).toContain('Просрочка: 7 рабочих дней');
    expect(toPmOffice.subject).not.toMatch(/раб\.|дн\./);
    expect(toPmOffice.ics).toBeNull();
    expect((await s.obligation(BGM).query(obligationStatusQuery)).summary.status).toBe('overdue');

    // Nothing more while they stay silent; the report, when it comes, ends the ladder.
    await s.advanceTo(pmOfficeStep + 60 * DAY);
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(19);
    const late = await s.submit(BGM);
    expect(late.late).toBe(true);
    expect(late.workingDaysLate).toBeGreaterThan(7);
    await s.submit(UQK);
    await s.accept(BGM);
    await s.accept(UQK);
    expect((await s.result()).status).toBe('completed');
    expect(await ladderMailsOf(bed.db, s.planId)).toHaveLength(19);
    const events = await eventsOf(bed.db, s.planId);
    expect(countTypes(events)).toEqual({
      'cycle.opened': 1,
      'obligation.opened': 3,
      'reminder.sent': 12,
      'obligation.overdue': 2,
      'escalation.sent': 7,
      'report.submitted': 3,
      'report.accepted': 3,
      'notice.sent': 6,
      'cycle.completed': 1,
    });
    const escalations = events.filter((e) => e.type === 'escalation.sent');
    expect(
      escalations.every(
        (e) =>
          e.payload.sentAt === e.payload.plannedFor ||
          Date.parse(String(e.payload.sentAt)) - Date.parse(String(e.payload.plannedFor)) < 60_000,
      ),
    ).toBe(true);
    await s.recordHistories('never-reports', RECORD);
  });

  it('returns a report with a comment and a new due date, re-plans the reminders, and takes the resubmission', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, BGM, UQK]) await s.submit(p);
    await s.accept(IIM);
    await s.accept(UQK);
    const newDue = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 7);
    const bgm = s.obligation(BGM);
    const returned = await bgm.executeUpdate(returnReportUpdate, {
      args: [
        {
          returnedBy: 'din@АҚДМ',
          comment: 'Іс-шара 3 бойынша сандық көрсеткіштер жоқ / нет показателей по мероприятию 3',
          newDueDate: newDue,
        },
      ],
    });
    expect(returned).toMatchObject({ status: 'returned', dueDate: newDue });
    await expectRejected(
      bgm.executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'din@АҚДМ' }] }),
      FailureType.InvalidTransition,
    );

    // The re-planned 7-days reminder for the new date goes out; БҒМ resubmits after it.
    const newTimelineReminder7 = localTime(KZ_WORKING_CALENDAR.subtractWorkingDays(newDue, 7), 9);
    await s.advanceTo(newTimelineReminder7 + HOUR);
    expect(await s.submit(BGM)).toEqual({ version: 2, late: false, workingDaysLate: 0 });
    await s.accept(BGM);
    const result = await s.result();
    expect(result.obligations.find((o) => o.agencyCode === 'БҒМ')).toMatchObject({
      status: 'accepted',
      reportVersion: 2,
      dueDate: newDue,
    });

    const mails = (await mailsOf(bed.db, s.planId)).filter((m) => m.about === 'БҒМ');
    expect(mailLines(mails)).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'arrived БҒМ → АҚДМ (kk)',
      'returned БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'arrived БҒМ → АҚДМ (kk)',
      'accepted БҒМ → БҒМ (kk)',
    ]);
    expect(mails[3]!.text).toContain('Түсініктеме: Іс-шара 3 бойынша сандық көрсеткіштер жоқ');
    expect(mails[4]!.ics).toContain(`DTSTART;VALUE=DATE:${newDue.replace(/-/g, '')}`);
    expect(mails[4]!.ics).toContain('SEQUENCE:1');
    expect(mails[6]!.ics).toBeNull();
    const events = (await eventsOf(bed.db, s.planId)).filter((e) => e.subject === s.obligationId(BGM));
    expect(events.map((e) => e.type)).toEqual([
      'obligation.opened',
      'reminder.sent',
      'reminder.sent',
      'report.submitted',
      'notice.sent',
      'report.returned',
      'notice.sent',
      'reminder.sent',
      'report.submitted',
      'notice.sent',
      'report.accepted',
      'notice.sent',
    ]);
    expect(events[5]!.payload).toMatchObject({ version: 1, newDueDate: newDue });
    await s.recordHistories('returned', RECORD);
  });

  it('takes versioned reports by id and hash, returns one with remarks per measure, and e-mails each review step', async () => {
    const s = await bed.newScenario();
    await s.start('executors');
    await s.advanceTo(s.reminderAt(IIM, 7) + HOUR);
    for (const p of [IIM, UQK]) {
      await s.submit(p);
      await s.accept(p);
    }
    const bgm = s.obligation(BGM);
    const versioned = (version: number): ReportSubmission => ({
      submittedBy: 'reporter@БҒМ',
      versionId: `0b6f8a52-6a55-4f0e-9f57-3d5b3c6b2d1${version}`,
      version,
      contentHash: String(version).repeat(64),
      statuses: BGM.measures.map((m) => ({ measure: m.number, status: 'in_progress' as const })),
    });
    expect(await bgm.executeUpdate(submitUpdate, { args: [versioned(1)] })).toMatchObject({ version: 1 });
    await expectRejected(bgm.executeUpdate(submitUpdate, { args: [versioned(2)] }), FailureType.InvalidTransition);
    const newDue = KZ_WORKING_CALENDAR.addWorkingDays(s.effectiveDue(), 7);
    const remark = { measure: BGM.measures[0]!.number, field: 'indicators[0].value', text: 'Соңғы деректер қажет' };
    await bgm.executeUpdate(returnReportUpdate, {
      args: [{ returnedBy: 'din@АҚДМ', comment: 'Толықтырыңыз', newDueDate: newDue, comments: [remark] }],
    });
    await expectRejected(bgm.executeUpdate(submitUpdate, { args: [versioned(3)] }), FailureType.InvalidTransition);
    expect(await bgm.executeUpdate(submitUpdate, { args: [versioned(2)] })).toMatchObject({ version: 2 });
    await s.accept(BGM);
    expect((await s.result()).status).toBe('completed');
    const view = await bgm.query(obligationStatusQuery).catch(() => undefined);
    if (view !== undefined) expect(view.report).toMatchObject({ versionId: versioned(2).versionId, version: 2 });

    const mails = (await mailsOf(bed.db, s.planId)).filter((m) => m.about === 'БҒМ');
    expect(mailLines(mails)).toEqual([
      'reminder 14 БҒМ → БҒМ (kk)',
      'reminder 7 БҒМ → БҒМ (kk)',
      'arrived БҒМ → АҚДМ (kk)',
      'returned БҒМ → БҒМ (kk)',
      'arrived БҒМ → АҚДМ (kk)',
      'accepted БҒМ → БҒМ (kk)',
    ]);
    expect(mails[3]!.text).toContain(
      `Іс-шара ${remark.measure.replace(/\.$/, '')} (indicators[0].value): Соңғы деректер қажет`,
    );
    expect(mails[5]!.subject).toContain('есеп қабылданды (2-нұсқа)');
    const events = (await eventsOf(bed.db, s.planId)).filter((e) => e.subject === s.obligationId(BGM));
    const submitted = events.filter((e) => e.type === 'report.submitted');
    expect(submitted.map((e) => e.payload.versionId)).toEqual([versioned(1).versionId, versioned(2).versionId]);
    expect(submitted[0]!.payload).not.toHaveProperty('items');
    expect(events.find((e) => e.type === 'report.returned')!.payload).toMatchObject({ comments: [remark] });
    await s.recordHistories('review-mail.reviewed', RECORD);
  });

  it('extends an overdue obligation: pending again, a notice with the new date, reminders and ladder from it', async () => {
    const s = await bed.newScenario();
    await s.start('executors', [IIM]);
    const due = s.effectiveDue();
    await s.advanceTo(localTime(KZ_WORKING_CALENDAR.addWorkingDays(due, 1)));
    const iim = s.obligation(IIM);
    expect((await iim.query(obligationStatusQuery)).summary.status).toBe('overdue');
    const newDue = KZ_WORKING_CALENDAR.addWorkingDays(due, 5);
    await expectRejected(
      iim.executeUpdate(extendUpdate, {
        args: [{ extendedBy: 'din@АҚДМ', reason: 'x', newDueDate: s.spec.stages[0]!.dueDate }],
      }),
      FailureType.InvalidInput,
    );
    const extended = await iim.executeUpdate(extendUpdate, {
      args: [{ extendedBy: 'din@АҚДМ', reason: 'Хат № 12-3/45, 2027', newDueDate: newDue }],
    });
    expect(extended).toMatchObject({ status: 'pending', dueDate: newDue });
    // Submitted after the new 1-day reminder, on time for the extended deadline.
    await s.advanceTo(localTime(KZ_WORKING_CALENDAR.subtractWorkingDays(newDue, 1), 11));
    expect(await s.submit(IIM)).toEqual({ version: 1, late: false, workingDaysLate: 0 });
    await s.accept(IIM);
    await s.result();
    const lines = mailLines(await mailsOf(bed.db, s.planId));
    expect(lines.slice(0, 7)).toEqual([
      'reminder 14 ІІМ → ІІМ (ru)',
      'reminder 7 ІІМ → ІІМ (ru)',
      'reminder 3 ІІМ → ІІМ (ru)',
      'reminder 1 ІІМ → ІІМ (ru)',
      'reminder 0 ІІМ → ІІМ (ru)',
      'escalation step 0 party ІІМ → ІІМ (ru)',
      'escalation step 0 coordinator ІІМ → АҚДМ (kk)',
    ]);
    // The reminders of the new date that were still ahead when it was set: 3 and 1 working days before it.
    expect(lines.slice(7)).toEqual([
      'deadline-changed ІІМ → ІІМ (ru)',
      'reminder 3 ІІМ → ІІМ (ru)',
      'reminder 1 ІІМ → ІІМ (ru)',
      'arrived ІІМ → АҚДМ (kk)',
      'accepted ІІМ → ІІМ (ru)',
    ]);
    const events = (await eventsOf(bed.db, s.planId)).filter((e) => e.subject === s.obligationId(IIM));
    expect(events.find((e) => e.type === 'deadline.extended')).toMatchObject({
      actor: 'din@АҚДМ',
      payload: { to: newDue, reason: 'Хат № 12-3/45, 2027' },
    });
    await s.recordHistories('extended', RECORD);
  });

  it('refuses bad submissions before they reach the history', async () => {
    const s = await bed.newScenario();
    await s.start('executors', [IIM]);
    const iim = s.obligation(IIM);
    const bad: [ReportSubmission, string][] = [
      [{ submittedBy: 'r@ІІМ', items: [] }, FailureType.InvalidReport],
      [{ submittedBy: 'r@ІІМ', items: [{ measure: '3', status: 'done', text: 'done' }] }, FailureType.InvalidReport],
      [{ submittedBy: 'r@ІІМ', items: [{ measure: '1', status: 'done', text: ' ' }] }, FailureType.InvalidReport],
      [
        { submittedBy: 'r@ІІМ', items: [{ measure: '1', text: 'без статуса' } as unknown as ReportItem] },
        FailureType.InvalidReport,
      ],
    ];
    for (const [report, type] of bad) await expectRejected(iim.executeUpdate(submitUpdate, { args: [report] }), type);
    await expectRejected(
      iim.executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'din@АҚДМ' }] }),
      FailureType.InvalidTransition,
    );
    await s.submit(IIM, 'executors', {
      submittedBy: 'r@ІІМ',
      items: [{ measure: '2', status: 'in_progress', text: 'Проводится.' }],
    });
    await s.accept(IIM);
    await s.result();
    // Accepted, the obligation has ended: a late submission finds no workflow (the API answers 409 obligation_closed).
    await expect(iim.executeUpdate(submitUpdate, { args: [fullReport(IIM)] })).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    const history = await iim.fetchHistory();
    // Only the two updates that were accepted are in the history; the six refused ones left no trace.
    expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(2);
  });

  it('shifts a deadline that falls on a day off to the next working day, and is overdue only after that day', async () => {
    const s = await bed.newScenario();
    await s.start('executors', [IIM]);
    const written = s.spec.stages[0]!.dueDate;
    const shifted = KZ_WORKING_CALENDAR.shift(written, 'next');
    expect(KZ_WORKING_CALENDAR.isWorkingDay(written)).toBe(false);
    expect(shifted > written).toBe(true);

    await s.advanceTo(localTime(shifted, 12));
    const onTheDay = await s.obligation(IIM).query(obligationStatusQuery);
    expect(onTheDay.summary).toMatchObject({
      status: 'pending',
      dueDate: written,
      effectiveDueDate: shifted,
      dueInstant: new Date(endOfLocalDay(shifted)).toISOString(),
    });
    await s.advanceTo(endOfLocalDay(shifted) + HOUR);
    expect((await s.obligation(IIM).query(obligationStatusQuery)).summary.status).toBe('overdue');
    await s.submit(IIM);
    await s.accept(IIM);
    await s.result();

    const reminders = (await mailsOf(bed.db, s.planId)).filter((m) => m.kind === 'reminder');
    expect(reminders).toHaveLength(5);
    // ІІМ writes in Russian: the Russian text first, with the shift explained, and the invite on the shifted day.
    expect(reminders[0]!.text.indexOf('Установленная дата')).toBeLessThan(
      reminders[0]!.text.indexOf('Белгіленген күн'),
    );
    expect(reminders[0]!.text).toContain('приходится на нерабочий день, поэтому срок перенесён на');
    expect(reminders[0]!.ics).toContain(`DTSTART;VALUE=DATE:${shifted.replace(/-/g, '')}`);
    const sent = (await eventsOf(bed.db, s.planId))
      .filter((e) => e.type === 'reminder.sent')
      .map((e) => e.payload.plannedFor);
    expect(sent).toEqual(
      [14, 7, 3, 1, 0].map((n) =>
        new Date(localTime(KZ_WORKING_CALENDAR.subtractWorkingDays(shifted, n), 9)).toISOString(),
      ),
    );
  });
});

async function expectRejected(update: Promise<unknown>, type: string): Promise<void> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(type);
}
