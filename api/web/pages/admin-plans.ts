// Admin pages for plans: the list and the import form, the review of an upload (its diagnostics by line or row, answers to
// unknown executor codes, the column mapping and metadata), and a plan's page (versions, confirm, discard, amend, repeal,
// its schedule: pause, resume, backfill; its cycles with links to the board and the Temporal web UI).
import type { CycleListItem } from '../../../db/repositories/cycles.js';
import type { PlanListItem, StoredPlan, listPlanVersions } from '../../../db/repositories/plans.js';
import type { DeadlineRule } from '../../../domain/deadline-language.js';
import type { Agency, BilingualName, Diagnostic, FootnoteReporting, Recipient } from '../../../domain/plan.js';
import { diagnosticText } from '../diagnostics.js';
import type { OpenCycleResult } from '../../../workflows/shared.js';
import type { ImportFindings, ScheduleView } from '../../services/plans.js';
import { UPLOAD_FORMATS } from '../../plan-import.js';
import { html, raw, type Html } from '../html.js';
import { formatDayOfYear, type Translator } from '../i18n/index.js';
import { csrfField, layout, type PageContext } from '../layout.js';
import { pickName } from '../view.js';

type Flash = { kind: 'ok' | 'error'; text: string } | undefined;

export function planHref(id: string): string {
  return `/app/admin/plans/${encodeURIComponent(id)}`;
}

function planStatus(t: Translator, s: StoredPlan['status']): Html {
  const colour = s === 'confirmed' ? 'accepted' : s === 'draft' ? 'pending' : 'closed';
  return html`<span class="badge s-${colour}">${t.tryT(`planStatus.${s}`)}</span>`;
}

function field(id: string, label: string, input: Html): Html {
  return html`<div><label for="${id}">${label}</label>${input}</div>`;
}

/** The metadata fields of an import (title, act, years, coordinator, columns), with what was given before. */
function metadataFields(t: Translator, given: Readonly<Record<string, string>>): Html {
  const text = (name: string, label: string, extra: Html | string = '') =>
    field(
      `imp-${name}`,
      label,
      html`<input type="text" id="imp-${name}" name="${name}" value="${given[name] ?? ''}"${extra}>`,
    );
  return html`<fieldset class="stack"><legend>${t.t('import.metadata')}</legend>
${text('titleKk', t.t('import.titleKk'), html` maxlength="2000"`)}
${text('titleRu', t.t('import.titleRu'), html` maxlength="2000"`)}
${text('coordinator', t.t('import.coordinator'), html` maxlength="40"`)}
${text('actNumber', t.t('import.actNumber'), html` maxlength="50"`)}
${field('imp-actDate', t.t('import.actDate'), html`<input type="date" id="imp-actDate" name="actDate" value="${given.actDate ?? ''}">`)}
${field('imp-yearsFrom', t.t('import.yearsFrom'), html`<input type="number" id="imp-yearsFrom" name="yearsFrom" min="2000" max="2100" value="${given.yearsFrom ?? ''}">`)}
${field('imp-yearsTo', t.t('import.yearsTo'), html`<input type="number" id="imp-yearsTo" name="yearsTo" min="2000" max="2100" value="${given.yearsTo ?? ''}">`)}
${text('columns', t.t('import.columns'), html` maxlength="200"`)}
</fieldset>`;
}

export function plansPage(
  ctx: PageContext,
  d: {
    plans: readonly PlanListItem[];
    /** The next page's cursor (the list is paged as GET /api/v1/plans is), null on the last page. */
    nextCursor: string | null;
    canImport: boolean;
    names: ReadonlyMap<string, string>;
    flash?: Flash;
  },
): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('plans.title'),
    flash: d.flash,
    body: html`<p class="muted">${t.t('plans.intro')}</p>
${
  d.plans.length === 0
    ? html`<p>${t.t('plans.empty')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('plans.colTitle')}</th><th scope="col">${t.t('plans.colStatus')}</th><th scope="col">${t.t('plans.colVersion')}</th><th scope="col">${t.t('plans.colYears')}</th><th scope="col">${t.t('plans.colCoordinator')}</th><th scope="col">${t.t('plans.colMeasures')}</th><th scope="col">${t.t('plans.colProblems')}</th></tr></thead>
