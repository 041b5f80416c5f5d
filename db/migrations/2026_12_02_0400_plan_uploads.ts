// Plan uploads under review: the file an admin or coordinator uploaded through the import page, kept while they answer the
// diagnostics (unknown codes, columns, metadata) so they need not upload it again; deleted once stored as a draft or stale.
// Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plan_uploads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('plan_uploads_created_at').on('plan_uploads').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('plan_uploads').execute();
}
