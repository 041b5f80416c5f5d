// The daily digests of a plan: the PM Office's list of who was escalated to it, and the coordinator's reports arrived, overdue
// and escalations sent — one e-mail each per plan and working day, in Kazakh and Russian, instead of one per agency.
import { sql } from 'kysely';
import { loadWorkingCalendar } from '../db/repositories/calendar.js';
import { addDays, parseIsoDate, type IsoDate } from '../domain/dates.js';
import { workingDaysLate } from '../domain/cycle-timeline.js';
import type { BilingualText, Lang, PartySpec } from '../domain/cycle-model.js';
import { KZ_TIME_ZONE, localToInstant } from '../domain/tz.js';
import { DIGEST_TIME } from '../workflows/shared.js';
import { dateText, daysRu } from './cycle-mail.js';
import type { ActivityDeps } from './deps.js';
import { sendEmailOnce, type SendEmailInput } from './email.js';

export interface DailyDigestsInput {
  readonly planId: string;
  readonly planTitle: BilingualText;
  /** The local day the digests are for. */
  readonly day: IsoDate;
  /** Workflow time of the digest: the window ends here. */
  readonly at: string;
  readonly coordinator: PartySpec;
  readonly pmOffice: PartySpec;
}

export interface DigestSent {
  readonly dedupeKey: string;
  readonly to: readonly string[];
  readonly lines: number;
  readonly messageId: string;
}

export interface DailyDigestsResult {
  /** A day off sends nothing: its events go into the next working day's digests. */
  readonly workingDay: boolean;
  readonly pmOffice: DigestSent | null;
  readonly coordinator: DigestSent | null;
}

interface Line {
  readonly name: BilingualText;
  readonly stageId: string;
  /** Working days late (escalations); absent for reports arrived. */
  readonly late?: number;
}

const digestInstant = (day: IsoDate): number => {
  const { year, month, day: d } = parseIsoDate(day);
  return localToInstant({ year, month, day: d, hour: DIGEST_TIME.hour, minute: DIGEST_TIME.minute }, KZ_TIME_ZONE);
};

function lineText(l: Line, lang: Lang): string {
  const late =
    l.late === undefined
      ? ''
      : lang === 'kk'
        ? `; мерзімнен кешігуі: ${l.late} жұмыс күні`
        : `; просрочка: ${daysRu(l.late, 'working')}`;
  return `  — ${l.name[lang]} (${lang === 'kk' ? 'кезең' : 'этап'}: ${l.stageId}${late})`;
}

function section(title: BilingualText, lines: readonly Line[], lang: Lang): string | null {
  return lines.length === 0
    ? null
    : `${title[lang]} (${lines.length}):\n${lines.map((l) => lineText(l, lang)).join('\n')}`;
}

function compose(
  key: string,
  to: readonly string[],
  lang: Lang,
  subject: (lang: Lang) => string,
  intro: BilingualText,
  planTitle: BilingualText,
  sections: readonly { title: BilingualText; lines: readonly Line[] }[],
): SendEmailInput {
  const body = (l: Lang): string =>
    [
      intro[l],
      l === 'kk' ? `Жоспар: «${planTitle.kk}»` : `План: «${planTitle.ru}»`,
      ...sections.map((s) => section(s.title, s.lines, l)).filter((s): s is string => s !== null),
    ].join('\n\n');
  return {
    dedupeKey: key,
    to,
    lang,
    subject: { kk: subject('kk'), ru: subject('ru') },
    body: { kk: body('kk'), ru: body('ru') },
  };
}

