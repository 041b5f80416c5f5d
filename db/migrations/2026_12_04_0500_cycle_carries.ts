// What a reporting cycle carries into its next run when it continues as new (workflows/reporting-cycle.ts, patch
// cycle-continue-as-new): the state as JSON text, cut into chunks stored by SHA-256 of their text. The next run's input names
// the hashes, so a cycle of thousands of obligations continues with an input of a few hundred bytes, and every chunk read back
// is checked against its hash. Immutable: UPDATE, DELETE and TRUNCATE refused by trigger here and by privilege (db/grants.ts).
// Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cycle_carries')
    .addColumn('hash', 'text', (c) => c.primaryKey().check(sql`hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('chunk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cycle_carries_cycle').on('cycle_carries').column('cycle_id').execute();
  await sql`
    CREATE FUNCTION merzim_cycle_carries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'cycle_carries is immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER cycle_carries_immutable BEFORE UPDATE OR DELETE ON cycle_carries
    FOR EACH ROW EXECUTE FUNCTION merzim_cycle_carries_immutable()`.execute(db);
  await sql`CREATE TRIGGER cycle_carries_no_truncate BEFORE TRUNCATE ON cycle_carries
    FOR EACH STATEMENT EXECUTE FUNCTION merzim_cycle_carries_immutable()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cycle_carries').execute();
  await sql`DROP FUNCTION merzim_cycle_carries_immutable()`.execute(db);
}
