// Admin pages: the outbox (every e-mail Merzim sent) and, on the embedded stack, what the local SMTP sink received.
import type { NotificationRow } from '../../../db/database.js';
import type { SinkMessageSummary } from '../../../db/repositories/sink.js';
import { html, type Html } from '../html.js';
import { layout, type PageContext } from '../layout.js';

export function outboxPage(
  ctx: PageContext,
  sent: readonly NotificationRow[],
  sink: readonly SinkMessageSummary[] | null,
): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('outbox.title'),
    body: html`<p class="muted">${t.t('outbox.intro', { n: sent.length })}</p>
${
  sent.length === 0
    ? html`<p>${t.t('outbox.empty')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('outbox.when')}</th><th scope="col">${t.t('outbox.to')}</th><th scope="col">${t.t('outbox.subject')}</th><th scope="col">${t.t('outbox.status')}</th></tr></thead>
<tbody>${sent.map(
        (n) => html`<tr><td>${t.dateTime(n.created_at)}</td><td>${n.to_addresses.join(', ')}</td><td>${n.subject}</td>
<td>${n.status === 'sent' && n.sent_at !== null ? html`<span class="badge s-accepted">${t.t('outbox.sent')}</span> ${t.dateTime(n.sent_at)}` : html`<span class="badge s-overdue">${t.t('outbox.pending')}</span> ${t.t('outbox.attempts', { n: n.attempts })}${n.last_error === null ? '' : html`<br><span class="muted">${n.last_error}</span>`}`}</td></tr>`,
      )}</tbody>
</table></div>`
}
<h2>${t.t('outbox.sink')}</h2>
${
  sink === null
    ? html`<p>${t.t('outbox.sinkOff')}</p>`
    : sink.length === 0
      ? html`<p>${t.t('outbox.empty')}</p>`
      : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('outbox.received')}</th><th scope="col">${t.t('outbox.from')}</th><th scope="col">${t.t('outbox.to')}</th><th scope="col">${t.t('outbox.subject')}</th></tr></thead>
<tbody>${sink.map((m) => html`<tr><td>${t.dateTime(m.received_at)}</td><td>${m.mail_from ?? ''}</td><td>${m.rcpt_to.join(', ')}</td><td>${m.subject ?? ''}</td></tr>`)}</tbody>
</table></div>`
}`,
  });
}