export function createDigestActivities(deps: ActivityDeps) {
  /** The agency's contacts and its users of `role` who take digests, without the users who turned them off. */
  async function recipients(party: PartySpec, role: 'coordinator' | 'pm_office'): Promise<string[]> {
    const users = await deps.db
      .selectFrom('users')
      .select(['email', 'digests'])
      .where('agency_code', '=', party.agencyCode)
      .where('role', '=', role)
      .where('email', 'is not', null)
      .where('disabled_at', 'is', null)
      .execute();
    const off = new Set(users.filter((u) => !u.digests).map((u) => u.email!.toLowerCase()));
    const base = party.emails.reporter.length > 0 ? party.emails.reporter : party.emails.head;
    const all = [...base, ...users.filter((u) => u.digests).map((u) => u.email!)];
    return [...new Map(all.map((a) => [a.toLowerCase(), a])).values()].filter((a) => !off.has(a.toLowerCase()));
  }

  return {
    /** Sends the plan's digests of `day` (each once per plan and day); on a day off, nothing. */
    async sendDailyDigests(input: DailyDigestsInput): Promise<DailyDigestsResult> {
      const calendar = await loadWorkingCalendar(deps.db);
      if (!calendar.isWorkingDay(input.day)) return { workingDay: false, pmOffice: null, coordinator: null };
      // Since the previous working day's digest: what happened on days off comes with the next working day's.
      let previous = addDays(input.day, -1);
      for (let i = 0; i < 60 && !calendar.isWorkingDay(previous); i++) previous = addDays(previous, -1);
      const from = digestInstant(previous);
      const to = Date.parse(input.at);
      const rows = await deps.db
        .selectFrom('events')
        .select(['type', 'subject_id', 'payload'])
        .where('subject_type', '=', 'obligation')
        .where('subject_id', 'like', sql<string>`${`obligation:${input.planId}:%`}`)
        .where('type', 'in', ['escalation.digested', 'escalation.sent', 'report.submitted', 'obligation.overdue'])
        .orderBy('id', 'asc')
        .execute();
      const party = (subject: string | null): { agencyCode: string; stageId: string } => {
        const parts = (subject ?? '').split(':');
        return { agencyCode: parts[3] ?? '', stageId: parts.slice(4).join(':') };
      };
      const agencies = await deps.db.selectFrom('agencies').select(['code', 'name_kk', 'name_ru']).execute();
      const names = new Map<string, BilingualText>(
        agencies.map((a) => [a.code, { kk: a.name_kk ?? a.name_ru ?? a.code, ru: a.name_ru ?? a.name_kk ?? a.code }]),
      );
      names.set(input.coordinator.agencyCode, input.coordinator.name);
      names.set(input.pmOffice.agencyCode, input.pmOffice.name);
      const nameOf = (code: string): BilingualText => names.get(code) ?? { kk: code, ru: code };
      const inWindow = (iso: unknown): boolean => {
        const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
        return t > from && t <= to;
      };
      const digested: Line[] = [];
      const escalations: Line[] = [];
      const arrived: Line[] = [];
      const overdue: Line[] = [];
      for (const r of rows) {
        const p = r.payload as Record<string, unknown>;
        const { agencyCode, stageId } = party(r.subject_id);
        if (r.type === 'escalation.digested' && inWindow(p.at)) {
          names.set(agencyCode, p.name as BilingualText);
          const late = workingDaysLate(
            {
              dueDate: p.dueDate as IsoDate,
              effectiveDueDate: p.effectiveDueDate as IsoDate,
              dueInstant: String(p.dueInstant),
            },
            String(p.at),
            calendar,
          );
          digested.push({ name: nameOf(agencyCode), stageId, late });
          escalations.push({ name: nameOf(agencyCode), stageId, late });
        } else if (r.type === 'escalation.sent' && inWindow(p.sentAt)) {
          const notice = p.notice as { audience?: string } | undefined;
          // The agency's own overdue notice is not an escalation above it.
          if (notice?.audience !== 'party') escalations.push({ name: nameOf(agencyCode), stageId });
        } else if (r.type === 'report.submitted' && inWindow(p.submittedAt)) {
          arrived.push({ name: nameOf(agencyCode), stageId });
        } else if (
          r.type === 'obligation.overdue' &&
          inWindow(new Date(Date.parse(String(p.dueInstant)) + 1).toISOString())
        ) {
          overdue.push({ name: nameOf(agencyCode), stageId });
        }
      }
      const date = (l: Lang): string => dateText(input.day, l);
      let pmOffice: DigestSent | null = null;
      if (digested.length > 0) {
        const to = await recipients(input.pmOffice, 'pm_office');
        if (to.length > 0) {
          const key = `digest:pm_office:${input.planId}:${input.day}`;
          const sent = await sendEmailOnce(
            deps,
            compose(
              key,
              to,
              input.pmOffice.lang,
              (l) =>
                l === 'kk'
                  ? `Merzim: Премьер-Министр Кеңсесіне жеткізілген мерзімі өткен есептер — ${date('kk')} (${digested.length})`
                  : `Merzim: просроченные отчёты, доведённые до Канцелярии Премьер-Министра, — ${date('ru')} (${digested.length})`,
              {
                kk: `${date('kk')} күнгі жағдай бойынша мерзімінде ұсынылмаған есептер туралы Премьер-Министр Кеңсесіне хабарлаймыз (жоспар бойынша бір хат).`,
                ru: `Сообщаем Канцелярии Премьер-Министра об отчётах, не представленных в срок, по состоянию на ${date('ru')} (одно письмо по плану).`,
              },
              input.planTitle,
              [{ title: { kk: 'Мерзімі өткен есептер', ru: 'Отчёты, не представленные в срок' }, lines: digested }],
            ),
          );
          pmOffice = { dedupeKey: key, to, lines: digested.length, messageId: sent.messageId };
        }
      }
      let coordinator: DigestSent | null = null;
      const total = arrived.length + overdue.length + escalations.length;
      if (total > 0) {
        const to = await recipients(input.coordinator, 'coordinator');
        if (to.length > 0) {
          const key = `digest:coordinator:${input.planId}:${input.day}`;
          const sent = await sendEmailOnce(
            deps,
            compose(
              key,
              to,
              input.coordinator.lang,
              (l) =>
                l === 'kk' ? `Merzim: ${date('kk')} күнгі жиынтық` : `Merzim: ежедневная сводка за ${date('ru')}`,
              {
                kk: 'Жоспар бойынша бүгінгі жиынтық: келіп түскен есептер, мерзімі өткен есептер және жіберілген эскалациялар.',
                ru: 'Сводка по плану за день: поступившие отчёты, просроченные отчёты и направленные эскалации.',
              },
              input.planTitle,
              [
                { title: { kk: 'Келіп түскен есептер', ru: 'Поступившие отчёты' }, lines: arrived },
                { title: { kk: 'Мерзімі өткен есептер', ru: 'Просроченные отчёты' }, lines: overdue },
                { title: { kk: 'Жіберілген эскалациялар', ru: 'Направленные эскалации' }, lines: escalations },
              ],
            ),
          );
          coordinator = { dedupeKey: key, to, lines: total, messageId: sent.messageId };
        }
      }
      return { workingDay: true, pmOffice, coordinator };
    },
  };
}
