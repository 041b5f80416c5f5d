// The e-mails of a reporting cycle in Kazakh and Russian (reminder, overdue notice, escalation, report returned with remarks per
// measure, accepted, arrived for review, deadline changed) and the .ics invite for a deadline.
import { createHash } from 'node:crypto';
import type { DayCountUnit } from '../domain/calendar.js';
import type { DueResolution, ObligationNotice } from '../domain/cycle-timeline.js';
import { addDays, parseIsoDate, type IsoDate } from '../domain/dates.js';
import { kkGenitive, ruPlural } from '../domain/lang.js';
import { parsePeriodKey, periodLabel } from '../domain/periods.js';
import type { BilingualText, Lang, PartySpec, ReviewComment } from '../domain/cycle-model.js';
import type { SendEmailInput } from './email.js';

export interface ComposeObligationMailInput {
  readonly dedupeKey: string;
  readonly notice: ObligationNotice;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly obligationId: string;
  readonly planTitle: BilingualText;
  readonly period: string;
  readonly party: PartySpec;
  /** The cycle's texts hash (CycleSpec.texts) when the party names its measures by number only; absent in earlier cycles. */
  readonly texts?: string;
  /** Whom the report is owed to (the stage's receiver). */
  readonly receiver: BilingualText;
  readonly due: DueResolution;
  /** Grows with every deadline change, so calendar programs replace the event instead of adding a second one. */
  readonly sequence: number;
  /** Workflow time of the notice (the invite's DTSTAMP): deterministic, unlike the clock of whichever worker composes it. */
  readonly now: string;
}

const MONTHS_KK = [
  'қаңтар',
  'ақпан',
  'наурыз',
  'сәуір',
  'мамыр',
  'маусым',
  'шілде',
  'тамыз',
  'қыркүйек',
  'қазан',
  'қараша',
  'желтоқсан',
];
const MONTHS_RU_GENITIVE = [
  'января',
  'февраля',
  'марта',
  'апреля',
  'мая',
  'июня',
  'июля',
  'августа',
  'сентября',
  'октября',
  'ноября',
  'декабря',
];

export function dateText(date: IsoDate, lang: Lang): string {
  const { year, month, day } = parseIsoDate(date);
  return lang === 'kk'
    ? `${year} жылғы ${day} ${MONTHS_KK[month - 1]}`
    : `${day} ${MONTHS_RU_GENITIVE[month - 1]} ${year} года`;
}

function measuresList(party: PartySpec, lang: Lang): string {
  return party.measures.map((m) => `  ${m.number.replace(/\.$/, '')}. ${m.title?.[lang] ?? ''}`.trimEnd()).join('\n');
}

function dueLines(input: ComposeObligationMailInput, lang: Lang): string[] {
  const { due } = input;
  const lines = [
    lang === 'kk'
      ? `Мерзімі: ${dateText(due.effectiveDueDate, 'kk')}, 23:59 (Астана уақыты)`
      : `Срок: ${dateText(due.effectiveDueDate, 'ru')}, 23:59 (время Астаны)`,
  ];
  if (due.effectiveDueDate !== due.dueDate) {
    lines.push(
      lang === 'kk'
        ? `Белгіленген күн (${dateText(due.dueDate, 'kk')}) жұмыс күні емес, сондықтан мерзім ${dateText(due.effectiveDueDate, 'kk')} күніне ауыстырылды.`
        : `Установленная дата (${dateText(due.dueDate, 'ru')}) приходится на нерабочий день, поэтому срок перенесён на ${dateText(due.effectiveDueDate, 'ru')}.`,
    );
  }
  return lines;
}

function headerLines(input: ComposeObligationMailInput, lang: Lang): string[] {
  return lang === 'kk'
    ? [
        `Жоспар: «${input.planTitle.kk}»`,
        `Есеп беруші: ${input.party.name.kk}`,
        `Кімге: ${input.receiver.kk}`,
        `Есепті кезең: ${periodLabel(parsePeriodKey(input.period), 'kk')}`,
      ]
    : [
        `План: «${input.planTitle.ru}»`,
        `Исполнитель: ${input.party.name.ru}`,
        `Кому: ${input.receiver.ru}`,
        `Отчётный период: ${periodLabel(parsePeriodKey(input.period), 'ru')}`,
      ];
}

