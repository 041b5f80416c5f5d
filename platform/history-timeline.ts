// A workflow's Temporal event history told for a person: what started it, each timer and what it was for, each activity
// (local ones too) with its attempts and result, Updates with who sent what and how they ended, signals, child workflows,
// search attributes, patches and how the run ended. Pure over the history; the admin's history page and API show it.
import type { History } from '@temporalio/common/lib/proto-utils.js';

type HistoryEvent = NonNullable<History['events']>[number];
type Payloads = {
  payloads?: { data?: Uint8Array | null; metadata?: Record<string, Uint8Array> | null }[] | null;
} | null;

export type TimelineKind =
  | 'started'
  | 'timer'
  | 'activity'
  | 'update'
  | 'signal'
  | 'child'
  | 'search_attributes'
  | 'patch'
  | 'ended'
  | 'task_failed';

export interface TimelineEntry {
  readonly eventId: number;
  readonly at: string;
  readonly kind: TimelineKind;
  /** The workflow, timer, activity, Update, signal or child's name. */
  readonly name: string;
  /** ok, failed, or null while pending (or where nothing can fail). */
  readonly outcome: 'ok' | 'failed' | null;
  /** Attempts of an activity (1 when it succeeded at once). */
  readonly attempts: number | null;
  /** Who, when it is in the input (an Update's submittedBy, reviewedBy …). */
  readonly by: string | null;
  /** A timer: when it fires, and what ran when it did; an activity, Update or signal: its input and result, shortened. */
  readonly detail: string | null;
  /** A mail an activity sent (its Message-ID), for the link to the outbox. */
  readonly messageId: string | null;
}

const MAX_DETAIL = 400;

function decode(p: Payloads | undefined): unknown[] {
  return (p?.payloads ?? []).map((x) => {
    const data = x.data;
    if (data === undefined || data === null || data.length === 0) return null;
    try {
      return JSON.parse(Buffer.from(data).toString('utf8')) as unknown;
    } catch {
      return `(${data.length} bytes)`;
    }
  });
}

