// An agency's deadline feed as iCalendar (ical-generator): one all-day event per report it still owes, bilingual, with a reminder.
import ical, { ICalAlarmType, ICalEventStatus } from 'ical-generator';
import type { FeedObligation } from '../../db/repositories/feeds.js';
import { addDays, parseIsoDate } from '../../domain/dates.js';
import type { Agency } from '../../domain/plan.js';
import { KZ_TIME_ZONE } from '../../domain/tz.js';

export interface AgencyFeedInput {
  readonly agency: Agency;
  readonly obligations: readonly FeedObligation[];
  /** The directory, for each plan's coordinator (the ORGANIZER: whom the report is owed to). */
  readonly agencies: ReadonlyMap<string, Agency>;
  /** Where links in the events point (the API's public URL). */
  readonly publicUrl: string;
  /** DTSTAMP; a fixed one keeps the feed byte-stable between polls of an unchanged list. */
  readonly stamp: Date;
  /** Address of the ORGANIZER when the coordinator has none on file. */
  readonly fallbackOrganizerEmail: string;
}

const STATUS_NOTE: Readonly<Record<FeedObligation['status'], { kk: string; ru: string } | null>> = {
  pending: null,
  overdue: { kk: 'мерзімі өтті', ru: 'просрочено' },
  returned: { kk: 'пысықтауға қайтарылды', ru: 'возвращён на доработку' },
};

function short(text: string | null, other: string | null, max = 90): string {
  const t = (text ?? other ?? '').replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/** "measure-29-due-1" → "29"; the policy's stages (executors, summary, pm-office) → null. */
function measureOf(stageId: string): string | null {
  return /^measure-(.+)-due-\d+(?:-\d+)?$/.exec(stageId)?.[1] ?? null;
}

function utcMidnight(iso: string): Date {
  const { year, month, day } = parseIsoDate(iso);
  return new Date(Date.UTC(year, month - 1, day));
}

/**
 * The feed: an all-day event on each effective due date (a Kazakhstan date; the calendar says Asia/Almaty), SUMMARY in Kazakh
 * and Russian, the coordinator as ORGANIZER, and a display alarm at 09:00 the day before (15 hours before the day starts).
 * UIDs are the obligation ids, so a moved deadline updates the event in the subscriber's calendar instead of adding one.
 */
export function buildAgencyFeed(input: AgencyFeedInput): string {
  const { agency } = input;
  const name = { kk: agency.name.kk ?? agency.code, ru: agency.name.ru ?? agency.code };
  const cal = ical({
    name: `Merzim: ${name.kk} — есеп беру мерзімдері / сроки отчётности`,
    description: `${name.kk}: есеп беру мерзімдері (Merzim). / ${name.ru}: сроки представления отчётов (Merzim).`,
    prodId: { company: 'Merzim', product: 'agency-deadlines', language: agency.lang === 'kk' ? 'KK' : 'RU' },
    ttl: 60 * 60,
  });
  cal.x('X-WR-TIMEZONE', KZ_TIME_ZONE);
  for (const o of input.obligations) {
    const measure = measureOf(o.stageId);
    const what =
      measure === null
        ? { kk: `кезең «${o.stageId}»`, ru: `этап «${o.stageId}»` }
        : { kk: `${measure}-іс-шара`, ru: `мероприятие ${measure}` };
    const note = STATUS_NOTE[o.status];
    const kk = `Есеп мерзімі: ${short(o.planTitle.kk, o.planTitle.ru, 60)}, ${what.kk}${note === null ? '' : ` (${note.kk})`}`;
    const ru = `Срок отчёта: ${short(o.planTitle.ru, o.planTitle.kk, 60)}, ${what.ru}${note === null ? '' : ` (${note.ru})`}`;
    const coordinator = o.coordinatorCode === null ? undefined : input.agencies.get(o.coordinatorCode);
    const organizerEmail =
      coordinator?.contacts.find((c) => c.role === 'coordinator' || c.role === 'reporter' || c.role === 'general')
        ?.email ?? input.fallbackOrganizerEmail;
    const organizerName =
      coordinator === undefined
        ? 'Merzim'
        : `${coordinator.name.kk ?? coordinator.code} / ${coordinator.name.ru ?? coordinator.code}`;
    const url = `${input.publicUrl}/api/v1/obligations/${encodeURIComponent(o.obligationId)}`;
    const dueLocal = o.dueDate;
    const [first, second] = agency.lang === 'kk' ? [kk, ru] : [ru, kk];
    cal.createEvent({
      id: `${o.obligationId}@merzim`,
      stamp: input.stamp,
      start: utcMidnight(dueLocal),
      end: utcMidnight(addDays(dueLocal, 1)),
      allDay: true,
      summary: `${first} / ${second}`,
      description: [
        `${o.planTitle.kk ?? ''} (${o.period})`,
        `Мерзімі: ${dueLocal} күнінің соңына дейін (Астана уақыты). / Срок: до конца дня ${dueLocal} (время Астаны).`,
        `${o.obligationId}`,
      ].join('\n'),
      organizer: { name: organizerName, email: organizerEmail },
      url,
      status: ICalEventStatus.CONFIRMED,
      alarms: [
        {
          type: ICalAlarmType.display,
          trigger: 15 * 60 * 60,
          description: `Ертең есеп беру мерзімі / Завтра срок отчёта: ${short(o.planTitle.kk, o.planTitle.ru, 40)}`,
        },
      ],
    });
  }
  return cal.toString();
}
