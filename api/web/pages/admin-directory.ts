// Admin pages for the reference data: the working-day calendar editor (a year's days off and transferred working days, with
// their sources), the agencies directory and an agency's form, and the embedded SMTP sink (messages and one message).
import type { SinkMessageSummary } from '../../../db/repositories/sink.js';
import { CALENDAR_ENTRY_KINDS, type CalendarEntry, type NonWorkingDay } from '../../../domain/calendar.js';
import type { Agency, AgencyKind } from '../../../domain/plan.js';
import { html, type Html } from '../html.js';
import type { Translator } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { pickName } from '../view.js';

type Flash = { kind: 'ok' | 'error'; text: string } | undefined;

export const AGENCY_KINDS: readonly AgencyKind[] = [
  'ministry',
  'central_body',
  'presidential_body',
  'regional_akimat',
  'city_akimat',
  'ngo_international',
  'pm_office',
  'presidential_administration',
  'other',
];

function entryName(e: CalendarEntry, t: Translator): string {
  return t.lang === 'kk' ? e.nameKk : t.lang === 'ru' ? e.nameRu : e.nameEn;
}

export function calendarPage(
  ctx: PageContext,
  d: {
    year: number;
    status: 'official' | 'provisional' | 'unknown';
    note: string | null;
    nonWorkingDays: readonly NonWorkingDay[];
    workingWeekendDays: readonly CalendarEntry[];
    entries: readonly CalendarEntry[];
    flash?: Flash;
  },
): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('cal.title'),
    flash: d.flash,
    body: html`<form class="filters" method="get" action="/app/admin/calendar">
  <div><label for="cal-year">${t.t('cal.year')}</label><input type="number" id="cal-year" name="year" min="2000" max="2100" value="${d.year}" required></div>
  <div><button type="submit" class="secondary">${t.t('cal.show')}</button></div>
</form>
<p>${t.t('cal.summary', { year: String(d.year), n: d.nonWorkingDays.length, w: d.workingWeekendDays.length })}</p>
<form class="panel stack" method="post" action="/app/admin/calendar/years/${d.year}">${csrfField(ctx)}
  <div><label for="year-status">${t.t('cal.status')}</label><select id="year-status" name="status">
    <option value="official"${d.status === 'official' ? html` selected` : ''}>${t.t('cal.official')}</option>
    <option value="provisional"${d.status !== 'official' ? html` selected` : ''}>${t.t('cal.provisional')}</option></select></div>
  <div><label for="year-note">${t.t('cal.note')}</label><input type="text" id="year-note" name="note" maxlength="2000" value="${d.note ?? ''}"></div>
  <div><button type="submit" class="secondary">${t.t('cal.saveYear')}</button></div>
</form>
<h2>${t.t('cal.entries')}</h2>
${
  d.entries.length === 0
    ? html`<p>${t.t('cal.none')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('cal.date')}</th><th scope="col">${t.t('cal.kind')}</th><th scope="col">${t.t('cal.name')}</th><th scope="col">${t.t('cal.source')}</th><th scope="col">${t.t('cal.related')}</th><th scope="col">${t.t('cal.actions')}</th></tr></thead>
<tbody>${d.entries.map(
        (
          e,
        ) => html`<tr><td>${t.date(e.date)}</td><td>${t.tryT(`calKind.${e.kind}`)}</td><td>${entryName(e, t)}</td><td>${e.source}</td><td>${e.relatedDate === undefined ? '' : t.date(e.relatedDate)}</td>
<td><form method="post" action="/app/admin/calendar/entries/${e.date}/${e.kind}/remove">${csrfField(ctx)}<button type="submit" class="link" aria-label="${t.t('cal.remove')}: ${t.date(e.date)}">${t.t('cal.remove')}</button></form></td></tr>`,
      )}</tbody></table></div>`
}
<h2>${t.t('cal.add')}</h2>
<form class="stack" method="post" action="/app/admin/calendar/entries">${csrfField(ctx)}
  <div><label for="entry-date">${t.t('cal.date')}</label><input type="date" id="entry-date" name="date" required min="${d.year}-01-01" max="${d.year}-12-31"></div>
  <div><label for="entry-kind">${t.t('cal.kind')}</label><select id="entry-kind" name="kind">${CALENDAR_ENTRY_KINDS.map((k) => html`<option value="${k}">${t.tryT(`calKind.${k}`)}</option>`)}</select></div>
  <div><label for="entry-kk">${t.t('cal.nameKk')}</label><input type="text" id="entry-kk" name="nameKk" required maxlength="300"></div>
  <div><label for="entry-ru">${t.t('cal.nameRu')}</label><input type="text" id="entry-ru" name="nameRu" required maxlength="300"></div>
  <div><label for="entry-en">${t.t('cal.nameEn')}</label><input type="text" id="entry-en" name="nameEn" required maxlength="300"></div>
  <div><label for="entry-source">${t.t('cal.source')}</label><input type="text" id="entry-source" name="source" required maxlength="1000"></div>
  <div><label for="entry-related">${t.t('cal.related')}</label><input type="date" id="entry-related" name="relatedDate"></div>
  <div><button type="submit" class="primary">${t.t('cal.save')}</button></div>
</form>`,
  });
}

export function agencyHref(code: string): string {
  return `/app/admin/agencies/${encodeURIComponent(code)}`;
}

