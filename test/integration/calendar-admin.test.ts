// The calendar as an admin-edited table: seeded once with sources, read by everyone, changed only by admins, and what it changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkingCalendar, seedCalendar } from '../../db/repositories/calendar.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS } from '../../domain/calendar-seed-kz.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let t: TestApp;
let reporter: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  expect(await seedCalendar(tdb.db, KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS)).toBe(KZ_CALENDAR_SEED.length);
  t = await createTestApp(tdb);
  await tdb.db
    .insertInto('agencies')
    .values({ code: 'БҒМ', name_kk: 'Білім және ғылым министрлігі', name_ru: null, kind: 'ministry' })
    .execute();
  reporter = (await createApiToken(tdb.db, { name: 'r', role: 'reporter', agencyCode: 'БҒМ' })).secret;
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

describe('calendar table', () => {
  it('seeds once: a second seed leaves an edited table alone', async () => {
    await tdb.db.deleteFrom('calendar_entries').where('date', '=', '2024-03-08').execute();
    expect(await seedCalendar(tdb.db, KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS)).toBe(0);
    expect(await tdb.db.selectFrom('calendar_entries').select('id').where('date', '=', '2024-03-08').execute()).toEqual(
      [],
    );
    await tdb.db
      .insertInto('calendar_entries')
      .values({
        date: '2024-03-08',
        kind: 'holiday',
        entry: JSON.stringify(KZ_CALENDAR_SEED.find((e) => e.date === '2024-03-08')),
        updated_by: 'seed',
      })
      .execute();
  });

  it('anyone signed in reads a year with reasons and sources', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/calendar?year=2024', headers: bearer(reporter) });
    expect(res.statusCode).toBe(200);
    const days = res.json().nonWorkingDays as { date: string; reason: { kk: string; ru: string }; source: string }[];
    const nauryz = days.find((d) => d.date === '2024-03-21')!;
    expect(nauryz.reason.ru).toMatch(/Наурыз/);
    expect(nauryz.source).not.toBe('');
    expect(days.some((d) => d.date === '2024-03-25')).toBe(true);
  });

  it('only admins edit; a bad entry names its field and changes nothing; a good one changes deadlines', async () => {
    const entry = {
      date: '2026-01-12',
      kind: 'transfer_day_off',
      nameKk: 'Демалыс күнін ауыстыру',
      nameRu: 'Перенос выходного дня',
      nameEn: 'Transferred day off',
      source: 'Order of the Minister of Labour (test)',
    };
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/api/v1/calendar/entries',
          headers: bearer(reporter),
          payload: entry,
        })
      ).statusCode,
    ).toBe(403);
    // The body's schema names the first bad field of each request.
    for (const [payload, field] of [
      [{ ...entry, kind: 'party' }, 'body/kind'],
      [{ ...entry, source: ' ' }, 'body/source'],
      [{ ...entry, date: '2026-02-30' }, 'body/date'],
    ] as const) {
      const bad = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/calendar/entries',
        headers: bearer(t.adminToken),
        payload,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'invalid_request' });
      expect(bad.json().error.message).toContain(field);
    }

    // 10 Jan 2026 is a Saturday: the deadline moves to Monday 12 Jan — unless an admin makes 12 Jan a day off.
    expect((await loadWorkingCalendar(tdb.db)).shift('2026-01-10', 'next')).toBe('2026-01-12');
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/api/v1/calendar/entries',
          headers: bearer(t.adminToken),
          payload: entry,
        })
      ).statusCode,
    ).toBe(200);
    expect((await loadWorkingCalendar(tdb.db)).shift('2026-01-10', 'next')).toBe('2026-01-13');
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: '/api/v1/calendar/entries/2026-01-12/transfer_day_off',
          headers: bearer(t.adminToken),
        })
      ).statusCode,
    ).toBe(200);
    expect((await loadWorkingCalendar(tdb.db)).shift('2026-01-10', 'next')).toBe('2026-01-12');
    const events = await tdb.db.selectFrom('events').select('type').where('subject_type', '=', 'calendar').execute();
    expect(events.map((e) => e.type)).toEqual(['calendar.entry_saved', 'calendar.entry_removed']);
  });
});
