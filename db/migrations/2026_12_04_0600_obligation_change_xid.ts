// Which transaction last wrote each obligation (`changed_xid`, set by trigger on every insert and update), indexed under its
// plan and period: the newest of a cycle's obligations is one step down that index, the cheap stamp of "has anything in this
// cycle changed" that lets the API keep a page of obligations between changes (api/services/obligations.ts,
// obligationStamp) instead of counting thousands of rows on every request. Transaction ids (xid8, never wrapping) let the
// reader tell whether an older writer might still commit: see obligationStamp. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE obligations ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()`.execute(db);
  await sql`
    CREATE FUNCTION merzim_obligations_changed_xid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.changed_xid := pg_current_xact_id();
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER obligations_changed_xid BEFORE INSERT OR UPDATE ON obligations
    FOR EACH ROW EXECUTE FUNCTION merzim_obligations_changed_xid()`.execute(db);
  await sql`CREATE INDEX obligations_changed_idx ON obligations (plan_id, period, changed_xid)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX obligations_changed_idx`.execute(db);
  await sql`DROP TRIGGER obligations_changed_xid ON obligations`.execute(db);
  await sql`DROP FUNCTION merzim_obligations_changed_xid()`.execute(db);
  await sql`ALTER TABLE obligations DROP COLUMN changed_xid`.execute(db);
}
