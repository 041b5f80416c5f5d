// The working-day calendar: everyone signed in reads it (deadlines depend on it); only admins edit entries and years.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { deleteCalendarEntry, loadCalendarData, upsertCalendarEntry, upsertCalendarYear } from '../../db/repositories/calendar.js';
import { appendEvent } from '../../db/repositories/events.js';
import { CALENDAR_ENTRY_KINDS, WorkingCalendar, validateCalendarEntries, type CalendarEntry, type CalendarEntryKind } from '../../domain/calendar.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';

const yearQuery = { type: 'object', required: ['year'], additionalProperties: false, properties: { year: { type: 'integer', minimum: 2000, maximum: 2100 } } } as const;

export const calendarRoutes: FastifyPluginAsync<{ db: Kysely<Database> }> = async (app, { db }) => {
  const adminOnly = requireRole('admin');

  app.get<{ Querystring: { year: number } }>(
    '/api/v1/calendar',
    { schema: { tags: ['calendar'], summary: 'Non-working days of a year with reasons (kk/ru/en) and sources, and the entries behind them', querystring: yearQuery } },
    async (request) => {
      const { entries, years } = await loadCalendarData(db);
      const calendar = WorkingCalendar.fromEntries(entries, { years });
      const year = request.query.year;
      return {
        year,
        status: calendar.yearInfo(year)?.status ?? 'unknown',
        note: calendar.yearInfo(year)?.note ?? null,
        nonWorkingDays: calendar.nonWorkingDays(year),
        workingWeekendDays: calendar.workingWeekendDays(year),
        entries: entries.filter((e) => e.date.startsWith(`${year}-`)),
      };
    },
  );

  app.put<{ Body: CalendarEntry }>(
    '/api/v1/calendar/entries',
    { preHandler: adminOnly, schema: { tags: ['calendar'], summary: 'Add or replace an entry (by date and kind)', body: { type: 'object' } } },
    async (request) => {
      const errors = validateCalendarEntries([request.body]);
      if (errors.length > 0) throw new HttpError(400, 'invalid_request', errors.map((e) => `${e.path.replace('entries[0]', 'body').replace('.', '/')}: ${e.message}`).join('; '));
      const actor = actorOf(principalOf(request));
      await db.transaction().execute(async (trx) => {
        await upsertCalendarEntry(trx, request.body, actor);
        await appendEvent(trx, { idempotencyKey: `calendar.entry_saved:${request.body.date}:${request.body.kind}:${request.id}:${Date.now()}`, type: 'calendar.entry_saved', actor, subjectType: 'calendar', subjectId: request.body.date, payload: request.body });
      });
      return { ok: true };
    },
  );

  app.delete<{ Params: { date: string; kind: CalendarEntryKind } }>(
    '/api/v1/calendar/entries/:date/:kind',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['calendar'],
        summary: 'Remove an entry',
        params: { type: 'object', required: ['date', 'kind'], properties: { date: { type: 'string', format: 'date' }, kind: { type: 'string', enum: [...CALENDAR_ENTRY_KINDS] } } },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      const removed = await db.transaction().execute(async (trx) => {
        const ok = await deleteCalendarEntry(trx, request.params.date, request.params.kind);
        if (ok) await appendEvent(trx, { idempotencyKey: `calendar.entry_removed:${request.params.date}:${request.params.kind}:${request.id}:${Date.now()}`, type: 'calendar.entry_removed', actor, subjectType: 'calendar', subjectId: request.params.date, payload: request.params });
        return ok;
      });
      if (!removed) throw new HttpError(404, 'not_found', `No ${request.params.kind} entry on ${request.params.date}`);
      return { ok: true };
    },
  );

  app.put<{ Params: { year: number }; Body: { status: 'official' | 'provisional'; note?: string } }>(
    '/api/v1/calendar/years/:year',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['calendar'],
        summary: "Mark a year official (its transfer act is out) or provisional",
        params: { type: 'object', required: ['year'], properties: { year: { type: 'integer', minimum: 2000, maximum: 2100 } } },
        body: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: ['official', 'provisional'] }, note: { type: 'string', maxLength: 2000 } } },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      await upsertCalendarYear(db, { year: request.params.year, status: request.body.status, ...(request.body.note === undefined ? {} : { note: request.body.note }) }, actor);
      await appendEvent(db, { idempotencyKey: `calendar.year_saved:${request.params.year}:${request.id}:${Date.now()}`, type: 'calendar.year_saved', actor, subjectType: 'calendar', subjectId: String(request.params.year), payload: request.body });
      return { ok: true };
    },
  );
};
