// Admin page: a workflow's history told for a person (timers, activities and retries, Updates, signals, e-mails sent) beside
// its rows of the events log, with the raw history to download and the same workflow in the Temporal web UI.
import type { WorkflowHistoryView } from '../../services/history.js';
import { html, type Html } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';

const KIND_LABEL: Record<WorkflowHistoryView['timeline'][number]['kind'], MessageKey> = {
  started: 'history.kind.started',
  timer: 'history.kind.timer',
  activity: 'history.kind.activity',
  update: 'history.kind.update',
  signal: 'history.kind.signal',
  child: 'history.kind.child',
  search_attributes: 'history.kind.searchAttributes',
  patch: 'history.kind.patch',
  ended: 'history.kind.ended',
  task_failed: 'history.kind.taskFailed',
};

export function historyPage(
  ctx: PageContext,
  d: { workflowId: string; view: WorkflowHistoryView | undefined; notFound: boolean },
): Html {
  const { t } = ctx;
  const v = d.view;
  const mails = new Map((v?.mails ?? []).map((m) => [m.message_id, m]));
  const form = html`<form class="filters" method="get" action="/app/admin/history" aria-label="${t.t('history.find')}">
  <div><label for="workflow">${t.t('history.workflowId')}</label>
  <input id="workflow" name="workflow" value="${d.workflowId}" size="60" required></div>
  <div><button type="submit">${t.t('history.show')}</button></div>
</form>`;
  if (v === undefined)
    return layout(ctx, {
      title: t.t('history.title'),
      body: html`<p class="muted">${t.t('history.intro')}</p>${form}${d.notFound ? html`<p role="status">${t.t('history.notFound')}</p>` : ''}`,
    });
  const raw = `/app/admin/history/raw?workflow=${encodeURIComponent(v.workflowId)}&run=${encodeURIComponent(v.runId)}`;
  const runLink = (runId: string) =>
    `/app/admin/history?workflow=${encodeURIComponent(v.workflowId)}&run=${encodeURIComponent(runId)}`;
  // A cycle that continued as new: each run's history is its own; the events and e-mails below are the workflow id's.
  const runs =
    v.runs.length < 2
      ? ''
      : html`<nav aria-label="${t.t('history.runs')}"><h3>${t.t('history.runs')}</h3>
<p class="muted">${t.t('history.runsIntro', { n: v.runs.length })}</p>
<ol>${v.runs.map(
          (r) =>
            html`<li>${r.runId === v.runId ? html`<strong aria-current="page">${t.dateTime(r.startedAt)}</strong>` : html`<a href="${runLink(r.runId)}">${t.dateTime(r.startedAt)}</a>`} — ${r.closedAt === null ? '…' : t.dateTime(r.closedAt)} · ${r.status} <span class="muted">${r.runId}</span></li>`,
        )}</ol></nav>`;
  return layout(ctx, {
    title: t.t('history.title'),
    body: html`${form}
<h2>${v.workflowId}</h2>
<p>${t.t('history.run', { type: v.workflowType, run: v.runId, status: v.status })}</p>
<p><a href="${raw}" download>${t.t('history.download')}</a>${v.temporalUrl === null ? '' : html` · <a href="${v.temporalUrl}">${t.t('history.temporalUi')}</a>`}</p>
${runs}
<h3>${t.t('history.timeline')}</h3>
<div class="table-wrap"><table>
<thead><tr><th scope="col">#</th><th scope="col">${t.t('history.when')}</th><th scope="col">${t.t('history.what')}</th><th scope="col">${t.t('history.name')}</th><th scope="col">${t.t('history.outcome')}</th><th scope="col">${t.t('history.detail')}</th></tr></thead>
<tbody>${v.timeline.map((e) => {
      const mail = e.messageId === null ? undefined : mails.get(e.messageId);
      return html`<tr><td>${e.eventId}</td><td>${t.dateTime(e.at)}</td><td>${t.t(KIND_LABEL[e.kind])}</td><td>${e.name}${e.by === null ? '' : html`<br><span class="muted">${t.t('history.by', { who: e.by })}</span>`}</td>
<td>${e.outcome === null ? '' : html`<span class="badge ${e.outcome === 'ok' ? 's-accepted' : 's-overdue'}">${t.t(e.outcome === 'ok' ? 'history.ok' : 'history.failed')}</span>`}${e.attempts !== null && e.attempts > 1 ? html` ${t.t('history.attempts', { n: e.attempts })}` : ''}</td>
<td>${mail === undefined ? '' : html`<a href="/app/admin/outbox">${t.t('history.mail', { subject: mail.subject, to: mail.to_addresses.join(', ') })}</a><br>`}<span class="muted">${e.detail ?? ''}</span></td></tr>`;
    })}</tbody>
</table></div>
<h3>${t.t('history.events')}</h3>
${
  v.events.length === 0
    ? html`<p>${t.t('history.noEvents')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('history.when')}</th><th scope="col">${t.t('history.eventType')}</th><th scope="col">${t.t('history.actor')}</th><th scope="col">${t.t('history.hash')}</th></tr></thead>
<tbody>${v.events.map((e) => html`<tr><td>${t.dateTime(e.occurred_at)}</td><td>${e.type}</td><td>${e.actor}</td><td><code>${e.stream_seq}: ${e.hash.slice(0, 12)}…</code></td></tr>`)}</tbody>
</table></div>`
}`,
  });
}
