// Issue 13, point 4: a decree whose deadline cell ends in "*" and whose note under the table says "to ҰҚК twice a year, by
// 20 December and 5 January" — imported, its cycle opened on the time-skipping server, the executors reminded and escalated
// to ҰҚК on the note's dates (Kazakhstan time, shifted off days off), by the stage-with-recipient machinery as it is.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { resolveDue } from '../../domain/cycle-timeline.js';
import { importDecreeText } from '../../domain/import/adilet.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { smallPlanDirectory } from '../fixtures/small-plan.js';
import { mailsOf, type SentMail } from '../fixtures/cycle-fixtures.js';
import { fixtureText } from '../unit/import/helpers.js';
import { cycleStatusQuery } from '../../workflows/shared.js';

const HOUR = 3_600_000;
const NOTE_1 = 'measure-1-note-1';
const NOTE_2 = 'measure-1-note-2';

const bed = useCycleTestBed();

/** "stage kind detail about → recipients (lang)" per mail. */
function lines(mails: readonly SentMail[]): string[] {
  return mails.map((m) => {
    const parts = m.key.split(':');
    const detail = m.kind === 'reminder' ? ` ${parts.at(-1)}` : m.kind === 'escalation' ? ` ${parts.at(-1)}` : '';
    return `${parts[5]} ${m.kind}${detail} ${m.about} → ${[...m.to].sort().join(',')}`;
  });
}

describe.each(['kk', 'ru'])('a footnote that sets the reporting (%s decree)', (lang) => {
  it("owes ҰҚК the information by the note's dates: reminders, due dates and the ladder in the sink", async () => {
    const s = await bed.newScenario();
    const text = fixtureText(`footnotes-${lang}.txt`).replaceAll('2026 – 2028', `${s.year} – ${s.year + 2}`);
    const imported = importDecreeText(text, { directory: AGENCIES_SEED });
    expect(imported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const built = cycleSpecFromPlan({
      planId: s.planId,
      plan: imported.plan!,
      directory: smallPlanDirectory(),
      period: String(s.year),
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    // The executors' stages only (the note's two and the regular one), as the other scenarios.
    const spec = { ...built.spec, stages: built.spec.stages.filter((x) => x.from === 'executors') };
    const due1 = `${s.year}-12-20`;
    const due2 = `${s.year + 1}-01-05`;
    expect(
      spec.stages.map((x) => [x.id, x.dueDate, x.recipient?.agencyCode ?? null, x.parties.map((p) => p.agencyCode)]),
    ).toEqual([
      [NOTE_1, due1, 'ҰҚК', ['ІІМ', 'БҒМ']],
      [NOTE_2, due2, 'ҰҚК', ['ІІМ', 'БҒМ']],
      ['executors', `${s.year + 1}-01-10`, null, ['ІІМ', 'БҒМ']],
    ]);
    await s.startSpec(spec);
    const start = await s.now();

    // Due at the end of the (shifted) day in Almaty: 20 December 2026 is a Sunday, so Monday the 21st.
    const effective1 = resolveDue(due1, 'next', KZ_WORKING_CALENDAR).effectiveDueDate;
    if (s.year === 2026) expect(effective1).toBe('2026-12-21');
    expect(s.effectiveDue(NOTE_1)).toBe(effective1);
    expect(s.effectiveDue(NOTE_2)).toBe(resolveDue(due2, 'next', KZ_WORKING_CALENDAR).effectiveDueDate);

    // Nobody reports: past the second note's deadline, every reminder and the first steps of the ladder have gone out.
    const until = Date.parse(s.preview.obligations.find((o) => o.stageId === NOTE_2)!.dueInstant) + 2 * HOUR;
    const planned = s.preview.timeline.filter(
      (e) =>
        e.stageId !== 'executors' &&
        (e.kind === 'reminder' || e.kind === 'escalation') &&
        Date.parse(e.at) >= start &&
        Date.parse(e.at) <= until,
    );
    await s.advanceTo(until);
    await s.mailsWhen(planned.length);
    const mails = (await mailsOf(bed.db, s.planId)).filter(
      (m) => m.key.includes(`:${NOTE_1}:`) || m.key.includes(`:${NOTE_2}:`),
    );
    expect(mails).toHaveLength(planned.length);
    const got = lines(mails);
    for (const stage of [NOTE_1, NOTE_2])
      for (const agency of ['ІІМ', 'БҒМ']) {
        // The reminders due after the cycle opened, to the party itself, on working days at 09:00 Almaty (04:00 UTC).
        const reminders = planned.filter((e) => e.stageId === stage && e.party === agency && e.kind === 'reminder');
        expect(reminders.length).toBeGreaterThan(0);
        for (const r of reminders) {
          expect(r.at.endsWith('T04:00:00.000Z')).toBe(true);
          expect(got).toContain(`${stage} reminder ${r.kind === 'reminder' ? r.offset : ''} ${agency} → ${agency}`);
        }
        // At the deadline: the party and ҰҚК, the note's recipient, in the coordinator's place.
        expect(got).toContain(`${stage} escalation coordinator ${agency} → ҰҚК`);
      }
    // Never the plan's coordinator: the information is owed to ҰҚК.
    expect(mails.filter((m) => m.to.some((t) => t.startsWith('АҚДМ')))).toEqual([]);

    // Each reminder names ҰҚК as the receiver, the measure it owes, and invites to the shifted due date.
    const reminder1 = mails.find((m) => m.key.includes(`:${NOTE_1}:`) && m.about === 'ІІМ' && m.kind === 'reminder')!;
    expect(reminder1.text).toContain('Кому: Комитет национальной безопасности');
    expect(reminder1.text).toContain('Кімге: Ұлттық қауіпсіздік комитеті');
    expect(reminder1.ics).toContain(`DTSTART;VALUE=DATE:${effective1.replace(/-/g, '')}`);
    const reminder2 = mails.find((m) => m.key.includes(`:${NOTE_2}:`) && m.about === 'БҒМ' && m.kind === 'reminder')!;
    expect(reminder2.ics).toContain(`DTSTART;VALUE=DATE:${s.effectiveDue(NOTE_2).replace(/-/g, '')}`);

    // The cycle holds the extra obligations, overdue now, with their shifted due dates.
    const status = await s.handle.query(cycleStatusQuery);
    const extra = status.obligations.filter((o) => o.stageId !== 'executors');
    expect(extra.map((o) => [o.stageId, o.agencyCode, o.status, o.dueDate, o.effectiveDueDate])).toEqual([
      [NOTE_1, 'ІІМ', 'overdue', due1, effective1],
      [NOTE_1, 'БҒМ', 'overdue', due1, effective1],
      [NOTE_2, 'ІІМ', 'overdue', due2, s.effectiveDue(NOTE_2)],
      [NOTE_2, 'БҒМ', 'overdue', due2, s.effectiveDue(NOTE_2)],
    ]);
  });
});