<tbody>${d.plans.map((s) => {
        return html`<tr><td><a href="${planHref(s.id)}">${pickName(s.title, t.lang) || s.id}</a></td><td>${planStatus(t, s.status)}</td><td>${t.number(s.version)}</td>
<td>${s.years.from}–${s.years.to}</td><td>${d.names.get(s.coordinator) ?? s.coordinator}</td><td>${t.number(s.measures)}</td><td>${t.number(s.errors)} / ${t.number(s.warnings)}</td></tr>`;
      })}</tbody></table></div>${
        d.nextCursor === null
          ? ''
          : html`<p><a href="/app/admin/plans?cursor=${encodeURIComponent(d.nextCursor)}">${t.t('plans.nextPage')}</a></p>`
      }`
}
${
  d.canImport
    ? html`<h2>${t.t('import.title')}</h2>
<p class="muted">${t.t('import.intro')}</p>
<form class="stack" method="post" action="/app/admin/plans/import" enctype="multipart/form-data">
  ${csrfField(ctx)}
  ${field('imp-file', t.t('import.file'), html`<input type="file" id="imp-file" name="file" required>`)}
  ${field(
    'imp-format',
    t.t('import.format'),
    html`<select id="imp-format" name="format"><option value="">${t.t('import.formatDetected')}</option>${UPLOAD_FORMATS.map((f) => html`<option value="${f}">${f.toUpperCase()}</option>`)}</select>`,
  )}
  ${metadataFields(t, {})}
  <div><button type="submit" class="primary">${t.t('import.upload')}</button></div>
</form>`
    : ''
}`,
  });
}

/** Where a diagnostic points: its line or row in the reader's language, and the field's path as code (an identifier). */
function where(t: Translator, d: Diagnostic): Html {
  const place = [
    d.line === undefined ? '' : t.t('imp.line', { n: d.line }),
    d.row === undefined ? '' : t.t('imp.row', { n: d.row }),
  ]
    .filter((x) => x !== '')
    .join(' · ');
  if (d.field === undefined || d.field === '') return html`${place}`;
  return html`${place}${place === '' ? '' : ' · '}<code>${d.field}</code>`;
}