/** "7 рабочих дней", "1 календарный день": counts written out in full, as a formal letter has them. */
export function daysRu(n: number, unit: DayCountUnit): string {
  return unit === 'working'
    ? `${n} ${ruPlural(n, 'рабочий день', 'рабочих дня', 'рабочих дней')}`
    : `${n} ${ruPlural(n, 'календарный день', 'календарных дня', 'календарных дней')}`;
}

function remaining(offset: number, unit: DayCountUnit, lang: Lang): string {
  if (offset === 0) return lang === 'kk' ? 'Бүгін — соңғы күн.' : 'Сегодня — последний день.';
  if (lang === 'kk')
    return unit === 'working' ? `Мерзімге дейін ${offset} жұмыс күні қалды.` : `Мерзімге дейін ${offset} күн қалды.`;
  return `До срока ${ruPlural(offset, 'остался', 'осталось', 'осталось')} ${daysRu(offset, unit)}.`;
}

/** The reviewer's remarks per measure and field, one per line. */
function reviewCommentLines(comments: readonly ReviewComment[], lang: Lang): string {
  const kk = lang === 'kk';
  const lines = comments.map((c) => {
    const where =
      c.measure === undefined
        ? kk
          ? 'Жалпы'
          : 'В целом'
        : `${kk ? 'Іс-шара' : 'Мероприятие'} ${c.measure.replace(/\.$/, '')}${c.field === undefined ? '' : ` (${c.field})`}`;
    return `  — ${where}: ${c.text}`;
  });
  return `${kk ? 'Іс-шаралар бойынша ескертулер:' : 'Замечания по мероприятиям:'}\n${lines.join('\n')}`;
}

interface Text {
  readonly subject: string;
  readonly body: string;
}

type Escalation = Extract<ObligationNotice, { kind: 'escalation' }>;

/** The notice to those above the party: what is overdue and, after the deadline day, for how long. */
function escalationText(
  input: ComposeObligationMailInput,
  n: Escalation,
  lang: Lang,
  facts: string,
  owed: string,
): Text {
  const kk = lang === 'kk';
  const days = kk ? (n.unit === 'working' ? `${n.after} жұмыс күні` : `${n.after} күн`) : daysRu(n.after, n.unit);
  const since = n.after > 0 ? ` (${days})` : '';
  const lines = [
    facts,
    ...(n.after > 0 ? [kk ? `Мерзімнен кейін өткені: ${days}` : `Просрочка: ${days}`] : []),
    ...(input.party.byAgreement
      ? [kk ? 'Есеп беруші келісім бойынша есеп береді.' : 'Исполнитель отчитывается по согласованию.']
      : []),
  ];
  return {
    subject: kk
      ? `Merzim: ${kkGenitive(input.party.name.kk)} есебі мерзімінде ұсынылмады${since}`
      : `Merzim: отчёт не представлен в срок — ${input.party.name.ru}${since}`,
    body: [
      kk
        ? 'Хабарлаймыз: төмендегі есеп белгіленген мерзімде ұсынылмады.'
        : 'Сообщаем: отчёт ниже не представлен в установленный срок.',
      lines.join('\n'),
      owed,
    ].join('\n\n'),
  };
}

