// Plans laid out as the seeds are not: headers named in other words, broken over lines or rows, extra columns, footnotes, task headings, no header at all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { exportCanonical, parseCanonical } from '../../../domain/import/canonical.js';
import { formatColumnMapping, parseColumnMapping } from '../../../domain/import/column-mapping.js';
import { headerRole, normalizeHeader } from '../../../domain/import/columns.js';
import { importCsv } from '../../../domain/import/csv.js';
import type { ColumnRole } from '../../../domain/import/columns.js';
import type { Measure, Plan } from '../../../domain/plan.js';

const opts = { directory: AGENCIES_SEED };

// Synonyms real plans use for each column (issue 13), Kazakh and Russian.
const SYNONYMS: Readonly<
  Record<'number' | 'title' | 'completionForm' | 'executors' | 'deadline' | 'unit', readonly string[]>
> = {
  number: ['№', '№ р/с', 'р/с №', '№ п/п'],
  title: ['Атауы', 'Іс-шараның атауы', 'Іс-шаралар', 'Наименование мероприятия', 'Мероприятие'],
  completionForm: ['Аяқтау нысаны', 'Аяқталу нысаны', 'Форма завершения'],
  deadline: ['Орындау мерзімі', 'Орындалу мерзімі', 'Срок исполнения', 'Сроки исполнения', 'Срок реализации'],
  executors: ['Жауапты орындаушылар', 'Орындаушылар', 'Ответственные исполнители', 'Ответственные за исполнение'],
  unit: ['Өлшем бірлігі', 'Единица измерения'],
};

describe('headers by meaning', () => {
  it.each(
    Object.entries(SYNONYMS)
      .filter(([role]) => role !== 'unit')
      .flatMap(([role, names]) => names.map((n) => [n, role])),
  )('%j names the %s column', (name, role) => {
    expect(headerRole(name)).toBe(role);
  });

  it.each([
    ['Жауапты орындау-\nшылар', 'executors'],
    ['Ответствен- ные исполнители', 'executors'],
    ['Орындау мерзім-\nдері', 'deadline'],
    ['Іс-шараның аяқталу нысаны', 'completionForm'],
    ['Сроки исполнения*', 'deadline'],
  ])('%j (broken or marked) names the %s column', (name, role) => {
    expect(headerRole(name)).toBe(role);
  });

  it('leaves extra columns to their own roles and long data cells alone', () => {
    expect(headerRole('Өлшем бірлігі')).toBeNull();
    expect(headerRole('Бюджеттік бағдарламаның коды')).toBeNull();
    expect(
      headerRole(
        'Мемлекеттік органдардың жауапты орындаушылары мен мерзімдерін айқындай отырып, ведомствоаралық жұмыс тобын құру және оның отырыстарын тұрақты өткізу',
      ),
    ).toBeNull();
    expect(normalizeHeader('Орындау-\nшылар')).toBe('орындаушылар');
    // A hyphen that is part of the word stays.
    expect(normalizeHeader('Іс-шара')).toBe('іс-шара');
  });
});

interface Row {
  readonly number: string;
  readonly title: string;
  readonly completionForm: string;
  readonly executors: string;
  readonly deadline: string;
  readonly unit: string;
}

const ROWS: readonly Row[] = [
  {
    number: '1',
    title: 'Дін саласындағы заңнаманы жетілдіру бойынша ұсыныстар әзірлеу',
    completionForm: 'Үкіметке ақпарат',
    executors: 'АҚДМ, ІІМ, ҰҚК (келісім бойынша)',
    deadline: '2021 жылғы желтоқсан',
    unit: 'дана',
  },
  {
    number: '2',
    title: 'Жастар арасында ағартушылық іс-шаралар өткізу',
    completionForm: 'АҚДМ-ға ақпарат',
    executors: 'БҒМ, облыстардың, Нұр-Сұлтан, Алматы және Шымкент қалаларының әкімдіктері',
    deadline: 'жыл сайын, 10 қаңтарға дейін',
    unit: 'адам',
  },
  {
    number: '3',
    title: 'Дінтанушы мамандарды даярлау және біліктілігін арттыру',
    completionForm: 'ҰЭМ-ге ақпарат',
    executors: 'БҒМ, ДСМ',
    deadline: '2022 жылғы 4-тоқсан',
    unit: '%',
  },
  {
    number: '4',
    title: 'Діни экстремизмнің алдын алу жөніндегі әдістемелік ұсынымдар',
    completionForm: 'бұйрық',
    executors: 'ІІМ, АҚДМ',
    deadline: 'тоқсан сайын, келесі айдың 5-не',
    unit: 'дана',
  },
];

