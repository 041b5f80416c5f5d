// The coordinator board: per plan and period a matrix of agencies × stages in status colours with counts, filters, the
// escalations and whom they reached; the cycle's timeline on a page of its own (it grows with every reminder).
import type { CycleRow } from '../../../db/database.js';
import type { BilingualText } from '../../../domain/cycle-model.js';
import type { BoardObligation, CycleHead, StageInfo, TimelineEntry } from '../../services/obligations.js';
import { html, raw, type Html } from '../html.js';
import { summaryHref } from './summary.js';
import type { Translator } from '../i18n/index.js';
import { layout, type PageContext } from '../layout.js';
import {
  BOARD_STATE_LABEL,
  agencyNames,
  boardState,
  historyHref,
  obligationHref,
  pick,
  specOf,
  type BoardState,
} from '../view.js';

export const BOARD_STATES: readonly BoardState[] = [
  'pending',
  'ontime',
  'late',
  'overdue',
  'escalated',
  'returned',
  'accepted',
  'closed',
];

export interface BoardData {
  /** The picker's cycles, in its order. */
  readonly cycles: readonly Pick<CycleRow, 'workflow_id' | 'plan_id' | 'period' | 'status'>[];
  /** Plan id → title, for the cycle list (which carries no spec). */
  readonly titles: ReadonlyMap<string, BilingualText>;
  readonly cycle: CycleHead | undefined;
  readonly stages: readonly StageInfo[];
  /** Agency code → name in the reader's language. */
  readonly names: ReadonlyMap<string, string>;
  readonly obligations: readonly BoardObligation[];
  readonly escalations: readonly TimelineEntry[];
  readonly filter: { readonly state?: BoardState; readonly agency?: string };
  /** The cycle's workflow in the Temporal web UI; null when no UI is known. */
  readonly temporalUrl?: string | null;
  readonly flash?: { kind: 'ok' | 'error'; text: string } | undefined;
  /**
   * The board as of a past instant (rebuilt from the events log): the picker's value (Almaty local time, YYYY-MM-DDTHH:MM)
   * and the instant. Read-only: the matrix's cells are not links and the escalations are not shown.
   */
  readonly asOf?: { readonly local: string; readonly at: Date } | undefined;
  /** Whether the caller may ask for the board as of a past instant (what the as-of API allows it). */
  readonly canAsOf?: boolean;
  /** Whether the caller may open the admin's history of a workflow (what the history API allows it). */
  readonly canHistory?: boolean;
}

/** A chart as a page shows it: a title, the SVG and its table alternative (both already escaped markup). */
export interface PageChart {
  readonly title: string;
  readonly svg: string;
  readonly table: string;
}

/** Charts with their table alternative in a <details>, each table reachable by keyboard and read by screen readers. */
export function chartFigures(t: Translator, charts: readonly PageChart[], level: 'h2' | 'h3' | 'h4' = 'h2'): Html {
  return html`${charts.map(
    (c) =>
      html`${raw(`<${level}>`)}${c.title}${raw(`</${level}>`)}<figure class="chart">${raw(c.svg)}</figure><details><summary>${t.t('chart.table')}</summary><div class="table-wrap" tabindex="0" role="region" aria-label="${c.title}">${raw(c.table)}</div></details>`,
  )}`;
}

function cycleLabel(
  c: Pick<CycleRow, 'plan_id' | 'period' | 'status'>,
  t: Translator,
  title: BilingualText | undefined,
): string {
  return `${pick(title, t.lang) || c.plan_id} — ${c.period} (${t.tryT(`cycle.${c.status}`)})`;
}

export function stateBadge(t: Translator, s: BoardState): Html {
  return html`<span class="badge s-${s}">${t.t(BOARD_STATE_LABEL[s])}</span>`;
}

/** Whom an escalation reached, as the audit log recorded it. */
export function escalationRows(
  t: Translator,
  entries: readonly TimelineEntry[],
  names: ReadonlyMap<string, string>,
  agencyOf: (id: string | null) => string | undefined,
): Html {
  return html`${entries.map((e) => {
    const notice = (e.payload.notice ?? {}) as { audience?: string };
    const to = Array.isArray(e.payload.to) ? (e.payload.to as string[]).join(', ') : '';
    const code = agencyOf(e.subjectId);
    return html`<tr><td>${t.dateTime(e.at)}</td><td>${notice.audience === undefined ? '' : t.tryT(`audience.${notice.audience}`)}<br><span class="muted">${to}</span></td>
<td>${e.subjectId === null ? '' : html`<a href="${obligationHref(e.subjectId)}">${code === undefined ? e.subjectId : (names.get(code) ?? code)}</a>`}</td></tr>`;
  })}`;
}