export function agenciesPage(ctx: PageContext, agencies: readonly Agency[], flash?: Flash): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('ag.title'),
    flash,
    body: html`<p class="muted">${t.t('ag.intro')}</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('ag.code')}</th><th scope="col">${t.t('ag.name')}</th><th scope="col">${t.t('ag.kind')}</th><th scope="col">${t.t('ag.byAgreement')}</th><th scope="col">${t.t('ag.lang')}</th><th scope="col">${t.t('ag.contacts')}</th></tr></thead>
<tbody>${agencies.map(
      (
        a,
      ) => html`<tr><td><a href="${agencyHref(a.code)}">${a.code}</a></td><td>${pickName(a.name, t.lang)}</td><td>${t.tryT(`agKind.${a.kind}`)}</td>
<td>${a.byAgreement ? t.t('ag.yes') : t.t('ag.no')}</td><td>${t.t(`lang.${a.lang}`)}</td><td>${a.contacts.map((c) => c.email).join(', ')}</td></tr>`,
    )}</tbody></table></div>`,
  });
}

export function agencyPage(ctx: PageContext, a: Agency, flash?: Flash): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('ag.editTitle', { code: a.code }),
    flash,
    body: html`<form class="stack" method="post" action="${agencyHref(a.code)}">${csrfField(ctx)}
  <div><label for="ag-kk">${t.t('ag.nameKk')}</label><input type="text" id="ag-kk" name="nameKk" maxlength="500" value="${a.name.kk ?? ''}"></div>
  <div><label for="ag-ru">${t.t('ag.nameRu')}</label><input type="text" id="ag-ru" name="nameRu" maxlength="500" value="${a.name.ru ?? ''}"></div>
  <div><label for="ag-kind">${t.t('ag.kind')}</label><select id="ag-kind" name="kind">${AGENCY_KINDS.map((k) => html`<option value="${k}"${a.kind === k ? html` selected` : ''}>${t.tryT(`agKind.${k}`)}</option>`)}</select></div>
  <div><label for="ag-lang">${t.t('ag.lang')}</label><select id="ag-lang" name="lang">${(['kk', 'ru'] as const).map((l) => html`<option value="${l}"${a.lang === l ? html` selected` : ''}>${t.t(`lang.${l}`)}</option>`)}</select></div>
  <div><label><input type="checkbox" name="byAgreement" value="true"${a.byAgreement ? html` checked` : ''}> ${t.t('ag.byAgreement')}</label></div>
  <div><label for="ag-contacts">${t.t('ag.contacts')}</label><p class="muted" id="ag-contacts-help">${t.t('ag.contactsHelp')}</p>
  <textarea id="ag-contacts" name="contacts" aria-describedby="ag-contacts-help" maxlength="20000">${a.contacts.map((c) => `${c.role} ${c.email}${c.name === undefined ? '' : ` ${c.name}`}`).join('\n')}</textarea></div>
  <div><label for="ag-aliases">${t.t('ag.aliases')}</label><textarea id="ag-aliases" name="aliases" maxlength="5000">${(a.aliases ?? []).join('\n')}</textarea></div>
  <div><label for="ag-note">${t.t('ag.note')}</label><textarea id="ag-note" name="note" maxlength="5000">${a.note ?? ''}</textarea></div>
  <div><button type="submit" class="primary">${t.t('ag.save')}</button></div>
</form>`,
  });
}

export function sinkHref(id: string): string {
  return `/app/admin/sink/${encodeURIComponent(id)}`;
}

export function sinkPage(
  ctx: PageContext,
  d: { messages: readonly SinkMessageSummary[] | null; to: string | undefined },
): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('sink.title'),
    body:
      d.messages === null
        ? html`<p>${t.t('outbox.sinkOff')}</p>`
        : html`<p class="muted">${t.t('sink.intro')}</p>
<form class="filters" method="get" action="/app/admin/sink">
  <div><label for="sink-to">${t.t('sink.filter')}</label><input type="text" id="sink-to" name="to" maxlength="300" value="${d.to ?? ''}"></div>
  <div><button type="submit" class="secondary">${t.t('sink.apply')}</button></div>
</form>
${
  d.messages.length === 0
    ? html`<p>${t.t('outbox.empty')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('outbox.received')}</th><th scope="col">${t.t('outbox.from')}</th><th scope="col">${t.t('outbox.to')}</th><th scope="col">${t.t('outbox.subject')}</th></tr></thead>
<tbody>${d.messages.map((m) => html`<tr><td>${t.dateTime(m.received_at)}</td><td>${m.mail_from ?? ''}</td><td>${m.rcpt_to.join(', ')}</td><td><a href="${sinkHref(m.id)}">${m.subject ?? t.t('sink.open')}</a></td></tr>`)}</tbody>
</table></div>`
}`,
  });
}

export interface SinkMessageView {
  readonly id: string;
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  readonly date: Date | null;
  readonly text: string;
  readonly attachments: readonly { filename: string; contentType: string; size: number }[];
}

export function sinkMessagePage(ctx: PageContext, m: SinkMessageView): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: m.subject || t.t('sink.message'),
    body: html`<dl class="facts">
<dt>${t.t('outbox.from')}</dt><dd>${m.from}</dd>
<dt>${t.t('outbox.to')}</dt><dd>${m.to}</dd>
<dt>${t.t('sink.date')}</dt><dd>${m.date === null ? '—' : t.dateTime(m.date)}</dd>
${m.attachments.length === 0 ? '' : html`<dt>${t.t('sink.attachments')}</dt><dd>${m.attachments.map((a) => `${a.filename} (${a.contentType}, ${a.size} B)`).join('; ')}</dd>`}
</dl>
<h2>${t.t('sink.body')}</h2>
<pre class="mail">${m.text}</pre>
<p><a href="${sinkHref(m.id)}/raw">${t.t('sink.raw')}</a></p>`,
  });
}
