// The ordered list of migrations, imported statically so they work the same under tsx, vitest and a bundle.
import type { Migration } from 'kysely/migration';
import * as foundation from './2026_11_21_0001_foundation.js';
import * as plans from './2026_11_21_0002_plans.js';
import * as cycles from './2026_11_21_0003_cycles.js';
import * as calendar from './2026_11_21_0004_calendar.js';
import * as web from './2026_12_01_0001_web.js';
import * as agencyFeeds from './2026_12_01_0101_agency_feeds.js';
import * as evidenceFiles from './2026_12_02_0000_evidence_files.js';
import * as eventChain from './2026_12_02_0500_event_chain.js';
import * as summaryMarks from './2026_12_02_0700_summary_marks.js';
import * as evidenceChunks from './2026_12_02_0200_evidence_chunks.js';
import * as reportVersions from './2026_12_02_0100_report_versions.js';
import * as digests from './2026_12_02_0600_digests.js';
import * as planUploads from './2026_12_02_0400_plan_uploads.js';
import * as accounts from './2026_12_02_0300_accounts.js';
import * as cycleTexts from './2026_12_03_0200_cycle_texts.js';
import * as projectionBaseline from './2026_12_03_0300_projection_baseline.js';
import * as summaryVersions from './2026_12_03_0500_summary_versions.js';
import * as planList from './2026_12_03_0700_plan_list.js';
import * as boardEscalations from './2026_12_04_0100_board_escalations.js';
import * as cycleCarries from './2026_12_04_0500_cycle_carries.js';
import * as obligationChangeXid from './2026_12_04_0600_obligation_change_xid.js';

export const migrations: Record<string, Migration> = {
  '2026_11_21_0001_foundation': foundation,
  '2026_11_21_0002_plans': plans,
  '2026_11_21_0003_cycles': cycles,
  '2026_11_21_0004_calendar': calendar,
  '2026_12_01_0001_web': web,
  '2026_12_01_0101_agency_feeds': agencyFeeds,
  '2026_12_02_0000_evidence_files': evidenceFiles,
  '2026_12_02_0500_event_chain': eventChain,
  '2026_12_02_0700_summary_marks': summaryMarks,
  '2026_12_02_0200_evidence_chunks': evidenceChunks,
  '2026_12_02_0100_report_versions': reportVersions,
  '2026_12_02_0600_digests': digests,
  '2026_12_02_0400_plan_uploads': planUploads,
  '2026_12_02_0300_accounts': accounts,
  '2026_12_03_0200_cycle_texts': cycleTexts,
  '2026_12_03_0300_projection_baseline': projectionBaseline,
  '2026_12_03_0500_summary_versions': summaryVersions,
  '2026_12_03_0700_plan_list': planList,
  '2026_12_04_0100_board_escalations': boardEscalations,
  '2026_12_04_0500_cycle_carries': cycleCarries,
  '2026_12_04_0600_obligation_change_xid': obligationChangeXid,
};
