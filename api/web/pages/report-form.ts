// The report in the browser: the form with every section of the full report (measures with status, narratives and indicators;
// events held; risks; annexes; signatory), its parsing into report content, the read-only view of a submitted version, the
// diff of two versions, and the reviewer's remarks per measure. The one place that knows the report's shape in HTML.
import type { ReviewComment } from '../../../domain/cycle-model.js';
import { REPORT_MEASURE_STATUSES, type ReportChange, type ReportContent } from '../../../domain/report.js';
import { html, type Html } from '../html.js';
import type { MessageKey, Translator } from '../i18n/index.js';

export interface FormIndicator {
  readonly name: string;
  readonly unit: string | null;
  readonly planned: number | null;
}

export interface FormMeasure {
  readonly number: string;
  readonly title: string;
  readonly indicators: readonly FormIndicator[];
}

interface MeasureState {
  readonly status: string;
  readonly kk: string;
  readonly ru: string;
  readonly indicators: ReadonlyMap<number, string>;
}

/** What the form shows: every value as the text in its input. */
export interface FormState {
  readonly measures: ReadonlyMap<string, MeasureState>;
  readonly events: readonly Readonly<Record<(typeof EVENT_FIELDS)[number], string>>[];
  readonly risks: readonly { readonly risk: string; readonly mitigation: string }[];
  readonly annexes: readonly { readonly title: string; readonly url: string; readonly fileId: string }[];
  readonly signatoryName: string;
  readonly signatoryPosition: string;
  readonly signedOn: string;
}

const STATUS_LABEL: Readonly<Record<(typeof REPORT_MEASURE_STATUSES)[number], MessageKey>> = {
  done: 'report.done',
  in_progress: 'report.inProgress',
  not_done: 'report.notDone',
  not_yet_due: 'report.notYetDue',
};

const EVENT_FIELDS = ['name', 'date', 'place', 'participants', 'categories', 'experts', 'annex'] as const;
const EVENT_LABEL: Readonly<Record<(typeof EVENT_FIELDS)[number], MessageKey>> = {
  name: 'report.eventName',
  date: 'report.eventDate',
  place: 'report.eventPlace',
  participants: 'report.eventParticipants',
  categories: 'report.eventCategories',
  experts: 'report.eventExperts',
  annex: 'report.eventAnnex',
};

const MAX_ROWS = 500;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, MAX_ROWS) : []);

export function statusLabel(t: Translator, status: string): string {
  return status in STATUS_LABEL ? t.t(STATUS_LABEL[status as keyof typeof STATUS_LABEL]) : status;
}

/** The form's state from report content, complete or not (a draft, a version), or from a legacy item list. */
export function formStateOf(
  content: unknown,
  legacyItems: readonly { measure: string; status: string; text: string }[] = [],
): FormState {
  const c = obj(content);
  const measures = new Map<string, MeasureState>();
  for (const i of legacyItems) measures.set(i.measure, { status: i.status, kk: i.text, ru: '', indicators: new Map() });
  for (const raw of arr(c.measures)) {
    const m = obj(raw);
    const number = str(m.measure);
    if (number === '') continue;
    const narrative = obj(m.narrative);
    const indicators = new Map<number, string>();
    for (const iv of arr(m.indicators)) {
      const o = obj(iv);
      if (typeof o.indicator === 'number') indicators.set(o.indicator, str(o.value));
    }
    measures.set(number, { status: str(m.status), kk: str(narrative.kk), ru: str(narrative.ru), indicators });
  }
  const signatory = obj(c.signatory);
  return {
    measures,
    events: arr(c.events).map((raw) => {
      const e = obj(raw);
      return Object.fromEntries(EVENT_FIELDS.map((f) => [f, str(e[f])])) as FormState['events'][number];
    }),
    risks: arr(c.risks).map((raw) => ({ risk: str(obj(raw).risk), mitigation: str(obj(raw).mitigation) })),
    annexes: arr(c.annexes).map((raw) => {
      const a = obj(raw);
      return { title: str(a.title), url: str(a.url), fileId: str(a.fileId) };
    }),
    signatoryName: str(signatory.name),
    signatoryPosition: str(signatory.position),
    signedOn: str(c.signedOn),
  };
}

