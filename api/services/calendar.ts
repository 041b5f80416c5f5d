// The working-day calendar and the agencies directory: everyone signed in reads them (deadlines and plans depend on them); only
// admins change them. What a JSON route and an admin page both do, each change with its audit event in one transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getAgency, listAgencies, upsertAgency } from '../../db/repositories/agencies.js';
import {
  deleteCalendarEntry,
  loadCalendarData,
  upsertCalendarEntry,
  upsertCalendarYear,
} from '../../db/repositories/calendar.js';
import { appendEvent } from '../../db/repositories/events.js';
import { WorkingCalendar, type CalendarEntry, type CalendarEntryKind, type DataStatus } from '../../domain/calendar.js';
import type { Agency } from '../../domain/plan.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';

function requireAdmin(p: Principal): void {
  if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
}

export type CalendarService = ReturnType<typeof createCalendarService>;

export function createCalendarService(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  return {
    /** A year: its status, non-working days with reasons and sources, working weekend days, and the entries behind them. */
    async year(_p: Principal, year: number) {
      const { entries, years } = await loadCalendarData(db);
      const calendar = WorkingCalendar.fromEntries(entries, { years });
      return {
        year,
        status: calendar.yearInfo(year)?.status ?? ('unknown' as const),
        note: calendar.yearInfo(year)?.note ?? null,
        nonWorkingDays: calendar.nonWorkingDays(year),
        workingWeekendDays: calendar.workingWeekendDays(year),
        entries: entries.filter((e) => e.date.startsWith(`${year}-`)),
      };
    },

    /** Adds or replaces an entry (by date and kind); `eventKey` makes the audit event's key unique per request. */
    async saveEntry(p: Principal, entry: CalendarEntry, eventKey: string): Promise<void> {
      requireAdmin(p);
      const actor = actorOf(p);
      await db.transaction().execute(async (trx) => {
        await upsertCalendarEntry(trx, entry, actor);
        await appendEvent(trx, {
          idempotencyKey: `calendar.entry_saved:${entry.date}:${entry.kind}:${eventKey}:${Date.now()}`,
          type: 'calendar.entry_saved',
          actor,
          subjectType: 'calendar',
          subjectId: entry.date,
          payload: entry,
        });
      });
    },

    async removeEntry(p: Principal, date: string, kind: CalendarEntryKind, eventKey: string): Promise<void> {
      requireAdmin(p);
      const actor = actorOf(p);
      const removed = await db.transaction().execute(async (trx) => {
        const ok = await deleteCalendarEntry(trx, date, kind);
        if (ok)
          await appendEvent(trx, {
            idempotencyKey: `calendar.entry_removed:${date}:${kind}:${eventKey}:${Date.now()}`,
            type: 'calendar.entry_removed',
            actor,
            subjectType: 'calendar',
            subjectId: date,
            payload: { date, kind },
          });
        return ok;
      });
      if (!removed) throw new HttpError(404, 'not_found', `No ${kind} entry on ${date}`);
    },

    async setYear(
      p: Principal,
      year: number,
      body: { status: DataStatus; note?: string | undefined },
      eventKey: string,
    ): Promise<void> {
      requireAdmin(p);
      const actor = actorOf(p);
      await db.transaction().execute(async (trx) => {
        await upsertCalendarYear(
          trx,
          { year, status: body.status, ...(body.note === undefined ? {} : { note: body.note }) },
          actor,
        );
        await appendEvent(trx, {
          idempotencyKey: `calendar.year_saved:${year}:${eventKey}:${Date.now()}`,
          type: 'calendar.year_saved',
          actor,
          subjectType: 'calendar',
          subjectId: String(year),
          payload: body,
        });
      });
    },
  };
}

export type AgencyService = ReturnType<typeof createAgencyService>;

export function createAgencyService(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  // Contacts are personal data: only admins and coordinators need everyone's; others see their own agency's.
  const view = (p: Principal, a: Agency): Agency =>
    p.role === 'admin' || p.role === 'coordinator' || a.code === p.agencyCode ? a : { ...a, contacts: [] };
  return {
    async list(p: Principal): Promise<Agency[]> {
      return (await listAgencies(db)).map((a) => view(p, a));
    },

    async get(p: Principal, code: string): Promise<Agency> {
      const a = await getAgency(db, code);
      if (a === undefined) throw new HttpError(404, 'not_found', `No agency "${code}"`);
      return view(p, a);
    },

    /** Creates or replaces an agency (admins), with its audit event. */
    async save(p: Principal, code: string, agency: Agency, eventKey: string): Promise<Agency> {
      requireAdmin(p);
      if (agency.code !== code)
        throw new HttpError(400, 'invalid_request', 'body/code must equal the code in the path');
      if (agency.successor !== undefined && (await getAgency(db, agency.successor.code)) === undefined)
        throw new HttpError(400, 'invalid_request', `body/successor/code: unknown agency "${agency.successor.code}"`);
      await db.transaction().execute(async (trx) => {
        await upsertAgency(trx, agency);
        await appendEvent(trx, {
          idempotencyKey: `agency.updated:${code}:${eventKey}:${Date.now()}`,
          type: 'agency.updated',
          actor: actorOf(p),
          subjectType: 'agency',
          subjectId: code,
          payload: agency,
        });
      });
      return (await getAgency(db, code))!;
    },
  };
}
