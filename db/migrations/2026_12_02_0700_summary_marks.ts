// The coordinator's part of a consolidated summary: agencies marked missing with a reason (what lets the summary go up
// without their reports) and the editable preface and conclusions, per cycle and stage. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('summary_marks')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    // A mark without a reason does not count (domain/summary.ts), so none is stored.
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`btrim(reason) <> ''`))
    .addColumn('marked_by', 'text', (c) => c.notNull())
    .addColumn('marked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('summary_marks_pk', ['cycle_id', 'stage_id', 'agency_code'])
    .execute();
  await db.schema
    .createTable('summary_texts')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('preface_kk', 'text')
    .addColumn('preface_ru', 'text')
    .addColumn('conclusions_kk', 'text')
    .addColumn('conclusions_ru', 'text')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('summary_texts_pk', ['cycle_id', 'stage_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('summary_texts').execute();
  await db.schema.dropTable('summary_marks').execute();
}