/** A number typed as "12", "12.5" or "12,5"; anything else stays the text typed, for validation to name. */
function numberOrText(s: string): number | string {
  const v = s.trim().replace(/\s/g, '').replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : s.trim();
}

/** Rows posted as `<prefix>-<field>:<i>`, in order, without the ones left blank. */
function rows<F extends string>(body: Readonly<Record<string, unknown>>, prefix: string, fields: readonly F[]) {
  const out: Record<F, string>[] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const row = Object.fromEntries(fields.map((f) => [f, str(body[`${prefix}-${f}:${i}`]).slice(0, 20000)])) as Record<
      F,
      string
    >;
    if (fields.every((f) => body[`${prefix}-${f}:${i}`] === undefined)) break;
    if (fields.some((f) => row[f].trim() !== '')) out.push(row);
  }
  return out;
}

/** The report content the form says (for a draft, whatever is typed so far; submitting validates it). */
export function formContent(
  body: Readonly<Record<string, unknown>>,
  measures: readonly FormMeasure[],
  period: string,
): unknown {
  const annexes = rows(body, 'annex', ['title', 'url', 'fileId'] as const);
  return {
    period,
    measures: measures.map((m) => {
      const kk = str(body[`kk:${m.number}`]).slice(0, 20000);
      const ru = str(body[`ru:${m.number}`]).slice(0, 20000);
      return {
        measure: m.number,
        status: str(body[`status:${m.number}`]),
        narrative: { ...(kk.trim() === '' ? {} : { kk }), ...(ru.trim() === '' ? {} : { ru }) },
        indicators: m.indicators.flatMap((ind, j) => {
          const typed = str(body[`ind:${m.number}:${j}`]);
          if (typed.trim() === '') return [];
          return [{ indicator: j, value: numberOrText(typed), ...(ind.unit === null ? {} : { unit: ind.unit }) }];
        }),
      };
    }),
    events: rows(body, 'event', EVENT_FIELDS).map((e) => ({
      name: e.name,
      date: e.date,
      place: e.place,
      participants: numberOrText(e.participants),
      categories: e.categories,
      experts: e.experts,
      ...(e.annex.trim() === '' ? {} : { annex: numberOrText(e.annex) }),
    })),
    risks: rows(body, 'risk', ['risk', 'mitigation'] as const),
    annexes: annexes.map((a, i) => ({
      number: i + 1,
      title: a.title,
      ...(a.fileId.trim() === '' ? {} : { fileId: a.fileId.trim() }),
      ...(a.url.trim() === '' ? {} : { url: a.url.trim() }),
    })),
    signatory: { name: str(body['signatory-name']), position: str(body['signatory-position']) },
    signedOn: str(body['signed-on']),
  };
}

/** Remarks the reviewer left, by measure number ('' for the report as a whole). */
export function remarksByMeasure(comments: readonly ReviewComment[]): Map<string, ReviewComment[]> {
  const out = new Map<string, ReviewComment[]>();
  for (const c of comments) out.set(c.measure ?? '', [...(out.get(c.measure ?? '') ?? []), c]);
  return out;
}

function remarksBox(t: Translator, remarks: readonly ReviewComment[] | undefined): Html | string {
  if (remarks === undefined || remarks.length === 0) return '';
  return html`<div class="remark" role="note"><strong>${t.t('report.remark')}:</strong>
<ul>${remarks.map((r) => html`<li>${r.field === undefined ? '' : html`<span class="muted">${t.t('report.remarkOn', { field: r.field })}:</span> `}${r.text}</li>`)}</ul></div>`;
}

const SECTIONS = ['events', 'risks', 'annexes', 'signatory'] as const;
const SECTION_LABEL: Readonly<Record<(typeof SECTIONS)[number], MessageKey>> = {
  events: 'report.events',
  risks: 'report.risks',
  annexes: 'report.annexes',
  signatory: 'report.signatory',
};

