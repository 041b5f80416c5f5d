// One obligation: what is owed and by when, the returned report's comment, the report form (with its draft), the submitted
// report, and — for its reviewer — accept, return with a comment and a new date, extend with a reason.
import type { CycleRow, ObligationRow } from '../../../db/database.js';
import type { ReportDraft } from '../../../db/repositories/drafts.js';
import type { ReportVersion, ReportVersionHead } from '../../../db/repositories/report-versions.js';
import { plannedValues } from '../../../domain/report.js';
import type { ReturnNote } from '../../services/obligations.js';
import type { ReportSetting } from '../../services/reports.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { summaryHref } from './summary.js';
import {
  historyHref,
  obligationHref,
  partyOf,
  pick,
  receiverName,
  specOf,
  stageOfSpec,
  statusBadge,
  timeLeftText,
} from '../view.js';
import {
  formStateOf,
  remarkFields,
  remarksByMeasure,
  reportFields,
  reportView,
  statusLabel,
  type FormMeasure,
  type FormState,
} from './report-form.js';

export interface ObligationPageData {
  readonly obligation: ObligationRow;
  readonly cycle: CycleRow | undefined;
  readonly lastReturn: ReturnNote | null;
  readonly draft: ReportDraft | undefined;
  readonly setting: ReportSetting;
  readonly versions: readonly ReportVersionHead[];
  /** The latest submitted version, when the report was submitted as one. */
  readonly latest: ReportVersion | undefined;
  readonly canReport: boolean;
  readonly canReview: boolean;
  readonly canExtend: boolean;
  readonly daysLeft: number | null;
  readonly temporalUrl: string | null;
  /** Values typed into a form that was refused, shown again rather than lost. */
  readonly posted?: FormState;
  readonly flash?: { kind: 'ok' | 'error'; text: string };
  /** The report's evidence files (pages/evidence-widget.ts), placed after the report form. */
  readonly evidence?: Html;
}

interface StoredReport {
  readonly items?: readonly { measure: string; status: string; text: string }[];
  readonly version: number;
  readonly submittedAt: string;
  readonly late: boolean;
}

/** The measures the party owes, with the plan's indicators and their planned values for the period's year. */
export function measuresOwed(
  cycle: CycleRow | undefined,
  o: ObligationRow,
  lang: PageContext['t']['lang'],
  setting?: ReportSetting,
): FormMeasure[] {
  return (partyOf(specOf(cycle), o.stage_id, o.agency_code)?.measures ?? []).map((m) => {
    const indicators = setting?.indicators.get(m.number) ?? [];
    const planned = plannedValues(indicators, o.period);
    return {
      number: m.number,
      title: pick(m.title, lang),
      indicators: indicators.map((ind, j) => ({
        name: pick({ kk: ind.name.kk ?? ind.name.ru ?? '', ru: ind.name.ru ?? ind.name.kk ?? '' }, lang),
        unit: ind.unit,
        planned: planned[j] ?? null,
      })),
    };
  });
}

