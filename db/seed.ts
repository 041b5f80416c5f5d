// Reference data every installation needs (the calendar; the agencies directory): inserted when missing, never overwriting an admin's edits.
import type { Kysely } from 'kysely';
import { KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS } from '../domain/calendar-seed-kz.js';
import type { Database } from './database.js';
import { seedCalendar } from './repositories/calendar.js';

export interface SeedReport {
  readonly calendarEntries: number;
}

export async function seedReferenceData(db: Kysely<Database>): Promise<SeedReport> {
  return { calendarEntries: await seedCalendar(db, KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS) };
}
