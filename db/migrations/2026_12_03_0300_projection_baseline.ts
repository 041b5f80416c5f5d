// Since this version every write to a read model (cycles, obligations, notifications) appends, in its transaction, an event that
// carries the row (`cycle.saved`, `obligation.saved`, `notification.queued`, `notification.delivered`), so `merzim projections
// rebuild` can make the read models from the events log alone. Rows written before have no such event: this migration appends
// one baseline event per row (actor `migration`), through the hash-chain trigger, so they are rebuilt too rather than deleted.
// The application role needs nothing new: the rebuild reads `events` and writes the three tables' rows, which it already may
// (LOCK … IN EXCLUSIVE MODE needs UPDATE, which it has). Frozen once shipped.
import { sql, type Kysely } from 'kysely';

/** An instant as the workers write them (ISO, UTC, milliseconds). */
const iso = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    INSERT INTO events (idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, payload)
    SELECT 'projection-baseline:' || c.workflow_id, 'cycle.saved', 'migration', c.workflow_id, c.run_id, 'cycle', c.workflow_id,
      jsonb_build_object('workflowId', c.workflow_id, 'runId', c.run_id, 'revision', c.revision, 'planId', c.plan_id,
        'period', c.period, 'policyId', c.policy_id, 'status', c.status, 'stage', c.stage, 'closedReason', c.closed_reason,
        'spec', c.spec, 'openedAt', ${iso('c.opened_at')}, 'finishedAt', ${iso('c.finished_at')})
    FROM cycles c
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = c.workflow_id AND e.type = 'cycle.saved')
    ORDER BY c.workflow_id`.execute(db);
  await sql`
    INSERT INTO events (idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, payload)
    SELECT 'projection-baseline:' || o.workflow_id, 'obligation.saved', 'migration', o.workflow_id, o.run_id, 'obligation',
      o.workflow_id,
      jsonb_build_object('workflowId', o.workflow_id, 'runId', o.run_id, 'revision', o.revision,
        'cycleWorkflowId', o.cycle_workflow_id, 'planId', o.plan_id, 'period', o.period, 'stageId', o.stage_id,
        'agencyCode', o.agency_code, 'status', o.status, 'dueDate', o.due_date, 'effectiveDueDate', o.effective_due_date,
        'dueAt', ${iso('o.due_at')}, 'reportVersion', o.report_version, 'report', o.report,
        'submittedAt', ${iso('o.submitted_at')}, 'workingDaysLate', o.working_days_late,
        'acceptedAt', ${iso('o.accepted_at')}, 'closedReason', o.closed_reason, 'openedAt', ${iso('o.opened_at')},
        'finishedAt', ${iso('o.finished_at')})
    FROM obligations o
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = o.workflow_id AND e.type = 'obligation.saved')
    ORDER BY o.workflow_id`.execute(db);
  await sql`
    INSERT INTO events (idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, payload)
    SELECT 'notification:' || n.dedupe_key || ':queued', 'notification.queued', 'migration', n.workflow_id, n.run_id,
      'notification', n.dedupe_key,
      jsonb_build_object('id', n.id::text, 'dedupeKey', n.dedupe_key, 'createdAt', ${iso('n.created_at')},
        'to', to_jsonb(n.to_addresses), 'subject', n.subject, 'bodyText', n.body_text, 'lang', n.lang,
        'messageId', n.message_id, 'workflowId', n.workflow_id, 'runId', n.run_id)
    FROM notifications n
    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.idempotency_key = 'notification:' || n.dedupe_key || ':queued')
    ORDER BY n.id`.execute(db);
  await sql`
    INSERT INTO events (idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, payload)
    SELECT 'notification:' || n.dedupe_key || ':delivered', 'notification.delivered', 'migration', n.workflow_id, n.run_id,
      'notification', n.dedupe_key, jsonb_build_object('dedupeKey', n.dedupe_key, 'sentAt', ${iso('n.sent_at')})
    FROM notifications n
    WHERE n.status = 'sent' AND n.sent_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.idempotency_key = 'notification:' || n.dedupe_key || ':delivered')
    ORDER BY n.id`.execute(db);
}

// The events log is append-only: the baseline stays (it is true of the rows as they were).
export async function down(): Promise<void> {}
