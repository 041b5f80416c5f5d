// The living demo's plan: seed 000's measures re-dated around now, so a fresh `npm start` shows reminders, an overdue and escalated agency, a submitted and a returned report. Pure.
import { addDays, toDayNumber, type IsoDate } from './dates.js';
import type { EscalationStep, Measure, Plan, ReminderSettings } from './plan.js';
import { instantToLocal, KZ_TIME_ZONE, localDateOf } from './tz.js';

/** What the demo makes happen to one agency's obligation. */
export type DemoFate = 'overdue' | 'returned' | 'submitted' | 'upcoming';

export interface DemoRole {
  readonly agencyCode: string;
  readonly fate: DemoFate;
}

/**
 * Who the demo shows what. БҒМ (bgm.reporter) gets a returned report to read and resubmit; Алматы (almaty.reporter) sees
 * reminders of a deadline in a few days; the Interior Ministry misses yesterday's deadline and is escalated; the Ministry of
 * Culture and Sport reports early. The plan's coordinator (АҚДМ, akdm.coordinator) reviews them all.
 */
export const DEMO_ROLES: readonly DemoRole[] = [
  { agencyCode: 'ІІМ', fate: 'overdue' },
  { agencyCode: 'БҒМ', fate: 'returned' },
  { agencyCode: 'МСМ', fate: 'submitted' },
  { agencyCode: 'Алматы', fate: 'upcoming' },
  { agencyCode: 'ДСМ', fate: 'upcoming' },
];

/** Both languages say DEMO, so nobody takes the plan for a real one. */
export const DEMO_LABEL = { kk: 'ДЕМО (DEMO, оқу жоспары)', ru: 'ДЕМО (DEMO, учебный план)' } as const;

export interface DemoObligation extends DemoRole {
  /** The measure of the demo plan the agency owes (its number as printed in seed 000). */
  readonly measure: string;
  readonly dueDate: IsoDate;
}

export interface LivingDemoPlan {
  readonly plan: Plan;
  /** The annual cycle the demo opens: the current year in Kazakhstan. */
  readonly period: string;
  /** When the first reminders and the escalation go out (ISO instant). */
  readonly noticeAt: string;
  readonly obligations: readonly DemoObligation[];
}

export interface LivingDemoOptions {
  /** Epoch ms of "now". */
  readonly now: number;
  /** How long after now the demo's notices go out: long enough for the cycle to open first (they are skipped if planned late). */
  readonly leadMs: number;
  readonly roles?: readonly DemoRole[];
}

/** Days before the deadline that remind; every gap 0–3 is in it, so the "upcoming" deadline always has a reminder today. */
const DEMO_REMINDERS = [7, 3, 2, 1, 0];

/**
 * The demo plan, built from seed 000's plan: for each role, the first unused measure reported to the coordinator that the
 * agency executes, with that agency as its only executor and a one-off deadline of its own — yesterday for the overdue one,
 * a few days ahead for the others (never past 31 December: the cycle is the current year's). The plan's own settings do the
 * rest: no shift off days off (the dates stay where they are put), reminders 7, 3, 2, 1, 0 calendar days ahead and the
 * escalation ladder from the notices' day on, one step a calendar day, all at `noticeTime` = now + lead, local time. So once the cycle is open, the
 * overdue agency's deadline passes at once, and at `noticeAt` the upcoming ones are reminded and the overdue one escalated.
 * Throws a RangeError naming what is missing when seed 000 no longer has a measure for a role.
 */
export function buildLivingDemoPlan(base: Plan, options: LivingDemoOptions): LivingDemoPlan {
  const noticeMs = Math.ceil((options.now + options.leadMs) / 1000) * 1000;
  const local = instantToLocal(noticeMs, KZ_TIME_ZONE);
  // The notices' day; "now" may still be the day before it when the lead crosses midnight.
  const today = localDateOf(noticeMs, KZ_TIME_ZONE);
  const yesterday = addDays(localDateOf(options.now, KZ_TIME_ZONE), -1);
  const year = local.year;
  const yearEnd = `${year}-12-31` as IsoDate;
  const ahead = (days: number): IsoDate => {
    const d = addDays(today, days);
    return d > yearEnd ? yearEnd : d;
  };
  const pad = (n: number): string => String(n).padStart(2, '0');
  const noticeTime = `${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`;

  const used = new Set<Measure>();
  const obligations: DemoObligation[] = [];
  const measures: Measure[] = [];
  for (const role of options.roles ?? DEMO_ROLES) {
    const source = base.measures.find(
      (m) => !used.has(m) && m.recipient === null && m.executors.some((e) => e.code === role.agencyCode),
    );
    if (source === undefined)
      throw new RangeError(
        `living demo: seed 000 has no measure left that ${role.agencyCode} reports to the coordinator`,
      );
    used.add(source);
    // On 1 January yesterday is last year's, which the year's cycle cannot hold: the "overdue" agency is then due today
    // and is overdue only at midnight (said in the README).
    const dueDate = role.fate === 'overdue' ? (yesterday.startsWith(String(year)) ? yesterday : today) : ahead(3);
    obligations.push({ ...role, measure: source.number, dueDate });
    measures.push({
      ...source,
      executors: [{ code: role.agencyCode, byAgreement: false, lead: true }],
      deadline: { text: `${dueDate} (демо / демо)`, rule: { kind: 'once', due: dueDate, precision: 'day' } },
    });
  }
  const reminders: ReminderSettings = { offsets: DEMO_REMINDERS, unit: 'calendar', noticeTime };
  // The first step falls on the notices' day: one day after yesterday's deadline (two if the lead crossed midnight).
  const overdue = obligations.find((o) => o.fate === 'overdue');
  const first = overdue === undefined ? 1 : Math.max(1, toDayNumber(today) - toDayNumber(overdue.dueDate));
  const escalation: readonly EscalationStep[] = [
    { after: first, unit: 'calendar', notify: ['party', 'coordinator'] },
    { after: first + 1, unit: 'calendar', notify: ['coordinator_head'] },
    { after: first + 2, unit: 'calendar', notify: ['pm_office'] },
  ];
  const plan: Plan = {
    ...base,
    title: {
      kk: `${DEMO_LABEL.kk}: ${base.title.kk ?? base.title.ru ?? ''}`.trim(),
      ru: `${DEMO_LABEL.ru}: ${base.title.ru ?? base.title.kk ?? ''}`.trim(),
    },
    approvedBy: { ...base.approvedBy, number: `${base.approvedBy.number} (демо)` },
    amendments: [],
    repeal: null,
    years: { from: year, to: year },
    shift: 'none',
    reminders,
    escalation,
    measures,
  };
  return { plan, period: String(year), noticeAt: new Date(noticeMs).toISOString(), obligations };
}
