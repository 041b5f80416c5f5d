// Plans in PostgreSQL: drafts with their diagnostics, confirmation, amendments as new versions, repeal. Writes that touch several
// rows take the caller's transaction (db/commands/ opens none either: the caller does, so the audit event joins it).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, PlanRow, PlanStatus } from '../database.js';
import type { ActRef, Diagnostic, Plan } from '../../domain/plan.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface StoredPlan {
  readonly id: string;
  readonly status: PlanStatus;
  readonly version: number;
  readonly plan: Plan;
  readonly diagnostics: readonly Diagnostic[];
  readonly sourceFormat: string;
  readonly sourceName: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly confirmedAt: Date | null;
  readonly repealedAt: Date | null;
  readonly repealReason: string | null;
}

export function rowToStoredPlan(r: PlanRow): StoredPlan {
  return {
    id: r.id,
    status: r.status,
    version: r.version,
    plan: r.document,
    diagnostics: r.diagnostics,
    sourceFormat: r.source_format,
    sourceName: r.source_name,
    createdBy: r.created_by,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    repealedAt: r.repealed_at,
    repealReason: r.repeal_reason,
  };
}

function summaryColumns(plan: Plan) {
  return {
    title_kk: plan.title.kk,
    title_ru: plan.title.ru,
    coordinator_code: plan.coordinator === '' ? null : plan.coordinator,
    policy_id: plan.policy.id,
    years_from: plan.years.from,
    years_to: plan.years.to,
    act_number: plan.approvedBy.number === '' ? null : plan.approvedBy.number,
    act_date: plan.approvedBy.date === '' ? null : plan.approvedBy.date,
    act: JSON.stringify(plan.approvedBy),
    measure_count: plan.measures.length,
    document: JSON.stringify(plan),
  };
}

