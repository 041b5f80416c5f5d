// The board's escalations by cycle: an escalation's subject is its obligation, whose id begins with the cycle's plan and
// period (`obligation:<plan>:<period>:<agency>:<stage>`), so a byte-ordered index of those subjects answers "the escalations
// of this cycle" (and of one agency in it) as one range scan, and their count — the board's cheap check that none was added —
// without touching the cycle's thousands of obligations. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX events_escalation_subject_idx ON events ((subject_id COLLATE "C"), id)
    WHERE type = 'escalation.sent' AND subject_type = 'obligation'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX events_escalation_subject_idx`.execute(db);
}
