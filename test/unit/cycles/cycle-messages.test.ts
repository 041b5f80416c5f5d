// What enters a cycle is checked field by field, and what leaves it reads right: bilingual e-mails and a valid deadline invite.
import { describe, expect, it } from 'vitest';
import { composeObligationMail, organizerFrom } from '../../../activities/cycle-mail.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { resolveDue } from '../../../domain/cycle-timeline.js';
import { validateCycleSpec, validateReport } from '../../../domain/cycle-validation.js';
import { BGM, IIM, smallPlanSpec } from '../../fixtures/small-plan.js';
import { obligationMailInput } from '../../fixtures/obligation-mail.js';

describe('validateCycleSpec', () => {
  it('accepts the small plan', () => {
    expect(validateCycleSpec(smallPlanSpec({ planId: 'p', year: 2026, stages: 'cascade' }))).toEqual([]);
  });

  it('names every problem by its path', () => {
    const spec = smallPlanSpec({ planId: 'p', year: 2026, stages: 'executors' });
    const broken = {
      ...spec,
      period: '2026-H3',
      stages: [
        {
          ...spec.stages[0]!,
          dueDate: '2027-02-30',
          parties: [IIM, { ...IIM, emails: { reporter: ['not-an-address'], head: [] } }],
        },
      ],
    };
    expect(validateCycleSpec(broken)).toEqual([
      'period: not a period key (YYYY, YYYY-H1, YYYY-Q3, YYYY-MM): "2026-H3"',
      'stages[0].dueDate: not a date (YYYY-MM-DD): "2027-02-30"',
      'stages[0].parties[1].emails.reporter[0]: not an e-mail address',
      'stages[0].parties[1].agencyCode: "ІІМ" owes this stage twice',
    ]);
  });
});

describe('validateReport', () => {
  it('takes a report on some of the measures owed', () => {
    expect(
      validateReport(
        { submittedBy: 'r', items: [{ measure: '3', status: 'in_progress', text: 'Курс әзірленуде.' }] },
        BGM,
      ),
    ).toEqual([]);
  });

  it('refuses an empty report, unknown or repeated measures, and items without status or text', () => {
    expect(validateReport({ submittedBy: 'r', items: [] }, BGM)).toEqual([
      'items: a report covers at least one measure',
    ]);
    expect(
      validateReport(
        {
          submittedBy: 'r',
          items: [
            { measure: '2', status: 'done', text: 'x' },
            { measure: '1', status: 'done', text: 'x' },
            { measure: '1', status: 'done', text: 'x' },
            { measure: '3', status: 'finished' as 'done', text: '' },
          ],
        },
        BGM,
      ),
    ).toEqual([
      'items[0].measure: "2" is not a measure БҒМ reports on (1, 3)',
      'items[2].measure: "1" appears twice',
      'items[3].status: must be one of done, in_progress, not_done',
      'items[3].text: must say what was done',
    ]);
  });
});

const mailInput = obligationMailInput;

describe('composeObligationMail', () => {
  it('writes a reminder in both languages, with what is owed, the shifted deadline and an invite', () => {
    const mail = composeObligationMail(mailInput());
    expect(mail.subject).toEqual({
      kk: 'Merzim: еске салу — есеп беру мерзімі 2027 жылғы 11 қаңтар',
      ru: 'Merzim: напоминание — срок представления отчёта 11 января 2027 года',
    });
    expect(mail.body.ru).toContain('Срок: 11 января 2027 года, 23:59 (время Астаны)');
    expect(mail.body.ru).toContain(
      'Установленная дата (10 января 2027 года) приходится на нерабочий день, поэтому срок перенесён на 11 января 2027 года.',
    );
    expect(mail.body.ru).toContain('До срока осталось 7 рабочих дней.');
    expect(mail.body.ru).toContain(
      '  2. Проведение профилактических мероприятий по предупреждению религиозного экстремизма',
    );
    expect(mail.body.kk).toContain('Мерзімге дейін 7 жұмыс күні қалды.');
    expect(mail.body.kk).toContain('Есепті кезең: 2026 жыл');
    expect(mail.body.ru).toContain('Отчётный период: 2026 год');
    expect(mail.lang).toBe('ru');
  });

  it('attaches an RFC 5545 invite: CRLF lines of at most 75 octets, an all-day event on the effective date, one UID per obligation', () => {
    const first = composeObligationMail(mailInput()).ics!;
    const moved = composeObligationMail(
      mailInput({ sequence: 1, due: resolveDue('2027-01-25', 'next', KZ_WORKING_CALENDAR) }),
    ).ics!;
    expect(first.content.endsWith('\r\n')).toBe(true);
    const physical = first.content.split('\r\n').slice(0, -1);
    expect(physical.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    const unfolded = first.content.replace(/\r\n /g, '');
    expect(unfolded).toContain('METHOD:PUBLISH');
    expect(unfolded).toContain('DTSTART;VALUE=DATE:20270111\r\nDTEND;VALUE=DATE:20270112');
    expect(unfolded).toContain('DTSTAMP:20261228T040000Z');
    expect(unfolded).toContain(
      'SUMMARY:Срок отчёта: Министерство внутренних дел / Есеп беру мерзімі: Ішкі істер министрлігі',
    );
    expect(unfolded).toContain('23:59 (время Астаны)\\nУстановленная дата');
    expect(unfolded).toContain('\\, 23:59');
    const uid = (ics: string): string | undefined => /\r\nUID:([^\r]+)/.exec(ics)?.[1];
    expect(uid(moved.content)).toBe(uid(first.content));
    expect(moved.content).toContain('SEQUENCE:1');
    // METHOD:PUBLISH needs an ORGANIZER (RFC 5546 §3.2.1); the sender of Merzim's e-mail publishes; a reminder alarm the day before.
    expect(unfolded).toContain('ORGANIZER;CN="Merzim":mailto:merzim@localhost');
    expect(unfolded).toMatch(/BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15H\r\n/);
    const sentBy = composeObligationMail(
      mailInput(),
      organizerFrom('"Мерзім / Мерзим" <deadlines@gov.example.kz>'),
    ).ics!.content.replace(/\r\n /g, '');
    expect(sentBy).toContain('ORGANIZER;CN="Мерзім / Мерзим":mailto:deadlines@gov.example.kz');
  });

  it('tells the coordinator about an overdue report without an invite, and marks a by-agreement party', () => {
    const mail = composeObligationMail(
      mailInput({
        notice: { kind: 'escalation', step: 0, after: 0, unit: 'working', audience: 'coordinator' },
        lang: 'kk',
        to: ['report@aqdm.test'],
        party: { ...IIM, byAgreement: true },
      }),
    );
    expect(mail.ics).toBeUndefined();
    expect(mail.subject.kk).toBe('Merzim: Ішкі істер министрлігінің есебі мерзімінде ұсынылмады');
    expect(mail.body.ru).not.toContain('Просрочка');
    expect(mail.body.ru).toContain('Исполнитель отчитывается по согласованию.');
  });
});
