// Admin page: the replay check (the service behind `POST /api/v1/replay` and `merzim replay`): a workflow, a plan (and period)
// or every open workflow replayed against this release's workflow code, and per workflow ok or where it first diverges.
import type { ReplayReport } from '../../../platform/workflow-replay.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { historyHref } from '../view.js';

export type ReplayKind = 'workflow' | 'plan' | 'open';

export interface ReplayForm {
  readonly kind: ReplayKind;
  readonly workflowId: string;
  readonly planId: string;
  readonly period: string;
}

export const EMPTY_REPLAY_FORM: ReplayForm = { kind: 'workflow', workflowId: '', planId: '', period: '' };

function radio(
  t: PageContext['t'],
  f: ReplayForm,
  kind: ReplayKind,
  label: Parameters<PageContext['t']['t']>[0],
): Html {
  return html`<label><input type="radio" name="kind" value="${kind}"${f.kind === kind ? html` checked` : ''}> ${t.t(label)}</label>`;
}

export function replayPage(
  ctx: PageContext,
  d: {
    form: ReplayForm;
    report?: ReplayReport | undefined;
    flash?: { kind: 'ok' | 'error'; text: string } | undefined;
  },
): Html {
  const { t } = ctx;
  const f = d.form;
  const r = d.report;
  return layout(ctx, {
    title: t.t('replay.title'),
    flash: d.flash,
    body: html`<p class="muted">${t.t('replay.intro')}</p>
<form method="post" action="/app/admin/replay" class="replay-form">${csrfField(ctx)}
<fieldset class="stack"><legend>${t.t('replay.what')}</legend>
<div>${radio(t, f, 'workflow', 'replay.kindWorkflow')}
<label for="replay-workflow">${t.t('replay.workflowId')}</label>
<input type="text" id="replay-workflow" name="workflowId" value="${f.workflowId}" maxlength="300"></div>
<div>${radio(t, f, 'plan', 'replay.kindPlan')}
<label for="replay-plan">${t.t('replay.planId')}</label>
<input type="text" id="replay-plan" name="planId" value="${f.planId}" maxlength="200">
<label for="replay-period">${t.t('replay.period')}</label>
<input type="text" id="replay-period" name="period" value="${f.period}" maxlength="20" aria-describedby="replay-period-hint">
<span id="replay-period-hint" class="muted">${t.t('replay.periodHint')}</span></div>
<div>${radio(t, f, 'open', 'replay.kindOpen')}</div>
</fieldset>
<p><button type="submit" class="primary">${t.t('replay.run')}</button></p>
</form>
${
  r === undefined
    ? ''
    : html`<h2>${t.t('replay.results')}</h2>
<p role="status" class="replay-summary">${t.t('replay.summary', { total: r.total, ok: r.ok, failed: r.failed })}</p>
${
  r.workflows.length === 0
    ? html`<p>${t.t('replay.none')}</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="${t.t('replay.results')}"><table class="replay-results">
<thead><tr><th scope="col">${t.t('replay.workflow')}</th><th scope="col">${t.t('replay.outcome')}</th><th scope="col">${t.t('replay.event')}</th><th scope="col">${t.t('replay.message')}</th></tr></thead>
<tbody>${r.workflows.map(
        (w) =>
          html`<tr><th scope="row"><a href="${historyHref(w.workflowId)}">${w.workflowId}</a>${w.workflowType === null ? '' : html`<br><span class="muted">${w.workflowType}</span>`}</th>
<td><span class="badge ${w.ok ? 's-accepted' : 's-overdue'}">${t.t(w.ok ? 'replay.ok' : w.problem === 'nondeterminism' ? 'replay.nondeterminism' : 'replay.failure')}</span></td>
<td>${w.eventId === null ? (w.ok ? t.t('replay.events', { n: w.events }) : '—') : t.t('replay.firstDiverging', { id: w.eventId })}</td>
<td>${w.message === null ? '' : html`<code lang="en">${w.message}</code>`}</td></tr>`,
      )}</tbody></table></div>`
}`
}`,
  });
}
