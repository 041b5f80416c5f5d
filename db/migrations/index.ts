// The ordered list of migrations, imported statically so they work the same under tsx, vitest and a bundle.
import type { Migration } from 'kysely/migration';
import * as foundation from './2026_11_21_0001_foundation.js';
import * as plans from './2026_11_21_0002_plans.js';
import * as cycles from './2026_11_21_0003_cycles.js';
import * as calendar from './2026_11_21_0004_calendar.js';
import * as web from './2026_12_01_0001_web.js';
import * as agencyFeeds from './2026_12_01_0101_agency_feeds.js';
import * as accounts from './2026_12_02_0300_accounts.js';

export const migrations: Record<string, Migration> = {
  '2026_11_21_0001_foundation': foundation,
  '2026_11_21_0002_plans': plans,
  '2026_11_21_0003_cycles': cycles,
  '2026_11_21_0004_calendar': calendar,
  '2026_12_01_0001_web': web,
  '2026_12_01_0101_agency_feeds': agencyFeeds,
  '2026_12_02_0300_accounts': accounts,
};
