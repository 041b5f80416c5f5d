// The summary builder: for the sender (the plan's coordinator for its summary to the PM Office; the PM Office for its report
// to the Presidential Administration) — readiness blockers with links to the reports, agencies marked missing with reasons,
// preface and conclusions (autosaved), a preview, DOCX/XLSX downloads, submitting upward (disabled with the reasons while
// blocked, or with an override and its reason per blocker), the versions sent and the recipient's remarks when returned; for
// the recipient, the same page with the review (accept, return with remarks per measure).
import type { ReturnNote } from '../../services/obligations.js';
import type { SummaryVersions } from '../../services/summary.js';
import type { ConsolidatedSummary, SummaryBlocker } from '../../../domain/summary.js';
import { textIn } from '../../../domain/summary.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import type { Translator } from '../i18n/index.js';
import { statusLabel } from './report-form.js';
import { obligationHref, statusBadge } from '../view.js';

export interface SummaryPageData {
  readonly cycleId: string;
  readonly planId: string;
  readonly period: string;
  readonly stageId: string;
  /** Whom the consolidated stage reports to: the coordinator (its summary goes to the PM Office) or the PM Office. */
  readonly to: 'coordinator' | 'pm_office' | 'presidential_administration';
  readonly summary: ConsolidatedSummary;
  readonly canEdit: boolean;
  readonly canReview: boolean;
  readonly versions: SummaryVersions | null;
  readonly lastReturn: ReturnNote | null;
  readonly flash?: { kind: 'ok' | 'error'; text: string };
}

/** Where the summary page of a cycle's stage is. */
export function summaryHref(cycleId: string, stageId?: string): string {
  return `/app/cycles/${encodeURIComponent(cycleId)}/summary${stageId === undefined ? '' : `?stage=${encodeURIComponent(stageId)}`}`;
}

const contentLang = (t: Translator): 'kk' | 'ru' => (t.lang === 'kk' ? 'kk' : 'ru');

function blockerText(t: Translator, b: SummaryBlocker): string {
  return t.t(`sum.blocker.${b.kind}`, { agency: b.agency.code });
}

