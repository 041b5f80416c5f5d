// The decree importer on the two real action plans (seeds 000 and 002): counts, rows field by field, and every diagnostic.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { hasErrors } from '../../../domain/import/result.js';
import { ANNUAL_CASCADE_580 } from '../../../domain/policies.js';
import { compact, executorCodes, measure, REGIONS_2019, seedText } from './helpers.js';

const opts = { directory: AGENCIES_SEED };
const seed000 = importDecreeText(seedText('000_154aa3237ae338bf.txt'), opts);
const seed002 = importDecreeText(seedText('002_e7a38657bed497b0.txt'), opts);

describe('seed 000: decree No. 580, religion-policy plan 2017–2020', () => {
  const plan = seed000.plan;

  it('has the 59 measures numbered 1–59 in the table (counted by hand), in three sections', () => {
    expect(plan?.measures).toHaveLength(59);
    expect(plan?.measures.map((m) => Number.parseInt(m.number, 10))).toEqual(
      Array.from({ length: 59 }, (_, i) => i + 1),
    );
    expect(plan?.sections.map((s) => s.number)).toEqual(['1', '2', '3']);
    expect(plan?.sections[0]?.title.kk).toBe('Дін саласындағы заңнаманы жетілдіру');
    expect(measure(plan, '7.').section).toBe(0);
    expect(measure(plan, '8.').section).toBe(1);
    expect(measure(plan, '38').section).toBe(2);
  });

  it('reads the act, its amendment, the title, the years, the coordinator and the policy from the decree', () => {
    expect(plan?.approvedBy).toEqual({
      issuer: 'government',
      number: '580',
      date: '2017-09-19',
      title: {
        kk: 'Қазақстан Республикасының дін саласындағы мемлекеттік саясатының 2017 – 2020 жылдарға арналған тұжырымдамасын іске асыру жөніндегі іс-шаралар жоспарын бекіту туралы',
        ru: null,
      },
    });
    expect(plan?.amendments).toEqual([
      {
        act: { issuer: 'government', number: '180', date: '2019-04-11' },
        summary: '2-тармаққа өзгеріс енгізілді; 3-тармақ жаңа редакцияда; Жоспар жаңа редакцияда',
      },
    ]);
    expect(plan?.repeal).toBeNull();
    expect(plan?.title).toEqual({
      kk: 'Қазақстан Республикасының дін саласындағы мемлекеттік саясатының 2017 – 2020 жылдарға арналған тұжырымдамасын іске асыру жөніндегі іс-шаралар жоспары',
      ru: null,
    });
    expect(plan?.years).toEqual({ from: 2017, to: 2020 });
    expect(plan?.coordinator).toBe('АҚДМ');
    expect(plan?.policy).toBe(ANNUAL_CASCADE_580);
    expect(Object.keys(plan?.abbreviations ?? {})).toHaveLength(20);
    expect(plan?.abbreviations['СБҚ "Сырбар"']).toEqual({
      kk: 'Қазақстан Республикасының "Сырбар" Сыртқы барлау қызметі',
      ru: null,
    });
  });

  it('row 2: a long executor list with by-agreement bodies, a misprinted code and a group', () => {
    const m = measure(plan, '2.');
    expect(m.title.kk).toBe(
      '"Қазақстан Республикасының кейбір заңнамалық актілеріне діни қызмет және діни бірлестіктер мәселелері бойынша өзгерістер мен толықтырулар енгізу туралы" Қазақстан Республикасы Заңының жобасын әзірлеу',
    );
    expect(m.completionForm).toEqual({ kk: 'Қазақстан Республикасы Заңының жобасы', ru: null });
    expect(m.recipient).toBeNull();
    // ДИАҚМ resolves through the plan's glossary; АҚМ (the table's misprint of the glossary's АКМ) through the directory's alias.
    expect(executorCodes(m)).toEqual([
      'ДІАҚМ*',
      'БП(к)',
      'ҰҚК(к)',
      'МҚІСҚА(к)',
      'ИМ',
      'АКМ',
      'БҒМ',
      'МСМ',
      ...REGIONS_2019,
      'Астана',
      'Алматы',
    ]);
    expect(m.executors[8]?.group).toBe('облыстардың, Астана және Алматы қалаларының әкімдіктері');
    expect(m.deadline).toEqual({
      text: '2017 жылғы 4-тоқсан',
      rule: { kind: 'once', due: '2017-12-31', precision: 'quarter', period: '2017-Q4' },
    });
    expect(m.cost).toEqual({ text: 'талап етілмейді', amount: 0, currency: 'KZT' });
    expect(m.fundingSource).toBeNull();
    expect(m.source).toEqual({ line: 46 });
  });

  it('row 4: a title begun by a fragment above the page break', () => {
    const m = measure(plan, '4.');
    expect(m.title.kk).toBe(
      'Діни қызмет саласындағы қолданыстағы ведомстволық (салалық) нормативтік құқықтық актілерге талдауды жүзеге асыру және Дін саласындағы мемлекеттік саясат тұжырымдамасының мақсаттары мен міндеттеріне сәйкес келтіру',
    );
    expect(m.deadline.rule).toEqual({ kind: 'once', due: '2018-02-28', precision: 'month', period: '2018-02' });
  });

  it('row 7: "АҚДМ-ға ақпарат" sends the report to АҚДМ; every akimat of the 2019 edition', () => {
    const m = measure(plan, '7.');
    expect(m.completionForm.kk).toBe('АҚДМ-ға ақпарат');
    expect(m.recipient).toEqual({ agency: 'АҚДМ' });
    expect(executorCodes(m)).toEqual(['ІІМ*', ...REGIONS_2019, 'Астана', 'Алматы', 'Шымкент']);
    expect(m.deadline.rule).toEqual({ kind: 'annual', years: { from: 2017, to: 2020 } });
  });

  it('row 9: a title and a deadline finished by a fragment after the page break; the Presidential Administration receives', () => {
    const m = measure(plan, '9.');
    expect(m.title.kk).toBe(
      'Зайырлы мемлекет жағдайларындағы мемлекеттің, қоғамның және діннің өзара қарым-қатынастары моральдық-этикалық және адамгершілік нормаларының жинағын қалыптастыру жөнінде ұсыныстарды пысықтау',
    );
    expect(m.recipient).toEqual({ role: 'presidential_administration' });
    expect(m.deadline.text).toBe('2018 жылғы 2-тоқсан');
  });

  it('row 17: "Б F M"-style noise, a group split over the page break, funding from two fragments', () => {
    const m = measure(plan, '17');
    expect(m.title.kk).toBe(
      'Діни тақырыпты жария ету бойынша республикалық және өңірлік бұқаралық ақпарат құралдарының өкілдеріне арналған семинарлар мен тренингтер ұйымдастыру',
    );
    expect(executorCodes(m)).toEqual(['АҚДМ*', 'БҒМ', 'ДСМ', ...REGIONS_2019, 'Астана', 'Алматы', 'Шымкент']);
    expect(m.fundingSource).toBe(
      'республикалық бюджет (002 " Қоғамдық келісім саласындағы мемлекеттік саясатты іске асыру" бюджеттік бағдарламасы)',
    );
    expect(m.cost).toBeNull();
  });

  it('row 14: "Б F M" (Latin F and M, spaced out) is БҒМ', () => {
    expect(executorCodes(measure(plan, '14')).slice(0, 3)).toEqual(['АҚДМ*', 'МСМ', 'БҒМ']);
  });

  it('row 34: a group of cities only, after a by-agreement body with no comma between', () => {
    expect(executorCodes(measure(plan, '34'))).toEqual([
      'АҚДМ*',
      'СІМ',
      'ПМ',
      'ҰҚК(к)',
      'СБҚ "Сырбар"(к)',
      'Астана',
      'Алматы',
      'Шымкент',
    ]);
  });

  it('row 41: "(келісім бойынша)" carried to the next line still marks ҰҚК', () => {
    expect(executorCodes(measure(plan, '41'))).toEqual(['ДІАҚМ*', 'ҰҚК(к)', 'ПМ']);
  });

  it('row 47: the PM Office receives ("Премьер-Министр Кеңесіне", the decree\'s misprint); "as needed" is not scheduled', () => {
    const m = measure(plan, '47');
    expect(m.recipient).toEqual({ role: 'pm_office' });
    expect(m.deadline.rule).toEqual({ kind: 'as_needed', years: { from: 2018 } });
  });

  it('rows 48 and 59: ҰЕҰ (misprint of ҮЕҰ) is an NGO by agreement; information to the media has no recipient', () => {
    expect(executorCodes(measure(plan, '48'))).toEqual(['АҚДМ*', 'ҮЕҰ(к)']);
    expect(measure(plan, '59').completionForm.kk).toBe('БАҚ-қа ақпарат');
    expect(measure(plan, '59').recipient).toBeNull();
  });

  it('resolves every executor code or diagnoses it — the whole list', () => {
    expect(compact(seed000.diagnostics)).toEqual([
      'info plan_date - measures',
      'info coordinator_from_decree L15 coordinator',
      'info policy_from_decree L15 policy',
      'error unknown_abbreviation L46 measures[1].executors[4] ИМ',
      'error unknown_abbreviation L50 measures[3].executors[1] ПМ',
      'error unknown_executor L52 measures[5].executors[2] Қазақстанның Азаматтық альянсы',
      'error unknown_executor L52 measures[5].executors[3] діни бірлестіктер',
      'error unknown_abbreviation L57 measures[7].executors[1] ПМ',
      'error unknown_abbreviation L58 measures[8].executors[4] ПМ',
      'info cells_repaired L61 -',
      'error unknown_abbreviation L61 measures[9].executors[1] ПМ',
      'info cells_repaired L62 -',
      'error unknown_abbreviation L62 measures[10].executors[1] ПМ',
      'error unknown_executor L62 measures[10].executors[22] Қазақстанның Азаматтық альянсы',
      'info cells_repaired L63 -',
      'error unknown_abbreviation L69 measures[15].executors[4] ПМ',
      'error unknown_executor L73 measures[17].executors[3] Ғылым комитетінің Философия, саясаттану және дінтану институты',
      'error unknown_abbreviation L74 measures[18].executors[2] ПМ',
      'error unknown_executor L92 measures[31].executors[1] діни бірлестіктер',
      'error unknown_abbreviation L93 measures[32].executors[3] ПМ',
      'error unknown_abbreviation L94 measures[33].executors[2] ПМ',
      'error unknown_abbreviation L108 measures[40].executors[2] ПМ',
      'error unknown_abbreviation L109 measures[41].executors[2] ПМ',
      'error unknown_abbreviation L111 measures[43].executors[1] ПМ',
      'error unknown_abbreviation L112 measures[44].executors[1] ПМ',
      'error unknown_abbreviation L116 measures[46].executors[1] ПМ',
      'error unknown_executor L116 measures[46].executors[22] Қазақстанның Азаматтық альянсы',
      'info deadline_as_needed L116 measures[46].deadline',
      'error unknown_abbreviation L118 measures[48].executors[0] ПМ',
      'error unknown_abbreviation L119 measures[49].executors[1] ПМ',
      'error unknown_executor L127 measures[55].executors[18] Қазақстанның Азаматтық альянсы',
      'info cells_repaired L130 -',
      'info cells_repaired L131 -',
      'info cells_repaired L132 -',
    ]);
    expect(hasErrors(seed000)).toBe(true);
  });

  it('keeps every unknown executor in its measure, named as printed, where the diagnostic points', () => {
    for (const d of seed000.diagnostics.filter((x) => x.code.startsWith('unknown_'))) {
      const [, index, executor] = /^measures\[(\d+)\]\.executors\[(\d+)\]$/.exec(d.field ?? '') ?? [];
      const code = plan?.measures[Number(index)]?.executors[Number(executor)]?.code;
      expect(d.message).toContain(`"${code}"`);
    }
  });
});

