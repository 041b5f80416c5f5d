// The report form's fields per measure owed and their parsing: the one place that knows the report's shape in the browser,
// so the richer submission of issue #12 (indicators, attachments) replaces these two functions and nothing else.
import type { MeasureStatus, ReportItem } from '../../../domain/cycle-model.js';
import { html, type Html } from '../html.js';
import type { Translator } from '../i18n/index.js';

export interface FormMeasure {
  readonly number: string;
  readonly title: string;
}

export interface FormItem {
  readonly status: string;
  readonly text: string;
}

const STATUSES: readonly { value: MeasureStatus; label: 'report.done' | 'report.inProgress' | 'report.notDone' }[] = [
  { value: 'done', label: 'report.done' },
  { value: 'in_progress', label: 'report.inProgress' },
  { value: 'not_done', label: 'report.notDone' },
];

/** One fieldset per measure: its status and the narrative, pre-filled from the draft or the last version. */
export function reportFields(
  t: Translator,
  measures: readonly FormMeasure[],
  values: ReadonlyMap<string, FormItem>,
): Html {
  return html`${measures.map((m, i) => {
    const v = values.get(m.number);
    return html`<fieldset class="measure">
  <legend>${t.t('report.measure', { n: m.number.replace(/\.$/, '') })}</legend>
  <p>${m.title}</p>
  <div><label for="status-${i}">${t.t('report.status')}</label>
  <select id="status-${i}" name="status:${m.number}">
    <option value=""${v === undefined || v.status === '' ? html` selected` : ''}>—</option>
    ${STATUSES.map((s) => html`<option value="${s.value}"${v?.status === s.value ? html` selected` : ''}>${t.t(s.label)}</option>`)}
  </select></div>
  <div><label for="text-${i}">${t.t('report.text')}</label>
  <textarea id="text-${i}" name="text:${m.number}" maxlength="20000">${v?.text ?? ''}</textarea></div>
</fieldset>`;
  })}`;
}

/** What the form says per measure (for a draft, anything typed so far). */
export function formValues(
  body: Readonly<Record<string, unknown>>,
  measures: readonly FormMeasure[],
): { measure: string; status: string; text: string }[] {
  return measures.map((m) => {
    const status = body[`status:${m.number}`];
    const text = body[`text:${m.number}`];
    return {
      measure: m.number,
      status: typeof status === 'string' ? status : '',
      text: typeof text === 'string' ? text.slice(0, 20000) : '',
    };
  });
}

/** A complete report, or the measures that still lack a status or a narrative (each named, so the reporter can fix them). */
export function parseReport(
  body: Readonly<Record<string, unknown>>,
  measures: readonly FormMeasure[],
): { items: ReportItem[]; missing: string[] } {
  const items: ReportItem[] = [];
  const missing: string[] = [];
  for (const v of formValues(body, measures)) {
    const status = STATUSES.find((s) => s.value === v.status)?.value;
    if (status === undefined || v.text.trim() === '') missing.push(v.measure.replace(/\.$/, ''));
    else items.push({ measure: v.measure, status, text: v.text.trim() });
  }
  return { items, missing };
}
