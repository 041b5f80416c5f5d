// Agencies' deadline feeds: one secret .ics URL per agency, revocable and regenerated. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The secret is stored as it is, not hashed: the inbox shows the URL again each time (as calendar providers show their
  // "secret address"), and it opens only a read-only list of deadlines. Rotation revokes the old row and writes a new one.
  await db.schema
    .createTable('agency_feeds')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .execute();
  // At most one live feed per agency.
  await db.schema
    .createIndex('agency_feeds_one_live')
    .on('agency_feeds')
    .column('agency_code')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agency_feeds').execute();
}
