// The working-day calendar in PostgreSQL: seeded once from Merzim's own data, then edited by admins; read as a WorkingCalendar.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database.js';
import {
  WorkingCalendar,
  type CalendarEntry,
  type CalendarEntryKind,
  type CalendarYearInfo,
} from '../../domain/calendar.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Seeds an empty table (an admin's deletions must stick, so a non-empty table is left alone); years missing from the table are added. */
export async function seedCalendar(
  db: Kysely<Database>,
  entries: readonly CalendarEntry[],
  years: readonly CalendarYearInfo[],
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const existingYears = new Set((await trx.selectFrom('calendar_years').select('year').execute()).map((r) => r.year));
    const newYears = years.filter((y) => !existingYears.has(y.year));
    if (newYears.length > 0) {
      await trx
        .insertInto('calendar_years')
        .values(newYears.map((y) => ({ year: y.year, status: y.status, note: y.note ?? null, updated_by: 'seed' })))
        .execute();
    }
    const any = await trx.selectFrom('calendar_entries').select('id').limit(1).executeTakeFirst();
    if (any !== undefined) return 0;
    await trx
      .insertInto('calendar_entries')
      .values(entries.map((e) => ({ date: e.date, kind: e.kind, entry: JSON.stringify(e), updated_by: 'seed' })))
      .onConflict((oc) => oc.columns(['date', 'kind']).doNothing())
      .execute();
    return entries.length;
  });
}

export async function loadCalendarData(db: Db): Promise<{ entries: CalendarEntry[]; years: CalendarYearInfo[] }> {
  const [entries, years] = await Promise.all([
    db.selectFrom('calendar_entries').select('entry').orderBy('date').orderBy('kind').execute(),
    db.selectFrom('calendar_years').selectAll().orderBy('year').execute(),
  ]);
  return {
    entries: entries.map((r) => r.entry),
    years: years.map((y) => ({ year: y.year, status: y.status, ...(y.note === null ? {} : { note: y.note }) })),
  };
}

/**
 * Changes whenever either table does (an insert or update moves max(updated_at), a delete the count): one cheap query that
 * tells a reader whether the calendar it built last is still current.
 */
export async function calendarFingerprint(db: Db): Promise<string> {
  const { rows } = await sql<{ fingerprint: string }>`
    SELECT (SELECT count(*) || '@' || coalesce(max(updated_at)::text, '') FROM calendar_entries)
        || '/' || (SELECT count(*) || '@' || coalesce(max(updated_at)::text, '') FROM calendar_years) AS fingerprint`.execute(
    db,
  );
  return rows[0]!.fingerprint;
}

export async function loadWorkingCalendar(db: Db): Promise<WorkingCalendar> {
  const { entries, years } = await loadCalendarData(db);
  return WorkingCalendar.fromEntries(entries, { years });
}

export async function upsertCalendarEntry(db: Db, e: CalendarEntry, by: string): Promise<void> {
  await db
    .insertInto('calendar_entries')
    .values({ date: e.date, kind: e.kind, entry: JSON.stringify(e), updated_by: by })
    .onConflict((oc) =>
      oc.columns(['date', 'kind']).doUpdateSet({ entry: JSON.stringify(e), updated_by: by, updated_at: new Date() }),
    )
    .execute();
}

export async function deleteCalendarEntry(db: Db, date: string, kind: CalendarEntryKind): Promise<boolean> {
  const r = await db
    .deleteFrom('calendar_entries')
    .where('date', '=', date)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function upsertCalendarYear(db: Db, y: CalendarYearInfo, by: string): Promise<void> {
  await db
    .insertInto('calendar_years')
    .values({ year: y.year, status: y.status, note: y.note ?? null, updated_by: by })
    .onConflict((oc) =>
      oc.column('year').doUpdateSet({ status: y.status, note: y.note ?? null, updated_by: by, updated_at: new Date() }),
    )
    .execute();
}