export function stageLabel(t: Translator, s: StageInfo | undefined, id: string): string {
  return s === undefined ? id : `${t.tryT(`chain.${s.from}`)} → ${t.tryT(`chain.${s.to}`)} · ${t.date(s.dueDate)}`;
}

/** A stage's column header: who reports to whom, and the due date on a line of its own (short enough for a phone). */
function stageHeader(t: Translator, s: StageInfo | undefined, id: string): Html {
  if (s === undefined) return html`<th scope="col">${id}</th>`;
  return html`<th scope="col" class="stage">${t.tryT(`chain.${s.from}`)} → ${t.tryT(`chain.${s.to}`)} <span class="due">${t.date(s.dueDate)}</span></th>`;
}

/**
 * An obligation id as a path segment with only what must be escaped escaped: letters (Cyrillic too), digits and ":" stay as
 * they are (valid in a path segment and in HTML; the browser encodes UTF-8 itself), which keeps each of 5,000 cells short.
 */
function cellPath(id: string): string {
  return id.replace(/[^\p{L}\p{N}:._~-]/gu, (c) => encodeURIComponent(c));
}

/**
 * The matrix body, built as one string: it has a cell per obligation (5,000 in a large cycle), so the badges are rendered once
 * per state and each cell only adds its link. Every piece is escaped Html or an encodeURIComponent'd id (no quote, no "<").
 */
function matrixBody(
  t: Translator,
  agencies: readonly string[],
  stages: readonly string[],
  byAgency: ReadonlyMap<string, ReadonlyMap<string, BoardObligation>>,
  stateOf: ReadonlyMap<string, BoardState>,
  names: ReadonlyMap<string, string>,
  links: boolean,
): Html {
  const badges = new Map(BOARD_STATES.map((s) => [s, stateBadge(t, s).value]));
  const parts: string[] = [];
  for (const a of agencies) {
    parts.push(html`<tr><th scope="row">${names.get(a) ?? a}</th>`.value);
    const row = byAgency.get(a)!;
    for (const s of stages) {
      const o = row.get(s);
      parts.push(
        o === undefined
          ? '<td></td>'
          : links
            ? `<td><a href="/app/obligations/${cellPath(o.workflow_id)}">${badges.get(stateOf.get(o.workflow_id)!)!}</a></td>`
            : `<td>${badges.get(stateOf.get(o.workflow_id)!)!}</td>`,
      );
    }
    parts.push('</tr>');
  }
  return raw(parts.join(''));
}

/** Agencies per page of the board's matrix. */
export const BOARD_PAGE_SIZE = 20;

/**
 * What the board shows of a cycle's obligations, rendered once per state of the cycle (its obligations and escalations),
 * language and filter: the counts, the agencies and the matrix. The page route keeps it while the cycle's fingerprint is
 * unchanged, so a board of thousands of cells is neither read nor rendered again per request.
 */
export interface PreparedBoard {
  readonly counts: ReadonlyMap<BoardState, number>;
  readonly total: number;
  /** Every agency with an obligation in the cycle, sorted by name; the ones the filter keeps; the matrix of those. */
  readonly allAgencies: readonly string[];
  readonly shown: number;
  /** The matrix's page (1-based) of `pages`, each of BOARD_PAGE_SIZE agencies; the first agency's index on it. */
  readonly page: number;
  readonly pages: number;
  readonly first: number;
  /** How many agencies this page's matrix holds. */
  readonly onPage: number;
  readonly stages: readonly string[];
  readonly matrix: Html;
  /** Agency of each escalated obligation (for the escalations table). */
  readonly agencyOfEscalated: ReadonlyMap<string, string>;
}

