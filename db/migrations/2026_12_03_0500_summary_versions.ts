// Consolidated summaries frozen to go up the chain: each submission of a summary (the coordinator's to the PM Office, the PM
// Office's report to the Presidential Administration) is an immutable row, as report_versions is for an agency's report —
// append-only by trigger here and by privilege in db/grants.ts. The carrier obligation's `submit` Update carries only the
// row's id, number and hash. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('summary_versions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // The obligation that carries the summary up (the coordinator's stage to the PM Office, the PM Office's to the PA).
    .addColumn('obligation_id', 'text', (c) => c.notNull())
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    // The stage the summary consolidates (executors for the coordinator's summary).
    .addColumn('stage_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('agency_code', 'text', (c) => c.notNull())
    // domain/summary-version.ts FrozenSummary; content_hash is the SHA-256 of its canonical JSON.
    .addColumn('content', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull().check(sql`content_hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('summary_versions_obligation_version', ['obligation_id', 'version'])
    .execute();
  await db.schema
    .createIndex('summary_versions_cycle')
    .on('summary_versions')
    .columns(['cycle_id', 'stage_id'])
    .execute();
  await sql`
    CREATE FUNCTION merzim_summary_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'summary_versions is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER summary_versions_append_only BEFORE UPDATE OR DELETE ON summary_versions
    FOR EACH ROW EXECUTE FUNCTION merzim_summary_versions_immutable()`.execute(db);
  await sql`CREATE TRIGGER summary_versions_no_truncate BEFORE TRUNCATE ON summary_versions
    FOR EACH STATEMENT EXECUTE FUNCTION merzim_summary_versions_immutable()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('summary_versions').execute();
  await sql`DROP FUNCTION merzim_summary_versions_immutable()`.execute(db);
}
