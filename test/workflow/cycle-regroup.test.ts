// A plan whose group executors change between two cycles: each cycle expands the group against the directory of its period,
// opens one obligation per akimat of that day, and its history says which rule made each party.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { parseDeadline } from '../../domain/deadline-language.js';
import { expandGroup, findGroups } from '../../domain/import/groups.js';
import type { Measure } from '../../domain/plan.js';
import { useCycleTestBed } from '../helpers/cycle-test-bed.js';
import { testPlan } from '../helpers/plans.js';
import { eventsOf } from '../fixtures/cycle-fixtures.js';

const bed = useCycleTestBed();

const GROUP = 'облыстардың, Астана және Алматы қалаларының әкімдіктері';

function groupPlan() {
  // As the importer leaves it: the group expanded to the akimats of the plan's date (2019).
  const members = findGroups(GROUP).flatMap((g) => expandGroup(g, '2019-01-01', AGENCIES_SEED));
  const measure: Measure = {
    number: '1',
    section: 0,
    title: { kk: 'Жергілікті деңгейдегі түсіндіру жұмыстары', ru: null },
    completionForm: { kk: 'АҚДМ-ға ақпарат', ru: null },
    recipient: null,
    executors: [
      { code: 'БҒМ', byAgreement: false, lead: true },
      ...members.map((a) => ({ code: a.code, byAgreement: false, lead: false, group: GROUP })),
    ],
    deadline: { text: 'жыл сайын', rule: parseDeadline('жыл сайын') },
    indicators: [],
    cost: null,
    fundingSource: null,
  };
  return testPlan({ years: { from: 2019, to: 2030 }, measures: [measure] });
}

function spec(planId: string, period: string) {
  const built = cycleSpecFromPlan({
    planId,
    plan: groupPlan(),
    directory: AGENCIES_SEED,
    period,
    calendar: KZ_WORKING_CALENDAR,
  });
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  return { ...built.spec, stages: built.spec.stages.filter((s) => s.id === 'executors') };
}

describe('group executors between two cycles', () => {
  it('builds the 2021 cycle with the akimats of 2021, opens the current one with those of its own period, saying why', async () => {
    const s = await bed.newScenario();
    const before = spec(s.planId, '2021').stages[0]!.parties.map((p) => p.agencyCode);
    const now = spec(s.planId, String(s.year));
    const parties = now.stages[0]!.parties;
    const added = parties.filter((p) => !before.includes(p.agencyCode));
    expect(added).toHaveLength(3);
    await s.startSpec(now);
    const deadline = Date.now() + 20_000;
    let events = await eventsOf(bed.db, s.planId);
    while (events.filter((e) => e.type === 'obligation.opened').length < parties.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      events = await eventsOf(bed.db, s.planId);
    }
    expect(events.filter((e) => e.type === 'obligation.opened')).toHaveLength(before.length + 3);
    const opened = events.find((e) => e.type === 'cycle.opened')!;
    const via = opened.payload.via as { agencyCode: string; via: string[] }[];
    for (const p of added)
      expect(via.find((v) => v.agencyCode === p.agencyCode)?.via).toEqual([
        `group "${GROUP}" as of ${now.stages[0]!.dueDate}`,
      ]);
    expect(via.some((v) => v.agencyCode === 'БҒМ')).toBe(false);
  });
});
