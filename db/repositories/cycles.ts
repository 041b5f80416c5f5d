// The cycles and obligations read models: idempotent upserts keyed by workflow id (a stale revision never overwrites a newer one), and reads for the API.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { CycleRow, Database, ObligationRow } from '../database.js';

export interface CycleProjection {
  readonly workflowId: string;
  readonly runId: string;
  /** Grows with every write of one run: activity retries and concurrent handlers may land out of order. */
  readonly revision: number;
  readonly planId: string;
  readonly period: string;
  readonly policyId: string;
  readonly status: CycleRow['status'];
  readonly stage: string | null;
  readonly closedReason: string | null;
  /** Sent with a run's first revision; later revisions leave the stored spec as it is (it can reach ~1 MB). */
  readonly spec?: unknown;
  readonly openedAt: string;
  readonly finishedAt: string | null;
}

export interface ObligationProjection {
  readonly workflowId: string;
  readonly runId: string;
  readonly revision: number;
  readonly cycleWorkflowId: string | null;
  readonly planId: string;
  readonly period: string;
  readonly stageId: string;
  readonly agencyCode: string;
  readonly status: ObligationRow['status'];
  readonly dueDate: string;
  readonly effectiveDueDate: string | null;
  readonly dueAt: string;
  readonly reportVersion: number;
  readonly report: unknown;
  readonly submittedAt: string | null;
  readonly workingDaysLate: number | null;
  readonly acceptedAt: string | null;
  readonly closedReason: string | null;
  readonly openedAt: string;
  readonly finishedAt: string | null;
}

