// The replay page's results: per workflow ok, or non-determinism with the first diverging event and the SDK's message.
import { describe, expect, it } from 'vitest';
import { translator } from '../../../api/web/i18n/index.js';
import { kk } from '../../../api/web/i18n/kk.js';
import { ru } from '../../../api/web/i18n/ru.js';
import { EMPTY_REPLAY_FORM, replayPage } from '../../../api/web/pages/replay.js';

const report = {
  total: 2,
  ok: 1,
  failed: 1,
  workflows: [
    {
      workflowId: 'cycle:p:2027',
      runId: 'r1',
      workflowType: 'reportingCycleWorkflow',
      ok: true,
      problem: null,
      eventId: null,
      message: null,
      events: 38,
    },
    {
      workflowId: 'obligation:p:2027:БҒМ:executors',
      runId: 'r2',
      workflowType: 'obligationWorkflow',
      ok: false,
      problem: 'nondeterminism' as const,
      eventId: 12,
      message: 'Nondeterminism error: <timer> expected',
      events: 40,
    },
  ],
};

describe('the replay page', () => {
  for (const [lang, catalogue] of [
    ['kk', kk],
    ['ru', ru],
  ] as const) {
    it(`says per workflow ok or where it diverges (${lang})`, () => {
      const ctx = {
        t: translator(lang),
        principal: undefined,
        displayName: null,
        csrf: 'token-1',
        path: '/app/admin/replay',
      };
      const page = replayPage(ctx, { form: EMPTY_REPLAY_FORM, report }).value;
      expect(page).toContain('name="_csrf" value="token-1"');
      expect(page).toContain(`<span class="badge s-accepted">${catalogue['replay.ok']}</span>`);
      expect(page).toContain(`<span class="badge s-overdue">${catalogue['replay.nondeterminism']}</span>`);
      expect(page).toContain(catalogue['replay.firstDiverging'].replace('{id}', '12'));
      // The SDK's message is escaped and marked as English.
      expect(page).toContain('<code lang="en">Nondeterminism error: &lt;timer&gt; expected</code>');
      expect(page).toContain('/app/admin/history?workflow=obligation%3Ap%3A2027%3A%D0%91%D2%92%D0%9C%3Aexecutors');
    });
  }
});