export function diagnosticsTable(t: Translator, diagnostics: readonly Diagnostic[]): Html {
  if (diagnostics.length === 0) return html`<p>${t.t('imp.none')}</p>`;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...diagnostics].sort((a, b) => order[a.severity] - order[b.severity]);
  const colour = { error: 'overdue', warning: 'returned', info: 'closed' } as const;
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('imp.severity')}</th><th scope="col">${t.t('imp.where')}</th><th scope="col">${t.t('imp.code')}</th><th scope="col">${t.t('imp.message')}</th></tr></thead>
<tbody>${sorted.map(
    (d) =>
      html`<tr><td><span class="badge s-${colour[d.severity]}">${t.t(`sev.${d.severity}`)}</span></td><td>${where(t, d)}</td><td><code>${d.code}</code></td><td>${diagnosticText(t, d)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** What the footnotes section needs of a measure: the plan's measure or the import summary's. */
interface FootnotedMeasure {
  readonly number: string;
  readonly title: BilingualName;
  readonly deadline: { readonly text: string };
  readonly reporting?: FootnoteReporting;
}

function footnoteWhen(t: Translator, rule: DeadlineRule): string {
  switch (rule.kind) {
    case 'periodic_dates':
      return t.t('fn.yearly', { dates: rule.dates.map((d) => formatDayOfYear(d, t.lang)).join(', ') });
    case 'annual':
      return rule.by === undefined
        ? t.t('fn.kind.annual')
        : t.t('fn.yearly', { dates: formatDayOfYear(rule.by, t.lang) });
    case 'once':
      return t.t('fn.once', { date: t.date(rule.due) });
    case 'several_once':
      return rule.dates.map((d) => t.t('fn.once', { date: t.date(d.due) })).join('; ');
    case 'semiannual':
    case 'quarterly':
    case 'monthly':
      return t.t(`fn.kind.${rule.kind}` as const);
    default:
      return t.t('fn.unparsed');
  }
}

function footnoteTo(
  t: Translator,
  recipient: Recipient | null,
  nameOf: (code: string) => string,
  unknown: string | undefined,
): string {
  if (recipient === null)
    return unknown === undefined ? t.t('fn.toCoordinator') : t.t('fn.unknownBody', { name: unknown });
  if ('role' in recipient) return t.t(`fn.role.${recipient.role}` as const);
  const name = nameOf(recipient.agency);
  return name === '' || name === recipient.agency ? recipient.agency : `${recipient.agency} — ${name}`;
}

/**
 * The reporting rules footnotes set (issue 13): per measure whose deadline ends in a marker, the note quoted, to whom and
 * when; the review page and the plan's page show it. `unknown`: a body a note names that the directory does not know, by
 * measure index (from the footnote_unknown_recipient diagnostics).
 */
export function footnoteRules(
  t: Translator,
  measures: readonly FootnotedMeasure[],
  nameOf: (code: string) => string,
  diagnostics: readonly Diagnostic[] = [],
): Html {
  const unknown = new Map<number, string>();
  for (const d of diagnostics) {
    const i =
      d.code === 'footnote_unknown_recipient' ? /^measures\[(\d+)\]\.reporting$/.exec(d.field ?? '')?.[1] : undefined;
    const name = /sends the information to "([^"]+)"/.exec(d.message)?.[1];
    if (i !== undefined && name !== undefined) unknown.set(Number(i), name);
  }
  const rows = measures.flatMap((m, i) => (m.reporting === undefined ? [] : [{ m, r: m.reporting, i }]));
  if (rows.length === 0) return html``;
  return html`<section id="footnote-rules"><h2>${t.t('fn.title')}</h2><p class="muted">${t.t('fn.intro')}</p><div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('fn.measure')}</th><th scope="col">${t.t('fn.footnote')}</th><th scope="col">${t.t('fn.to')}</th><th scope="col">${t.t('fn.when')}</th></tr></thead>
<tbody>${rows.map(
    ({ m, r, i }) =>
      html`<tr><td>${m.number} ${pickName(m.title, t.lang)}<br><span class="muted">${m.deadline.text}</span></td><td><blockquote>${r.marker} ${r.text}</blockquote></td><td>${footnoteTo(t, r.recipient, nameOf, unknown.get(i))}</td><td>${footnoteWhen(t, r.rule)}</td></tr>`,
  )}</tbody></table></div></section>`;
}

export function importReviewPage(
  ctx: PageContext,
  d: {
    uploadId: string;
    filename: string | null;
    findings: ImportFindings;
    unknownCodes: readonly string[];
    given: Readonly<Record<string, string>>;
    agencies: readonly Agency[];
    flash?: Flash;
  },
): Html {
  const { t } = ctx;
  const f = d.findings;
  const count = (s: Diagnostic['severity']) => f.diagnostics.filter((x) => x.severity === s).length;
  const action = `/app/admin/imports/${encodeURIComponent(d.uploadId)}`;
  // Answers so far: "code:agency" lines in map, codes in ignore.
  const mapped = new Map(
    (d.given.map ?? '')
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as const),
  );
  const ignored = new Set((d.given.ignore ?? '').split('\n').filter((x) => x !== ''));
  const answered = [...new Set([...d.unknownCodes, ...mapped.keys(), ...ignored])];
  return layout(ctx, {
    title: t.t('imp.reviewTitle'),
    flash: d.flash,
    body: html`<dl class="facts">
<dt>${t.t('import.file')}</dt><dd>${d.filename ?? '—'}</dd>
${
  f.plan === null
    ? ''
    : html`<dt>${t.t('plans.colTitle')}</dt><dd>${pickName(f.plan.title, t.lang) || '—'}</dd>
<dt>${t.t('plan.act')}</dt><dd>${[f.plan.approvedBy.number, f.plan.approvedBy.date === '' ? '' : t.date(f.plan.approvedBy.date)].filter((x) => x !== '').join(', ') || '—'}</dd>
<dt>${t.t('plan.years')}</dt><dd>${f.plan.years.from}–${f.plan.years.to}</dd>
<dt>${t.t('plan.coordinator')}</dt><dd>${f.plan.coordinator || '—'}</dd>`
}
</dl>
<p>${t.t('imp.found', { measures: f.measures.length, errors: count('error'), warnings: count('warning') })}</p>
<p class="flash ${f.storable ? 'ok' : 'error'}">${f.storable ? t.t('imp.storable') : t.t('imp.notStorable')}</p>
<h2>${t.t('imp.diagnostics')}</h2>
${diagnosticsTable(t, f.diagnostics)}
${footnoteRules(
  t,
  f.measures,
  (code) => {
    const a = d.agencies.find((x) => x.code === code);
    return a === undefined ? code : pickName(a.name, t.lang);
  },
  f.diagnostics,
)}
<h2>${t.t('imp.answers')}</h2>
<form class="stack" method="post" action="${action}">
  ${csrfField(ctx)}
  ${
    answered.length === 0
      ? ''
      : html`<fieldset class="stack"><legend>${t.t('imp.unknown')}</legend>
  <p class="muted">${t.t('imp.unknownIntro')}</p>
  ${answered.map((code, i) => {
    const current = ignored.has(code) ? '-' : (mapped.get(code) ?? '');
    return html`<div><input type="hidden" name="code.${i}" value="${code}"><label for="answer-${i}">${code}</label>
  <select id="answer-${i}" name="answer.${i}"><option value="">${t.t('imp.choose')}</option><option value="-"${current === '-' ? html` selected` : ''}>${t.t('imp.ignore')}</option>${d.agencies.map((a) => html`<option value="${a.code}"${current === a.code ? html` selected` : ''}>${a.code} — ${pickName(a.name, t.lang)}</option>`)}</select></div>`;
  })}
</fieldset>`
  }
  ${metadataFields(t, d.given)}
  <div><button type="submit" class="secondary">${t.t('imp.recheck')}</button></div>
</form>
${
  f.storable
    ? html`<form method="post" action="${action}/store">${csrfField(ctx)}<button type="submit" class="primary">${t.t('imp.store')}</button></form>`
    : ''
}`,
  });
}

export interface PlanPageData {
  readonly plan: StoredPlan;
  readonly versions: Awaited<ReturnType<typeof listPlanVersions>>;
  readonly rights: { manage: boolean; confirm: boolean; backfill: boolean };
  readonly schedule: ScheduleView | null;
  readonly cycles: readonly CycleListItem[];
  readonly names: ReadonlyMap<string, string>;
  readonly temporalUrl: (workflowId: string) => string | null;
  /** The on-time chart (SVG) and its table, when the plan has cycles. */
  readonly chart?: { readonly svg: string; readonly table: string } | undefined;
  readonly backfill?: readonly OpenCycleResult[] | undefined;
  readonly flash?: Flash;
}

export function planPage(ctx: PageContext, d: PlanPageData): Html {
  const { t } = ctx;
  const s = d.plan;
  const action = (what: string) => `${planHref(s.id)}/${what}`;
  const act = s.plan.approvedBy;
  const post = (what: string, label: string, cls: 'primary' | 'secondary' = 'secondary') =>
    html`<form method="post" action="${action(what)}">${csrfField(ctx)}<button type="submit" class="${cls}">${label}</button></form>`;
  const actFields = (
    prefix: string,
  ) => html`<div><label for="${prefix}-issuer">${t.t('plan.actIssuer')}</label><input type="text" id="${prefix}-issuer" name="actIssuer" required maxlength="300" value="Қазақстан Республикасының Үкіметі"></div>
  <div><label for="${prefix}-number">${t.t('plan.actNumber')}</label><input type="text" id="${prefix}-number" name="actNumber" required maxlength="50"></div>
  <div><label for="${prefix}-date">${t.t('plan.actDate')}</label><input type="date" id="${prefix}-date" name="actDate" required></div>`;
  return layout(ctx, {
    title: pickName(s.plan.title, t.lang) || s.id,
    flash: d.flash,
    body: html`<dl class="facts">
<dt>${t.t('plan.status')}</dt><dd>${planStatus(t, s.status)}</dd>
<dt>${t.t('plan.version')}</dt><dd>${t.number(s.version)}</dd>
<dt>${t.t('plan.act')}</dt><dd>${act.issuer} № ${act.number}${act.date === '' ? '' : `, ${t.date(act.date)}`}</dd>
<dt>${t.t('plan.years')}</dt><dd>${s.plan.years.from}–${s.plan.years.to}</dd>
<dt>${t.t('plan.coordinator')}</dt><dd>${d.names.get(s.plan.coordinator) ?? s.plan.coordinator}</dd>
<dt>${t.t('plan.policy')}</dt><dd>${s.plan.policy.id}</dd>
<dt>${t.t('plan.measures')}</dt><dd>${t.number(s.plan.measures.length)}</dd>
<dt>${t.t('plan.source')}</dt><dd>${s.sourceName ?? s.sourceFormat}</dd>
</dl>
${
  s.status === 'draft' && d.rights.manage
    ? html`<p class="muted">${t.t('plan.confirmIntro')}</p><div class="panels">${d.rights.confirm ? post('confirm', t.t('plan.confirm'), 'primary') : ''}${post('discard', t.t('plan.discard'))}</div>`
    : ''
}
${footnoteRules(t, s.plan.measures, (code) => d.names.get(code) ?? code)}
${s.status === 'draft' ? html`<h2>${t.t('plan.diagnostics')}</h2>${diagnosticsTable(t, s.diagnostics)}` : ''}
${
  d.schedule === null
    ? ''
    : html`<h2>${t.t('plan.schedule')}</h2>
<p>${!d.schedule.exists ? t.t('plan.scheduleNone') : d.schedule.paused ? t.t('plan.schedulePaused') : t.t('plan.scheduleRunning')}${d.schedule.note === null ? '' : html` <span class="muted">${d.schedule.note}</span>`}</p>
${
  d.schedule.exists && d.schedule.nextActionTimes.length > 0
    ? html`<p>${t.t('plan.nextOpenings')}: ${d.schedule.nextActionTimes
        .slice(0, 3)
        .map((x) => t.dateTime(x))
        .join('; ')}</p>`
    : ''
}
${
  d.schedule.exists && d.rights.manage
    ? html`<div class="panels"><form class="panel stack" method="post" action="${action(d.schedule.paused ? 'unpause' : 'pause')}">${csrfField(ctx)}
  <div><label for="schedule-note">${t.t('plan.note')}</label><input type="text" id="schedule-note" name="note" maxlength="500"></div>
  <div><button type="submit" class="secondary">${d.schedule.paused ? t.t('plan.resume') : t.t('plan.pause')}</button></div></form>
${
  d.rights.backfill
    ? html`<form class="panel stack" method="post" action="${action('backfill')}">${csrfField(ctx)}
  <h2>${t.t('plan.backfill')}</h2><p class="muted" id="period-hint">${t.t('plan.periodHint')}</p>
  <div><label for="backfill-from">${t.t('plan.from')}</label><input type="text" id="backfill-from" name="from" required maxlength="10" aria-describedby="period-hint"></div>
  <div><label for="backfill-to">${t.t('plan.to')}</label><input type="text" id="backfill-to" name="to" required maxlength="10" aria-describedby="period-hint"></div>
  <fieldset><legend>${t.t('plan.openingMode')}</legend>
  <div><input type="radio" id="mode-catch-up" name="mode" value="catch-up" checked> <label for="mode-catch-up">${t.t('plan.modeCatchUp')}</label></div>
  <div><input type="radio" id="mode-record-only" name="mode" value="record-only"> <label for="mode-record-only">${t.t('plan.modeRecordOnly')}</label></div>
  </fieldset>
  <div><button type="submit" class="secondary">${t.t('plan.backfill')}</button></div></form>`
    : ''
}</div>`
    : ''
}
${
  d.backfill === undefined
    ? ''
    : html`<p role="status">${t.t('plan.backfillDone', {
        list: d.backfill
          .map(
            (r) => `${r.period ?? '—'}: ${t.tryT(`backfill.${r.status}`)}${r.reason === null ? '' : ` (${r.reason})`}`,
          )
          .join('; '),
      })}</p>`
}`
}
<h2>${t.t('plan.cycles')}</h2>
${
  d.cycles.length === 0
    ? html`<p>${t.t('plan.noCycles')}</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('plan.period')}</th><th scope="col">${t.t('plan.status')}</th><th scope="col">${t.t('pm.counts')}</th><th scope="col">${t.t('plan.openBoard')}</th></tr></thead>
<tbody>${d.cycles.map((c) => {
        const ui = d.temporalUrl(c.workflow_id);
        return html`<tr><td>${c.period}</td><td>${t.tryT(`cycle.${c.status}`)}</td><td>${t.number(Object.values(c.counts).reduce((a, b) => a + b, 0))}</td>
<td><a href="/app/board?cycle=${encodeURIComponent(c.workflow_id)}">${t.t('plan.openBoard')}</a>${ui === null ? '' : html` · <a href="${ui}" rel="noopener">${t.t('cycle.temporal')}</a>`}</td></tr>`;
      })}</tbody></table></div>`
}
${
  d.chart === undefined
    ? ''
    : html`<h2>${t.t('plan.onTimeChart')}</h2><figure class="chart">${raw(d.chart.svg)}</figure>
<details><summary>${t.t('chart.table')}</summary>${raw(d.chart.table)}</details>`
}
<h2>${t.t('plan.versions')}</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('plan.version')}</th><th scope="col">${t.t('plan.vKind')}</th><th scope="col">${t.t('plan.act')}</th><th scope="col">${t.t('plan.vSummary')}</th><th scope="col">${t.t('plan.vWhen')}</th><th scope="col">${t.t('plan.vBy')}</th></tr></thead>
<tbody>${d.versions.map((v) => {
      const change = (v.change ?? {}) as {
        kind?: string;
        act?: { number?: string; date?: string };
        summary?: string;
        reason?: string;
      };
      const kind = change.kind ?? 'amended';
      return html`<tr><td>${t.number(v.version)}</td><td>${t.tryT(`versionKind.${kind}`)}</td><td>${change.act === undefined ? '—' : [change.act.number ?? '', change.act.date === undefined || change.act.date === '' ? '' : t.date(change.act.date)].filter((x) => x !== '').join(', ')}</td>
<td>${change.summary ?? change.reason ?? ''}</td><td>${t.dateTime(v.created_at)}</td><td>${v.created_by.replace(/^user:/, '')}</td></tr>`;
    })}</tbody></table></div>
