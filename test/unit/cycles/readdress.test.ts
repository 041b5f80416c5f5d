// A reorganisation of the coordinating body as an amendment: the plan's coordinator changes, and a running cycle is told to
// re-address what it receives to the successor before its own stage passes to it.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { amendmentSignals } from '../../../domain/cycle-amendments.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { applyAmendment } from '../../../domain/plan-amend.js';
import { smallPlanDirectory } from '../../fixtures/small-plan.js';
import { testPlan } from '../../helpers/plans.js';

const act = { issuer: 'Үкімет', number: '7', date: '2019-06-01' };

describe('replace_coordinator', () => {
  it('names the successor as the coordinator, and running cycles re-address to it, then pass it the summary', () => {
    const directory = smallPlanDirectory();
    const plan = testPlan();
    const amended = applyAmendment(
      plan,
      { act, summary: 'reorg', changes: [{ op: 'replace_coordinator', to: 'МСМ' }] },
      directory,
    );
    if (!amended.ok) throw new Error(JSON.stringify(amended.errors));
    expect(amended.plan.coordinator).toBe('МСМ');
    expect(amended.applied).toEqual([{ op: 'replace_coordinator', measure: '', from: 'АҚДМ', to: 'МСМ' }]);
    const next = cycleSpecFromPlan({
      planId: 'p',
      plan: amended.plan,
      directory,
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!next.ok) throw new Error(JSON.stringify(next.errors));
    const running = {
      obligations: [
        { stageId: 'executors', agencyCode: 'БҒМ', dueDate: '2020-01-10', status: 'pending' },
        { stageId: 'summary', agencyCode: 'АҚДМ', dueDate: '2020-02-25', status: 'pending' },
      ],
    };
    const signals = amendmentSignals(
      { id: 'p', version: 2, plan: amended.plan },
      running,
      next.spec,
      amended.applied,
      'admin',
    );
    // (The running view lists two obligations only: the others' addParty signals are left aside here.)
    const moves = signals.filter((x) => x.kind !== 'addParty');
    expect(moves.map((x) => [x.kind, 'stageId' in x ? x.stageId : null])).toEqual([
      ['replaceCoordinator', null],
      ['replaceParty', 'summary'],
    ]);
    // АҚДМ, no longer the coordinator, owes measure 1 as an executor again.
    expect(
      signals.some((x) => x.kind === 'addParty' && x.stageId === 'executors' && x.party.agencyCode === 'АҚДМ'),
    ).toBe(true);
    expect(signals[0]).toMatchObject({ successor: { agencyCode: 'МСМ' } });
    expect(
      applyAmendment(plan, { act, summary: 'x', changes: [{ op: 'replace_coordinator', to: 'АҚДМ' }] }, directory),
    ).toEqual({ ok: false, errors: [{ field: 'changes[0].to', message: '"АҚДМ" is already the coordinator' }] });
  });
});
