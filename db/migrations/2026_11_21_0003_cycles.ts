// Read models of reporting cycles and their obligations: projections of the workflows, upserted by workflow id. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

// Due dates stay ISO text ("2027-01-10"): a date column would come back through pg as a Date at local midnight.
const ISO_DATE = sql`'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`;

export async function up(db: Kysely<any>): Promise<void> {
  // No foreign key to plans: a projection must be rebuildable from the events alone, whatever the plan tables hold.
  await db.schema
    .createTable('cycles')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('open', 'completed', 'closed')`))
    .addColumn('stage', 'text')
    .addColumn('closed_reason', 'text')
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cycles_plan_period_idx').on('cycles').columns(['plan_id', 'period']).execute();

  await db.schema
    .createTable('obligations')
    .addColumn('workflow_id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('cycle_workflow_id', 'text')
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed')`),
    )
    .addColumn('due_date', 'text', (c) => c.notNull().check(sql`due_date ~ ${ISO_DATE}`))
    .addColumn('effective_due_date', 'text', (c) => c.check(sql`effective_due_date ~ ${ISO_DATE}`))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('report_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('report', 'jsonb')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('working_days_late', 'integer')
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('closed_reason', 'text')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('obligations_cycle_idx').on('obligations').column('cycle_workflow_id').execute();
  await db.schema.createIndex('obligations_plan_period_idx').on('obligations').columns(['plan_id', 'period']).execute();
  await db.schema
    .createIndex('obligations_agency_status_idx')
    .on('obligations')
    .columns(['agency_code', 'status'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('obligations').execute();
  await db.schema.dropTable('cycles').execute();
}
