// The working-day calendar: everyone signed in reads it (deadlines depend on it); only admins edit entries and years.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import {
  deleteCalendarEntry,
  loadCalendarData,
  upsertCalendarEntry,
  upsertCalendarYear,
} from '../../db/repositories/calendar.js';
import { appendEvent } from '../../db/repositories/events.js';
import { WorkingCalendar } from '../../domain/calendar.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { CalendarEntry, CalendarYear, EntryParams, YearBody, YearParams, YearQuery } from '../schemas/calendar.js';
import { Ok, errors } from '../schemas/common.js';

export const calendarRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  const adminOnly = requireRole('admin');

  app.get(
    '/api/v1/calendar',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Non-working days of a year with reasons (kk/ru/en) and sources, and the entries behind them',
        querystring: YearQuery,
        response: { 200: CalendarYear, ...errors() },
      },
    },
    async (request) => {
      const { entries, years } = await loadCalendarData(db);
      const calendar = WorkingCalendar.fromEntries(entries, { years });
      const year = request.query.year;
      return {
        year,
        status: calendar.yearInfo(year)?.status ?? ('unknown' as const),
        note: calendar.yearInfo(year)?.note ?? null,
        nonWorkingDays: calendar.nonWorkingDays(year),
        workingWeekendDays: calendar.workingWeekendDays(year),
        entries: entries.filter((e) => e.date.startsWith(`${year}-`)),
      };
    },
  );

  app.put(
    '/api/v1/calendar/entries',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['calendar'],
        summary: 'Add or replace an entry (by date and kind)',
        body: CalendarEntry,
        response: { 200: Ok, ...errors() },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      await db.transaction().execute(async (trx) => {
        await upsertCalendarEntry(trx, request.body, actor);
        await appendEvent(trx, {
          idempotencyKey: `calendar.entry_saved:${request.body.date}:${request.body.kind}:${request.id}:${Date.now()}`,
          type: 'calendar.entry_saved',
          actor,
          subjectType: 'calendar',
          subjectId: request.body.date,
          payload: request.body,
        });
      });
      return { ok: true } as const;
    },
  );

  app.delete(
    '/api/v1/calendar/entries/:date/:kind',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['calendar'],
        summary: 'Remove an entry',
        params: EntryParams,
        response: { 200: Ok, ...errors(404) },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      const removed = await db.transaction().execute(async (trx) => {
        const ok = await deleteCalendarEntry(trx, request.params.date, request.params.kind);
        if (ok)
          await appendEvent(trx, {
            idempotencyKey: `calendar.entry_removed:${request.params.date}:${request.params.kind}:${request.id}:${Date.now()}`,
            type: 'calendar.entry_removed',
            actor,
            subjectType: 'calendar',
            subjectId: request.params.date,
            payload: request.params,
          });
        return ok;
      });
      if (!removed) throw new HttpError(404, 'not_found', `No ${request.params.kind} entry on ${request.params.date}`);
      return { ok: true } as const;
    },
  );

  app.put(
    '/api/v1/calendar/years/:year',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['calendar'],
        summary: 'Mark a year official (its transfer act is out) or provisional',
        params: YearParams,
        body: YearBody,
        response: { 200: Ok, ...errors() },
      },
    },
    async (request) => {
      const actor = actorOf(principalOf(request));
      await upsertCalendarYear(
        db,
        {
          year: request.params.year,
          status: request.body.status,
          ...(request.body.note === undefined ? {} : { note: request.body.note }),
        },
        actor,
      );
      await appendEvent(db, {
        idempotencyKey: `calendar.year_saved:${request.params.year}:${request.id}:${Date.now()}`,
        type: 'calendar.year_saved',
        actor,
        subjectType: 'calendar',
        subjectId: String(request.params.year),
        payload: request.body,
      });
      return { ok: true } as const;
    },
  );
};
