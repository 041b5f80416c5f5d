// Group executors expanded again for each cycle, against the agencies directory of its period: plan 002's "облыстардың …
// әкімдіктері" owes 17 regional akimats in 2023, not the 14 of the plan's date (Абай, Жетісу, Ұлытау since 8 June 2022).
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { parseDeadline } from '../../../domain/deadline-language.js';
import { expandGroup, findGroups } from '../../../domain/import/groups.js';
import type { Measure } from '../../../domain/plan.js';
import { testPlan } from '../../helpers/plans.js';

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
  return testPlan({ years: { from: 2019, to: 2023 }, measures: [measure] });
}

function executorsOf(period: string, regroup?: boolean) {
  const built = cycleSpecFromPlan({
    planId: 'p',
    plan: groupPlan(),
    directory: AGENCIES_SEED,
    period,
    calendar: KZ_WORKING_CALENDAR,
    ...(regroup === undefined ? {} : { regroup }),
  });
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  return built.spec.stages.find((s) => s.id === 'executors')!.parties;
}

const regional = (parties: ReturnType<typeof executorsOf>) =>
  parties.filter((p) => AGENCIES_SEED.find((a) => a.code === p.agencyCode)?.kind === 'regional_akimat');

describe('group executors per cycle', () => {
  it('owes 14 regional akimats in 2019 and 17 in 2023, each saying which rule made it a party', () => {
    expect(regional(executorsOf('2019'))).toHaveLength(14);
    const parties2023 = executorsOf('2023');
    expect(regional(parties2023)).toHaveLength(17);
    const added = regional(parties2023).filter(
      (p) => !regional(executorsOf('2019')).some((q) => q.agencyCode === p.agencyCode),
    );
    expect(added.map((p) => p.name.kk).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Абай/),
        expect.stringMatching(/Жетісу/),
        expect.stringMatching(/Ұлытау/),
      ]),
    );
    expect(added.every((p) => p.via?.[0] === `group "${GROUP}" as of 2024-01-10`)).toBe(true);
    // Named by the plan itself: no rule to tell.
    expect(parties2023.find((p) => p.agencyCode === 'БҒМ')?.via).toBeUndefined();
  });

  it('keeps the import’s expansion when asked, as cycles opened before were built (regroup: false)', () => {
    expect(regional(executorsOf('2023', false))).toHaveLength(14);
  });
});