function short(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function instant(e: HistoryEvent): string {
  const t = e.eventTime;
  const ms = Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

function seconds(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;
}

function byOf(args: unknown[]): string | null {
  for (const a of args) {
    if (typeof a !== 'object' || a === null) continue;
    for (const key of ['submittedBy', 'reviewedBy', 'by', 'actor', 'requestedBy'])
      if (typeof (a as Record<string, unknown>)[key] === 'string') return (a as Record<string, string>)[key]!;
  }
  return null;
}

function messageIdOf(result: unknown): string | null {
  return typeof result === 'object' &&
    result !== null &&
    typeof (result as { messageId?: unknown }).messageId === 'string'
    ? (result as { messageId: string }).messageId
    : null;
}

/** The history as entries, in event order; an activity's or Update's later events fold into the entry that began it. */
export function historyTimeline(history: History): TimelineEntry[] {
  const events = history.events ?? [];
  const entries: TimelineEntry[] = [];
  const byScheduled = new Map<number, number>(); // scheduled event id → index in entries
  const timers = new Map<string, number>();
  const updates = new Map<string, number>();
  const patch = (i: number, changes: Partial<TimelineEntry>): void => {
    entries[i] = { ...entries[i]!, ...changes };
  };
  const push = (e: HistoryEvent, entry: Omit<TimelineEntry, 'eventId' | 'at'>): number =>
    entries.push({ eventId: Number(e.eventId), at: instant(e), ...entry }) - 1;
  const base = { outcome: null, attempts: null, by: null, detail: null, messageId: null } as const;
  // The timer that fired last: what runs next was what it waited for.
  let firedTimer: number | undefined;

  for (const e of events) {
    const started = e.workflowExecutionStartedEventAttributes;
    if (started) {
      push(e, {
        ...base,
        kind: 'started',
        name: started.workflowType?.name ?? '',
        detail: short(decode(started.input)[0]),
      });
      continue;
    }
    const timer = e.timerStartedEventAttributes;
    if (timer) {
      const fires = new Date(Date.parse(instant(e)) + seconds(timer.startToFireTimeout) * 1000).toISOString();
      timers.set(
        timer.timerId ?? '',
        push(e, { ...base, kind: 'timer', name: timer.timerId ?? '', detail: `→ ${fires}` }),
      );
      continue;
    }
    if (e.timerFiredEventAttributes) {
      const i = timers.get(e.timerFiredEventAttributes.timerId ?? '');
      if (i !== undefined) {
        patch(i, { outcome: 'ok' });
        firedTimer = i;
      }
      continue;
    }
    if (e.timerCanceledEventAttributes) {
      const i = timers.get(e.timerCanceledEventAttributes.timerId ?? '');
      if (i !== undefined) patch(i, { detail: `${entries[i]!.detail ?? ''} (cancelled)` });
      continue;
    }
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const name = scheduled.activityType?.name ?? '';
      const i = push(e, { ...base, kind: 'activity', name, detail: short(decode(scheduled.input)[0]) });
      byScheduled.set(Number(e.eventId), i);
      if (firedTimer !== undefined) patch(firedTimer, { detail: `${entries[firedTimer]!.detail} · ${name}` });
      firedTimer = undefined;
      continue;
    }
    const act =
      e.activityTaskStartedEventAttributes ??
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    if (act) {
      const i = byScheduled.get(Number(act.scheduledEventId));
      if (i === undefined) continue;
      if (e.activityTaskStartedEventAttributes)
        patch(i, { attempts: e.activityTaskStartedEventAttributes.attempt ?? 1 });
      else if (e.activityTaskCompletedEventAttributes) {
        const result = decode(e.activityTaskCompletedEventAttributes.result)[0];
        patch(i, { outcome: 'ok', detail: short(result), messageId: messageIdOf(result) });
      } else
        patch(i, {
          outcome: 'failed',
          detail:
            e.activityTaskFailedEventAttributes?.failure?.message ??
            e.activityTaskTimedOutEventAttributes?.failure?.message ??
            null,
        });
      continue;
    }
    const marker = e.markerRecordedEventAttributes;
    if (marker) {
      if (marker.markerName === 'core_patch') {
        const id = (decode(marker.details?.['patch-data'])[0] as { id?: string } | null)?.id ?? '';
        push(e, { ...base, kind: 'patch', name: id });
      } else if (marker.markerName === 'core_local_activity') {
        const data = decode(marker.details?.data)[0] as { activity_type?: string; attempt?: number } | null;
        const result = decode(marker.details?.result)[0];
        const name = data?.activity_type ?? '';
        push(e, {
          ...base,
          kind: 'activity',
          name,
          attempts: data?.attempt ?? 1,
          outcome: marker.failure ? 'failed' : 'ok',
          detail: marker.failure ? (marker.failure.message ?? null) : short(result),
          messageId: messageIdOf(result),
        });
        if (firedTimer !== undefined) patch(firedTimer, { detail: `${entries[firedTimer]!.detail} · ${name}` });
        firedTimer = undefined;
      }
      continue;
    }
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const input = accepted.acceptedRequest?.input;
      const args = decode(input?.args);
      const i = push(e, { ...base, kind: 'update', name: input?.name ?? '', by: byOf(args), detail: short(args[0]) });
      updates.set(accepted.protocolInstanceId ?? accepted.acceptedRequest?.meta?.updateId ?? '', i);
      continue;
    }
    const completed = e.workflowExecutionUpdateCompletedEventAttributes;
    if (completed) {
      const i = updates.get(completed.meta?.updateId ?? '');
      if (i === undefined) continue;
      const failure = completed.outcome?.failure;
      patch(i, {
        outcome: failure ? 'failed' : 'ok',
        detail: `${entries[i]!.detail ?? ''} → ${failure ? (failure.message ?? '') : (short(decode(completed.outcome?.success)[0]) ?? '')}`,
      });
      continue;
    }
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal) {
      const args = decode(signal.input);
      push(e, { ...base, kind: 'signal', name: signal.signalName ?? '', by: byOf(args), detail: short(args[0]) });
      continue;
    }
    const child = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child) {
      byScheduled.set(
        Number(e.eventId),
        push(e, { ...base, kind: 'child', name: child.workflowType?.name ?? '', detail: child.workflowId ?? null }),
      );
      continue;
    }
    const childEnd =
      e.childWorkflowExecutionCompletedEventAttributes ??
      e.childWorkflowExecutionFailedEventAttributes ??
      e.childWorkflowExecutionTerminatedEventAttributes;
    if (childEnd) {
      const i = byScheduled.get(Number(childEnd.initiatedEventId));
      if (i !== undefined) patch(i, { outcome: e.childWorkflowExecutionCompletedEventAttributes ? 'ok' : 'failed' });
      continue;
    }
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      const fields = upsert.searchAttributes?.indexedFields ?? {};
      const text = Object.entries(fields)
        .map(([k, v]) => `${k}=${short(decode({ payloads: [v] })[0]) ?? ''}`)
        .join(', ');
      push(e, { ...base, kind: 'search_attributes', name: Object.keys(fields).join(', '), detail: text });
      continue;
    }
    if (e.workflowTaskFailedEventAttributes) {
      push(e, {
        ...base,
        kind: 'task_failed',
        name: String(e.workflowTaskFailedEventAttributes.cause ?? ''),
        outcome: 'failed',
        detail: e.workflowTaskFailedEventAttributes.failure?.message ?? null,
      });
      continue;
    }
    const done = e.workflowExecutionCompletedEventAttributes;
    const ended =
      e.workflowExecutionFailedEventAttributes ??
      e.workflowExecutionTerminatedEventAttributes ??
      e.workflowExecutionCanceledEventAttributes ??
      e.workflowExecutionTimedOutEventAttributes ??
      e.workflowExecutionContinuedAsNewEventAttributes;
    if (done)
      push(e, { ...base, kind: 'ended', name: 'completed', outcome: 'ok', detail: short(decode(done.result)[0]) });
    else if (ended)
      push(e, {
        ...base,
        kind: 'ended',
        name: e.workflowExecutionContinuedAsNewEventAttributes ? 'continued_as_new' : 'failed',
        outcome: e.workflowExecutionContinuedAsNewEventAttributes ? 'ok' : 'failed',
      });
  }
  return entries;
}