function compose(input: ComposeObligationMailInput, lang: Lang): Text {
  const kk = lang === 'kk';
  const n = input.notice;
  const header = headerLines(input, lang).join('\n');
  const due = dueLines(input, lang).join('\n');
  const owed = `${kk ? 'Есеп берілетін іс-шаралар:' : 'Мероприятия, по которым представляется отчёт:'}\n${measuresList(input.party, lang)}`;
  switch (n.kind) {
    case 'reminder':
      return {
        subject: kk
          ? `Merzim: еске салу — есеп беру мерзімі ${dateText(input.due.effectiveDueDate, 'kk')}`
          : `Merzim: напоминание — срок представления отчёта ${dateText(input.due.effectiveDueDate, 'ru')}`,
        body: [
          kk
            ? 'Құрметті әріптестер! Есеп беру мерзімін еске саламыз.'
            : 'Уважаемые коллеги! Напоминаем о сроке представления отчёта.',
          `${header}\n${due}\n${remaining(n.offset, n.unit, lang)}`,
          owed,
          kk
            ? 'Мерзімді күнтізбеге қосу үшін тіркелген .ics файлын ашыңыз.'
            : 'Чтобы добавить срок в календарь, откройте приложенный файл .ics.',
        ].join('\n\n'),
      };
    case 'escalation':
      if (n.audience === 'party') {
        return {
          subject: kk
            ? `Merzim: есеп мерзімінде ұсынылмады — ${input.party.name.kk}`
            : `Merzim: отчёт не представлен в срок — ${input.party.name.ru}`,
          body: [
            kk
              ? 'Есеп белгіленген мерзімде ұсынылмады. Оны мүмкіндігінше тезірек ұсынуыңызды сұраймыз.'
              : 'Отчёт не представлен в установленный срок. Просим представить его как можно скорее.',
            `${header}\n${due}`,
            owed,
          ].join('\n\n'),
        };
      }
      return escalationText(input, n, lang, [header, due].join('\n'), owed);
    case 'returned':
      return {
        subject: kk ? 'Merzim: есеп пысықтауға қайтарылды' : 'Merzim: отчёт возвращён на доработку',
        body: [
          kk ? 'Есебіңіз пысықтауға қайтарылды.' : 'Ваш отчёт возвращён на доработку.',
          `${header}\n${kk ? 'Түсініктеме' : 'Комментарий'}: ${n.comment}\n${kk ? 'Қайтарған' : 'Возвращён пользователем'}: ${n.returnedBy}\n${due}`,
          ...(n.comments === undefined || n.comments.length === 0 ? [] : [reviewCommentLines(n.comments, lang)]),
          owed,
        ].join('\n\n'),
      };
    case 'accepted':
      return {
        subject: kk ? `Merzim: есеп қабылданды (${n.version}-нұсқа)` : `Merzim: отчёт принят (версия ${n.version})`,
        body: [
          kk ? 'Есебіңіз қабылданды.' : 'Ваш отчёт принят.',
          `${header}\n${kk ? 'Нұсқа' : 'Версия'}: ${n.version}\n${kk ? 'Қабылдаған' : 'Принят пользователем'}: ${n.acceptedBy}${n.comment === null ? '' : `\n${kk ? 'Түсініктеме' : 'Комментарий'}: ${n.comment}`}`,
        ].join('\n\n'),
      };
    case 'report_arrived':
      return {
        subject: kk
          ? `Merzim: ${kkGenitive(input.party.name.kk)} есебі келіп түсті (${n.version}-нұсқа)`
          : `Merzim: поступил отчёт — ${input.party.name.ru} (версия ${n.version})`,
        body: [
          kk ? 'Қарауға есеп келіп түсті.' : 'На рассмотрение поступил отчёт.',
          `${header}\n${kk ? 'Нұсқа' : 'Версия'}: ${n.version}\n${
            n.late
              ? kk
                ? `Мерзімнен кешікті: ${n.workingDaysLate} жұмыс күні`
                : `Представлен с опозданием: ${daysRu(n.workingDaysLate, 'working')}`
              : kk
                ? 'Мерзімінде ұсынылды.'
                : 'Представлен в срок.'
          }`,
          owed,
        ].join('\n\n'),
      };
    case 'deadline_changed':
      return {
        subject: kk
          ? `Merzim: есеп беру мерзімі өзгертілді — ${dateText(input.due.effectiveDueDate, 'kk')}`
          : `Merzim: срок представления отчёта изменён — ${dateText(input.due.effectiveDueDate, 'ru')}`,
        body: [
          kk ? 'Есеп беру мерзімі өзгертілді.' : 'Срок представления отчёта изменён.',
          `${header}\n${kk ? 'Бұрынғы мерзім' : 'Прежний срок'}: ${dateText(n.previousDueDate, lang)}\n${due}\n${kk ? 'Негіздеме' : 'Основание'}: ${n.reason}`,
          owed,
        ].join('\n\n'),
      };
  }
}