/** Writes the cycle's state unless a newer revision of the same run is already there; true when written. */
export async function upsertCycle(db: Kysely<Database>, c: CycleProjection): Promise<boolean> {
  const values = {
    run_id: c.runId,
    revision: c.revision,
    plan_id: c.planId,
    period: c.period,
    policy_id: c.policyId,
    status: c.status,
    stage: c.stage,
    closed_reason: c.closedReason,
    opened_at: c.openedAt,
    finished_at: c.finishedAt,
    ...(c.spec === undefined ? {} : { spec: JSON.stringify(c.spec) }),
  };
  const row = await db
    .insertInto('cycles')
    // A run's first revision carries the spec; "null" only if a later one ever arrived first (it cannot: the cycle saves in order).
    .values({ workflow_id: c.workflowId, spec: JSON.stringify(null), ...values })
    .onConflict((oc) =>
      oc
        .column('workflow_id')
        .doUpdateSet({ ...values, updated_at: sql`now()` })
        .where((eb) =>
          eb.or([
            eb('cycles.run_id', '<>', eb.ref('excluded.run_id')),
            eb('cycles.revision', '<', eb.ref('excluded.revision')),
          ]),
        ),
    )
    .returning('workflow_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The obligations columns of a projection but its key. */
function obligationValues(o: ObligationProjection) {
  return {
    run_id: o.runId,
    revision: o.revision,
    cycle_workflow_id: o.cycleWorkflowId,
    plan_id: o.planId,
    period: o.period,
    stage_id: o.stageId,
    agency_code: o.agencyCode,
    status: o.status,
    due_date: o.dueDate,
    effective_due_date: o.effectiveDueDate,
    due_at: o.dueAt,
    report_version: o.reportVersion,
    report: o.report === null ? null : JSON.stringify(o.report),
    submitted_at: o.submittedAt,
    working_days_late: o.workingDaysLate,
    accepted_at: o.acceptedAt,
    closed_reason: o.closedReason,
    opened_at: o.openedAt,
    finished_at: o.finishedAt,
  };
}

/** Writes the obligation's state unless a newer revision of the same run is already there; true when written. */
export async function upsertObligation(db: Kysely<Database>, o: ObligationProjection): Promise<boolean> {
  return (await upsertObligations(db, [o])) === 1;
}

/**
 * Writes each obligation's state unless a newer revision of the same run is already there, in one statement (a cycle's batch
 * of openings); returns how many were written. The obligations must be distinct.
 */
export async function upsertObligations(db: Kysely<Database>, rows: readonly ObligationProjection[]): Promise<number> {
  if (rows.length === 0) return 0;
  // In key order, as every multi-row write here, so two transactions never wait on each other's rows in opposite orders.
  const sorted = [...rows].sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
  const written = await db
    .insertInto('obligations')
    .values(sorted.map((o) => ({ workflow_id: o.workflowId, ...obligationValues(o) })))
    .onConflict((oc) =>
      oc
        .column('workflow_id')
        .doUpdateSet((eb) => ({
          run_id: eb.ref('excluded.run_id'),
          revision: eb.ref('excluded.revision'),
          cycle_workflow_id: eb.ref('excluded.cycle_workflow_id'),
          plan_id: eb.ref('excluded.plan_id'),
          period: eb.ref('excluded.period'),
          stage_id: eb.ref('excluded.stage_id'),
          agency_code: eb.ref('excluded.agency_code'),
          status: eb.ref('excluded.status'),
          due_date: eb.ref('excluded.due_date'),
          effective_due_date: eb.ref('excluded.effective_due_date'),
          due_at: eb.ref('excluded.due_at'),
          report_version: eb.ref('excluded.report_version'),
          report: eb.ref('excluded.report'),
          submitted_at: eb.ref('excluded.submitted_at'),
          working_days_late: eb.ref('excluded.working_days_late'),
          accepted_at: eb.ref('excluded.accepted_at'),
          closed_reason: eb.ref('excluded.closed_reason'),
          opened_at: eb.ref('excluded.opened_at'),
          finished_at: eb.ref('excluded.finished_at'),
          updated_at: sql`now()`,
        }))
        .where((eb) =>
          eb.or([
            eb('obligations.run_id', '<>', eb.ref('excluded.run_id')),
            eb('obligations.revision', '<', eb.ref('excluded.revision')),
          ]),
        ),
    )
    .returning('workflow_id')
    .execute();
  return written.length;
}

export async function getCycle(db: Kysely<Database>, workflowId: string): Promise<CycleRow | undefined> {
  return db.selectFrom('cycles').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
}

export interface CycleFilter {
  readonly planId?: string;
  readonly period?: string;
  readonly status?: CycleRow['status'];
  /** Only these plans (the caller's scope); undefined = all. */
  readonly planIds?: readonly string[];
  /** A keyset page: at most `limit` cycles after (planId, period) in that order. */
  readonly limit?: number;
  readonly after?: { readonly planId: string; readonly period: string };
}

/** A cycle as lists show it: every column but the spec (up to ~1 MB each), with its obligations counted by status. */
export type CycleListItem = Omit<CycleRow, 'spec'> & { readonly counts: Record<string, number> };

/**
 * Cycles under the filter with their obligation counts, in two queries whatever their number (the cycles, then one grouped
 * count); `countAgency` counts only that agency's obligations (a reporter's view), and cycles where it owes none are left out.
 */
export async function listCycles(
  db: Kysely<Database>,
  filter: CycleFilter = {},
  countAgency?: string,
): Promise<CycleListItem[]> {
  let q = db
    .selectFrom('cycles')
    .select([
      'workflow_id',
      'run_id',
      'revision',
      'plan_id',
      'period',
      'policy_id',
      'status',
      'stage',
      'closed_reason',
      'opened_at',
      'finished_at',
      'updated_at',
    ])
    .orderBy('plan_id')
    .orderBy('period');
  if (filter.planId !== undefined) q = q.where('plan_id', '=', filter.planId);
  if (filter.period !== undefined) q = q.where('period', '=', filter.period);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.planIds !== undefined)
    q = filter.planIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('plan_id', 'in', [...filter.planIds]);
  // A reporter's list holds only cycles where its agency owes something: decided in the query, so a page is full.
  if (countAgency !== undefined)
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('obligations as o')
          .select('o.workflow_id')
          .whereRef('o.cycle_workflow_id', '=', 'cycles.workflow_id')
          .where('o.agency_code', '=', countAgency),
      ),
    );
  const after = filter.after;
  if (after !== undefined)
    q = q.where((eb) => eb(eb.refTuple('plan_id', 'period'), '>', eb.tuple(after.planId, after.period)));
  if (filter.limit !== undefined) q = q.limit(filter.limit);
  const cycles = await q.execute();
  if (cycles.length === 0) return [];
  let counts = db
    .selectFrom('obligations')
    .select(['cycle_workflow_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .where(
      'cycle_workflow_id',
      'in',
      cycles.map((c) => c.workflow_id),
    )
    .groupBy(['cycle_workflow_id', 'status']);
  if (countAgency !== undefined) counts = counts.where('agency_code', '=', countAgency);
  const byCycle = new Map<string, Record<string, number>>();
  for (const r of await counts.execute()) {
    const entry = byCycle.get(r.cycle_workflow_id!) ?? {};
    entry[r.status] = Number(r.n);
    byCycle.set(r.cycle_workflow_id!, entry);
  }
  const items = cycles.map((c) => ({ ...c, counts: byCycle.get(c.workflow_id) ?? {} }));
  return countAgency === undefined ? items : items.filter((c) => Object.keys(c.counts).length > 0);
}

