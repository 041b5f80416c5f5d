// Who sees and manages which plan: admins everything; the PM Office confirmed plans; coordinators their plans; reporters their agency's measures.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { PlanListScope, StoredPlan } from '../db/repositories/plans.js';
import type { Plan } from '../domain/plan.js';
import { actorOf, type Principal } from './auth.js';

export interface PlanScope {
  /** Plans the caller coordinates (bound to, or its agency is the coordinator). */
  readonly coordinated: ReadonlySet<string>;
}

export async function scopeOf(db: Kysely<Database>, p: Principal): Promise<PlanScope> {
  if (p.role !== 'coordinator' || (p.agencyCode === null && p.userId === null)) return { coordinated: new Set() };
  const rows = await coordinatedPlans(db, p).execute();
  return { coordinated: new Set(rows.map((r) => r.plan_id)) };
}

/**
 * The plans a coordinator coordinates, as a query of `plan_id`: those its agency coordinates and those the user is bound to
 * (one round trip; every list a coordinator reads asks). scopeOf runs it; a statement that needs the scope inside it (the
 * board's) embeds it, so the rule is written once.
 */
export function coordinatedPlans(db: Kysely<Database>, p: Pick<Principal, 'agencyCode' | 'userId'>) {
  const bound = db.selectFrom('user_plans').select('plan_id');
  if (p.agencyCode === null)
    return p.userId === null ? bound.where(sql<boolean>`false`) : bound.where('user_id', '=', p.userId);
  const own = db.selectFrom('plans').select('id as plan_id').where('coordinator_code', '=', p.agencyCode);
  return p.userId === null ? own : own.union(bound.where('user_id', '=', p.userId));
}

export function canManage(p: Principal, scope: PlanScope, plan: StoredPlan): boolean {
  if (p.role === 'admin') return true;
  if (p.role !== 'coordinator') return false;
  // A coordinator's own draft is theirs to review even before it names a coordinator.
  return scope.coordinated.has(plan.id) || (plan.status === 'draft' && plan.createdBy === actorOf(p));
}

/**
 * Confirming puts a plan's schedule and its coordinator's duties in motion: only an admin, or the plan's named coordinator (its agency
 * is the plan's coordinator, or the user is bound to the plan), may do it. Importing a draft that names another body is not enough.
 */
export function canConfirm(p: Principal, scope: PlanScope, plan: StoredPlan): boolean {
  if (p.role === 'admin') return true;
  return p.role === 'coordinator' && scope.coordinated.has(plan.id);
}

export function canSee(p: Principal, scope: PlanScope, plan: StoredPlan): boolean {
  if (canManage(p, scope, plan)) return true;
  if (plan.status === 'draft' || plan.status === 'discarded') return false;
  if (p.role === 'pm_office') return true;
  if (p.role === 'reporter') return p.agencyCode !== null && executesOrReceives(plan.plan, p.agencyCode);
  return false;
}

function executesOrReceives(plan: Plan, code: string): boolean {
  return (
    plan.coordinator === code ||
    plan.measures.some(
      (m) =>
        m.executors.some((e) => e.code === code) ||
        (m.recipient !== null && 'agency' in m.recipient && m.recipient.agency === code),
    )
  );
}

/** A reporter sees only the measures its agency executes or receives; everyone else the whole plan. */
export function planForViewer(p: Principal, plan: Plan): Plan {
  if (p.role !== 'reporter' || p.agencyCode === null) return plan;
  const code = p.agencyCode;
  return {
    ...plan,
    measures: plan.measures.filter(
      (m) =>
        m.executors.some((e) => e.code === code) ||
        (m.recipient !== null && 'agency' in m.recipient && m.recipient.agency === code),
    ),
  };
}

/**
 * The plans a caller's list shows, as the repository's SQL scope: exactly what canSee allows (discarded plans are never
 * listed). An admin every plan; the PM Office confirmed and repealed ones; a coordinator the plans it coordinates and its
 * own drafts; a reporter its agency's confirmed and repealed plans (coordinator, executor or recipient of a measure).
 */
export function listScopeOf(p: Principal): PlanListScope {
  switch (p.role) {
    case 'admin':
      return { kind: 'all' };
    case 'pm_office':
      return { kind: 'published' };
    case 'coordinator':
      return { kind: 'coordinator', userId: p.userId, agencyCode: p.agencyCode, actor: actorOf(p) };
    case 'reporter':
      return p.agencyCode === null ? { kind: 'none' } : { kind: 'agency', agencyCode: p.agencyCode };
    default:
      return { kind: 'none' };
  }
}
