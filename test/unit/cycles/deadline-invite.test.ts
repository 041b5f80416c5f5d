// The deadline invite Merzim writes itself equals, byte for byte, the one ical-generator wrote before (the reference below is
// the earlier deadlineInvite, unchanged): the same lines, escapes and folds, whatever the names, languages and dates.
import { createHash } from 'node:crypto';
import ical, { ICalAlarmType, ICalCalendarMethod, ICalEventTransparency } from 'ical-generator';
import { describe, expect, it } from 'vitest';
import {
  composeObligationMail,
  deadlineInvite,
  organizerFrom,
  type ComposeObligationMailInput,
  type InviteOrganizer,
} from '../../../activities/cycle-mail.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { resolveDue } from '../../../domain/cycle-timeline.js';
import { addDays } from '../../../domain/dates.js';
import type { Lang } from '../../../domain/cycle-model.js';
import { IIM } from '../../fixtures/small-plan.js';
import { obligationMailInput } from '../../fixtures/obligation-mail.js';

/** The invite as ical-generator wrote it (the reference): description lines taken from the composed e-mail's own header. */
function reference(input: ComposeObligationMailInput, organizer: InviteOrganizer, description: (l: Lang) => string) {
  const first = input.lang;
  const second: Lang = first === 'kk' ? 'ru' : 'kk';
  const summary = (lang: Lang): string =>
    lang === 'kk' ? `Есеп беру мерзімі: ${input.party.name.kk}` : `Срок отчёта: ${input.party.name.ru}`;
  const utcDay = (date: string) => new Date(`${date}T00:00:00Z`);
  const calendar = ical({
    prodId: { company: 'Merzim', product: 'Reporting deadlines', language: 'KK' },
    method: ICalCalendarMethod.PUBLISH,
    scale: 'GREGORIAN',
  });
  const event = calendar.createEvent({
    id: `${createHash('sha256').update(input.obligationId).digest('hex').slice(0, 32)}@merzim`,
    sequence: input.sequence,
    stamp: new Date(input.now),
    start: utcDay(input.due.effectiveDueDate),
    end: utcDay(addDays(input.due.effectiveDueDate, 1)),
    allDay: true,
    summary: `${summary(first)} / ${summary(second)}`,
    description: `${description(first)}\n\n${description(second)}`,
    organizer,
    transparency: ICalEventTransparency.TRANSPARENT,
  });
  event.createAlarm({
    type: ICalAlarmType.display,
    trigger: 15 * 3600,
    description: `${summary(first)} / ${summary(second)}`,
  });
  return `${calendar.toString()}\r\n`;
}

/** The DESCRIPTION's text as the invite has it, unescaped: the reference is then given exactly the same text. */
function descriptionOf(ics: string): (l: Lang) => string {
  const line = /\r\nDESCRIPTION:(.*?)\r\n(?! )/s.exec(ics)![1]!.replace(/\r\n /g, '');
  const text = line.replace(/\\n/g, '\n').replace(/\\([\\;,])/g, '$1');
  const [a, b] = text.split('\n\n');
  return (l) =>
    l ===
    ics
      .match(/SUMMARY:(Срок|Есеп)/)![1]!
      .replace('Срок', 'ru')
      .replace('Есеп', 'kk')
      ? a!
      : b!;
}

const input = obligationMailInput;

const names = [
  IIM.name,
  { kk: 'Ішкі істер, қауіпсіздік; және "тәртіп" министрлігі \\ бөлім', ru: 'МВД, отдел; "особый" \\ сектор' },
  { kk: 'Aa'.repeat(60), ru: 'Я'.repeat(80) },
  { kk: `Әкімдік 🏛️ ${'ж'.repeat(33)}😀x`, ru: `Акимат 😀${'a'.repeat(35)}🏛️ область` },
  { kk: 'жол\nекінші\r\nүшінші\rсоңы', ru: 'строка\nвторая' },
  { kk: `жалғыз \ud83dсуррогат \ude00 және ${'ә'.repeat(30)}\ud83d`, ru: `одиночный \udc00${'ж'.repeat(40)}` },
];

describe('deadlineInvite', () => {
  it('equals the ical-generator invite byte for byte over names, languages, dates, sequences and organizers', () => {
    const organizers = [
      organizerFrom('merzim@localhost'),
      organizerFrom('"Мерзім / Мерзим" <deadlines@gov.example.kz>'),
      { name: 'Merzim "сроки", отдел; \\ контроль', email: 'x;y,z@example.kz' },
    ];
    let compared = 0;
    for (const [n, name] of names.entries())
      for (const lang of ['kk', 'ru'] as const)
        for (const organizer of organizers) {
          const i = input({
            lang,
            party: { ...IIM, name },
            planTitle:
              n % 2 === 0
                ? { kk: 'Жоспар, «бірінші»', ru: 'План; первый' }
                : { kk: 'Ж'.repeat(90), ru: 'П'.repeat(70) },
            sequence: n * 3,
            now: `2026-12-${String(20 + n).padStart(2, '0')}T0${n}:1${n}:5${n}.${n}37Z`,
            due: resolveDue(addDays('2027-01-08', n * 5), 'next', KZ_WORKING_CALENDAR),
            obligationId: `obligation:p:2026:A${n}:executors`,
          });
          const ics = deadlineInvite(i, organizer);
          expect(ics).toBe(reference(i, organizer, descriptionOf(ics)));
          compared++;
        }
    expect(compared).toBe(names.length * 2 * 3);
  });

  it('is what a composed reminder attaches', () => {
    const i = input({ lang: 'kk' });
    expect(composeObligationMail(i).ics!.content).toBe(
      reference(i, organizerFrom('merzim@localhost'), descriptionOf(composeObligationMail(i).ics!.content)),
    );
  });

  it('refuses what ical-generator refused: an instant that is none, a negative sequence', () => {
    expect(() => deadlineInvite(input({ now: 'soon' }), organizerFrom('m@x'))).toThrow(/now/);
    expect(() => deadlineInvite(input({ sequence: -1 }), organizerFrom('m@x'))).toThrow(/sequence/);
  });
});
