// Submitted report versions: each submission is a new immutable row (never updated or deleted: by trigger here, and by
// privilege in db/grants.ts); drafts keep the full report shape beside their legacy item list. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_versions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('obligation_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('agency_code', 'text', (c) => c.notNull())
    // The normalised content (domain/report.ts); content_hash is the SHA-256 of its canonical JSON, which the workflow records.
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull().check(sql`content_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('report_versions_obligation_version', ['obligation_id', 'version'])
    .execute();
  await sql`
    CREATE FUNCTION merzim_report_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'report_versions is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER report_versions_append_only BEFORE UPDATE OR DELETE ON report_versions
    FOR EACH ROW EXECUTE FUNCTION merzim_report_versions_immutable()`.execute(db);
  await sql`CREATE TRIGGER report_versions_no_truncate BEFORE TRUNCATE ON report_versions
    FOR EACH STATEMENT EXECUTE FUNCTION merzim_report_versions_immutable()`.execute(db);
  // The full report being typed (domain/report.ts ReportContent); `items` stays for drafts saved before it.
  await db.schema.alterTable('report_drafts').addColumn('content', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('report_drafts').dropColumn('content').execute();
  await db.schema.dropTable('report_versions').execute();
  await sql`DROP FUNCTION merzim_report_versions_immutable()`.execute(db);
}
