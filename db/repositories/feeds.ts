// Agencies' secret deadline feeds (one live .ics URL per agency) and the open obligations a feed lists.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface AgencyFeed {
  readonly agencyCode: string;
  readonly secret: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** The agency's live feed, if it has one. */
export async function getLiveFeed(db: Kysely<Database>, agencyCode: string): Promise<AgencyFeed | undefined> {
  const row = await db
    .selectFrom('agency_feeds')
    .select(['agency_code', 'secret', 'created_by', 'created_at'])
    .where('agency_code', '=', agencyCode)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { agencyCode: row.agency_code, secret: row.secret, createdBy: row.created_by, createdAt: row.created_at };
}

/** The agency whose live feed has this secret; undefined for an unknown or revoked one. */
export async function agencyOfFeedSecret(db: Kysely<Database>, secret: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('agency_feeds')
    .select('agency_code')
    .where('secret', '=', secret)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row?.agency_code;
}

/** Revokes the live feed (if any) and issues a new secret, in one statement each under the caller's transaction. */
export async function rotateFeed(db: Kysely<Database>, agencyCode: string, by: string): Promise<AgencyFeed> {
  await revokeFeed(db, agencyCode, by);
  // 192 random bits, URL-safe: the URL is the only credential a calendar app can carry.
  const secret = randomBytes(24).toString('base64url');
  const row = await db
    .insertInto('agency_feeds')
    .values({ agency_code: agencyCode, secret, created_by: by })
    .returning(['agency_code', 'secret', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
  return { agencyCode: row.agency_code, secret: row.secret, createdBy: row.created_by, createdAt: row.created_at };
}

/** Revokes the agency's live feed; true when there was one. */
export async function revokeFeed(db: Kysely<Database>, agencyCode: string, by: string): Promise<boolean> {
  const rows = await db
    .updateTable('agency_feeds')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: by })
    .where('agency_code', '=', agencyCode)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length > 0;
}

export interface FeedObligation {
  readonly obligationId: string;
  readonly planId: string;
  readonly planTitle: { readonly kk: string | null; readonly ru: string | null };
  readonly coordinatorCode: string | null;
  readonly period: string;
  readonly stageId: string;
  readonly status: 'pending' | 'overdue' | 'returned';
  readonly dueDate: string;
  readonly dueAt: Date;
}

/** What the agency still owes: its obligations awaiting a report (pending, overdue, returned), soonest first. */
export async function openObligationsOfAgency(db: Kysely<Database>, agencyCode: string): Promise<FeedObligation[]> {
  const rows = await db
    .selectFrom('obligations as o')
    .leftJoin('plans as p', (j) => j.on(sql<boolean>`p.id::text = o.plan_id`))
    .select([
      'o.workflow_id',
      'o.plan_id',
      'o.period',
      'o.stage_id',
      'o.status',
      'o.due_date',
      'o.effective_due_date',
      'o.due_at',
      'p.title_kk',
      'p.title_ru',
      'p.coordinator_code',
    ])
    .where('o.agency_code', '=', agencyCode)
    .where('o.status', 'in', ['pending', 'overdue', 'returned'])
    .orderBy('o.due_at')
    .orderBy('o.workflow_id')
    .execute();
  return rows.map((r) => ({
    obligationId: r.workflow_id,
    planId: r.plan_id,
    planTitle: { kk: r.title_kk, ru: r.title_ru },
    coordinatorCode: r.coordinator_code,
    period: r.period,
    stageId: r.stage_id,
    status: r.status as FeedObligation['status'],
    dueDate: r.effective_due_date ?? r.due_date,
    dueAt: r.due_at,
  }));
}