/** Every section of the report as form fields, pre-filled; the reviewer's remarks beside the measure or section they concern. */
export function reportFields(
  t: Translator,
  measures: readonly FormMeasure[],
  state: FormState,
  opts: { period: string; year: string; remarks?: ReadonlyMap<string, readonly ReviewComment[]>; addAction: string },
): Html {
  const sectionRemarks = (section: string) =>
    remarksBox(
      t,
      opts.remarks?.get('')?.filter((r) => r.field === section),
    );
  const events = [...state.events, Object.fromEntries(EVENT_FIELDS.map((f) => [f, ''])) as FormState['events'][number]];
  const risks = [...state.risks, { risk: '', mitigation: '' }];
  const annexes = [...state.annexes, { title: '', url: '', fileId: '' }];
  return html`<p><strong>${t.t('report.period')}:</strong> ${opts.period}</p>
${remarksBox(
  t,
  opts.remarks?.get('')?.filter((r) => r.field === undefined || !(SECTIONS as readonly string[]).includes(r.field)),
)}
${measures.map((m, i) => {
  const v = state.measures.get(m.number);
  return html`<fieldset class="measure">
  <legend>${t.t('report.measure', { n: m.number.replace(/\.$/, '') })}</legend>
  <p>${m.title}</p>
  ${remarksBox(t, opts.remarks?.get(m.number))}
  <div><label for="status-${i}">${t.t('report.status')}</label>
  <select id="status-${i}" name="status:${m.number}">
    <option value=""${v === undefined || v.status === '' ? html` selected` : ''}>—</option>
    ${REPORT_MEASURE_STATUSES.map((s) => html`<option value="${s}"${v?.status === s ? html` selected` : ''}>${t.t(STATUS_LABEL[s])}</option>`)}
  </select></div>
  <p class="muted" id="narrative-hint-${i}">${t.t('report.narrativeHint')}</p>
  <div><label for="kk-${i}">${t.t('report.narrativeKk')}</label>
  <textarea id="kk-${i}" name="kk:${m.number}" maxlength="20000" aria-describedby="narrative-hint-${i}">${v?.kk ?? ''}</textarea></div>
  <div><label for="ru-${i}">${t.t('report.narrativeRu')}</label>
  <textarea id="ru-${i}" name="ru:${m.number}" maxlength="20000" aria-describedby="narrative-hint-${i}">${v?.ru ?? ''}</textarea></div>
  ${
    m.indicators.length === 0
      ? ''
      : html`<div class="table-wrap"><table class="indicators"><caption>${t.t('report.indicators')}</caption>
<thead><tr><th scope="col">${t.t('report.indicator')}</th><th scope="col">${t.t('report.unit')}</th><th scope="col">${t.t('report.planned', { year: opts.year })}</th><th scope="col">${t.t('report.achieved')}</th></tr></thead>
<tbody>${m.indicators.map(
          (
            ind,
            j,
          ) => html`<tr><th scope="row" id="ind-name-${i}-${j}">${ind.name}</th><td>${ind.unit ?? '—'}</td><td>${ind.planned === null ? '—' : t.number(ind.planned)}</td>
<td><input id="ind-${i}-${j}" name="ind:${m.number}:${j}" inputmode="decimal" maxlength="40" aria-labelledby="ind-name-${i}-${j}" value="${v?.indicators.get(j) ?? ''}"></td></tr>`,
        )}</tbody></table></div>`
  }
</fieldset>`;
})}
<fieldset class="report-section"><legend>${t.t('report.events')}</legend>
${sectionRemarks('events')}
<div class="table-wrap"><table class="rows"><thead><tr>${EVENT_FIELDS.map((f) => html`<th scope="col">${t.t(EVENT_LABEL[f])}</th>`)}</tr></thead>
<tbody>${events.map((e, i) => html`<tr>${EVENT_FIELDS.map((f) => html`<td><input name="event-${f}:${i}" aria-label="${t.t(EVENT_LABEL[f])} ${i + 1}"${f === 'date' ? html` type="date"` : f === 'participants' || f === 'annex' ? html` inputmode="numeric" maxlength="10"` : html` maxlength="1000"`} value="${e[f]}"></td>`)}</tr>`)}</tbody></table></div>
<button type="submit" class="secondary" formaction="${opts.addAction}" formnovalidate>${t.t('report.addRow')}</button>
</fieldset>
<fieldset class="report-section"><legend>${t.t('report.risks')}</legend>
${sectionRemarks('risks')}
<div class="table-wrap"><table class="rows"><thead><tr><th scope="col">${t.t('report.risk')}</th><th scope="col">${t.t('report.mitigation')}</th></tr></thead>
<tbody>${risks.map((r, i) => html`<tr><td><textarea name="risk-risk:${i}" aria-label="${t.t('report.risk')} ${i + 1}" maxlength="20000">${r.risk}</textarea></td><td><textarea name="risk-mitigation:${i}" aria-label="${t.t('report.mitigation')} ${i + 1}" maxlength="20000">${r.mitigation}</textarea></td></tr>`)}</tbody></table></div>
<button type="submit" class="secondary" formaction="${opts.addAction}" formnovalidate>${t.t('report.addRow')}</button>
</fieldset>
<fieldset class="report-section"><legend>${t.t('report.annexes')}</legend>
${sectionRemarks('annexes')}
<div class="table-wrap"><table class="rows"><thead><tr><th scope="col">№</th><th scope="col">${t.t('report.annexTitle')}</th><th scope="col">${t.t('report.annexUrl')}</th><th scope="col">${t.t('report.annexFile')}</th></tr></thead>
<tbody>${annexes.map(
    (
      a,
      i,
    ) => html`<tr><td>${i + 1}</td><td><input name="annex-title:${i}" aria-label="${t.t('report.annexTitle')} ${i + 1}" maxlength="1000" value="${a.title}"></td><td><input name="annex-url:${i}" type="url" aria-label="${t.t('report.annexUrl')} ${i + 1}" maxlength="2000" value="${a.url}"></td>
<td data-slot="evidence-upload"><input name="annex-fileId:${i}" aria-label="${t.t('report.annexFile')} ${i + 1}" maxlength="100" value="${a.fileId}"></td></tr>`,
  )}</tbody></table></div>
<p class="muted">${t.t('report.annexFileSlot')}</p>
<button type="submit" class="secondary" formaction="${opts.addAction}" formnovalidate>${t.t('report.addRow')}</button>
</fieldset>
<fieldset class="report-section"><legend>${t.t('report.signatory')}</legend>
${sectionRemarks('signatory')}
<div><label for="signatory-name">${t.t('report.signatoryName')}</label><input id="signatory-name" name="signatory-name" maxlength="1000" value="${state.signatoryName}"></div>
<div><label for="signatory-position">${t.t('report.signatoryPosition')}</label><input id="signatory-position" name="signatory-position" maxlength="1000" value="${state.signatoryPosition}"></div>
<div><label for="signed-on">${t.t('report.signedOn')}</label><input id="signed-on" name="signed-on" type="date" value="${state.signedOn}"></div>
</fieldset>`;
}

