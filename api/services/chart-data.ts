// The charts' data, computed from the read models and the events log: on-time rates, overdue counts per day, a cycle's timeline.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { cycleObligationDates, obligationEvents, onTimeCounts } from '../../db/repositories/charts.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { endOfLocalDay, localDateOf } from '../../domain/tz.js';
import type { OnTimeRateData, OverdueDay, TimelineData } from '../web/charts.js';

/** On-time share per agency (rows, named by the directory) and period (columns) of one plan's cycles. */
export async function onTimeRateData(
  db: Kysely<Database>,
  f: { planId: string; agencyCode?: string; now: Date; names: ReadonlyMap<string, string> },
): Promise<OnTimeRateData> {
  const rows = await onTimeCounts(db, f);
  const periods = [...new Set(rows.map((r) => r.period))].sort();
  const agencies = [...new Set(rows.map((r) => r.agencyCode))].sort((a, b) =>
    (f.names.get(a) ?? a).localeCompare(f.names.get(b) ?? b),
  );
  return {
    periods,
    agencies: agencies.map((code) => {
      const cells = periods.map((p) => rows.find((r) => r.agencyCode === code && r.period === p));
      return {
        code,
        name: f.names.get(code) ?? code,
        rates: cells.map((c) => (c === undefined || c.due === 0 ? null : c.onTime / c.due)),
        counts: cells.map((c) => ({ onTime: c?.onTime ?? 0, due: c?.due ?? 0 })),
      };
    }),
  };
}

// What ends an overdue spell: a report, a later deadline, or the obligation closing.
const OVERDUE_ENDS = ['report.submitted', 'deadline.extended', 'deadline.moved', 'obligation.closed'];

function obligationPrefix(cycleId: string, agencyCode?: string): string {
  // cycle:<plan>:<period> → obligation:<plan>:<period>:[<agency>:]
  return `obligation:${cycleId.replace(/^cycle:/, '')}:${agencyCode === undefined ? '' : `${agencyCode}:`}`;
}

/**
 * How many obligations were overdue at the end of each day (today: now), from the first due date of the cycle to today
 * or the cycle's end, in Kazakhstan dates. Spells come from the events: `obligation.overdue` opens one, a submission, an
 * extension, a moved deadline or a closing ends it.
 */
export async function overdueByDay(
  db: Kysely<Database>,
  f: { cycleId: string; agencyCode?: string; now: Date; finishedAt: Date | null },
): Promise<OverdueDay[]> {
  const obligations = await cycleObligationDates(db, f);
  if (obligations.length === 0) return [];
  const events = await obligationEvents(db, {
    prefix: obligationPrefix(f.cycleId, f.agencyCode),
    types: ['obligation.overdue', ...OVERDUE_ENDS],
  });
  const spells: { from: number; to: number }[] = [];
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'obligation.overdue') {
      if (!open.has(e.obligationId)) open.set(e.obligationId, e.at.getTime());
    } else if (open.has(e.obligationId)) {
      spells.push({ from: open.get(e.obligationId)!, to: e.at.getTime() });
      open.delete(e.obligationId);
    }
  }
  for (const from of open.values()) spells.push({ from, to: Number.POSITIVE_INFINITY });
  const end = Math.min(f.now.getTime(), f.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY);
  const first = obligations.map((o) => o.dueDate).sort()[0]!;
  const last = localDateOf(end);
  const days: OverdueDay[] = [];
  // At most a year of days: a chart of more says nothing more.
  for (let d: IsoDate = first, n = 0; d <= last && n < 366; d = addDays(d, 1), n++) {
    const at = Math.min(endOfLocalDay(d), end);
    days.push({ date: d, overdue: spells.filter((s) => s.from <= at && at < s.to).length });
  }
  return days;
}

/** The cycle's deadlines per due date and the reminders and escalations sent per day (Kazakhstan dates). */
export async function cycleTimelineData(
  db: Kysely<Database>,
  f: { cycleId: string; agencyCode?: string; now: Date },
): Promise<TimelineData> {
  const obligations = await cycleObligationDates(db, f);
  const events = await obligationEvents(db, {
    prefix: obligationPrefix(f.cycleId, f.agencyCode),
    types: ['reminder.sent', 'escalation.sent'],
  });
  const count = (dates: readonly string[]) => {
    const m = new Map<string, number>();
    for (const d of dates) m.set(d, (m.get(d) ?? 0) + 1);
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, n]) => ({ date, count: n }));
  };
  const deadlines = count(obligations.map((o) => o.dueDate));
  const reminders = count(events.filter((e) => e.type === 'reminder.sent').map((e) => localDateOf(e.at.getTime())));
  const escalations = count(events.filter((e) => e.type === 'escalation.sent').map((e) => localDateOf(e.at.getTime())));
  const today = localDateOf(f.now.getTime());
  const all = [...deadlines, ...reminders, ...escalations].map((i) => i.date).sort();
  return { from: all[0] ?? today, to: all.at(-1) ?? today, deadlines, reminders, escalations, today };
}