export function obligationPage(ctx: PageContext, d: ObligationPageData): Html {
  const { t } = ctx;
  const o = d.obligation;
  const spec = specOf(d.cycle);
  const agency = partyOf(spec, o.stage_id, o.agency_code);
  const agencyName = agency === undefined ? o.agency_code : pick(agency.name, t.lang);
  const stage = stageOfSpec(spec, o.stage_id);
  const due = o.effective_due_date ?? o.due_date;
  const report = o.report as StoredReport | null;
  const measures = measuresOwed(d.cycle, o, t.lang, d.setting);
  const titles = new Map(measures.map((m) => [m.number, m.title]));
  const state =
    d.posted ??
    (d.draft !== undefined
      ? formStateOf(d.draft.content, d.draft.items)
      : d.latest !== undefined
        ? formStateOf(d.latest.content)
        : formStateOf(null, report?.items ?? []));
  const year = o.period.slice(0, 4);
  const remarks = remarksByMeasure(d.lastReturn?.comments ?? []);
  const action = (what: string) => `${obligationHref(o.workflow_id)}/${what}`;
  // A stage of summaries (from the coordinator or the PM Office) carries a frozen summary built on the summary page, from
  // the reports of the stage it receives: link there instead of a report table.
  const summaryStage = stage !== undefined && stage.from !== 'executors' && o.cycle_workflow_id !== null;
  const summarySource = stage?.from === 'coordinator' ? undefined : spec.stages?.find((s) => s.to === stage?.from)?.id;

  return layout(ctx, {
    title: t.t('obligation.title', { agency: agencyName }),
    flash: d.flash,
    body: html`<dl class="facts">
  <dt>${t.t('obligation.plan')}</dt><dd>${pick(spec.planTitle, t.lang) || o.plan_id}</dd>
  <dt>${t.t('obligation.period')}</dt><dd>${o.period}</dd>
  <dt>${t.t('obligation.stage')}</dt><dd>${stage === undefined ? o.stage_id : `${t.tryT(`chain.${stage.from}`)} → ${t.tryT(`chain.${stage.to}`)}`}</dd>
  <dt>${t.t('obligation.to')}</dt><dd>${receiverName(spec, o.stage_id, t)}</dd>
  <dt>${t.t('obligation.due')}</dt><dd>${t.date(due)}${due !== o.due_date ? html` <span class="muted">(${t.t('obligation.dueAsWritten', { date: t.date(o.due_date) })})</span>` : ''}${d.daysLeft === null ? '' : html` — ${timeLeftText(t, d.daysLeft)}`}</dd>
  <dt>${t.t('obligation.status')}</dt><dd>${statusBadge(t, o.status)}${o.closed_reason === null ? '' : html` ${t.t('obligation.closedReason', { reason: o.closed_reason })}`}</dd>
</dl>
${
  d.temporalUrl === null && ctx.principal?.role !== 'admin'
    ? ''
    : html`<p>${ctx.principal?.role === 'admin' ? html`<a href="${historyHref(o.workflow_id)}">${t.t('history.link')}</a>` : ''}${ctx.principal?.role === 'admin' && d.temporalUrl !== null ? ' · ' : ''}${d.temporalUrl === null ? '' : html`<a href="${d.temporalUrl}" rel="noopener">${t.t('obligation.temporal')}</a>`}</p>`
}
${
  d.lastReturn !== null && (o.status === 'returned' || o.status === 'overdue' || o.status === 'pending')
    ? html`<section class="returned" aria-labelledby="returned-h">
  <h2 id="returned-h">${t.t('obligation.returnedTitle')}</h2>
  <p class="comment">${d.lastReturn.comment}</p>
  <p class="muted">${t.t('obligation.returnedBy', { who: d.lastReturn.by.replace(/^user:/, ''), date: t.dateTime(d.lastReturn.at) })}${d.lastReturn.newDueDate === null ? '' : html` · ${t.t('review.newDueDate')}: ${t.date(d.lastReturn.newDueDate)}`}</p>
</section>`
    : ''
}
${
  d.canReport
    ? html`<h2>${t.t('report.title')}</h2>
<p class="muted">${t.t('report.intro')}</p>
<form method="post" action="${action('submit')}" hx-post="${action('draft')}" hx-trigger="input delay:800ms, change" hx-target="#draft-status" hx-swap="innerHTML" id="report-form">
  ${csrfField(ctx)}
  ${reportFields(t, measures, state, { period: o.period, year, remarks, addAction: `${action('draft')}?then=page` })}
  <p id="draft-status" class="draft-status" role="status" aria-live="polite">${d.draft === undefined ? '' : t.t('report.draftLoaded', { time: t.dateTime(d.draft.updatedAt) })}</p>
  <button type="submit" class="secondary" formaction="${action('draft')}?then=page" formnovalidate>${t.t('report.saveDraft')}</button>
  <button type="submit" class="primary">${t.t('report.submit')}</button>
</form>`
    : ''
}
${d.evidence ?? ''}
${
  summaryStage
    ? html`<section aria-labelledby="summary-h"><h2 id="summary-h">${t.t('sum.link')}</h2>
<p>${t.t('obligation.summaryStage')} <a href="${summaryHref(o.cycle_workflow_id!, summarySource)}">${t.t('obligation.openSummary')}</a></p></section>`
    : report === null
      ? d.canReport
        ? ''
        : html`<p>${t.t('obligation.noReport')}</p>`
      : html`<h2>${t.t('obligation.report', { n: report.version })}</h2>
<p class="muted">${t.t('obligation.submittedAt', { date: t.dateTime(report.submittedAt) })} · ${(o.working_days_late ?? 0) > 0 ? t.t('obligation.late', { n: o.working_days_late ?? 0 }) : t.t('obligation.onTime')}</p>
${
  d.latest !== undefined && d.latest.version === report.version
    ? html`${reportView(t, d.latest.content, measures, { year, ...(o.status === 'returned' ? { remarks } : {}) })}
<p class="muted">${t.t('versions.hash')}: <code>${d.latest.contentHash}</code></p>`
    : html`<div class="table-wrap"><table class="report">
<thead><tr><th scope="col">№</th><th scope="col">${t.t('report.status')}</th><th scope="col">${t.t('report.text')}</th></tr></thead>
<tbody>${(report.items ?? []).map((i) => html`<tr><td>${i.measure}${titles.has(i.measure) ? html`<br><span class="muted">${titles.get(i.measure)}</span>` : ''}</td><td>${statusLabel(t, i.status)}</td><td>${i.text}</td></tr>`)}</tbody>
</table></div>`
}`
}
${
  d.versions.length === 0
    ? ''
    : html`<section aria-labelledby="versions-h"><h2 id="versions-h">${t.t('versions.title')}</h2>
<ul class="versions">${d.versions.map((v) => html`<li><a href="${action(`versions/${v.version}`)}">${t.t('versions.version', { n: v.version })}</a> — ${t.t('versions.submitted', { date: t.dateTime(v.submittedAt), who: v.submittedBy.replace(/^(user|token):/, '') })}</li>`)}</ul>
${
  d.versions.length < 2
    ? ''
    : html`<form method="get" action="${action('diff')}" class="inline">
  <label for="diff-from">${t.t('versions.from')}</label>
  <select id="diff-from" name="from">${d.versions.map((v, i) => html`<option value="${v.version}"${i === d.versions.length - 2 ? html` selected` : ''}>${v.version}</option>`)}</select>
  <label for="diff-to">${t.t('versions.to')}</label>
  <select id="diff-to" name="to">${d.versions.map((v, i) => html`<option value="${v.version}"${i === d.versions.length - 1 ? html` selected` : ''}>${v.version}</option>`)}</select>
  <button type="submit" class="secondary">${t.t('versions.compare')}</button>
</form>`
}</section>`
}
${
  d.canReview || d.canExtend
    ? html`<h2>${t.t('review.title')}</h2><div class="panels">
${
  d.canReview
    ? html`<form class="panel stack" method="post" action="${action('accept')}">
  ${csrfField(ctx)}
  <h2>${t.t('review.accept')}</h2>
  <div><label for="accept-comment">${t.t('review.acceptComment')}</label><textarea id="accept-comment" name="comment" maxlength="5000"></textarea></div>
  <div><button type="submit" class="primary">${t.t('review.accept')}</button></div>
</form>
<form class="panel stack" method="post" action="${action('return')}">
  ${csrfField(ctx)}
  <h2>${t.t('review.returnTitle')}</h2>
  <div><label for="return-comment">${t.t('review.comment')}</label><textarea id="return-comment" name="comment" required maxlength="5000"></textarea></div>
  <div><label for="return-date">${t.t('review.newDueDate')}</label><input type="date" id="return-date" name="newDueDate" required></div>
  ${remarkFields(t, measures)}
  <div><button type="submit" class="secondary">${t.t('review.return')}</button></div>
</form>`
    : ''
}
${
  d.canExtend
    ? html`<form class="panel stack" method="post" action="${action('extend')}">
  ${csrfField(ctx)}
  <h2>${t.t('review.extendTitle')}</h2>
  <div><label for="extend-reason">${t.t('review.reason')}</label><textarea id="extend-reason" name="reason" required maxlength="5000"></textarea></div>
  <div><label for="extend-date">${t.t('review.newDueDate')}</label><input type="date" id="extend-date" name="newDueDate" required></div>
  <div><button type="submit" class="secondary">${t.t('review.extend')}</button></div>
</form>`
    : ''
}
</div>`
    : ''
}`,
  });
}

/** A page about one report's versions (one version, or the diff of two), with the way back to the obligation. */
export function versionPage(ctx: PageContext, d: { obligationId: string; title: string; body: Html }): Html {
  return layout(ctx, {
    title: d.title,
    body: html`<p><a href="${obligationHref(d.obligationId)}">← ${ctx.t.t('report.title')}</a></p>
${d.body}`,
  });
}
