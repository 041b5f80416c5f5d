// ReminderBook.nextAt parses each plan's instants once when it takes the plan: its answers must be those of the plain scan
// (the minimum over every reminder not yet sent of an obligation still awaiting its report), whatever was taken, replaced,
// withdrawn or sent — a cycle's timers depend on it, so a different answer would break replay.
import { describe, expect, it } from 'vitest';
import { ReminderBook } from '../../../workflows/reminder-batch.js';
import type { ReminderPlan } from '../../../workflows/shared.js';

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function plan(obligationId: string, sequence: number, instants: number[]): ReminderPlan {
  return {
    obligationId,
    runId: 'run',
    sequence,
    due: { dueDate: '2026-01-10', effectiveDueDate: '2026-01-10', dueInstant: '2026-01-10T18:59:59.999Z' },
    receiver: { kk: 'Үйлестіруші', ru: 'Координатор' },
    items: instants.map((at, i) => ({
      key: `reminder:${obligationId}:${sequence}:${i}`,
      at: new Date(at).toISOString(),
      offset: i,
      unit: 'working' as const,
      to: [`${obligationId}@example.kz`],
      lang: 'kk' as const,
    })),
  };
}

/** The plain scan nextAt replaced: every pending reminder, its instant parsed each time. */
function scan(plans: Map<string, ReminderPlan>, done: Set<string>, awaiting: (id: string) => boolean) {
  let next: number | undefined;
  for (const p of plans.values()) {
    if (!awaiting(p.obligationId)) continue;
    for (const item of p.items) {
      if (done.has(item.key)) continue;
      const at = Date.parse(item.at);
      if (next === undefined || at < next) next = at;
    }
  }
  return next;
}

describe('ReminderBook.nextAt', () => {
  it('answers as the plain scan through plans taken, replaced, withdrawn, sent and obligations answered (200 seeds)', () => {
    const base = Date.parse('2026-01-01T04:00:00.000Z');
    for (let seed = 1; seed <= 200; seed++) {
      const r = random(seed);
      const book = new ReminderBook();
      const plans = new Map<string, ReminderPlan>();
      const done = new Set<string>();
      const answered = new Set<string>();
      const awaiting = (id: string) => !answered.has(id);
      const sequences = new Map<string, number>();
      for (let step = 0; step < 60; step++) {
        const id = `o${Math.floor(r() * 12)}`;
        const roll = r();
        if (roll < 0.55) {
          // A plan (a newer one replaces the old; an older one, arriving late, is ignored by both).
          const sequence = (sequences.get(id) ?? 0) + (r() < 0.85 ? 1 : -1);
          const p = plan(
            id,
            sequence,
            r() < 0.15
              ? []
              : Array.from({ length: 1 + Math.floor(r() * 5) }, () => base + Math.floor(r() * 40) * 3_600_000),
          );
          book.take(p);
          if (!plans.has(id) || plans.get(id)!.sequence <= sequence) {
            plans.set(id, p);
            sequences.set(id, sequence);
          }
        } else if (roll < 0.85) {
          // A batch sent: what was due by some instant.
          const now = base + Math.floor(r() * 40) * 3_600_000;
          const due = book.due(now, awaiting).map((d) => d.item.key);
          book.markDone(due);
          for (const key of due) done.add(key);
        } else {
          answered.add(id);
        }
        expect([seed, step, book.nextAt(awaiting)]).toEqual([seed, step, scan(plans, done, awaiting)]);
      }
    }
  });
});