describe('seed 002: the children’s protection plan 2019–2023 (a bare table)', () => {
  const plan = seed002.plan;

  it('has the 61 measures numbered 1–61 (counted by hand), in five bold-heading sections', () => {
    expect(plan?.measures).toHaveLength(61);
    expect(plan?.measures.map((m) => m.number)).toEqual(Array.from({ length: 61 }, (_, i) => String(i + 1)));
    expect(plan?.sections).toEqual(
      [
        'Нормативтік құқықтық базаны жетілдіру',
        'Кәмелетке толмағандардың жыныстық қолсұқпаушылығына қарсы қылмыстардың алдын алу және профилактикасына бағытталған іс шаралар',
        'Балалардың құқықтарын қорғау мәселелері бойынша мамандардың біліктілігін арттыру',
        'Рецидивті қайталану қылмыстылықтың профилактикасы',
        'Азаматтық қоғам институттарымен және бұқаралық ақпарат құралдарымен (БАҚ) өзара іс-қимыл',
      ].map((title) => ({ number: null, title: { kk: title, ru: null } })),
    );
    expect(measure(plan, '8').section).toBe(0);
    expect(measure(plan, '9').section).toBe(1);
    expect(measure(plan, '61').section).toBe(4);
  });

  it('takes the title and years from the bold heading and never guesses the act or the coordinator', () => {
    expect(plan?.title.kk).toMatch(/^2019-2023 жылдарға арналған кәмелетке толмағандардың .* ведомствоаралық жоспары$/);
    expect(plan?.years).toEqual({ from: 2019, to: 2023 });
    expect(plan?.approvedBy).toEqual({ issuer: '', number: '', date: '' });
    expect(plan?.coordinator).toBe('');
    expect(seed002.abbreviations).toEqual({
      ІМ: { kk: 'Ішкі істер министрлігі', ru: null },
      ӘМ: { kk: 'Әділет министрлігі', ru: null },
      АҚДМ: { kk: 'Ақпарат және қоғамдық даму министрлігі', ru: null },
      ДСМ: { kk: 'Денсаулық сақтау министрлігі', ru: null },
      БҒМ: { kk: 'Білім және ғылым министрлігі', ru: null },
      РБ: { kk: 'республикалық бюджет', ru: null },
      ЖБ: { kk: 'жергілікті бюджет', ru: null },
    });
  });

  it('row 1: HTML in every cell, a title finished after the page break, ЖС (Supreme Court) by agreement', () => {
    const m = measure(plan, '1');
    expect(m.title.kk).toMatch(
      /^Қылмыстық кодексті жетілдіру бойынша ұсыныстар енгізу: -Қылмыстық кодекстен .* тұлғаларға қатысты міндетті кастрациялау енгізу$/,
    );
    expect(m.title.kk).not.toMatch(/[<>]/);
    expect(m.completionForm.kk).toBe(
      'Қылмыстық және Қылмыстық процестік кодекстерді жетілдіру бойынша заң жобасына ұсыныстар жобасы',
    );
    expect(executorCodes(m)).toEqual(['БП*(к)', 'ІІМ', 'ӘМ', 'ЖС(к)', 'ДСМ']);
    expect(m.deadline).toEqual({
      text: '2019.ж.',
      rule: { kind: 'once', due: '2019-12-31', precision: 'year', period: '2019' },
    });
    expect(m.cost).toEqual({ text: 'қажет етпейди', amount: 0, currency: 'KZT' });
  });

  it('row 4 and 6: "келісім бойынша" without brackets, and with one bracket missing', () => {
    expect(executorCodes(measure(plan, '4'))).toEqual(['БҒМ*', 'БП(к)']);
    expect(executorCodes(measure(plan, '6'))).toEqual(['ДСМ*', 'ПМ(к)', 'БП(к)']);
  });

  it('row 8: a group with "гг." and a missing comma, expanded to the akimats of 2019', () => {
    const m = measure(plan, '8');
    expect(m.recipient).toEqual({ role: 'presidential_administration' });
    expect(executorCodes(m)).toEqual(['БҒМ*', 'ДСМ', ...REGIONS_2019, 'Астана', 'Алматы', 'Шымкент']);
    expect(m.executors[2]?.group).toBe('облыс әкімдіктері, гг. Нұр-Сұлтан, Алматы, Шымкент');
  });

  it('row 9: a group listed first leads; "ПИК бірлесіп" is a co-executor nobody defines', () => {
    const m = measure(plan, '9');
    expect(m.recipient).toEqual({ agency: 'БҒМ' });
    expect(executorCodes(m)).toEqual(
      [...REGIONS_2019, 'Астана', 'Алматы', 'Шымкент'].map((c) => `${c}*`).concat('ПИК'),
    );
    expect(m.deadline.rule).toEqual({ kind: 'during_years', years: { from: 2019, to: 2023 } });
    expect(m.cost).toEqual({ text: 'РБ көзделген қаражаттар шеңберінде және ЖБ' });
  });

  it('row 22 and 36: the Government receives; quarterly by the 5th of the next month', () => {
    expect(measure(plan, '22').recipient).toEqual({ role: 'government' });
    expect(measure(plan, '36').deadline.rule).toEqual({
      kind: 'quarterly',
      deadline: { monthsAfterPeriodEnd: 1, day: 5 },
    });
  });

  it('row 37: a group finished after the page break, then UNICEF by agreement', () => {
    const m = measure(plan, '37');
    expect(executorCodes(m)).toEqual([
      'ДСМ*',
      'ПМ',
      'БҒМ',
      'ЕӘҚМ',
      ...REGIONS_2019,
      'Астана',
      'Алматы',
      'Шымкент',
      'ЮНИСЕФ(к)',
    ]);
  });

  it('row 46: codes that lost their commas ("«Өрлеу» ҰЕҰ ЮНИСЕФ (келісім бойынша)")', () => {
    expect(executorCodes(measure(plan, '46')).slice(-3)).toEqual(['«Өрлеу»', 'ҮЕҰ(к)', 'ЮНИСЕФ(к)']);
  });

  it("row 60: ІМ resolves through the plan's glossary to the Interior Ministry, МОН (Russian) to БҒМ", () => {
    expect(executorCodes(measure(plan, '60')).slice(0, 4)).toEqual(['АҚДМ*', 'ІІМ', 'БҒМ', 'ДСМ']);
  });

  it('says which by-agreement marks come from the directory rather than the cell', () => {
    const inferred = seed002.diagnostics.filter((d) => d.code === 'by_agreement_inferred').map((d) => d.field);
    expect(inferred).toEqual([
      'measures[0].executors[0].byAgreement',
      'measures[0].executors[3].byAgreement',
      'measures[15].executors[0].byAgreement',
      'measures[17].executors[0].byAgreement',
      'measures[41].executors[2].byAgreement',
      'measures[45].executors[22].byAgreement',
      'measures[48].executors[0].byAgreement',
      'measures[49].executors[1].byAgreement',
      'measures[50].executors[1].byAgreement',
      'measures[51].executors[0].byAgreement',
    ]);
    expect(measure(seed002.plan, '1').inferred).toEqual(['executors[0].byAgreement', 'executors[3].byAgreement']);
    // Where the cell says "(келісім бойынша)" nothing is inferred.
    expect(seed000.diagnostics.filter((d) => d.code === 'by_agreement_inferred')).toEqual([]);
  });

  it('resolves every executor code or diagnoses it — the whole list', () => {
    expect(compact(seed002.diagnostics).filter((d) => !d.includes('by_agreement_inferred'))).toEqual([
      'info policy_default - policy',
      'info plan_date_assumed - measures',
      'error missing_act - approvedBy',
      'error missing_coordinator - coordinator',
      'error unknown_abbreviation L17 measures[5].executors[1] ПМ',
      'error unknown_abbreviation L22 measures[8].executors[17] ПИК',
      'error unknown_abbreviation L23 measures[9].executors[17] ПИК',
      'error unknown_executor L24 measures[10].executors[17] көлік ұйымдарымен',
      'error unknown_abbreviation L34 measures[16].executors[1] ПМ',
      'error unknown_abbreviation L35 measures[17].executors[1] ПМ',
      'error unknown_abbreviation L41 measures[21].executors[1] ПМ',
      'error unknown_abbreviation L42 measures[22].executors[1] ПМ',
      'error unknown_executor L45 measures[23].executors[1] «Бөбек»',
      'error unknown_abbreviation L47 measures[25].executors[1] ПМ',
      'error unknown_abbreviation L49 measures[27].executors[1] ПМ',
      'error unknown_executor L49 measures[27].executors[21] мүдделі қоғамдық ұйымдар',
      'error unknown_abbreviation L52 measures[28].executors[1] ПМ',
      'error unknown_abbreviation L53 measures[29].executors[1] ПМ',
      'error unknown_abbreviation L54 measures[30].executors[1] ПМ',
      'error unknown_abbreviation L57 measures[31].executors[2] ИМ',
      'error unknown_abbreviation L59 measures[33].completionForm ИМ ақпарат',
      'error unknown_abbreviation L61 measures[34].executors[2] ПМ',
      'error unknown_abbreviation L63 measures[36].executors[1] ПМ',
      'error unknown_abbreviation L66 measures[37].executors[1] ПМ',
      'error unknown_abbreviation L69 measures[40].executors[1] ПМ',
      'error unknown_abbreviation L70 measures[41].executors[1] ПМ',
      'error unknown_abbreviation L76 measures[44].executors[2] ИМ',
      'error unknown_abbreviation L77 measures[45].executors[2] ИМ',
      'error unknown_executor L77 measures[45].executors[21] «Өрлеу»',
      'error unknown_executor L78 measures[46].executors[1] «Өрлеу»',
      'info executor_detail L81 measures[47].executors',
      'error unknown_abbreviation L83 measures[48].executors[1] ПМ',
      'info deadline_as_needed L83 measures[48].deadline',
      'error unknown_abbreviation L84 measures[49].executors[0] ПМ',
      'error unknown_abbreviation L85 measures[50].executors[0] ПМ',
      'info deadline_as_needed L85 measures[50].deadline',
      'error unknown_abbreviation L88 measures[51].executors[1] ПМ',
      'info deadline_as_needed L88 measures[51].deadline',
      'error unknown_abbreviation L90 measures[53].executors[0] ПМ',
      'error unknown_abbreviation L91 measures[54].completionForm Тұлғаларды оңалту және әлеуметтік бейімдеу орталықтары, ПМ ақпарат',
      'error unknown_abbreviation L93 measures[54].executors[17] ПМ',
      'error unknown_abbreviation L95 measures[55].executors[19] ПМ',
      'error unknown_abbreviation L96 measures[56].executors[0] ПМ',
      'error unknown_abbreviation L97 measures[57].executors[1] ПМ',
      'error unknown_abbreviation L98 measures[58].executors[1] ПМ',
    ]);
    expect(hasErrors(seed002)).toBe(true);
  });
});

describe('seeds that are not action plans', () => {
  it.each(['003_3178c3c353110b68.txt', '004_8718888de1768f52.txt'])(
    '%s (a concept, a report) holds no plan table: no plan',
    (name) => {
      const result = importDecreeText(seedText(name), opts);
      expect(result.plan).toBeNull();
      expect(compact(result.diagnostics)).toEqual(['error no_table - -']);
    },
  );
});
