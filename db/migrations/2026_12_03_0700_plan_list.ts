// The plan list selects only what it shows (GET /api/v1/plans, the plans page, `merzim plan list`): the counts a summary
// carries and the approving act become columns beside the title and years, so a list never reads a whole plan document.
// Indexes: the keyset page by (created_at, id), and a reporter's plans where its agency receives a measure. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('plans')
    .addColumn('measure_count', 'integer')
    .addColumn('error_count', 'integer')
    .addColumn('warning_count', 'integer')
    .addColumn('act', 'jsonb')
    .execute();
  await sql`
    UPDATE plans SET
      measure_count = jsonb_array_length(document->'measures'),
      error_count = (SELECT count(*) FROM jsonb_array_elements(diagnostics) d WHERE d->>'severity' = 'error'),
      warning_count = (SELECT count(*) FROM jsonb_array_elements(diagnostics) d WHERE d->>'severity' = 'warning'),
      act = document->'approvedBy'
  `.execute(db);
  await sql`
    ALTER TABLE plans
      ALTER COLUMN measure_count SET NOT NULL,
      ALTER COLUMN error_count SET NOT NULL,
      ALTER COLUMN warning_count SET NOT NULL,
      ALTER COLUMN act SET NOT NULL
  `.execute(db);
  // Newest first, a page after the previous page's last (created_at, id): one backward range scan.
  await db.schema.createIndex('plans_page_idx').on('plans').columns(['created_at', 'id']).execute();
  await sql`CREATE INDEX measures_recipient_agency_idx ON measures ((recipient->>'agency')) WHERE recipient ? 'agency'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('measures_recipient_agency_idx').execute();
  await db.schema.dropIndex('plans_page_idx').execute();
  await db.schema
    .alterTable('plans')
    .dropColumn('act')
    .dropColumn('warning_count')
    .dropColumn('error_count')
    .dropColumn('measure_count')
    .execute();
}