export interface ObligationFilter {
  readonly cycleWorkflowId?: string;
  readonly planId?: string;
  readonly period?: string;
  readonly stageId?: string;
  readonly agencyCode?: string;
  readonly status?: ObligationRow['status'];
  /** Only these plans (the caller's scope); undefined = all. */
  readonly planIds?: readonly string[];
  readonly limit?: number;
  /** Keyset pagination: only obligations after this one in (due_at, workflow_id) order. */
  readonly after?: { readonly dueAt: Date; readonly workflowId: string };
}

/** The columns a listed obligation shows (not the run id, revision or bookkeeping times). */
const LISTED_COLUMNS = [
  'workflow_id',
  'cycle_workflow_id',
  'plan_id',
  'period',
  'stage_id',
  'agency_code',
  'status',
  'due_date',
  'effective_due_date',
  'due_at',
  'report_version',
  'report',
  'submitted_at',
  'working_days_late',
  'accepted_at',
  'closed_reason',
] as const;
export type ListedObligation = Pick<ObligationRow, (typeof LISTED_COLUMNS)[number]>;

/** A page of obligations in (due_at, workflow_id) order, selecting only the listed columns; `limit` rows at most. */
export async function listObligationsPage(
  db: Kysely<Database>,
  filter: ObligationFilter & { readonly limit: number },
): Promise<ListedObligation[]> {
  let q = filteredObligations(db, filter).select(LISTED_COLUMNS);
  const after = filter.after;
  if (after !== undefined)
    q = q.where((eb) => eb(eb.refTuple('due_at', 'workflow_id'), '>', eb.tuple(after.dueAt, after.workflowId)));
  return q.orderBy('due_at').orderBy('workflow_id').limit(filter.limit).execute();
}

/**
 * A query of obligations narrowed by a filter's conditions (cycle, plan, period, stage, agency, status, the caller's plans;
 * not its page — `limit` and `after` are the caller's): the one place a filter becomes SQL, for lists and counts alike.
 */
export function whereObligations<O>(
  q: SelectQueryBuilder<Database, 'obligations', O>,
  filter: ObligationFilter,
): SelectQueryBuilder<Database, 'obligations', O> {
  if (filter.cycleWorkflowId !== undefined) q = q.where('cycle_workflow_id', '=', filter.cycleWorkflowId);
  if (filter.planId !== undefined) q = q.where('plan_id', '=', filter.planId);
  if (filter.period !== undefined) q = q.where('period', '=', filter.period);
  if (filter.stageId !== undefined) q = q.where('stage_id', '=', filter.stageId);
  if (filter.agencyCode !== undefined) q = q.where('agency_code', '=', filter.agencyCode);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.planIds !== undefined)
    q = filter.planIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('plan_id', 'in', [...filter.planIds]);
  return q;
}

function filteredObligations(db: Kysely<Database>, filter: ObligationFilter) {
  return whereObligations(db.selectFrom('obligations'), filter);
}

export async function listObligations(db: Kysely<Database>, filter: ObligationFilter = {}): Promise<ObligationRow[]> {
  return filteredObligations(db, filter)
    .selectAll()
    .orderBy('due_at')
    .orderBy('workflow_id')
    .limit(filter.limit ?? 5000)
    .execute();
}

/** How many obligations are in each status under the same filter (the status filter itself aside). */
export async function countObligationsByStatus(
  db: Kysely<Database>,
  filter: ObligationFilter = {},
): Promise<Record<string, number>> {
  const { status: _ignored, ...rest } = filter;
  const rows = await filteredObligations(db, rest)
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function getObligation(db: Kysely<Database>, workflowId: string): Promise<ObligationRow | undefined> {
  return db.selectFrom('obligations').selectAll().where('workflow_id', '=', workflowId).executeTakeFirst();
}

/** Obligations overdue now, counted per plan (the api's merzim_overdue_obligations gauge). */
export async function overdueByPlan(db: Kysely<Database>): Promise<{ planId: string; count: number }[]> {
  const rows = await db
    .selectFrom('obligations')
    .select(['plan_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('status', '=', 'overdue')
    .groupBy('plan_id')
    .execute();
  return rows.map((r) => ({ planId: r.plan_id, count: Number(r.n) }));
}

/**
 * The status and due date of these obligations' read-model rows, each row held FOR SHARE until the transaction ends: the
 * obligation's own write of its row (a report's arrival) waits meanwhile. Locked in workflow id order.
 */
export async function lockObligationStates(
  trx: Kysely<Database>,
  workflowIds: readonly string[],
): Promise<{ workflow_id: string; status: string; due_date: string }[]> {
  if (workflowIds.length === 0) return [];
  return trx
    .selectFrom('obligations')
    .select(['workflow_id', 'status', 'due_date'])
    .where('workflow_id', 'in', [...workflowIds].sort())
    .orderBy('workflow_id')
    .forShare()
    .execute();
}