export async function createDraft(
  db: Db,
  d: {
    plan: Plan;
    diagnostics: readonly Diagnostic[];
    sourceFormat: string;
    sourceName: string | null;
    createdBy: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('plans')
    .values({
      status: 'draft',
      ...summaryColumns(d.plan),
      diagnostics: JSON.stringify(d.diagnostics),
      error_count: d.diagnostics.filter((x) => x.severity === 'error').length,
      warning_count: d.diagnostics.filter((x) => x.severity === 'warning').length,
      source_format: d.sourceFormat,
      source_name: d.sourceName,
      created_by: d.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function getPlan(db: Db, id: string): Promise<StoredPlan | undefined> {
  const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : rowToStoredPlan(row);
}

export interface PlanListFilter {
  readonly status?: PlanStatus;
  /** Restrict to these ids (access rules computed by the caller); undefined = no restriction. */
  readonly ids?: readonly string[];
}

/** Whole plans (the documents too), newest first: for the engine's and the CLI's own work, never for a list a caller pages. */
export async function listPlans(db: Db, f: PlanListFilter): Promise<StoredPlan[]> {
  let q = db.selectFrom('plans').selectAll().where('status', '<>', 'discarded').orderBy('created_at', 'desc');
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.ids !== undefined) q = f.ids.length === 0 ? q.where(sql<boolean>`false`) : q.where('id', 'in', [...f.ids]);
  return (await q.execute()).map(rowToStoredPlan);
}

/**
 * Which plans a list shows, as SQL (the rules are api/plan-access.ts's; this is their query): every plan but discarded ones;
 * only confirmed and repealed ones; a coordinator's (bound to it, its agency coordinates it, or its own draft); an agency's
 * confirmed and repealed plans where it coordinates, executes or receives a measure; none.
 */
export type PlanListScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'published' }
  | {
      readonly kind: 'coordinator';
      readonly userId: string | null;
      readonly agencyCode: string | null;
      readonly actor: string;
    }
  | { readonly kind: 'agency'; readonly agencyCode: string }
  | { readonly kind: 'none' };

/** A plan as a list shows it: its summary columns, never its document. */
export interface PlanListItem {
  readonly id: string;
  readonly status: PlanStatus;
  readonly version: number;
  readonly title: { readonly kk: string | null; readonly ru: string | null };
  readonly coordinator: string;
  readonly years: { readonly from: number; readonly to: number };
  readonly act: ActRef;
  readonly policy: string;
  /** How many measures: for an agency's scope, the measures it executes or receives. */
  readonly measures: number;
  readonly errors: number;
  readonly warnings: number;
  readonly createdAt: Date;
  readonly confirmedAt: Date | null;
  readonly repealedAt: Date | null;
  /** The keyset of the row (created_at to the microsecond, in UTC, and id): a cursor loses nothing a Date would. */
  readonly key: readonly [string, string];
}

/** One page of plans in a scope, newest first (created_at, id), after a page's last key; `limit` rows when given. */
export async function listPlanPage(
  db: Db,
  q: {
    readonly scope: PlanListScope;
    readonly status?: PlanStatus;
    readonly after?: readonly [string, string];
    readonly limit?: number;
  },
): Promise<PlanListItem[]> {
  const { scope } = q;
  if (scope.kind === 'none') return [];
  const byAgency = (code: string) =>
    sql<boolean>`(plans.coordinator_code = ${code}
      OR EXISTS (SELECT 1 FROM measure_executors e WHERE e.plan_id = plans.id AND e.agency_code = ${code})
      OR EXISTS (SELECT 1 FROM measures m WHERE m.plan_id = plans.id AND m.recipient ? 'agency' AND m.recipient->>'agency' = ${code}))`;
  const measures =
    scope.kind === 'agency'
      ? sql<number>`(SELECT count(*)::int FROM measures m WHERE m.plan_id = plans.id AND (
          (m.recipient ? 'agency' AND m.recipient->>'agency' = ${scope.agencyCode})
          OR EXISTS (SELECT 1 FROM measure_executors e
                     WHERE e.plan_id = m.plan_id AND e.measure_idx = m.idx AND e.agency_code = ${scope.agencyCode})))`
      : sql<number>`plans.measure_count`;
  let query = db
    .selectFrom('plans')
    .select([
      'id',
      'status',
      'version',
      'title_kk',
      'title_ru',
      'coordinator_code',
      'years_from',
      'years_to',
      'act',
      'policy_id',
      'error_count',
      'warning_count',
      'created_at',
      'confirmed_at',
      'repealed_at',
      measures.as('measures'),
      sql<string>`to_char(plans.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
    ])
    .where('status', '<>', 'discarded')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (scope.kind === 'published' || scope.kind === 'agency')
    query = query.where('status', 'in', ['confirmed', 'repealed']);
  if (scope.kind === 'agency') query = query.where(byAgency(scope.agencyCode));
  if (scope.kind === 'coordinator') {
    const { userId, agencyCode, actor } = scope;
    query = query.where((eb) =>
      eb.or([
        ...(userId === null
          ? []
          : [
              eb.exists(
                eb
                  .selectFrom('user_plans as up')
                  .select('up.plan_id')
                  .whereRef('up.plan_id', '=', 'plans.id')
                  .where('up.user_id', '=', userId),
              ),
            ]),
        ...(agencyCode === null ? [] : [eb('coordinator_code', '=', agencyCode)]),
        eb.and([eb('status', '=', 'draft'), eb('created_by', '=', actor)]),
      ]),
    );
  }
  if (q.after !== undefined)
    query = query.where(sql<boolean>`(plans.created_at, plans.id) < (${q.after[0]}::timestamptz, ${q.after[1]}::uuid)`);
  if (q.limit !== undefined) query = query.limit(q.limit);
  return (await query.execute()).map((r) => ({
    id: r.id,
    status: r.status,
    version: r.version,
    title: { kk: r.title_kk, ru: r.title_ru },
    coordinator: r.coordinator_code ?? '',
    years: { from: r.years_from ?? 0, to: r.years_to ?? 0 },
    act: r.act,
    policy: r.policy_id ?? '',
    measures: r.measures,
    errors: r.error_count,
    warnings: r.warning_count,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    repealedAt: r.repealed_at,
    key: [r.created_key, r.id],
  }));
}

/** Flattens the current version's measures and executors for per-agency queries. */
async function writeMeasures(trx: Transaction<Database>, planId: string, plan: Plan): Promise<void> {
  await trx.deleteFrom('measures').where('plan_id', '=', planId).execute();
  if (plan.measures.length === 0) return;
  await trx
    .insertInto('measures')
    .values(
      plan.measures.map((m, idx) => ({
        plan_id: planId,
        idx,
        number: m.number,
        title_kk: m.title.kk,
        title_ru: m.title.ru,
        deadline_text: m.deadline.text,
        deadline_kind: m.deadline.rule.kind,
        recipient: m.recipient === null ? null : JSON.stringify(m.recipient),
      })),
    )
    .execute();
  const executors = plan.measures.flatMap((m, idx) =>
    // A code listed twice in one cell is one executor.
    [...new Map(m.executors.map((e) => [e.code, e])).values()].map((e) => ({
      plan_id: planId,
      measure_idx: idx,
      agency_code: e.code,
      by_agreement: e.byAgreement,
      lead: e.lead,
    })),
  );
  for (let i = 0; i < executors.length; i += 1000)
    await trx
      .insertInto('measure_executors')
      .values(executors.slice(i, i + 1000))
      .execute();
}

export class PlanStateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlanStateError';
  }
}

export async function confirmPlan(trx: Transaction<Database>, id: string, by: string): Promise<StoredPlan> {
  const row = await trx.selectFrom('plans').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (row === undefined) throw new PlanStateError('not_found', `No plan ${id}`);
  if (row.status !== 'draft')
    throw new PlanStateError('not_draft', `Plan ${id} is ${row.status}, only a draft can be confirmed`);
  const errors = row.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0)
    throw new PlanStateError(
      'has_errors',
      `Plan ${id} has ${errors.length} error(s) to fix first: ${errors
        .slice(0, 3)
        .map((e) => e.message)
        .join('; ')}`,
    );
  const plan = row.document;
  if (row.act_number !== null) {
    const clash = await trx
      .selectFrom('plans')
      .select('id')
      .where('status', '=', 'confirmed')
      .where('act_number', '=', row.act_number)
      .where('act_date', '=', row.act_date)
      .executeTakeFirst();
    if (clash !== undefined)
      throw new PlanStateError(
        'duplicate_act',
        `Act No. ${row.act_number} of ${row.act_date} is already confirmed as plan ${clash.id}; amend that plan instead`,
      );
  }
  await writeMeasures(trx, id, plan);
  await trx
    .insertInto('plan_versions')
    .values({
      plan_id: id,
      version: 1,
      document: JSON.stringify(plan),
      change: JSON.stringify({ kind: 'confirmed' }),
      created_by: by,
    })
    .execute();
  const updated = await trx
    .updateTable('plans')
    .set({ status: 'confirmed', confirmed_by: by, confirmed_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToStoredPlan(updated);
}

/** Replaces the current document with an amended one as a new version; the change description is kept with it. */
export async function amendPlan(
  trx: Transaction<Database>,
  id: string,
  amended: Plan,
  change: unknown,
  by: string,
  expectedVersion?: number,
): Promise<StoredPlan> {
  const row = await trx.selectFrom('plans').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (row === undefined) throw new PlanStateError('not_found', `No plan ${id}`);
  if (row.status !== 'confirmed')
    throw new PlanStateError('not_confirmed', `Plan ${id} is ${row.status}; only a confirmed plan can be amended`);
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw new PlanStateError(
      'version_conflict',
      `Plan ${id} is at version ${row.version}, not ${expectedVersion}: reload and amend again`,
    );
  }
  const version = row.version + 1;
  await writeMeasures(trx, id, amended);
  await trx
    .insertInto('plan_versions')
    .values({ plan_id: id, version, document: JSON.stringify(amended), change: JSON.stringify(change), created_by: by })
    .execute();
  const updated = await trx
    .updateTable('plans')
    .set({ ...summaryColumns(amended), version })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToStoredPlan(updated);
}

export async function repealPlan(
  trx: Transaction<Database>,
  id: string,
  repealed: Plan,
  reason: string,
  by: string,
): Promise<StoredPlan> {
  const row = await trx.selectFrom('plans').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (row === undefined) throw new PlanStateError('not_found', `No plan ${id}`);
  if (row.status !== 'confirmed')
    throw new PlanStateError('not_confirmed', `Plan ${id} is ${row.status}; only a confirmed plan can be repealed`);
  const version = row.version + 1;
  await trx
    .insertInto('plan_versions')
    .values({
      plan_id: id,
      version,
      document: JSON.stringify(repealed),
      change: JSON.stringify({ kind: 'repealed', reason }),
      created_by: by,
    })
    .execute();
  const updated = await trx
    .updateTable('plans')
    .set({
      status: 'repealed',
      version,
      document: JSON.stringify(repealed),
      repealed_at: new Date(),
      repeal_reason: reason,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return rowToStoredPlan(updated);
}

export async function discardDraft(db: Db, id: string): Promise<boolean> {
  const r = await db
    .updateTable('plans')
    .set({ status: 'discarded' })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function listPlanVersions(db: Db, id: string) {
  return db
    .selectFrom('plan_versions')
    .select(['version', 'change', 'created_by', 'created_at'])
    .where('plan_id', '=', id)
    .orderBy('version')
    .execute();
}

export async function countPlans(db: Db): Promise<number> {
  return Number(
    (
      await db
        .selectFrom('plans')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}
