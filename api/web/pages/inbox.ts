// The agency inbox: what my agency owes, to whom, by when, the working days left, and the status.
import type { CycleRow, ObligationRow } from '../../../db/database.js';
import { html, type Html } from '../html.js';
import type { FeedView } from '../../services/feeds.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { obligationHref, pick, receiverName, specOf, statusBadge, timeLeftText } from '../view.js';

export interface InboxRow {
  readonly obligation: ObligationRow;
  readonly cycle: CycleRow | undefined;
  /** Working days left (negative: overdue by), for an obligation still awaiting its report; null otherwise. */
  readonly daysLeft: number | null;
}

export function inboxPage(
  ctx: PageContext,
  agencyName: string,
  rows: readonly InboxRow[],
  flash?: { kind: 'ok' | 'error'; text: string },
  /** The agency's calendar feed, when this user may manage it. */
  feed?: FeedView,
): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('inbox.title'),
    flash,
    body: html`<p class="muted">${t.t('inbox.intro', { agency: agencyName })}</p>
${
  rows.length === 0
    ? html`<p>${t.t('inbox.empty')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('inbox.plan')}</th><th scope="col">${t.t('inbox.period')}</th><th scope="col">${t.t('inbox.to')}</th><th scope="col">${t.t('inbox.due')}</th><th scope="col">${t.t('inbox.left')}</th><th scope="col">${t.t('inbox.status')}</th></tr></thead>
<tbody>${rows.map(({ obligation: o, cycle, daysLeft }) => {
        const spec = specOf(cycle);
        const due = o.effective_due_date ?? o.due_date;
        return html`<tr>
<td><a href="${obligationHref(o.workflow_id)}">${pick(spec.planTitle, t.lang) || o.plan_id}</a></td>
<td>${o.period}</td>
<td>${receiverName(spec, o.stage_id, t)}</td>
<td>${t.date(due)}</td>
<td>${daysLeft === null ? '—' : timeLeftText(t, daysLeft)}</td>
<td>${statusBadge(t, o.status)}</td></tr>`;
      })}</tbody></table></div>`
}
${
  feed === undefined
    ? ''
    : html`<h2>${t.t('feed.title')}</h2>
<p class="muted">${t.t('feed.intro')}</p>
${
  feed.url === null
    ? html`<p>${t.t('feed.none')}</p>`
    : html`<div><label for="feed-url">${t.t('feed.url')}</label><input type="text" id="feed-url" readonly value="${feed.url}"></div>`
}
<div class="panels"><form method="post" action="/app/inbox/feed">${csrfField(ctx)}<button type="submit" class="secondary" name="action" value="issue">${feed.url === null ? t.t('feed.issue') : t.t('feed.reissue')}</button></form>
${feed.url === null ? '' : html`<form method="post" action="/app/inbox/feed">${csrfField(ctx)}<button type="submit" class="secondary" name="action" value="revoke">${t.t('feed.revoke')}</button></form>`}</div>`
}`,
  });
}