export function prepareBoard(
  t: Translator,
  d: Pick<BoardData, 'stages' | 'names' | 'obligations' | 'escalations' | 'filter'> & {
    /** Obligations escalated (else read from the escalations); as of a past instant, from the events log. */
    readonly escalated?: ReadonlySet<string>;
    /** Whether the cells link to the obligations' pages (not as of a past instant: that board is read-only). */
    readonly links?: boolean;
    /** The matrix's page, 1-based (past the last: the last). */
    readonly page?: number;
  },
): PreparedBoard {
  const names = d.names;
  const escalated =
    d.escalated ?? new Set(d.escalations.map((e) => e.subjectId).filter((s): s is string => s !== null));
  const stateOf = new Map(d.obligations.map((o) => [o.workflow_id, boardState(o, escalated)]));
  const counts = new Map<BoardState, number>();
  for (const s of stateOf.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  const present = new Set(d.obligations.map((o) => o.stage_id));
  const stageInfo = new Map(d.stages.map((s) => [s.id, s]));
  const stages = d.stages.map((s) => s.id).filter((id) => present.has(id));
  for (const id of present) if (!stageInfo.has(id)) stages.push(id);
  const byAgency = new Map<string, Map<string, BoardObligation>>();
  for (const o of d.obligations) {
    if (!byAgency.has(o.agency_code)) byAgency.set(o.agency_code, new Map());
    byAgency.get(o.agency_code)!.set(o.stage_id, o);
  }
  const allAgencies = [...byAgency.keys()].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
  const agencies = allAgencies.filter((a) => {
    if (d.filter.agency !== undefined && a !== d.filter.agency) return false;
    if (d.filter.state === undefined) return true;
    return [...byAgency.get(a)!.values()].some((o) => stateOf.get(o.workflow_id) === d.filter.state);
  });
  const agencyOfEscalated = new Map<string, string>();
  for (const o of d.obligations) if (escalated.has(o.workflow_id)) agencyOfEscalated.set(o.workflow_id, o.agency_code);
  // The counts and the agency filter cover the whole cycle; the matrix shows a page of agencies (a person reads 20 rows, not 100).
  const pages = Math.max(1, Math.ceil(agencies.length / BOARD_PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Math.floor(d.page ?? 1)));
  const first = (page - 1) * BOARD_PAGE_SIZE;
  const onPage = agencies.slice(first, first + BOARD_PAGE_SIZE);
  return {
    counts,
    total: d.obligations.length,
    allAgencies,
    shown: agencies.length,
    page,
    pages,
    first,
    onPage: onPage.length,
    stages,
    matrix: matrixBody(t, onPage, stages, byAgency, stateOf, names, d.links ?? true),
    agencyOfEscalated,
  };
}

/** The board's address with its cycle, filters, as-of instant and matrix page (page 1 is left out). */
export function boardHref(cycleId: string, filter: BoardData['filter'], asOf: BoardData['asOf'], page = 1): string {
  const q = new URLSearchParams({ cycle: cycleId });
  if (filter.state !== undefined) q.set('state', filter.state);
  if (filter.agency !== undefined) q.set('agency', filter.agency);
  if (asOf !== undefined) q.set('at', asOf.local);
  if (page > 1) q.set('page', String(page));
  return `/app/board?${q.toString()}`;
}

/** The matrix's pages: which agencies this one shows, the previous and next, and each page by number. */
function pager(t: Translator, d: BoardData, cycleId: string, prep: PreparedBoard): Html | string {
  if (prep.pages <= 1) return '';
  const link = (n: number, label: string, rel?: string) =>
    html`<a href="${boardHref(cycleId, d.filter, d.asOf, n)}"${rel === undefined ? '' : html` rel="${rel}"`}>${label}</a>`;
  const numbers = Array.from({ length: prep.pages }, (_, i) => i + 1).map((n) =>
    n === prep.page
      ? html`<li><span aria-current="page">${t.number(n)}</span></li>`
      : html`<li>${link(n, t.number(n))}</li>`,
  );
  return html`<nav class="pager" aria-label="${t.t('board.pages')}"><p class="muted">${t.t('board.range', { from: prep.first + 1, to: prep.first + prep.onPage, total: prep.shown })}</p><ul>${prep.page > 1 ? html`<li>${link(prep.page - 1, t.t('board.prev'), 'prev')}</li>` : ''}${numbers}${prep.page < prep.pages ? html`<li>${link(prep.page + 1, t.t('board.next'), 'next')}</li>` : ''}</ul></nav>`;
}

/**
 * The date-time picker: the board as of a past instant, in Kazakhstan time (Asia/Almaty), and the way back to now. A GET
 * form (it changes nothing), so it needs no CSRF token; the current filters travel with it.
 */
function asOfForm(t: Translator, d: BoardData, cycleId: string): Html {
  return html`<form class="filters asof" method="get" action="/app/board" aria-label="${t.t('board.asOfForm')}">
  <input type="hidden" name="cycle" value="${cycleId}">
  ${d.filter.state === undefined ? '' : html`<input type="hidden" name="state" value="${d.filter.state}">`}
  ${d.filter.agency === undefined ? '' : html`<input type="hidden" name="agency" value="${d.filter.agency}">`}
  <div><label for="at">${t.t('board.asOfLabel')}</label>
  <input id="at" name="at" type="datetime-local" step="60" value="${d.asOf?.local ?? ''}" aria-describedby="at-hint" required>
  <span id="at-hint" class="muted">${t.t('board.asOfHint')}</span></div>
  <div><button type="submit" class="secondary">${t.t('board.asOfShow')}</button></div>
</form>`;
}

export function boardPage(ctx: PageContext, d: BoardData, prepared?: PreparedBoard, charts?: Html): Html {
  return layout(ctx, { title: ctx.t.t('board.title'), flash: d.flash, body: boardBody(ctx, d, prepared, charts) });
}

/**
 * What the board's page holds inside its frame (the frame carries the reader's name, CSRF token and flash; this part none of
 * them): the same for every reader of the same role and scope, so it can be kept, compressed, from one request to the next.
 */
export function boardBody(ctx: PageContext, d: BoardData, prepared?: PreparedBoard, charts?: Html): Html {
  const { t } = ctx;
  if (d.cycle === undefined) return html`<p>${t.t('board.noCycles')}</p>`;
  const cycle = d.cycle;
  const names = d.names;
  const prep = prepared ?? prepareBoard(t, d);
  const { counts, allAgencies, stages } = prep;
  const stageInfo = new Map(d.stages.map((s) => [s.id, s]));
  const agencyOf = (id: string | null) => (id === null ? undefined : prep.agencyOfEscalated.get(id));
  const nowHref = boardHref(cycle.workflow_id, d.filter, undefined);

  return html`<form class="filters" method="get" action="/app/board" aria-label="${t.t('board.filters')}">
  <div><label for="cycle">${t.t('board.cycle')}</label>
  <select id="cycle" name="cycle">${d.cycles.map((c) => html`<option value="${c.workflow_id}"${c.workflow_id === cycle.workflow_id ? html` selected` : ''}>${cycleLabel(c, t, d.titles.get(c.plan_id))}</option>`)}</select></div>
  <div><label for="state">${t.t('board.status')}</label>
  <select id="state" name="state"><option value="">${t.t('board.any')}</option>${BOARD_STATES.map((s) => html`<option value="${s}"${d.filter.state === s ? html` selected` : ''}>${t.t(BOARD_STATE_LABEL[s])}</option>`)}</select></div>
  <div><label for="agency">${t.t('board.agency')}</label>
  <select id="agency" name="agency"><option value="">${t.t('board.any')}</option>${allAgencies.map((a) => html`<option value="${a}"${d.filter.agency === a ? html` selected` : ''}>${names.get(a) ?? a}</option>`)}</select></div>
  ${d.asOf === undefined ? '' : html`<input type="hidden" name="at" value="${d.asOf.local}">`}
  <div><button type="submit" class="secondary">${t.t('board.apply')}</button></div>
</form>
${d.canAsOf === true ? asOfForm(t, d, cycle.workflow_id) : ''}
${
  d.asOf === undefined
    ? ''
    : html`<p class="flash ok asof-note" role="status">${t.t('board.asOfNote', { at: t.dateTime(d.asOf.at) })} <a href="${nowHref}">${t.t('board.asOfNow')}</a></p>`
}
<h2>${t.t('board.counts')}</h2>
<ul class="legend">${BOARD_STATES.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => html`<li>${stateBadge(t, s)} ${t.number(counts.get(s) ?? 0)}</li>`)}<li>${t.t('board.total', { n: prep.total })}</li></ul>
<h2>${t.t('board.matrix')}</h2>
${
  prep.shown === 0
    ? html`<p>${t.t('board.none')}</p>`
    : html`<p class="muted">${t.t('board.shown', { n: prep.shown, total: allAgencies.length })}</p>
${pager(t, d, cycle.workflow_id, prep)}
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.t('board.matrix')}"><table class="matrix">
<thead><tr><th scope="col">${t.t('board.agencyCol')}</th>${stages.map((s) => stageHeader(t, stageInfo.get(s), s))}</tr></thead>
<tbody>${prep.matrix}</tbody></table></div>`
}
${d.asOf === undefined && charts !== undefined ? charts : ''}
${
  d.asOf !== undefined
    ? ''
    : html`<h2>${t.t('board.escalations')}</h2>
${
  d.escalations.length === 0
    ? html`<p>${t.t('board.escalationsNone')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('board.when')}</th><th scope="col">${t.t('board.whom')}</th><th scope="col">${t.t('board.about')}</th></tr></thead>
<tbody>${escalationRows(t, d.escalations, names, agencyOf)}</tbody></table></div>`
}`
}
<p><a href="/app/cycles/${encodeURIComponent(cycle.workflow_id)}/timeline">${t.t('board.timeline')}</a>${summaryLinks(ctx, cycle.workflow_id, [...stageInfo.values()])}${d.canHistory === true ? html` · <a href="${historyHref(cycle.workflow_id)}">${t.t('history.link')}</a>` : ''}${d.temporalUrl == null ? '' : html` · <a href="${d.temporalUrl}" rel="noopener">${t.t('cycle.temporal')}</a>`}</p>`;
}