/** A submitted version, read-only: what the reviewer reads and the agency sees beside the remarks. */
export function reportView(
  t: Translator,
  content: ReportContent,
  measures: readonly FormMeasure[],
  opts: { year: string; remarks?: ReadonlyMap<string, readonly ReviewComment[]> },
): Html {
  const byNumber = new Map(measures.map((m) => [m.number, m]));
  return html`<div class="table-wrap"><table class="report">
<thead><tr><th scope="col">№</th><th scope="col">${t.t('report.status')}</th><th scope="col">${t.t('report.text')}</th><th scope="col">${t.t('report.indicators')}</th></tr></thead>
<tbody>${content.measures.map((m) => {
    const fm = byNumber.get(m.measure);
    return html`<tr><td>${m.measure}${fm === undefined ? '' : html`<br><span class="muted">${fm.title}</span>`}</td><td>${statusLabel(t, m.status)}</td>
<td>${m.narrative.kk === undefined ? '' : html`<p lang="kk">${m.narrative.kk}</p>`}${m.narrative.ru === undefined ? '' : html`<p lang="ru">${m.narrative.ru}</p>`}${remarksBox(t, opts.remarks?.get(m.measure))}</td>
<td>${
      m.indicators.length === 0
        ? '—'
        : html`<ul>${m.indicators.map((iv) => {
            const ind = fm?.indicators[iv.indicator];
            return html`<li>${ind?.name ?? `#${iv.indicator}`}: ${t.number(iv.value)}${ind?.planned == null ? '' : html` / ${t.number(ind.planned)}`} ${ind?.unit ?? iv.unit ?? ''}</li>`;
          })}</ul>`
    }</td></tr>`;
  })}</tbody></table></div>
${
  content.events.length === 0
    ? ''
    : html`<h3>${t.t('report.events')}</h3><div class="table-wrap"><table class="rows"><thead><tr>${EVENT_FIELDS.map((f) => html`<th scope="col">${t.t(EVENT_LABEL[f])}</th>`)}</tr></thead>
<tbody>${content.events.map((e) => html`<tr><td>${e.name}</td><td>${t.date(e.date)}</td><td>${e.place}</td><td>${t.number(e.participants)}</td><td>${e.categories}</td><td>${e.experts}</td><td>${e.annex ?? ''}</td></tr>`)}</tbody></table></div>`
}
${
  content.risks.length === 0
    ? ''
    : html`<h3>${t.t('report.risks')}</h3><div class="table-wrap"><table class="rows"><thead><tr><th scope="col">${t.t('report.risk')}</th><th scope="col">${t.t('report.mitigation')}</th></tr></thead>
<tbody>${content.risks.map((r) => html`<tr><td>${r.risk}</td><td>${r.mitigation}</td></tr>`)}</tbody></table></div>`
}
${
  content.annexes.length === 0
    ? ''
    : html`<h3>${t.t('report.annexes')}</h3><ol class="annexes">${content.annexes.map((a) => html`<li value="${a.number}">${a.url === undefined ? html`${a.title} <span class="muted">(${t.t('report.annexFile')} ${a.fileId ?? ''})</span>` : html`<a href="${a.url}" rel="noopener noreferrer">${a.title}</a>`}</li>`)}</ol>`
}
<p><strong>${t.t('report.signatory')}:</strong> ${content.signatory.name}, ${content.signatory.position} · ${t.t('report.signedOn')}: ${t.date(content.signedOn)}</p>`;
}

