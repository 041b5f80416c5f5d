// The state of a cycle's obligations as of a past instant, folded from the events log alone: "who had reported by 10 January
// 23:59, Astana time?". Pure: the caller reads the events (in id order, none after the instant) and gives them here.

export type PointInTimeStatus = 'pending' | 'overdue' | 'submitted' | 'returned' | 'accepted' | 'closed';

export interface PointInTimeEvent {
  readonly workflowId: string | null;
  readonly type: string;
  readonly actor: string;
  readonly occurredAt: string;
  readonly payload: unknown;
}

export interface ObligationAsOf {
  readonly obligationId: string;
  readonly agencyCode: string;
  readonly stageId: string;
  readonly status: PointInTimeStatus;
  /** The last report submitted by then: when, by whom, late or not. */
  readonly submittedAt: string | null;
  readonly submittedBy: string | null;
  readonly late: boolean | null;
  readonly acceptedAt: string | null;
  readonly remindersSent: number;
  readonly escalationsSent: number;
}

export interface CycleAsOf {
  readonly at: string;
  readonly obligations: readonly ObligationAsOf[];
  /** Obligations whose report was in (submitted or accepted) by then. */
  readonly reported: readonly string[];
  readonly counts: Readonly<Partial<Record<PointInTimeStatus, number>>>;
}

/** `obligation:<plan>:<period>:<agency>:<stage>` → its agency and stage; anything else → undefined (also the projections' fold). */
export function obligationIdParts(workflowId: string | null): { agencyCode: string; stageId: string } | undefined {
  if (workflowId === null || !workflowId.startsWith('obligation:')) return undefined;
  const parts = workflowId.split(':');
  return parts.length < 5 ? undefined : { agencyCode: parts[3]!, stageId: parts.slice(4).join(':') };
}

export function cycleAsOf(at: string, events: Iterable<PointInTimeEvent>): CycleAsOf {
  const limit = Date.parse(at);
  const byId = new Map<string, ObligationAsOf>();
  for (const e of events) {
    if (Date.parse(e.occurredAt) > limit) continue;
    const parts = obligationIdParts(e.workflowId);
    if (parts === undefined) continue;
    const id = e.workflowId!;
    const o: ObligationAsOf = byId.get(id) ?? {
      obligationId: id,
      ...parts,
      status: 'pending',
      submittedAt: null,
      submittedBy: null,
      late: null,
      acceptedAt: null,
      remindersSent: 0,
      escalationsSent: 0,
    };
    const late = (e.payload as { late?: unknown } | null)?.late;
    const next: ObligationAsOf =
      e.type === 'report.submitted'
        ? { ...o, status: 'submitted', submittedAt: e.occurredAt, submittedBy: e.actor, late: late === true }
        : e.type === 'report.accepted'
          ? { ...o, status: 'accepted', acceptedAt: e.occurredAt }
          : e.type === 'report.returned'
            ? { ...o, status: 'returned' }
            : e.type === 'obligation.overdue' && (o.status === 'pending' || o.status === 'returned')
              ? { ...o, status: 'overdue' }
              : e.type === 'deadline.extended' && o.status === 'overdue'
                ? { ...o, status: 'pending' }
                : e.type === 'obligation.closed' && o.status !== 'accepted'
                  ? { ...o, status: 'closed' }
                  : e.type === 'reminder.sent'
                    ? { ...o, remindersSent: o.remindersSent + 1 }
                    : e.type === 'escalation.sent'
                      ? { ...o, escalationsSent: o.escalationsSent + 1 }
                      : o;
    byId.set(id, next);
  }
  const obligations = [...byId.values()].sort((a, b) => a.obligationId.localeCompare(b.obligationId));
  const counts: Partial<Record<PointInTimeStatus, number>> = {};
  for (const o of obligations) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return {
    at: new Date(limit).toISOString(),
    obligations,
    reported: obligations.filter((o) => o.submittedAt !== null).map((o) => o.obligationId),
    counts,
  };
}
