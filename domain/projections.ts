// The read models (cycles, obligations, notifications) as a pure fold of the events log: every write to one of them is recorded,
// in the same transaction, by an event carrying the row's data (`cycle.saved`, `obligation.saved`, `notification.queued`,
// `notification.delivered`), so `merzim projections rebuild` can make them again from the events alone. The caller feeds the
// events of one stream after another, each in stream order, and drains the rows at each stream's end (constant memory).
import { obligationIdParts, type PointInTimeEvent } from './point-in-time.js';

/** The events the fold reads; every other type leaves the read models as they are. */
export const PROJECTION_EVENT_TYPES = [
  'cycle.saved',
  'obligation.saved',
  'notification.queued',
  'notification.delivered',
] as const;
export type ProjectionEventType = (typeof PROJECTION_EVENT_TYPES)[number];

export type ProjectionTable = 'cycles' | 'obligations' | 'notifications';

/**
 * Columns no event determines, by design: when a row was last written (bookkeeping of the write itself), and the outbox's
 * delivery attempts and last SMTP error (an attempt is not an event; only the claim and the delivery are). A rebuild keeps the
 * live values of these columns (a row it has to create gets the defaults), and `--check` lists them as "not rebuilt".
 */
export const NOT_REBUILT: Readonly<Record<ProjectionTable, readonly string[]>> = {
  cycles: ['updated_at'],
  obligations: ['updated_at', 'changed_xid'],
  notifications: ['attempts', 'last_error'],
};

/** The key column of each read model. */
export const KEY_COLUMN: Readonly<Record<ProjectionTable, string>> = {
  cycles: 'workflow_id',
  obligations: 'workflow_id',
  notifications: 'dedupe_key',
};

/** An event as the fold reads it: the point-in-time fold's shape, with the run that wrote it. */
export interface ProjectionEvent extends PointInTimeEvent {
  readonly runId: string | null;
}

/** A cycles row as rebuilt (and a live one normalised for comparison): instants as ISO strings, JSON as values. */
export interface CycleImage {
  readonly workflow_id: string;
  readonly run_id: string;
  readonly revision: number;
  readonly plan_id: string;
  readonly period: string;
  readonly policy_id: string;
  readonly status: 'open' | 'completed' | 'closed';
  readonly stage: string | null;
  readonly closed_reason: string | null;
  readonly spec: unknown;
  readonly opened_at: string;
  readonly finished_at: string | null;
}

export interface ObligationImage {
  readonly workflow_id: string;
  readonly run_id: string;
  readonly revision: number;
  readonly cycle_workflow_id: string | null;
  readonly plan_id: string;
  readonly period: string;
  readonly stage_id: string;
  readonly agency_code: string;
  readonly status: 'pending' | 'overdue' | 'submitted' | 'returned' | 'accepted' | 'closed';
  readonly due_date: string;
  readonly effective_due_date: string | null;
  readonly due_at: string;
  readonly report_version: number;
  readonly report: unknown;
  readonly submitted_at: string | null;
  readonly working_days_late: number | null;
  readonly accepted_at: string | null;
  readonly closed_reason: string | null;
  readonly opened_at: string;
  readonly finished_at: string | null;
}

export interface NotificationImage {
  readonly id: string;
  readonly dedupe_key: string;
  readonly created_at: string;
  readonly to_addresses: readonly string[];
  readonly subject: string;
  readonly body_text: string;
  readonly lang: string;
  readonly status: 'pending' | 'sent';
  readonly message_id: string;
  readonly sent_at: string | null;
  readonly workflow_id: string | null;
  readonly run_id: string | null;
}

export interface RebuiltRows {
  readonly cycles: CycleImage[];
  readonly obligations: ObligationImage[];
  readonly notifications: NotificationImage[];
}

