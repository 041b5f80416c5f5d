// Reference data every installation needs (the working-day calendar, the agencies directory): inserted when missing, never overwriting an admin's edits.
import type { Kysely } from 'kysely';
import { AGENCIES_SEED } from '../domain/agencies-seed.js';
import { KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS } from '../domain/calendar-seed-kz.js';
import type { Database } from './database.js';
import { seedAgencies } from './repositories/agencies.js';
import { seedCalendar } from './repositories/calendar.js';

export interface SeedReport {
  readonly calendarEntries: number;
  readonly agencies: number;
}

export async function seedReferenceData(db: Kysely<Database>): Promise<SeedReport> {
  return {
    calendarEntries: await seedCalendar(db, KZ_CALENDAR_SEED, KZ_CALENDAR_YEARS),
    agencies: await seedAgencies(db, AGENCIES_SEED),
  };
}
