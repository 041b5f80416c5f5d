// Reporting policies as data: the standard ones give the decrees' dates, and a bad custom policy is rejected field by field.
import { describe, expect, it } from 'vitest';
import { parsePeriodKey } from '../../../domain/periods.js';
import {
  ANNUAL_CASCADE_580,
  MONTHLY_POLICY,
  QUARTERLY_POLICY,
  SEMIANNUAL_POLICY,
  STANDARD_POLICIES,
  stageDeadlines,
  validatePolicy,
} from '../../../domain/policies.js';

describe('standard policies', () => {
  it('decree 580: agencies by 10 January, the summary by 25 February, the PM Office by 15 March, all after the year', () => {
    expect(stageDeadlines(ANNUAL_CASCADE_580, parsePeriodKey('2019'))).toEqual([
      { period: '2019', stage: 'executors', from: 'executors', to: 'coordinator', due: '2020-01-10' },
      { period: '2019', stage: 'summary', from: 'coordinator', to: 'pm_office', due: '2020-02-25' },
      { period: '2019', stage: 'pm-office', from: 'pm_office', to: 'presidential_administration', due: '2020-03-15' },
    ]);
  });

  it('semi-annual: 10 July for the half-year, 10 January for the year', () => {
    expect(stageDeadlines(SEMIANNUAL_POLICY, parsePeriodKey('2018-H1'))[0]?.due).toBe('2018-07-10');
    expect(stageDeadlines(SEMIANNUAL_POLICY, parsePeriodKey('2018-H2'))[0]?.due).toBe('2019-01-10');
  });

  it('quarterly by the 5th of the next month, monthly likewise', () => {
    expect(stageDeadlines(QUARTERLY_POLICY, parsePeriodKey('2019-Q4'))[0]?.due).toBe('2020-01-05');
    expect(stageDeadlines(MONTHLY_POLICY, parsePeriodKey('2019-01'))[0]?.due).toBe('2019-02-05');
  });

  it('refuses a period of the wrong kind', () => {
    expect(() => stageDeadlines(ANNUAL_CASCADE_580, parsePeriodKey('2019-Q1'))).toThrow('per year');
  });

  it('are all valid by their own validator', () => {
    for (const policy of Object.values(STANDARD_POLICIES)) expect(validatePolicy(policy)).toEqual({ ok: true, policy });
  });
});

describe('custom policies', () => {
  const custom = {
    id: 'plan-x',
    name: { kk: 'Х жоспары', ru: 'План Х', en: 'Plan X' },
    period: 'quarter',
    stages: [
      { id: 'agencies', from: 'executors', to: { agency: 'ҰҚК' }, deadline: { monthsAfterPeriodEnd: 1, day: 10 } },
      { id: 'summary', from: { agency: 'ҰҚК' }, to: 'pm_office', deadline: { monthsAfterPeriodEnd: 1, day: 'last' } },
    ],
    shift: 'previous',
  };

  it('accepts a plan’s own stages with a specific agency', () => {
    const result = validatePolicy(custom);
    expect(result.ok).toBe(true);
    if (result.ok)
      expect(stageDeadlines(result.policy, parsePeriodKey('2019-Q1')).map((s) => s.due)).toEqual([
        '2019-04-10',
        '2019-04-30',
      ]);
  });

  it('names every bad field by its path', () => {
    const result = validatePolicy({
      ...custom,
      name: { kk: 'Х', ru: '' },
      period: 'week',
      shift: 'sideways',
      extra: 1,
      stages: [
        { id: 'Agencies!', from: 'everyone', to: { agency: '' }, deadline: { monthsAfterPeriodEnd: -1, day: 32 } },
        { id: 'b', from: 'coordinator', to: 'pm_office', deadline: { monthsAfterPeriodEnd: 1 } },
        { id: 'b', from: 'coordinator', to: 'pm_office', deadline: 'soon' },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual([
      'name.ru',
      'name.en',
      'period',
      'shift',
      'stages[0].id',
      'stages[0].from',
      'stages[0].to.agency',
      'stages[0].deadline.monthsAfterPeriodEnd',
      'stages[0].deadline.day',
      'stages[1].deadline.day',
      'stages[2].id',
      'stages[2].deadline',
      'extra',
    ]);
  });

  it('rejects a stage due before the stage it builds on', () => {
    const result = validatePolicy({
      ...custom,
      stages: [custom.stages[0], { ...custom.stages[1], deadline: { monthsAfterPeriodEnd: 1, day: 5 } }],
    });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['stages[1].deadline']);
  });

  it('rejects what is not a policy at all', () => {
    expect(validatePolicy(null)).toEqual({ ok: false, errors: [{ path: '', message: 'a policy must be an object' }] });
    expect(validatePolicy({ ...custom, stages: [] })).toMatchObject({ ok: false, errors: [{ path: 'stages' }] });
  });
});
