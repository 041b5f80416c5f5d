// What a workflow history weighs: its events, its encoded bytes, and its largest payload group (a workflow or activity input,
// an activity result, a child's input, a signal's or an update's arguments, a marker's data), for the payload and history
// bound tests (Temporal warns at 256 KB per payload group, 10,240 events and 10 MB per history).
import proto from '@temporalio/proto';
import type { History } from '@temporalio/common/lib/proto-utils.js';

export interface HistorySize {
  readonly events: number;
  readonly bytes: number;
  /** The largest group of payloads one field carries (Temporal's blob size limit applies to such a group). */
  readonly largestPayloads: number;
  /** Which event type carried it, and the field's path. */
  readonly largestAt: string;
  /** Events by type ("SignalExternalWorkflowExecutionInitiated": 600, …), most frequent first. */
  readonly byType: Record<string, number>;
}

interface PayloadLike {
  data?: Uint8Array | null;
  metadata?: Record<string, Uint8Array> | null;
}

function payloadBytes(p: PayloadLike): number {
  const meta = Object.entries(p.metadata ?? {}).reduce((n, [k, v]) => n + k.length + (v?.length ?? 0), 0);
  return (p.data?.length ?? 0) + meta;
}

/** Walks every field of every event; a `payloads` list is one group. */
export function historySize(history: History): HistorySize {
  const events = history.events ?? [];
  let largest = 0;
  let largestAt = '';
  const walk = (value: unknown, path: string, type: string): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`, type));
      return;
    }
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.payloads)) {
      const size = (record.payloads as PayloadLike[]).reduce((n, p) => n + payloadBytes(p), 0);
      if (size > largest) {
        largest = size;
        largestAt = `${type} ${path}`;
      }
      return;
    }
    for (const [k, v] of Object.entries(record)) walk(v, path === '' ? k : `${path}.${k}`, type);
  };
  const counts = new Map<string, number>();
  for (const e of events) {
    const type =
      Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null) ?? '?';
    walk((e as Record<string, unknown>)[type], '', type);
    const name = type.replace(/EventAttributes$/, '').replace(/^./, (c) => c.toUpperCase());
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const { History: HistoryMessage } = proto.temporal.api.history.v1;
  return {
    events: events.length,
    bytes: HistoryMessage.encode(HistoryMessage.fromObject(history)).finish().length,
    largestPayloads: largest,
    largestAt,
    byType: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])),
  };
}
