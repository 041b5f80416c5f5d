// A cycle's measure texts, once per content: the bilingual titles a spec of version 3 leaves out of Temporal's history and
// references by SHA-256 (domain/cycle-texts.ts). Immutable: UPDATE, DELETE and TRUNCATE refused by trigger here and by
// privilege (db/grants.ts: the application role may only SELECT and INSERT). Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cycle_texts')
    .addColumn('hash', 'text', (c) => c.primaryKey().check(sql`hash ~ '^[0-9a-f]{64}$'`))
    .addColumn('texts', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`
    CREATE FUNCTION merzim_cycle_texts_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'cycle_texts is immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER cycle_texts_immutable BEFORE UPDATE OR DELETE ON cycle_texts
    FOR EACH ROW EXECUTE FUNCTION merzim_cycle_texts_immutable()`.execute(db);
  await sql`CREATE TRIGGER cycle_texts_no_truncate BEFORE TRUNCATE ON cycle_texts
    FOR EACH STATEMENT EXECUTE FUNCTION merzim_cycle_texts_immutable()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cycle_texts').execute();
  await sql`DROP FUNCTION merzim_cycle_texts_immutable()`.execute(db);
}