export function timelinePage(
  ctx: PageContext,
  cycle: CycleRow,
  /** Obligation id → its agency, for the obligations the reader may see. */
  agencyOf: ReadonlyMap<string, string>,
  entries: readonly TimelineEntry[],
  temporalUrl: string | null = null,
  charts: readonly PageChart[] = [],
  canHistory = false,
): Html {
  const { t } = ctx;
  const names = agencyNames(specOf(cycle), t.lang);
  return layout(ctx, {
    title: `${t.t('board.timeline')}: ${cycleLabel(cycle, t, specOf(cycle).planTitle)}`,
    body: html`${
      temporalUrl === null && !canHistory
        ? ''
        : html`<p>${canHistory ? html`<a href="${historyHref(cycle.workflow_id)}">${t.t('history.link')}</a>` : ''}${canHistory && temporalUrl !== null ? ' · ' : ''}${temporalUrl === null ? '' : html`<a href="${temporalUrl}" rel="noopener">${t.t('cycle.temporal')}</a>`}</p>`
    }
${chartFigures(t, charts)}
<h2>${t.t('board.timeline')}</h2>${
      entries.length === 0
        ? html`<p>${t.t('board.timelineNone')}</p>`
        : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('board.when')}</th><th scope="col">${t.t('board.event')}</th><th scope="col">${t.t('board.about')}</th><th scope="col">${t.t('board.actor')}</th></tr></thead>
<tbody>${entries.map((e) => {
            const code = e.subjectId === null ? undefined : agencyOf.get(e.subjectId);
            return html`<tr><td>${t.dateTime(e.at)}</td><td>${t.tryT(`event.${e.type}`)}</td>
<td>${code === undefined ? '' : html`<a href="${obligationHref(e.subjectId!)}">${names.get(code) ?? code}</a>`}</td><td>${e.actor.replace(/^user:/, '')}</td></tr>`;
          })}</tbody></table></div>`
    }`,
  });
}

/** The consolidated summary's page and, where the cycle has a stage of summaries to the PM Office, the PM Office's report. */
function summaryLinks(ctx: PageContext, cycleId: string, stages: readonly StageInfo[]): Html | string {
  if (ctx.principal === undefined || ctx.principal.role === 'reporter') return '';
  const summaries = stages.find((s) => s.from === 'coordinator' && s.to === 'pm_office');
  return html` · <a href="${summaryHref(cycleId)}">${ctx.t.t('sum.link')}</a>${summaries === undefined ? '' : html` · <a href="${summaryHref(cycleId, summaries.id)}">${ctx.t.t('sum.pmLink')}</a>`}`;
}