/** Who publishes the deadline invites (RFC 5546 requires an ORGANIZER with METHOD:PUBLISH): the sender of Merzim's e-mail. */
export interface InviteOrganizer {
  readonly name: string;
  readonly email: string;
}

/** "Merzim <merzim@example.kz>" or a bare address → the invite's organizer. */
export function organizerFrom(mailFrom: string): InviteOrganizer {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(mailFrom);
  return m === null
    ? { name: 'Merzim', email: mailFrom.trim() }
    : { name: m[1]!.trim() || 'Merzim', email: m[2]!.trim() };
}

/** The e-mail of one notice, both languages in one message (recipient's first), with the deadline invite where a deadline is ahead. */
export function composeObligationMail(
  input: ComposeObligationMailInput,
  organizer: InviteOrganizer = organizerFrom('merzim@localhost'),
): SendEmailInput {
  const kk = compose(input, 'kk');
  const ru = compose(input, 'ru');
  // A deadline invite only where the party still has a deadline ahead of it.
  const withInvite = !['escalation', 'accepted', 'report_arrived'].includes(input.notice.kind);
  return {
    dedupeKey: input.dedupeKey,
    to: input.to,
    lang: input.lang,
    subject: { kk: kk.subject, ru: ru.subject },
    body: { kk: kk.body, ru: ru.body },
    ...(withInvite ? { ics: { filename: 'merzim-deadline.ics', content: deadlineInvite(input, organizer) } } : {}),
  };
}

/** An iCalendar date (yyyymmdd) of an ISO date. */
function icsDate(date: IsoDate): string {
  return date.replaceAll('-', '');
}

