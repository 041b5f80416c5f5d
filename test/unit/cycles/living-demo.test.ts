// The living demo's plan (pure): its dates around now, its labels, and the plan notice time the timeline honours.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { previewCycle, parseNoticeTime } from '../../../domain/cycle-timeline.js';
import { exportCanonical, parseCanonical } from '../../../domain/import/canonical.js';
import { importPlan } from '../../../domain/import/index.js';
import { buildLivingDemoPlan } from '../../../domain/living-demo.js';
import { localDateOf } from '../../../domain/tz.js';

const seed = readFileSync(resolve(import.meta.dirname, '../../../../shared/seeds/000_154aa3237ae338bf.txt'), 'utf8');
const base = importPlan({ format: 'adilet', text: seed }, { directory: AGENCIES_SEED }).plan!;
// Tuesday 1 December 2026, 23:36:10 in Almaty (18:36:10 UTC).
const NOW = Date.parse('2026-12-01T18:36:10Z');

describe('buildLivingDemoPlan', () => {
  const demo = buildLivingDemoPlan(base, { now: NOW, leadMs: 45_000 });

  it('labels the plan DEMO in both languages and sets it in the current year, with its own notice time', () => {
    expect(demo.plan.title.kk).toMatch(/^ДЕМО \(DEMO, оқу жоспары\): /);
    expect(demo.plan.title.ru).toMatch(/^ДЕМО \(DEMO, учебный план\): /);
    expect(demo.plan.years).toEqual({ from: 2026, to: 2026 });
    expect(demo.period).toBe('2026');
    expect(demo.noticeAt).toBe('2026-12-01T18:36:55.000Z');
    expect(demo.plan.reminders).toEqual({ offsets: [7, 3, 2, 1, 0], unit: 'calendar', noticeTime: '23:36:55' });
    expect(demo.plan.shift).toBe('none');
  });

  it('dates the overdue agency yesterday and the others three days ahead, one executor each', () => {
    expect(demo.obligations.map((o) => [o.agencyCode, o.fate, o.dueDate])).toEqual([
      ['ІІМ', 'overdue', '2026-11-30'],
      ['БҒМ', 'returned', '2026-12-04'],
      ['МСМ', 'submitted', '2026-12-04'],
      ['Алматы', 'upcoming', '2026-12-04'],
      ['ДСМ', 'upcoming', '2026-12-04'],
    ]);
    expect(demo.plan.measures.map((m) => m.executors.map((e) => e.code))).toEqual([
      ['ІІМ'],
      ['БҒМ'],
      ['МСМ'],
      ['Алматы'],
      ['ДСМ'],
    ]);
    expect(new Set(demo.obligations.map((o) => o.measure)).size).toBe(5);
    expect(demo.plan.escalation.map((s) => s.after)).toEqual([1, 2, 3]);
  });

  it("keeps the overdue deadline in the past and its escalation on the notices' day when the lead crosses midnight", () => {
    // 23:59:40 in Almaty: the notices go out at 00:00:25 the next day.
    const crossing = buildLivingDemoPlan(base, { now: Date.parse('2026-12-01T18:59:40Z'), leadMs: 45_000 });
    expect(crossing.obligations[0]).toMatchObject({ fate: 'overdue', dueDate: '2026-11-30' });
    expect(crossing.plan.escalation[0]!.after).toBe(2);
    expect(crossing.obligations[1]!.dueDate).toBe('2026-12-05');
  });

  it('never dates past 31 December: the cycle is the year of now', () => {
    const late = buildLivingDemoPlan(base, { now: Date.parse('2026-12-30T06:00:00Z'), leadMs: 45_000 });
    expect(late.obligations.filter((o) => o.fate !== 'overdue').every((o) => o.dueDate === '2026-12-31')).toBe(true);
  });

  it('puts the reminders of the upcoming agencies and the escalation of the overdue one at the notice time, today', () => {
    const built = cycleSpecFromPlan({
      planId: 'demo',
      plan: demo.plan,
      directory: AGENCIES_SEED,
      period: demo.period,
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(built.ok).toBe(true);
    const preview = previewCycle(
      (built as { ok: true; spec: Parameters<typeof previewCycle>[0] }).spec,
      KZ_WORKING_CALENDAR,
    );
    const atNotice = preview.timeline.filter((e) => e.at === demo.noticeAt);
    expect(
      atNotice
        .filter((e) => e.kind === 'reminder')
        .map((e) => e.party)
        .sort(),
    ).toEqual(['Алматы', 'БҒМ', 'ДСМ', 'МСМ'].sort());
    expect(
      atNotice
        .filter((e) => e.kind === 'escalation')
        .map((e) => `${e.party}:${(e as { audience: string }).audience}`)
        .sort(),
    ).toEqual(['ІІМ:coordinator', 'ІІМ:party']);
    const deadline = preview.timeline.find((e) => e.kind === 'deadline' && e.party === 'ІІМ')!;
    expect(deadline.at < demo.noticeAt).toBe(true);
    expect(localDateOf(Date.parse(deadline.at))).toBe('2026-12-01');
  });
});

const demoPlanFor = () => buildLivingDemoPlan(base, { now: NOW, leadMs: 45_000 }).plan;

describe('reminders.noticeTime', () => {
  it('reads HH:MM and HH:MM:SS and refuses anything else, naming the setting', () => {
    expect(parseNoticeTime('10:30')).toEqual({ hour: 10, minute: 30, second: 0 });
    expect(parseNoticeTime('23:59:59')).toEqual({ hour: 23, minute: 59, second: 59 });
    expect(() => parseNoticeTime('24:00')).toThrow(/reminders\.noticeTime/);
    expect(() => parseNoticeTime('9:00')).toThrow(RangeError);
  });

  it('keeps a cycle with a bad notice time from opening, naming the setting', () => {
    const bad = { ...demoPlanFor(), reminders: { offsets: [1], unit: 'calendar' as const, noticeTime: '25:00' } };
    const built = cycleSpecFromPlan({
      planId: 'demo',
      plan: bad,
      directory: AGENCIES_SEED,
      period: '2026',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(built.ok).toBe(false);
    expect(JSON.stringify(built)).toContain('reminders.noticeTime');
  });
});

describe('reminders.noticeTime in the plan format', () => {
  it('survives an export and import, and a bad one is an error naming the field', () => {
    const plan = buildLivingDemoPlan(base, { now: NOW, leadMs: 45_000 }).plan;
    const back = parseCanonical(exportCanonical(plan, 'yaml'), 'yaml', { directory: AGENCIES_SEED });
    expect(back.plan?.reminders).toEqual(plan.reminders);
    const bad = parseCanonical(
      exportCanonical(plan, 'yaml').replace(/noticeTime: .*$/m, 'noticeTime: "9 o\'clock"'),
      'yaml',
      { directory: AGENCIES_SEED },
    );
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => d.field)).toContain('reminders.noticeTime');
  });
});
