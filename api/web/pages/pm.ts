// The PM Office view: every plan's current cycle, the stage it is in and its status, and the escalations that reached the PM Office.
import type { ObligationRow } from '../../../db/database.js';
import type { BilingualText } from '../../../domain/cycle-model.js';
import type { CycleHead, StageInfo, TimelineEntry } from '../../services/obligations.js';
import { html, type Html } from '../html.js';
import { layout, type PageContext } from '../layout.js';
import { historyHref, obligationHref, pick, statusBadge } from '../view.js';
import { chartFigures, type PageChart } from './board.js';

/** A plan's charts on the PM Office page: its current cycle's overdue days and its agencies' on-time rate across cycles. */
export interface PlanCharts {
  readonly planId: string;
  readonly heading: string;
  readonly charts: readonly PageChart[];
}
import { summaryHref } from './summary.js';

export interface PmCycle {
  readonly cycle: CycleHead;
  readonly counts: Record<string, number>;
  /** The stage the cycle is in (its earliest with an open obligation). */
  readonly stage: StageInfo | undefined;
}

export interface PlanInfo {
  readonly title: BilingualText;
  readonly coordinator: BilingualText | null;
}

const ORDER: readonly ObligationRow['status'][] = ['pending', 'overdue', 'submitted', 'returned', 'accepted', 'closed'];

export function pmPage(
  ctx: PageContext,
  plans: ReadonlyMap<string, PlanInfo>,
  cycles: readonly PmCycle[],
  escalations: readonly (TimelineEntry & { agencyCode: string; planTitle: string })[],
  flash?: { kind: 'ok' | 'error'; text: string },
  charts: readonly PlanCharts[] = [],
): Html {
  const { t } = ctx;
  const canHistory = ctx.principal?.role === 'admin';
  return layout(ctx, {
    title: t.t('pm.title'),
    flash,
    body: html`<h2>${t.t('pm.cycles')}</h2>
${
  cycles.length === 0
    ? html`<p>${t.t('pm.noCycles')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('pm.plan')}</th><th scope="col">${t.t('pm.period')}</th><th scope="col">${t.t('pm.coordinator')}</th><th scope="col">${t.t('pm.stage')}</th><th scope="col">${t.t('pm.status')}</th><th scope="col">${t.t('pm.counts')}</th></tr></thead>
<tbody>${cycles.map(({ cycle: c, counts, stage }) => {
        const plan = plans.get(c.plan_id);
        return html`<tr><td><a href="/app/board?cycle=${encodeURIComponent(c.workflow_id)}">${pick(plan?.title, t.lang) || c.plan_id}</a></td><td>${c.period}</td>
<td>${plan?.coordinator == null ? '—' : pick(plan.coordinator, t.lang)}</td>
<td>${stage === undefined ? (c.stage ?? '—') : `${t.tryT(`chain.${stage.from}`)} → ${t.tryT(`chain.${stage.to}`)} · ${t.date(stage.dueDate)}`}</td>
<td>${t.tryT(`cycle.${c.status}`)}<br><a href="/app/cycles/${encodeURIComponent(c.workflow_id)}/timeline">${t.t('board.timeline')}</a><br><a href="${summaryHref(c.workflow_id)}">${t.t('sum.link')}</a>${canHistory ? html`<br><a href="${historyHref(c.workflow_id)}">${t.t('history.link')}</a>` : ''}</td>
<td>${ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => html`${statusBadge(t, s)} ${t.number(counts[s] ?? 0)} `)}</td></tr>`;
      })}</tbody></table></div>`
}
${
  charts.length === 0
    ? ''
    : html`<h2>${t.t('pm.charts')}</h2>
${charts.map((c) => html`<section class="plan-charts" aria-label="${c.heading}"><h3>${c.heading}</h3>${chartFigures(t, c.charts, 'h4')}</section>`)}`
}
<h2>${t.t('pm.escalations')}</h2>
${
  escalations.length === 0
    ? html`<p>${t.t('pm.none')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('board.when')}</th><th scope="col">${t.t('pm.plan')}</th><th scope="col">${t.t('board.about')}</th><th scope="col">${t.t('board.whom')}</th></tr></thead>
<tbody>${escalations.map(
        (
          e,
        ) => html`<tr><td>${t.dateTime(e.at)}</td><td>${e.planTitle}</td><td>${e.subjectId === null ? e.agencyCode : html`<a href="${obligationHref(e.subjectId)}">${e.agencyCode}</a>`}</td>
<td>${Array.isArray(e.payload.to) ? (e.payload.to as string[]).join(', ') : ''}</td></tr>`,
      )}</tbody></table></div>`
}`,
  });
}
