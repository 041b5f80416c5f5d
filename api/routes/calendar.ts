// The working-day calendar: everyone signed in reads it (deadlines depend on it); only admins edit entries and years.
// What each route does is the calendar service's (api/services/calendar.ts), shared with the admin pages.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../auth.js';
import { CalendarEntry, CalendarYear, EntryParams, YearBody, YearParams, YearQuery } from '../schemas/calendar.js';
import { Ok, errors } from '../schemas/common.js';
import type { CalendarService } from '../services/calendar.js';

export const calendarRoutes: FastifyPluginAsyncTypebox<{ calendar: CalendarService }> = async (
  app,
  { calendar: service },
) => {
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
    async (request) => service.year(principalOf(request), request.query.year),
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
      await service.saveEntry(principalOf(request), request.body, request.id);
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
      await service.removeEntry(principalOf(request), request.params.date, request.params.kind, request.id);
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
      await service.setYear(principalOf(request), request.params.year, request.body, request.id);
      return { ok: true } as const;
    },
  );
};
