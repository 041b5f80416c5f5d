// The report form's parsing: what the browser posts becomes report content (numbers where typed as numbers, the typed text
// kept otherwise so validation can name it), blank rows dropped, and the form shows it again; the reviewer's remarks.
import { describe, expect, it } from 'vitest';
import {
  formContent,
  formStateOf,
  parseRemarks,
  reportFields,
  type FormMeasure,
} from '../../../api/web/pages/report-form.js';
import { translator } from '../../../api/web/i18n/index.js';
import { validateReportContent } from '../../../domain/report.js';

const measures: FormMeasure[] = [
  { number: '1', title: 'Бейнероликтер', indicators: [{ name: 'Бейнеролик', unit: 'дана', planned: 10 }] },
  { number: '2', title: 'Семинарлар', indicators: [] },
];

const posted = {
  'status:1': 'done',
  'kk:1': '7 бейнеролик',
  'ru:1': '',
  'ind:1:0': '7,5',
  'status:2': 'not_yet_due',
  'ru:2': 'Срок не наступил',
  'event-name:0': 'Семинар',
  'event-date:0': '2026-03-10',
  'event-place:0': 'Астана',
  'event-participants:0': 'forty',
  'event-categories:0': '',
  'event-experts:0': '',
  'event-annex:0': '1',
  'event-name:1': '',
  'event-date:1': '',
  'event-place:1': '',
  'event-participants:1': '',
  'event-categories:1': '',
  'event-experts:1': '',
  'event-annex:1': '',
  'annex-title:0': 'Бейнежазба',
  'annex-url:0': 'https://example.kz/v',
  'annex-fileId:0': '',
  'signatory-name': 'А. Нұрланов',
  'signatory-position': 'Директор',
  'signed-on': '2027-01-05',
};

describe('the report form', () => {
  it('turns the posted fields into report content, blank rows dropped', () => {
    const content = formContent(posted, measures, '2026') as Record<string, unknown>;
    expect(content.measures).toEqual([
      {
        measure: '1',
        status: 'done',
        narrative: { kk: '7 бейнеролик' },
        indicators: [{ indicator: 0, value: 7.5, unit: 'дана' }],
      },
      { measure: '2', status: 'not_yet_due', narrative: { ru: 'Срок не наступил' }, indicators: [] },
    ]);
    expect(content.events).toHaveLength(1);
    expect(content.annexes).toEqual([{ number: 1, title: 'Бейнежазба', url: 'https://example.kz/v' }]);
    // What is not a number stays as typed, and the validation names it.
    expect(
      validateReportContent(content, {
        period: '2026',
        measures: [
          { number: '1', indicators: [{ unit: 'дана' }] },
          { number: '2', indicators: [] },
        ],
        requireAll: true,
      }),
    ).toEqual(['events[0].participants: must be a whole number, not negative']);
  });

  it('shows the content again in the form, escaped', () => {
    const state = formStateOf(formContent({ ...posted, 'kk:1': '<b>x</b>' }, measures, '2026'));
    const page = reportFields(translator('kk'), measures, state, {
      period: '2026',
      year: '2026',
      addAction: '/x',
    }).value;
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(page).toContain('value="7.5"');
    expect(page).toContain('value="forty"');
    expect(page).toContain('<option value="not_yet_due" selected>');
    expect(page).toContain('data-slot="evidence-upload"');
  });

  it('reads the reviewer’s remarks per measure and per section, blank ones dropped', () => {
    expect(
      parseRemarks(
        {
          'remark:1': ' Сандарды жазыңыз ',
          'remark-field:1': 'indicators',
          'remark:2': ' ',
          'remark-section:risks': 'Нақтылаңыз',
        },
        measures,
      ),
    ).toEqual([
      { measure: '1', field: 'indicators', text: 'Сандарды жазыңыз' },
      { field: 'risks', text: 'Нақтылаңыз' },
    ]);
  });
});