/** An instant as an iCalendar UTC date-time (yyyymmddThhmmssZ). */
function icsStamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`now: not an instant, got "${iso}"`);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** RFC 5545 §3.3.11 TEXT escaping (backslash, semicolon, comma; line breaks as \n); in a quoted parameter, backslash and quote. */
function icsText(value: string, quoted = false): string {
  return value.replace(quoted ? /[\\"]/g : /[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * RFC 5545 §3.1 folding: a content line longer than 75 octets goes on over lines that start with a space, never splitting a
 * character — at the places ical-generator folds (74 octets of content per line), so the invite is byte for byte the one it
 * wrote.
 */
function icsFold(line: string): string {
  let out = '';
  let from = 0;
  let octets = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < line.length) {
      // A high surrogate goes with the unit after it: a pair is four octets; before anything else, each its own size.
      units = 2;
      size = Buffer.byteLength(line.slice(i, i + 2), 'utf8');
    } else size = 3;
    octets += size;
    if (octets > 74) {
      out += `${line.slice(from, i)}\r\n `;
      from = i;
      octets = size;
    }
    i += units - 1;
  }
  return out + line.slice(from);
}

/**
 * An all-day event on the effective due date, with a reminder alarm the day before at 09:00 of the recipient's calendar;
 * the UID is stable per obligation and SEQUENCE grows, so a moved deadline updates the same event. Written here rather than
 * with ical-generator (the tests keep it as the reference this must equal byte for byte): a reminder burst writes one
 * invite per reminder, and the library's line folding (a TextEncoder per character) cost more CPU than the rest of the e-mail.
 */
export function deadlineInvite(input: ComposeObligationMailInput, organizer: InviteOrganizer): string {
  const first = input.lang;
  const second: Lang = first === 'kk' ? 'ru' : 'kk';
  const summary = (lang: Lang): string =>
    lang === 'kk' ? `Есеп беру мерзімі: ${input.party.name.kk}` : `Срок отчёта: ${input.party.name.ru}`;
  const description = (lang: Lang): string => [...headerLines(input, lang), ...dueLines(input, lang)].join('\n');
  if (organizer.name === '' || organizer.email === '') throw new Error('organizer: a name and an e-mail address');
  if (!Number.isInteger(input.sequence) || input.sequence < 0)
    throw new Error(`sequence: a whole number ≥ 0, got ${input.sequence}`);
  const title = icsText(`${summary(first)} / ${summary(second)}`);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Merzim//Reporting deadlines//KK',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${createHash('sha256').update(input.obligationId).digest('hex').slice(0, 32)}@merzim`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${icsStamp(input.now)}`,
    `DTSTART;VALUE=DATE:${icsDate(input.due.effectiveDueDate)}`,
    `DTEND;VALUE=DATE:${icsDate(addDays(input.due.effectiveDueDate, 1))}`,
    'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE',
    'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT:TRUE',
    `SUMMARY:${title}`,
    'TRANSP:TRANSPARENT',
    `DESCRIPTION:${icsText(`${description(first)}\n\n${description(second)}`)}`,
    `ORGANIZER;CN="${icsText(organizer.name, true)}":mailto:${icsText(organizer.email)}`,
    // 15 hours before the all-day event starts: 09:00 the day before, in whatever zone the calendar shows it.
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    'TRIGGER:-PT15H',
    `DESCRIPTION:${title}`,
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  // RFC 5545 §3.1: every content line ends in CRLF, the last one too.
  return `${lines.map(icsFold).join('\r\n')}\r\n`;
}

export interface OpeningSummaryInput {
  readonly dedupeKey: string;
  readonly to: readonly string[];
  readonly lang: Lang;
  readonly planTitle: BilingualText;
  readonly period: string;
  /** What was overdue the moment the cycle opened (catch-up): who, in which stage, due when. */
  readonly overdue: readonly { readonly name: BilingualText; readonly stageId: string; readonly dueDate: IsoDate }[];
}

/** The coordinator's one summary of a cycle opened in catch-up mode: the obligations found overdue at opening. */
export function composeOpeningSummary(input: OpeningSummaryInput): SendEmailInput {
  const text = (lang: Lang): { subject: string; body: string } => {
    const kk = lang === 'kk';
    const period = periodLabel(parsePeriodKey(input.period), lang);
    const n = input.overdue.length;
    const rows = input.overdue
      .map((o) => `  — ${o.name[lang]} (${o.stageId}): ${dateText(o.dueDate, lang)}`)
      .join('\n');
    return {
      subject: kk
        ? `Merzim: кезең мерзімнен кейін ашылды — ${n} есеп мерзімі өтіп кеткен`
        : `Merzim: период открыт после срока — просрочено отчётов: ${n}`,
      body: [
        kk
          ? 'Хабарлаймыз: есепті кезең кейбір мерзімдері өткеннен кейін ашылды. Төмендегі есептердің мерзімі ашылған сәтте өтіп кеткен; әр есеп берушіге мерзімі өткені туралы хабарлама жіберілді.'
          : 'Сообщаем: отчётный период открыт после наступления части сроков. Срок представления перечисленных ниже отчётов на момент открытия истёк; каждому исполнителю направлено уведомление о просрочке.',
        kk
          ? `Жоспар: «${input.planTitle.kk}»\nЕсепті кезең: ${period}`
          : `План: «${input.planTitle.ru}»\nОтчётный период: ${period}`,
        `${kk ? 'Мерзімі өткен есептер' : 'Просроченные отчёты'}:\n${rows}`,
      ].join('\n\n'),
    };
  };
  const kk = text('kk');
  const ru = text('ru');
  return {
    dedupeKey: input.dedupeKey,
    to: input.to,
    lang: input.lang,
    subject: { kk: kk.subject, ru: ru.subject },
    body: { kk: kk.body, ru: ru.body },
  };
}