${
  s.status === 'confirmed' && d.rights.manage
    ? html`<div class="panels">
<form class="panel stack" method="post" action="${action('amend')}">${csrfField(ctx)}
  <h2>${t.t('plan.amend')}</h2>
  ${actFields('amend')}
  <div><label for="amend-measure">${t.t('plan.amendMeasure')}</label><input type="text" id="amend-measure" name="measure" required maxlength="20"></div>
  <div><label for="amend-deadline">${t.t('plan.amendDeadline')}</label><input type="text" id="amend-deadline" name="deadline" required maxlength="500"></div>
  <div><label for="amend-summary">${t.t('plan.amendSummary')}</label><textarea id="amend-summary" name="summary" required maxlength="2000"></textarea></div>
  <div><button type="submit" class="secondary">${t.t('plan.amendSubmit')}</button></div>
</form>
<form class="panel stack" method="post" action="${action('repeal')}">${csrfField(ctx)}
  <h2>${t.t('plan.repeal')}</h2><p class="muted">${t.t('plan.repealIntro')}</p>
  ${actFields('repeal')}
  <div><label for="repeal-date">${t.t('plan.repealDate')}</label><input type="date" id="repeal-date" name="date" required></div>
  <div><label for="repeal-reason">${t.t('plan.reason')}</label><textarea id="repeal-reason" name="reason" required maxlength="2000"></textarea></div>
  <div><button type="submit" class="secondary">${t.t('plan.repeal')}</button></div>
</form></div>`
    : ''
}`,
  });
}