/** The changes between two versions, one row per field. */
export function diffTable(t: Translator, changes: readonly ReportChange[]): Html {
  if (changes.length === 0) return html`<p>${t.t('versions.noChanges')}</p>`;
  const show = (v: unknown) => (v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return html`<div class="table-wrap"><table class="diff">
<thead><tr><th scope="col">${t.t('versions.field')}</th><th scope="col">${t.t('versions.before')}</th><th scope="col">${t.t('versions.after')}</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><th scope="row"><code>${c.path}</code></th><td><del>${show(c.from)}</del></td><td><ins>${show(c.to)}</ins></td></tr>`)}</tbody></table></div>`;
}

/** The reviewer's remark fields: one per measure (with the field it concerns) and one per section. */
export function remarkFields(t: Translator, measures: readonly FormMeasure[]): Html {
  const fields = ['', 'status', 'narrative.kk', 'narrative.ru', 'indicators'];
  return html`<fieldset class="remarks"><legend>${t.t('review.remarks')}</legend>
${measures.map(
  (
    m,
    i,
  ) => html`<div class="remark-field"><label for="remark-${i}">${t.t('review.remarkMeasure', { n: m.number.replace(/\.$/, '') })}</label>
<textarea id="remark-${i}" name="remark:${m.number}" maxlength="5000"></textarea>
<label for="remark-field-${i}">${t.t('review.remarkField')}</label>
<select id="remark-field-${i}" name="remark-field:${m.number}">${fields.map((f) => html`<option value="${f}">${f === '' ? t.t('review.remarkWhole') : f}</option>`)}</select></div>`,
)}
${SECTIONS.map(
  (
    s,
  ) => html`<div class="remark-field"><label for="remark-section-${s}">${t.t('review.remarkSection', { section: t.t(SECTION_LABEL[s]) })}</label>
<textarea id="remark-section-${s}" name="remark-section:${s}" maxlength="5000"></textarea></div>`,
)}
</fieldset>`;
}

/** The remarks the reviewer typed, as review comments (blank ones dropped). */
export function parseRemarks(
  body: Readonly<Record<string, unknown>>,
  measures: readonly FormMeasure[],
): ReviewComment[] {
  const out: ReviewComment[] = [];
  for (const m of measures) {
    const text = str(body[`remark:${m.number}`]).trim();
    const field = str(body[`remark-field:${m.number}`]).trim();
    if (text !== '') out.push({ measure: m.number, ...(field === '' ? {} : { field }), text: text.slice(0, 5000) });
  }
  for (const s of SECTIONS) {
    const text = str(body[`remark-section:${s}`]).trim();
    if (text !== '') out.push({ field: s, text: text.slice(0, 5000) });
  }
  return out;
}
