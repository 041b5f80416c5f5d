// The audit log made tamper-evident: each `events` row belongs to a stream (its workflow, else its subject) and carries its place
// in it and a SHA-256 over its content chained to the previous row's, computed on insert by a trigger that holds a per-stream lock
// for the transaction (concurrent inserts cannot fork a chain). Existing rows are chained here, in id order. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN stream text, ADD COLUMN stream_seq bigint, ADD COLUMN prev_hash text,
    ADD COLUMN hash text`.execute(db);
  await sql`
    CREATE FUNCTION merzim_event_stream(workflow_id text, subject_type text, subject_id text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
      SELECT coalesce(workflow_id, CASE WHEN subject_type IS NOT NULL AND subject_id IS NOT NULL
        THEN subject_type || ':' || subject_id END, '-')
    $$`.execute(db);
  // What the hash covers, as canonical text: every column but the hashes, the instant in UTC to the microsecond, the payload
  // as jsonb prints it (keys sorted). db/repositories/event-chain.ts recomputes it independently of this function.
  await sql`
    CREATE FUNCTION merzim_event_content(e events) RETURNS text LANGUAGE sql STABLE AS $$
      SELECT jsonb_build_array(e.id::text, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.idempotency_key, e.type, e.actor, e.workflow_id, e.run_id, e.subject_type, e.subject_id, e.stream,
        e.stream_seq::text, e.payload)::text
    $$`.execute(db);
  await sql`
    CREATE FUNCTION merzim_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      last_hash text;
      last_seq bigint;
    BEGIN
      NEW.stream := merzim_event_stream(NEW.workflow_id, NEW.subject_type, NEW.subject_id);
      -- One writer per stream until commit; the SELECT below then sees the last committed row (a fresh snapshot per statement).
      PERFORM pg_advisory_xact_lock(hashtextextended('merzim.events:' || NEW.stream, 0));
      SELECT hash, stream_seq INTO last_hash, last_seq FROM events WHERE stream = NEW.stream
        ORDER BY stream_seq DESC LIMIT 1;
      NEW.stream_seq := coalesce(last_seq, 0) + 1;
      NEW.prev_hash := coalesce(last_hash, '');
      NEW.hash := encode(sha256(convert_to(NEW.prev_hash || E'\\n' || merzim_event_content(NEW), 'UTF8')), 'hex');
      RETURN NEW;
    END $$`.execute(db);

  // Chain what is there, per stream in id order (the append-only trigger is the owner's to lift for this one migration).
  await sql`ALTER TABLE events DISABLE TRIGGER events_append_only`.execute(db);
  await sql`UPDATE events SET stream = merzim_event_stream(workflow_id, subject_type, subject_id)`.execute(db);
  await sql`
    DO $$
    DECLARE
      r events;
      cur_stream text := NULL;
      seq bigint := 0;
      prev text := '';
    BEGIN
      FOR r IN SELECT * FROM events ORDER BY stream, id LOOP
        IF cur_stream IS DISTINCT FROM r.stream THEN
          cur_stream := r.stream;
          seq := 0;
          prev := '';
        END IF;
        seq := seq + 1;
        r.stream_seq := seq;
        r.prev_hash := prev;
        r.hash := encode(sha256(convert_to(prev || E'\\n' || merzim_event_content(r), 'UTF8')), 'hex');
        UPDATE events SET stream_seq = r.stream_seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        prev := r.hash;
      END LOOP;
    END $$`.execute(db);
  await sql`ALTER TABLE events ENABLE TRIGGER events_append_only`.execute(db);
  await sql`ALTER TABLE events ALTER COLUMN stream SET NOT NULL, ALTER COLUMN stream_seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX events_stream_seq_idx ON events (stream, stream_seq)`.execute(db);
  await sql`CREATE TRIGGER events_chain BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION merzim_events_chain()`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER events_chain ON events`.execute(db);
  await sql`DROP FUNCTION merzim_events_chain()`.execute(db);
  await sql`DROP INDEX events_stream_seq_idx`.execute(db);
  await sql`ALTER TABLE events DROP COLUMN stream, DROP COLUMN stream_seq, DROP COLUMN prev_hash, DROP COLUMN hash`.execute(
    db,
  );
  await sql`DROP FUNCTION merzim_event_content(events)`.execute(db);
  await sql`DROP FUNCTION merzim_event_stream(text, text, text)`.execute(db);
}
