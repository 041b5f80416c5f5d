// The same plan rows laid out two ways — tab-separated, and one cell per line — read to the same measures, in Kazakh and in Russian.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { compact, executorCodes, fixtureText, measure, REGIONS_2019, seedText, withoutSource } from './helpers.js';

const opts = { directory: AGENCIES_SEED };

describe('Kazakh: decree 580 with its table one cell per line', () => {
  const tabs = importDecreeText(seedText('000_154aa3237ae338bf.txt'), opts);
  const lines = importDecreeText(fixtureText('decree-580-kk-lines.txt'), opts);

  it('gives, for each of its rows, the measure seed 000 gives for that row', () => {
    const numbers = lines.plan?.measures.map((m) => m.number);
    expect(numbers).toEqual([
      '1.',
      '2.',
      '3.',
      '4.',
      '5.',
      '6.',
      '7.',
      '8.',
      '9.',
      '16',
      '17',
      '46',
      '47',
      '48',
      '49',
      '50',
    ]);
    for (const m of lines.plan?.measures ?? [])
      expect(withoutSource(m)).toEqual(withoutSource(measure(tabs.plan, m.number)));
  });

  it('reads the same decree around the table', () => {
    const { measures: _a, ...planFromLines } = lines.plan ?? { measures: [] };
    const { measures: _b, ...planFromTabs } = tabs.plan ?? { measures: [] };
    expect(planFromLines).toEqual(planFromTabs);
  });

  it('skips the repeated page header and its numbering row, and says which rows it joined by content', () => {
    expect(compact(lines.diagnostics).filter((d) => !d.startsWith('error'))).toEqual([
      'info plan_date - measures',
      'info coordinator_from_decree L15 coordinator',
      'info policy_from_decree L15 policy',
      'info cells_aligned L81 -',
      'info cells_aligned L124 -',
      'info cells_aligned L141 -',
      'info cells_aligned L169 -',
      'info deadline_as_needed L184 measures[12].deadline',
    ]);
    expect(lines.plan?.sections.map((s) => s.number)).toEqual(['1', '2', '3']);
  });
});

describe('Russian: the same plan excerpt in both layouts', () => {
  const tabs = importDecreeText(fixtureText('decree-580-ru-tabs.txt'), opts);
  const lines = importDecreeText(fixtureText('decree-580-ru-lines.txt'), opts);

  it('gives the same plan from both layouts, measures included (apart from source lines)', () => {
    expect(tabs.plan?.measures).toHaveLength(11);
    expect(lines.plan?.measures.map(withoutSource)).toEqual(tabs.plan?.measures.map(withoutSource));
    const { measures: _a, ...fromLines } = lines.plan ?? { measures: [] };
    const { measures: _b, ...fromTabs } = tabs.plan ?? { measures: [] };
    expect(fromLines).toEqual(fromTabs);
  });

  it('reads the Russian decree: act, amendment, title, years, coordinator (МИОР → АҚДМ), Russian text fields', () => {
    const plan = tabs.plan;
    expect(plan?.approvedBy).toMatchObject({ issuer: 'government', number: '580', date: '2017-09-19' });
    expect(plan?.amendments).toEqual([
      {
        act: { issuer: 'government', number: '180', date: '2019-04-11' },
        summary: 'Пункт 2 с изменением; Пункт 3 в редакции; План в редакции',
      },
    ]);
    expect(plan?.title).toEqual({
      kk: null,
      ru: 'План мероприятий по реализации Концепции государственной политики в религиозной сфере Республики Казахстан на 2017 – 2020 годы',
    });
    expect(plan?.years).toEqual({ from: 2017, to: 2020 });
    expect(plan?.coordinator).toBe('АҚДМ');
    expect(plan?.policy.id).toBe('annual-cascade-580');
    expect(plan?.sections[1]).toEqual({
      number: '2',
      title: { kk: null, ru: 'Укрепление светских принципов развития государства' },
    });
  });

  it('resolves Russian abbreviations and "(по согласованию)", and expands Russian groups', () => {
    const plan = tabs.plan;
    expect(executorCodes(measure(plan, '2.'))).toEqual([
      'ДІАҚМ*',
      'БП(к)',
      'ҰҚК(к)',
      'МҚІСҚА(к)',
      'АКМ',
      'БҒМ',
      'МСМ',
      ...REGIONS_2019,
      'Астана',
      'Алматы',
    ]);
    // "МИО" (local executive bodies) is every akimat.
    expect(executorCodes(measure(plan, '5.'))).toEqual([
      'АҚДМ*',
      'Қорғанысмині',
      'БҒМ',
      'МСМ',
      'ДСМ',
      ...REGIONS_2019,
      'Астана',
      'Алматы',
      'Шымкент',
    ]);
    expect(executorCodes(measure(plan, '10.'))).toEqual(['АҚДМ*', 'СБҚ "Сырбар"(к)', 'ІІМ', 'Қаржымині', 'ҰҚК(к)']);
  });

  it('reads Russian completion forms: МИОР, АП, the PM Office, the Government; an order names no recipient', () => {
    const plan = tabs.plan;
    expect(measure(plan, '4.').recipient).toEqual({ agency: 'АҚДМ' });
    expect(measure(plan, '5.').recipient).toBeNull();
    expect(measure(plan, '6.').recipient).toEqual({ role: 'presidential_administration' });
    expect(measure(plan, '9.').recipient).toEqual({ role: 'pm_office' });
    expect(measure(plan, '10.').recipient).toEqual({ role: 'government' });
  });

  it('repairs the tab layout: entities, HTML paragraphs, a page-break fragment, a newline inside a cell, a 6-cell row, a repeated header', () => {
    const plan = tabs.plan;
    expect(measure(plan, '1.').title.ru).toContain('«О внесении изменений');
    expect(measure(plan, '2.').title.ru).toBe(
      'Разработка проекта Закона Республики Казахстан «О внесении изменений и дополнений в некоторые законодательные акты Республики Казахстан по вопросам религиозной деятельности и религиозных объединений»',
    );
    expect(measure(plan, '7.').title.ru).toBe(
      'Организация социологических и аналитических исследований в целях мониторинга общественного мнения о ходе реализации государственной политики в религиозной сфере',
    );
    expect(measure(plan, '7.').cost).toEqual({ text: '25 400,0', amount: 25_400_000, currency: 'KZT' });
    expect(measure(plan, '7.').fundingSource).toBe('республиканский бюджет');
    expect(measure(plan, '11.').title.ru).toBe(
      'Проведение информационно-разъяснительной работы среди населения по предупреждению и профилактике конфликтов на религиозной почве',
    );
    expect(measure(plan, '11.').deadline.rule).toEqual({ kind: 'quarterly', years: { from: 2017, to: 2020 } });
    expect(compact(tabs.diagnostics)).toEqual([
      'info plan_date - measures',
      'info coordinator_from_decree L13 coordinator',
      'info policy_from_decree L13 policy',
      'info cells_repaired L52 -',
      'error unknown_executor L58 measures[8].executors[22] Гражданский альянс Казахстана',
      'info deadline_as_needed L58 measures[8].deadline',
    ]);
  });
});

describe('line ends and a byte-order mark', () => {
  it('CRLF and a BOM give seed 000 the same plan and diagnostics', () => {
    const plain = importDecreeText(seedText('000_154aa3237ae338bf.txt'), opts);
    const windows = importDecreeText(`\ufeff${seedText('000_154aa3237ae338bf.txt').replace(/\n/g, '\r\n')}`, opts);
    expect(windows).toEqual(plain);
  });
});