const ROLES = ['number', 'title', 'completionForm', 'executors', 'deadline', 'unit'] as const;

function decree(order: readonly (typeof ROLES)[number][], names: readonly string[]): string {
  return [
    'Қазақстан Республикасы Үкіметінің 2020 жылғы 14 қазандағы № 666 қаулысымен бекітілген',
    '',
    'Дін саласындағы мемлекеттік саясатты іске асырудың 2021 – 2023 жылдарға арналған іс-шаралар жоспары',
    '',
    names.join('\t'),
    ...ROWS.map((row) => order.map((role) => row[role]).join('\t')),
  ].join('\n');
}

const measuresOf = (plan: Plan | null): unknown[] =>
  (plan?.measures ?? []).map((m: Measure) => ({
    number: m.number,
    title: m.title,
    completionForm: m.completionForm,
    executors: m.executors,
    deadline: m.deadline,
    unit: m.extra?.unit,
  }));

describe('property: shuffled columns and synonym headers', () => {
  const reference = importDecreeText(
    decree(ROLES, [
      '№',
      'Іс-шараның атауы',
      'Аяқталу нысаны',
      'Жауапты орындаушылар',
      'Орындау мерзімі',
      'Өлшем бірлігі',
    ]),
    opts,
  );

  it('the reference reads every row, its executors, deadlines and units', () => {
    expect(reference.plan?.measures).toHaveLength(ROWS.length);
    expect(reference.plan?.measures.every((m) => m.deadline.rule.kind !== 'unparsed' && m.executors.length > 0)).toBe(
      true,
    );
    expect(reference.plan?.measures.map((m) => m.extra?.unit)).toEqual(['дана', 'адам', '%', 'дана']);
  });

  it('yield the same plan', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([...ROLES], { minLength: ROLES.length, maxLength: ROLES.length }),
        fc.array(fc.nat(), { minLength: ROLES.length, maxLength: ROLES.length }),
        (order, picks) => {
          const names = order.map((role, k) => {
            const list = SYNONYMS[role];
            return list[(picks[k] as number) % list.length] as string;
          });
          const result = importDecreeText(decree(order, names), opts);
          expect(measuresOf(result.plan)).toEqual(measuresOf(reference.plan));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('headers broken over lines and rows, continuation markers, task headings', () => {
  it('reads a header spread over two rows, with a row of column numbers and a repeated header after a page break', () => {
    const text = [
      'Іс-шаралар жоспары',
      '№\tІс-шараның\tАяқталу\tЖауапты\tОрындау\tБолжамды шығыстар\t',
      '\tатауы\tнысаны\tорындаушылар\tмерзімі\t2021 ж.\t2022 ж.',
      '1\t2\t3\t4\t5\t6\t7',
      '1-міндет. Дінтанушылардың біліктілігін арттыру',
      `1\t${ROWS[0]!.title}\t${ROWS[0]!.completionForm}\t${ROWS[0]!.executors}\t${ROWS[0]!.deadline}\t12,5\t14,0`,
      'кестенің жалғасы',
      '№\tІс-шараның\tАяқталу\tЖауапты\tОрындау\tБолжамды шығыстар\t',
      `2\t${ROWS[1]!.title}\t${ROWS[1]!.completionForm}\t${ROWS[1]!.executors}\t${ROWS[1]!.deadline}\t-\t3,0`,
    ].join('\n');
    const result = importDecreeText(text, opts);
    expect(result.plan?.measures.map((m) => m.number)).toEqual(['1', '2']);
    expect(result.plan?.sections.map((s) => s.title.kk)).toEqual(['Дінтанушылардың біліктілігін арттыру']);
    expect(result.plan?.measures[0]?.section).toBe(0);
    expect(result.plan?.measures[0]?.extra?.expenses).toEqual({ 2021: '12,5', 2022: '14,0' });
    expect(result.plan?.measures[1]?.extra?.expenses).toEqual({ 2022: '3,0' });
    expect(result.plan?.measures[0]?.title.kk).toBe(ROWS[0]!.title);
  });

  it('reads a one-cell-per-line header whose words are hyphenated at line ends', () => {
    const text = [
      'Іс-шаралар жоспары',
      '',
      '№',
      'Іс-шараның атауы',
      'Аяқталу нысаны',
      'Жауапты орындау-',
      'шылар',
      'Орындау мерзімі',
      '',
      '1',
      ROWS[2]!.title,
      ROWS[2]!.completionForm,
      ROWS[2]!.executors,
      ROWS[2]!.deadline,
      '2',
      ROWS[3]!.title,
      ROWS[3]!.completionForm,
      ROWS[3]!.executors,
      ROWS[3]!.deadline,
    ].join('\n');
    const result = importDecreeText(text, opts);
    expect(result.plan?.measures.map((m) => [m.number, m.executors.map((e) => e.code), m.deadline.rule.kind])).toEqual([
      ['1', ['БҒМ', 'ДСМ'], 'once'],
      ['2', ['ІІМ', 'АҚДМ'], 'quarterly'],
    ]);
  });
});

describe('indicators tables inside the plan', () => {
  it('reads target indicators with a unit, a source and a value per year, under their task, and goes back to measures after them', () => {
    const text = [
      'Іс-шаралар жоспары',
      '№\tІс-шараның атауы\tАяқталу нысаны\tЖауапты орындаушылар\tОрындау мерзімі',
      '1-міндет. Дінтанушылардың біліктілігін арттыру',
      'Р/с №\tНысаналы индикатор\tАқпарат көзі\tӨлшем бірлігі\t2021 ж.\t2022 ж.\t2023 ж.',
      '1\tБіліктілігін арттырған дінтанушылардың үлесі\tАҚДМ деректері\t%\t40\t55\t70',
      '2\tАғартушылық іс-шараларға қатысқан жастар саны\tБҒМ деректері\tмың адам\t12,5\t-\t15',
      'Іс-шаралар:',
      `1\t${ROWS[2]!.title}\t${ROWS[2]!.completionForm}\t${ROWS[2]!.executors}\t${ROWS[2]!.deadline}`,
      `2\t${ROWS[3]!.title}\t${ROWS[3]!.completionForm}\t${ROWS[3]!.executors}\t${ROWS[3]!.deadline}`,
    ].join('\n');
    const result = importDecreeText(text, opts);
    expect(result.plan?.indicators).toEqual([
      {
        name: { kk: 'Біліктілігін арттырған дінтанушылардың үлесі', ru: null },
        unit: '%',
        source: 'АҚДМ деректері',
        targets: { 2021: '40', 2022: '55', 2023: '70' },
        section: 0,
      },
      {
        name: { kk: 'Ағартушылық іс-шараларға қатысқан жастар саны', ru: null },
        unit: 'мың адам',
        source: 'БҒМ деректері',
        targets: { 2021: '12,5', 2023: '15' },
        section: 0,
      },
    ]);
    expect(result.plan?.measures.map((m) => [m.number, m.section, m.executors.map((e) => e.code)])).toEqual([
      ['1', 0, ['БҒМ', 'ДСМ']],
      ['2', 0, ['ІІМ', 'АҚДМ']],
    ]);
    const plan = {
      ...result.plan!,
      coordinator: 'АҚДМ',
      approvedBy: { issuer: 'government', number: '1', date: '2020-10-14' },
      years: { from: 2021, to: 2023 },
    } as Plan;
    expect(parseCanonical(exportCanonical(plan, 'yaml'), 'yaml', opts).plan?.indicators).toEqual(plan.indicators);
  });
});

describe("a state programme's plan laid out cell by cell, with extra columns", () => {
  it('reads the header with its unit and financing columns and keeps their cells beside each measure', () => {
    const text = [
      'Мемлекеттік бағдарламаны іске асыру жөніндегі іс-шаралар жоспары',
      '',
      '№ р/с',
      'Атауы',
      'Өлшем бірлігі',
      'Аяқтау нысаны',
      'Жауапты орындаушылар',
      'Орындау мерзімі',
      'Бюджеттік бағдарламаның коды',
      '',
      '1',
      ROWS[0]!.title,
      'дана',
      ROWS[0]!.completionForm,
      ROWS[0]!.executors,
      ROWS[0]!.deadline,
      '001',
      '2',
      ROWS[1]!.title,
      'адам',
      ROWS[1]!.completionForm,
      ROWS[1]!.executors,
      ROWS[1]!.deadline,
      '002',
      '3',
      ROWS[2]!.title,
      '%',
      ROWS[2]!.completionForm,
      ROWS[2]!.executors,
      ROWS[2]!.deadline,
      '-',
    ].join('\n');
    const result = importDecreeText(text, opts);
    expect(result.diagnostics.some((d) => d.code === 'no_table')).toBe(false);
    expect(
      result.plan?.measures.map((m) => [m.number, m.title.kk, m.extra, m.executors[0]?.code, m.deadline.rule.kind]),
    ).toEqual([
      ['1', ROWS[0]!.title, { unit: 'дана', budgetCode: '001' }, 'АҚДМ', 'once'],
      ['2', ROWS[1]!.title, { unit: 'адам', budgetCode: '002' }, 'БҒМ', 'annual'],
      ['3', ROWS[2]!.title, { unit: '%' }, 'БҒМ', 'once'],
    ]);
  });
});

describe('indicators written one cell per line', () => {
  it('reads them as the plan\'s indicators and goes back to the measures after "Іс-шаралар:"', () => {
    const text = [
      'Іс-шаралар жоспары',
      '',
      '№',
      'Іс-шараның атауы',
      'Аяқталу нысаны',
      'Жауапты орындаушылар',
      'Орындау мерзімі',
      '',
      '1-міндет. Дінтанушылардың біліктілігін арттыру',
      'Нысаналы индикатор',
      'Ақпарат көзі',
      'Өлшем бірлігі',
      '2021 ж.',
      '2022 ж.',
      '1',
      'Біліктілігін арттырған дінтанушылардың үлесі',
      'АҚДМ деректері',
      '%',
      '40',
      '55',
      'Іс-шаралар:',
      '1',
      ROWS[2]!.title,
      ROWS[2]!.completionForm,
      ROWS[2]!.executors,
      ROWS[2]!.deadline,
      '2',
      ROWS[3]!.title,
      ROWS[3]!.completionForm,
      ROWS[3]!.executors,
      ROWS[3]!.deadline,
    ].join('\n');
    const result = importDecreeText(text, opts);
    expect(result.plan?.indicators).toEqual([
      {
        name: { kk: 'Біліктілігін арттырған дінтанушылардың үлесі', ru: null },
        unit: '%',
        source: 'АҚДМ деректері',
        targets: { 2021: '40', 2022: '55' },
        section: 0,
      },
    ]);
    expect(
      result.plan?.measures.map((m) => [m.number, m.section, m.executors.map((e) => e.code), m.deadline.rule.kind]),
    ).toEqual([
      ['1', 0, ['БҒМ', 'ДСМ'], 'once'],
      ['2', 0, ['ІІМ', 'АҚДМ'], 'quarterly'],
    ]);
  });
});

describe('footnotes set the reporting', () => {
  const text = [
    'Іс-шаралар жоспары',
    '№\tІс-шараның атауы\tАяқталу нысаны\tЖауапты орындаушылар\tОрындау мерзімі',
    `1\t${ROWS[0]!.title}\t${ROWS[0]!.completionForm}\t${ROWS[0]!.executors}\t2021 – 2023 жылдар*`,
    `2\t${ROWS[2]!.title}\t${ROWS[2]!.completionForm}\t${ROWS[2]!.executors}\t2022 жылғы 4-тоқсан**`,
    `3\t${ROWS[3]!.title}\t${ROWS[3]!.completionForm}\t${ROWS[3]!.executors}\tжыл сайын***`,
    '',
    '* ҚР Үкіметіне жылына екі рет, 10 шілдеге және 10 қаңтарға дейін ақпарат беріледі.',
    '** Ақпарат Қазақстан Республикасы Ұлттық экономика министрлігіне 20 желтоқсанға дейін ұсынылады.',
  ].join('\n');
  const result = importDecreeText(text, opts);

  it("turns a marker into the footnote's recipient and dates, with an info quoting it", () => {
    const [first, second, third] = result.plan?.measures ?? [];
    expect(first?.deadline.rule).toEqual({ kind: 'during_years', years: { from: 2021, to: 2023 } });
    expect(first?.reporting).toMatchObject({
      marker: '*',
      recipient: { role: 'government' },
      rule: {
        kind: 'periodic_dates',
        dates: [
          { month: 7, day: 10 },
          { month: 1, day: 10 },
        ],
      },
    });
    expect(second?.reporting).toMatchObject({
      marker: '**',
      recipient: { agency: 'ҰЭМ' },
      rule: { kind: 'annual', by: { month: 12, day: 20 } },
    });
    const info = result.diagnostics.find((d) => d.code === 'footnote_reporting' && d.field === 'measures[0].reporting');
    expect(info?.message).toContain('ҚР Үкіметіне жылына екі рет');
    expect(third?.reporting).toBeUndefined();
    expect(result.diagnostics.filter((d) => d.code === 'footnote_missing').map((d) => d.field)).toEqual([
      'measures[2].deadline',
    ]);
  });

  it('does not read a footnote as a heading or a row', () => {
    expect(result.plan?.sections).toEqual([]);
    expect(result.plan?.measures).toHaveLength(3);
  });

  it('round-trips the new fields through the canonical format', () => {
    const plan = {
      ...result.plan!,
      coordinator: 'АҚДМ',
      approvedBy: { issuer: 'government', number: '1', date: '2020-10-14' },
    } as Plan;
    for (const syntax of ['yaml', 'json'] as const) {
      const back = parseCanonical(exportCanonical(plan, syntax), syntax, opts);
      expect(back.plan?.measures).toEqual(plan.measures);
    }
  });
});

describe('no header: a column mapping, or a guess from the content', () => {
  const body = ROWS.map((r) => [r.number, r.title, r.completionForm, r.executors, r.deadline].join('\t'));
  const text = ['Іс-шаралар жоспары', '', ...body].join('\n');

  it('guesses the columns from the cells and says so, with the mapping to confirm', () => {
    const result = importDecreeText(text, opts);
    const guess = result.diagnostics.find((d) => d.code === 'columns_inferred');
    expect(guess?.severity).toBe('warning');
    expect(guess?.message).toContain('number=1,name=2,form=3,executors=4,deadline=5');
    expect(measuresOf(result.plan)).toHaveLength(ROWS.length);
    expect(result.plan?.measures.map((m) => m.executors[0]?.code)).toEqual(['АҚДМ', 'БҒМ', 'БҒМ', 'ІІМ']);
  });

  it("runs with a reviewer's mapping, which wins over the guess", () => {
    const mapping = parseColumnMapping('number=1,name=2,form=3,executors=4,deadline=5');
    expect('mapping' in mapping).toBe(true);
    const result = importDecreeText(text, { ...opts, columns: 'mapping' in mapping ? mapping.mapping : {} });
    expect(result.diagnostics.some((d) => d.code === 'columns_inferred')).toBe(false);
    expect(result.diagnostics.find((d) => d.code === 'columns_given')?.severity).toBe('info');
    expect(result.plan?.measures.map((m) => m.deadline.rule.kind)).toEqual(['once', 'annual', 'once', 'quarterly']);
  });

  it('guesses a CSV without a header the same way', () => {
    const csv = ROWS.map((r) =>
      [r.number, r.title, r.completionForm, `"${r.executors}"`, `"${r.deadline}"`].join(';'),
    ).join('\n');
    const result = importCsv(csv, opts);
    expect(result.diagnostics.find((d) => d.code === 'columns_inferred')?.message).toContain('executors=4,deadline=5');
    expect(result.plan?.measures).toHaveLength(ROWS.length);
  });

  it('says what is wrong with a mapping', () => {
    expect(parseColumnMapping('name=2,deadline=5')).toEqual({ error: 'the mapping needs executors' });
    expect(parseColumnMapping('name=2,deadline=2,executors=3')).toEqual({
      error: 'column 2 is given to both name and deadline',
    });
    expect(parseColumnMapping('title=x')).toEqual({ error: '"title=x" must look like name=2' });
    expect(parseColumnMapping('colour=1')).toMatchObject({
      error: expect.stringContaining('"colour" is not a column'),
    });
    const roles: (ColumnRole | null)[] = [null, 'title', null, 'completionForm', 'deadline', 'executors'];
    expect(formatColumnMapping(roles)).toBe('name=2,form=4,deadline=5,executors=6');
  });
});
