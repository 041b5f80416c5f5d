// Plans in PostgreSQL: drafts with their diagnostics, confirmation, amendments as new versions, repeal. Writes that touch several
// rows take the caller's transaction (db/commands/ opens none either: the caller does, so the audit event joins it).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, PlanRow, PlanStatus } from '../database.js';
import type { Diagnostic, Plan } from '../../domain/plan.js';

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
  /** Restrict to plans where this agency is an executor or the coordinator. */
  readonly agencyCode?: string;
}

export async function listPlans(db: Db, f: PlanListFilter): Promise<StoredPlan[]> {
  let q = db.selectFrom('plans').selectAll().where('status', '<>', 'discarded').orderBy('created_at', 'desc');
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.ids !== undefined) q = f.ids.length === 0 ? q.where(sql<boolean>`false`) : q.where('id', 'in', [...f.ids]);
  if (f.agencyCode !== undefined) {
    const code = f.agencyCode;
    q = q.where((eb) =>
      eb.or([
        eb('coordinator_code', '=', code),
        eb.exists(
          eb
            .selectFrom('measure_executors as me')
            .select('me.plan_id')
            .whereRef('me.plan_id', '=', 'plans.id')
            .where('me.agency_code', '=', code),
        ),
      ]),
    );
  }
  return (await q.execute()).map(rowToStoredPlan);
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