export function summaryPage(ctx: PageContext, d: SummaryPageData): Html {
  const { t } = ctx;
  const s = d.summary;
  const lang = contentLang(t);
  const base = `/app/cycles/${encodeURIComponent(d.cycleId)}/summary`;
  const q = `stage=${encodeURIComponent(d.stageId)}`;
  const stageField = html`<input type="hidden" name="stage" value="${d.stageId}">`;
  const reportHref = (code: string): string =>
    obligationHref(`obligation:${d.planId}:${d.period}:${code}:${d.stageId}`);
  const pmReport = d.to === 'pm_office';
  const title = pmReport ? t.t('sum.pmTitle') : t.t('sum.title');
  const status = d.versions?.status;
  const open = status === undefined || status === 'pending' || status === 'overdue' || status === 'returned';
  const files = (prefix: string) =>
    html`${(['docx', 'xlsx'] as const).map((format) =>
      (['kk', 'ru'] as const).map(
        (l) =>
          html`<a class="button secondary" href="${prefix}?${q}&amp;format=${format}&amp;lang=${l}" download>${t.t('sum.fileIn', { format: format.toUpperCase(), lang: t.t(`sum.lang.${l}`) })}</a> `,
      ),
    )}`;
  return layout(ctx, {
    title: `${title}: ${textIn(s.plan.title, lang)} · ${s.period}`,
    flash: d.flash,
    body: html`<p class="muted">${t.t('sum.route', { from: textIn(s.sender.name, lang), to: textIn(s.recipient.name, lang) })}</p>

<section aria-labelledby="carrier-h"><h2 id="carrier-h">${t.t('sum.carrier')}</h2>
${d.versions === null ? '' : html`<p>${statusBadge(t, d.versions.status)}</p>`}
${
  d.lastReturn !== null && status === 'returned'
    ? html`<div class="returned" role="note"><h3>${t.t('sum.returned')}</h3>
<p class="comment">${d.lastReturn.comment}</p>
${d.lastReturn.comments.length === 0 ? '' : html`<ul>${d.lastReturn.comments.map((c) => html`<li>${c.measure === undefined ? c.text : t.t('sum.remarkOn', { n: c.measure, text: c.text })}</li>`)}</ul>`}
<p class="muted">${t.t('obligation.returnedBy', { who: d.lastReturn.by.replace(/^(user|token):/, ''), date: t.dateTime(d.lastReturn.at) })}${d.lastReturn.newDueDate === null ? '' : html` · ${t.t('review.newDueDate')}: ${t.date(d.lastReturn.newDueDate)}`}</p></div>`
    : ''
}
</section>

<section aria-labelledby="ready-h"><h2 id="ready-h">${t.t('sum.readiness')}</h2>
${
  s.ready
    ? html`<p>${t.t('sum.ready')}</p>`
    : html`<p>${t.t('sum.blockedBecause')}</p><ul class="blockers">${s.blockers.map((b) => html`<li>${blockerText(t, b)} — <a href="${reportHref(b.agency.code)}">${t.t('sum.openReport')}</a></li>`)}</ul>`
}
${
  d.canEdit && open
    ? html`<form method="post" action="${base}/submit" class="inline">${csrfField(ctx)}${stageField}
<button type="submit" class="primary"${s.ready ? '' : html` disabled aria-describedby="ready-h"`}>${pmReport ? t.t('sum.submitPa') : t.t('sum.submitPm')}</button></form>
${
  s.ready
    ? ''
    : html`<details><summary>${t.t('sum.overrideTitle')}</summary>
<form method="post" action="${base}/submit" class="stack">${csrfField(ctx)}${stageField}
${s.blockers.map(
  (b, i) =>
    html`<div><label for="override-${i}">${t.t('sum.overrideReason', { agency: b.agency.code })}</label><textarea id="override-${i}" name="override:${b.agency.code}" required maxlength="2000"></textarea></div>`,
)}
<div><button type="submit" class="secondary">${pmReport ? t.t('sum.submitPa') : t.t('sum.submitPm')}</button></div></form></details>`
}`
    : ''
}
</section>

<section aria-labelledby="marks-h"><h2 id="marks-h">${t.t('sum.marks')}</h2>
${
  s.missing.length === 0
    ? html`<p>${t.t('sum.noMissing')}</p>`
    : html`<ul class="marks">${s.missing.map(
        (
          m,
          i,
        ) => html`<li><strong>${m.agency.code}</strong> ${textIn(m.agency.name, lang)} · ${statusBadge(t, m.status)}${m.workingDaysLate > 0 ? html` · ${t.t('sum.daysLate', { n: m.workingDaysLate })}` : ''}
${m.mark === null ? '' : html`<p>${t.t('sum.markedBy', { who: m.mark.markedBy.replace(/^(user|token):/, ''), reason: m.mark.reason })}</p>`}
${
  d.canEdit
    ? html`<form method="post" action="${base}/marks" class="inline">${csrfField(ctx)}${stageField}<input type="hidden" name="agency" value="${m.agency.code}">
<label for="mark-${i}">${t.t('sum.markReason', { agency: m.agency.code })}</label><input type="text" id="mark-${i}" name="reason" required maxlength="2000" value="${m.mark?.reason ?? ''}">
<button type="submit" class="secondary">${t.t('sum.mark')}</button></form>
${m.mark === null ? '' : html`<form method="post" action="${base}/unmark" class="inline">${csrfField(ctx)}${stageField}<input type="hidden" name="agency" value="${m.agency.code}"><button type="submit" class="secondary">${t.t('sum.unmark')}</button></form>`}`
    : ''
}</li>`,
      )}</ul>`
}
</section>

${
  d.canEdit
    ? html`<section aria-labelledby="texts-h"><h2 id="texts-h">${t.t('sum.texts')}</h2>
<form method="post" action="${base}/texts" class="stack" hx-post="${base}/texts" hx-trigger="input delay:1000ms" hx-target="#texts-status" hx-swap="innerHTML">${csrfField(ctx)}${stageField}
${(
  [
    ['preface', 'kk', 'sum.prefaceKk'],
    ['preface', 'ru', 'sum.prefaceRu'],
    ['conclusions', 'kk', 'sum.conclusionsKk'],
    ['conclusions', 'ru', 'sum.conclusionsRu'],
  ] as const
).map(
  ([field, l, label]) =>
    html`<div><label for="${field}-${l}">${t.t(label)}</label><textarea id="${field}-${l}" name="${field}_${l}" lang="${l}" maxlength="20000">${s.texts[field][l] ?? ''}</textarea></div>`,
)}
<p id="texts-status" role="status" aria-live="polite" class="draft-status"></p>
<div><button type="submit" class="secondary">${t.t('sum.saveTexts')}</button></div></form></section>`
    : ''
}

<section aria-labelledby="preview-h"><h2 id="preview-h">${t.t('sum.preview')}</h2>
<p>${t.t('sum.download')}: ${files(`${base}/file`)}</p>
${s.texts.preface[lang] === null ? '' : html`<p class="comment">${s.texts.preface[lang]}</p>`}
<div class="table-wrap"><table class="report">
<thead><tr><th scope="col">№</th><th scope="col">${t.t('sum.measure')}</th><th scope="col">${t.t('sum.executor')}</th><th scope="col">${t.t('sum.execStatus')}</th><th scope="col">${t.t('sum.narrative')}</th></tr></thead>
<tbody>${s.measures.map((m) =>
      m.executors.map(
        (
          e,
          i,
        ) => html`<tr>${i === 0 ? html`<td rowspan="${m.executors.length}">${m.number}</td><td rowspan="${m.executors.length}">${textIn(m.title, lang)}${m.totals.length === 0 ? '' : html`<br><span class="muted">${t.t('sum.indicators')}: ${m.totals.map((x) => `${textIn(x.name, lang)} ${t.number(x.achieved)} / ${x.planned === null ? '—' : t.number(x.planned)}${x.unit === null ? '' : ` ${x.unit}`}`).join('; ')}</span>`}</td>` : ''}
<td>${e.agency.code}</td>
<td>${e.kind === 'reported' ? statusLabel(t, e.status) : e.kind === 'missing' ? t.t('sum.noReport') : t.t('sum.notCovered')}</td>
<td>${e.kind === 'reported' ? textIn(e.narrative, lang) : e.kind === 'missing' && e.mark !== null ? e.mark.reason : ''}</td></tr>`,
      ),
    )}</tbody></table></div>
${s.texts.conclusions[lang] === null ? '' : html`<p class="comment">${s.texts.conclusions[lang]}</p>`}
</section>

<section aria-labelledby="versions-h"><h2 id="versions-h">${t.t('sum.versions')}</h2>
${
  d.versions === null || d.versions.versions.length === 0
    ? html`<p>${t.t('sum.noVersions')}</p>`
    : html`<ul class="versions">${d.versions.versions.map((v) => html`<li>${t.t('versions.version', { n: v.version })} — ${t.t('versions.submitted', { date: t.dateTime(v.submittedAt), who: v.submittedBy.replace(/^(user|token):/, '') })} · <code>${v.contentHash.slice(0, 12)}</code><br>${files(`${base}/versions/${v.version}/file`)}</li>`)}</ul>`
}
</section>

${
  d.canReview
    ? html`<section aria-labelledby="review-h"><h2 id="review-h">${t.t('sum.review')}</h2><div class="panels">
<form class="panel stack" method="post" action="${base}/accept">${csrfField(ctx)}${stageField}
  <h3>${t.t('review.accept')}</h3>
  <div><label for="accept-comment">${t.t('review.acceptComment')}</label><textarea id="accept-comment" name="comment" maxlength="5000"></textarea></div>
  <div><button type="submit" class="primary">${t.t('review.accept')}</button></div>
</form>
<form class="panel stack" method="post" action="${base}/return">${csrfField(ctx)}${stageField}
  <h3>${t.t('review.returnTitle')}</h3>
  <div><label for="return-comment">${t.t('review.comment')}</label><textarea id="return-comment" name="comment" required maxlength="5000"></textarea></div>
  <div><label for="return-date">${t.t('review.newDueDate')}</label><input type="date" id="return-date" name="newDueDate" required></div>
  ${s.measures.map((m, i) => html`<div><label for="remark-${i}">${t.t('sum.remarkFor', { n: m.number.replace(/\.$/, '') })}</label><textarea id="remark-${i}" name="remark:${m.number}" maxlength="5000"></textarea></div>`)}
  <div><button type="submit" class="secondary">${t.t('review.return')}</button></div>
</form></div></section>`
    : ''
}`,
  });
}
