// What the charts are drawn from: counts over the obligations read model and the events log, narrowed to a cycle, a plan or an agency.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

export interface OnTimeRow {
  readonly period: string;
  readonly agencyCode: string;
  /** Obligations whose deadline has passed or that have been reported on. */
  readonly due: number;
  /** Of those, reported by the deadline (the latest submission 0 working days late). */
  readonly onTime: number;
}

/** Per period and agency of a plan's cycles: how many reports were due and how many came on time. Closed obligations do not count. */
export async function onTimeCounts(
  db: Kysely<Database>,
  f: { planId: string; agencyCode?: string; now: Date },
): Promise<OnTimeRow[]> {
  let q = db
    .selectFrom('obligations')
    .select((eb) => [
      'period',
      'agency_code',
      sql<string>`count(*) filter (where ${eb.ref('due_at')} <= ${f.now} or ${eb.ref('report_version')} > 0)`.as('due'),
      sql<string>`count(*) filter (where ${eb.ref('report_version')} > 0 and ${eb.ref('working_days_late')} = 0)`.as(
        'on_time',
      ),
    ])
    .where('plan_id', '=', f.planId)
    .where('status', '<>', 'closed')
    .groupBy(['period', 'agency_code'])
    .orderBy('period')
    .orderBy('agency_code');
  if (f.agencyCode !== undefined) q = q.where('agency_code', '=', f.agencyCode);
  const rows = await q.execute();
  return rows.map((r) => ({
    period: r.period,
    agencyCode: r.agency_code,
    due: Number(r.due),
    onTime: Number(r.on_time),
  }));
}

export interface CycleObligationDates {
  readonly obligationId: string;
  readonly agencyCode: string;
  readonly dueDate: string;
}

/** The cycle's obligations with their (effective) due dates, optionally one agency's. */
export async function cycleObligationDates(
  db: Kysely<Database>,
  f: { cycleId: string; agencyCode?: string },
): Promise<CycleObligationDates[]> {
  let q = db
    .selectFrom('obligations')
    .select(['workflow_id', 'agency_code', 'due_date', 'effective_due_date'])
    .where('cycle_workflow_id', '=', f.cycleId);
  if (f.agencyCode !== undefined) q = q.where('agency_code', '=', f.agencyCode);
  const rows = await q.orderBy('workflow_id').execute();
  return rows.map((r) => ({
    obligationId: r.workflow_id,
    agencyCode: r.agency_code,
    dueDate: r.effective_due_date ?? r.due_date,
  }));
}

export interface ObligationEvent {
  readonly obligationId: string;
  readonly type: string;
  readonly at: Date;
}

/** Events of these types recorded by the cycle's obligations (subject ids under `prefix`), oldest first. */
export async function obligationEvents(
  db: Kysely<Database>,
  f: { prefix: string; types: readonly string[] },
): Promise<ObligationEvent[]> {
  // LIKE with the prefix's own wildcards escaped: agency codes and plan ids are data.
  const pattern = `${f.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db
    .selectFrom('events')
    .select(['subject_id', 'type', 'occurred_at'])
    .where('subject_type', '=', 'obligation')
    .where('subject_id', 'like', pattern)
    .where('type', 'in', [...f.types])
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ obligationId: r.subject_id!, type: r.type, at: r.occurred_at }));
}