/** An instant as the read models compare it (ISO, UTC, milliseconds); null stays null. */
export function isoInstant(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an instant: ${String(value)}`);
  return d.toISOString();
}

type Payload = Record<string, unknown>;
const str = (p: Payload, k: string): string => {
  const v = p[k];
  if (typeof v !== 'string') throw new TypeError(`payload.${k} is not a string`);
  return v;
};
const strOrNull = (p: Payload, k: string): string | null => (p[k] === null || p[k] === undefined ? null : str(p, k));
const num = (p: Payload, k: string): number => {
  const v = p[k];
  if (typeof v !== 'number') throw new TypeError(`payload.${k} is not a number`);
  return v;
};

/**
 * Whether a save replaces the row there: as the live upserts decide (db/repositories/cycles.ts), a new run always, the same run
 * only with a greater revision — so retried or out-of-order saves fold to what the live table kept.
 */
function replaces(
  existing: { run_id: string; revision: number } | undefined,
  runId: string,
  revision: number,
): boolean {
  return existing === undefined || existing.run_id !== runId || existing.revision < revision;
}

export class ProjectionFold {
  private cycles = new Map<string, CycleImage>();
  private obligations = new Map<string, ObligationImage>();
  private notifications = new Map<string, NotificationImage>();
  /** Events of the projection types the fold read, and those it found malformed (named by the caller's `where`). */
  folded = 0;

  /** Folds one event; throws a TypeError naming the field when a projection event lacks its data. */
  apply(e: ProjectionEvent): void {
    const p = (e.payload ?? {}) as Payload;
    switch (e.type) {
      case 'cycle.saved': {
        this.folded++;
        const key = str(p, 'workflowId');
        const existing = this.cycles.get(key);
        const runId = str(p, 'runId');
        const revision = num(p, 'revision');
        if (!replaces(existing, runId, revision)) return;
        this.cycles.set(key, {
          workflow_id: key,
          run_id: runId,
          revision,
          plan_id: str(p, 'planId'),
          period: str(p, 'period'),
          policy_id: str(p, 'policyId'),
          status: str(p, 'status') as CycleImage['status'],
          stage: strOrNull(p, 'stage'),
          closed_reason: strOrNull(p, 'closedReason'),
          // Only a run's first save carries the spec; later ones leave the stored one (as the live upsert does).
          spec: p.spec === undefined ? (existing?.spec ?? null) : p.spec,
          opened_at: isoInstant(str(p, 'openedAt'))!,
          finished_at: isoInstant(p.finishedAt),
        });
        return;
      }
      case 'obligation.saved': {
        this.folded++;
        const key = str(p, 'workflowId');
        const runId = str(p, 'runId');
        const revision = num(p, 'revision');
        if (!replaces(this.obligations.get(key), runId, revision)) return;
        // The id names the agency and stage too (what the point-in-time fold reads); the payload's own values win.
        const parts = obligationIdParts(key);
        this.obligations.set(key, {
          workflow_id: key,
          run_id: runId,
          revision,
          cycle_workflow_id: strOrNull(p, 'cycleWorkflowId'),
          plan_id: str(p, 'planId'),
          period: str(p, 'period'),
          stage_id: strOrNull(p, 'stageId') ?? parts?.stageId ?? str(p, 'stageId'),
          agency_code: strOrNull(p, 'agencyCode') ?? parts?.agencyCode ?? str(p, 'agencyCode'),
          status: str(p, 'status') as ObligationImage['status'],
          due_date: str(p, 'dueDate'),
          effective_due_date: strOrNull(p, 'effectiveDueDate'),
          due_at: isoInstant(str(p, 'dueAt'))!,
          report_version: typeof p.reportVersion === 'number' ? p.reportVersion : 0,
          report: p.report ?? null,
          submitted_at: isoInstant(p.submittedAt),
          working_days_late: typeof p.workingDaysLate === 'number' ? p.workingDaysLate : null,
          accepted_at: isoInstant(p.acceptedAt),
          closed_reason: strOrNull(p, 'closedReason'),
          opened_at: isoInstant(str(p, 'openedAt'))!,
          finished_at: isoInstant(p.finishedAt),
        });
        return;
      }
      case 'notification.queued': {
        this.folded++;
        const key = str(p, 'dedupeKey');
        // The first claim made the row; a later one only counted an attempt.
        if (this.notifications.has(key)) return;
        const to = p.to;
        if (!Array.isArray(to) || !to.every((a) => typeof a === 'string'))
          throw new TypeError('payload.to is not a list');
        this.notifications.set(key, {
          id: String(p.id ?? ''),
          dedupe_key: key,
          created_at: isoInstant(str(p, 'createdAt'))!,
          to_addresses: to as string[],
          subject: str(p, 'subject'),
          body_text: str(p, 'bodyText'),
          lang: str(p, 'lang'),
          status: 'pending',
          message_id: str(p, 'messageId'),
          sent_at: null,
          workflow_id: strOrNull(p, 'workflowId'),
          run_id: strOrNull(p, 'runId'),
        });
        return;
      }
      case 'notification.delivered': {
        this.folded++;
        const key = str(p, 'dedupeKey');
        const row = this.notifications.get(key);
        if (row === undefined) throw new TypeError(`notification ${key} delivered before it was queued`);
        this.notifications.set(key, { ...row, status: 'sent', sent_at: isoInstant(str(p, 'sentAt')) });
        return;
      }
      default:
        return;
    }
  }

  /** The rows folded since the last drain, in key order; the fold forgets them (call at a stream's end). */
  drain(): RebuiltRows {
    const sorted = <T>(m: Map<string, T>): T[] =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
    const rows = {
      cycles: sorted(this.cycles),
      obligations: sorted(this.obligations),
      notifications: sorted(this.notifications),
    };
    this.cycles = new Map();
    this.obligations = new Map();
    this.notifications = new Map();
    return rows;
  }
}

/** Folds a whole list of events (tests, small logs); a rebuild streams them through ProjectionFold instead. */
export function foldProjections(events: Iterable<ProjectionEvent>): RebuiltRows {
  const fold = new ProjectionFold();
  for (const e of events) fold.apply(e);
  return fold.drain();
}

/** JSON with object keys sorted, so jsonb's key order never counts as a difference. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export interface ColumnDifference {
  readonly column: string;
  readonly live: unknown;
  readonly rebuilt: unknown;
}

/** The columns where a live row (normalised to the same image) differs from the rebuilt one. */
export function diffImages<T extends object>(live: T, rebuilt: T): ColumnDifference[] {
  const out: ColumnDifference[] = [];
  for (const column of Object.keys(rebuilt) as (keyof T & string)[]) {
    if (canonicalJson(live[column]) !== canonicalJson(rebuilt[column]))
      out.push({ column, live: live[column], rebuilt: rebuilt[column] });
  }
  return out;
}
