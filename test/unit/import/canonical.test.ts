// The canonical YAML/JSON plan format: export then import gives the same plan (seeds and generated plans), and every error names its path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { fromDayNumber, toDayNumber } from '../../../domain/dates.js';
import { parseDeadline, type DeadlineRule } from '../../../domain/deadline-language.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { exportCanonical, parseCanonical, type CanonicalSyntax } from '../../../domain/import/canonical.js';
import { hasErrors } from '../../../domain/import/result.js';
import type { BilingualName, Measure, Plan } from '../../../domain/plan.js';
import { STANDARD_POLICIES, type ReportingPolicy } from '../../../domain/policies.js';
import { compact, seedText } from './helpers.js';

const opts = { directory: AGENCIES_SEED };
const SYNTAXES: readonly CanonicalSyntax[] = ['yaml', 'json'];
const roundTrip = (plan: Plan, syntax: CanonicalSyntax) => parseCanonical(exportCanonical(plan, syntax), syntax, opts);

describe('export then import', () => {
  for (const seed of ['000_154aa3237ae338bf.txt', '002_e7a38657bed497b0.txt']) {
    it.each(SYNTAXES)(`gives seed ${seed.slice(0, 3)}'s plan back exactly (%s)`, (syntax) => {
      const imported = importDecreeText(seedText(seed), opts);
      const back = roundTrip(imported.plan as Plan, syntax);
      expect(back.plan).toStrictEqual(imported.plan);
      // The seeds' unknown executors are still errors: a round trip neither hides nor invents problems.
      expect(back.diagnostics.filter((d) => d.code === 'unknown_agency').length).toBe(
        imported.diagnostics.filter((d) => d.code.startsWith('unknown_') && d.field?.includes('executors')).length,
      );
    });
  }

  it('writes the derived deadline rule only when it is a hand-set override', () => {
    const plan = importDecreeText(seedText('000_154aa3237ae338bf.txt'), opts).plan as Plan;
    expect(exportCanonical(plan, 'yaml')).not.toContain('rule:');
  });

  it('gives generated plans back exactly, in YAML and JSON', () => {
    fc.assert(
      fc.property(planArb, fc.constantFrom(...SYNTAXES), (plan, syntax) => {
        const back = roundTrip(plan, syntax);
        expect(back.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(back.plan).toStrictEqual(plan);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the documented example (docs/plan-format.md)', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/plan-format.md', import.meta.url)), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';

  it('imports without errors, with the hand-set deadline kept', () => {
    const result = parseCanonical(example, 'yaml', opts);
    expect(compact(result.diagnostics)).toEqual(['info deadline_override L52 measures[1].deadline.rule']);
    expect(result.plan?.measures[1]?.deadline.rule).toEqual({ kind: 'once', due: '2018-12-01', precision: 'day' });
    expect(result.plan?.measures[0]?.deadline.rule).toEqual({ kind: 'annual', years: { from: 2017, to: 2020 } });
  });
});

describe('validation names the path (and the line) of every problem', () => {
  const base = exportCanonical(importDecreeText(seedText('000_154aa3237ae338bf.txt'), opts).plan as Plan, 'yaml');

  it('an unknown agency, with a hint when the directory knows it under another spelling', () => {
    const text = base
      .replace('{ code: ДІАҚМ, byAgreement: false, lead: true }', '{ code: XYZ, byAgreement: false, lead: true }')
      .replace('{ code: ІІМ, byAgreement: false, lead: true }', '{ code: Б F M, byAgreement: false, lead: true }');
    const result = parseCanonical(text, 'yaml', opts);
    const messages = result.diagnostics.filter((d) => d.code === 'unknown_agency').map((d) => d.message);
    expect(messages).toContain('measures[0].executors[0].code: unknown agency "XYZ"');
    expect(messages).toContain('measures[6].executors[0].code: unknown agency "Б F M" (did you mean "БҒМ"?)');
    const xyz = result.diagnostics.find((d) => d.message.includes('"XYZ"'));
    expect(text.split('\n')[(xyz?.line ?? 0) - 1]).toContain('code: XYZ');
    expect(hasErrors(result)).toBe(true);
  });

  it('impossible dates, unknown fields, missing fields, wrong types', () => {
    const text = base
      .replace('date: 2017-09-19', 'date: 2017-02-30')
      .replace('coordinator: АҚДМ', 'coordinater: АҚДМ')
      .replace('shift: next', 'shift: sideways')
      .replace('    section: 0\n', '    section: 7\n');
    expect(
      compact(parseCanonical(text, 'yaml', opts).diagnostics).filter(
        (d) => d.startsWith('error') && !d.includes('unknown_agency'),
      ),
    ).toEqual([
      'error unknown_field L22 coordinater',
      'error invalid_field L24 shift',
      'error invalid_field L114 measures[0].section',
      'error impossible_date L8 approvedBy.date',
      'error missing_field - coordinator',
    ]);
  });

  it('a deadline rule that contradicts its text, and an impossible deadline', () => {
    const text = base
      .replace(
        '      text: 2017 жылғы 3-тоқсан\n',
        '      text: 2017 жылғы 3-тоқсан\n      rule: { kind: once, due: 2017-12-31, precision: quarter, period: 2017-Q4 }\n',
      )
      .replace('      text: 2017 жылғы 4-тоқсан\n', '      text: 2019 жылғы 31 ақпан\n');
    const found = parseCanonical(text, 'yaml', opts).diagnostics.filter(
      (d) => d.severity === 'error' && d.code.startsWith('deadline'),
    );
    expect(compact(found)).toEqual([
      'error deadline_rule_mismatch L126 measures[0].deadline.rule',
      'error deadline_impossible_date L170 measures[1].deadline',
    ]);
  });

  it('a malformed deadline rule, field by field', () => {
    const text = base.replace(
      '      text: 2018 жылдан бастап, қажеттілігіне қарай\n',
      '      text: 2018 жылдан бастап, қажеттілігіне қарай\n      rule: { kind: annual, by: { month: 2, day: 30 }, when: soon }\n',
    );
    const found = parseCanonical(text, 'yaml', opts).diagnostics.filter((d) => d.field?.includes('deadline'));
    expect(found.map((d) => d.message)).toEqual([
      'measures[46].deadline.rule.when: unknown field for a "annual" rule',
      'measures[46].deadline.rule.by.day: must be an integer 1..29 or "last"',
    ]);
  });

  it('a policy object is validated with its own paths', () => {
    const text = base.replace(
      'policy: annual-cascade-580',
      'policy: { id: custom, name: { kk: a, ru: b, en: c }, period: decade, stages: [] }',
    );
    expect(
      parseCanonical(text, 'yaml', opts)
        .diagnostics.filter((d) => d.field?.startsWith('policy'))
        .map((d) => d.message),
    ).toEqual([
      "policy.period: must be one of 'year', 'half', 'quarter', 'month'",
      'policy.stages: must be a non-empty list of stages',
    ]);
  });

  it('syntax errors name the line; empty input is empty_file', () => {
    expect(compact(parseCanonical('title: { kk: a\nmeasures: [\n', 'yaml', opts).diagnostics)).toEqual([
      'error syntax_error L2 -',
    ]);
    expect(compact(parseCanonical('{\n  "title": 1,\n  oops\n}', 'json', opts).diagnostics)).toEqual([
      'error syntax_error L3 -',
    ]);
    expect(parseCanonical('[1, 2]', 'json', opts).plan).toBeNull();
    for (const syntax of SYNTAXES) {
      const result = parseCanonical('  \n', syntax, opts);
      expect(result.plan).toBeNull();
      expect(compact(result.diagnostics)).toEqual(['error empty_file - -']);
    }
  });

  it('fills defaults for a minimal hand-written plan', () => {
    const minimal = [
      'title: { kk: Жоспар, ru: null }',
      'approvedBy: { issuer: government, number: 1, date: 2020-01-15 }',
      'years: { from: 2020, to: 2021 }',
      'coordinator: АҚДМ',
      'measures:',
      '  - number: 1',
      '    section: null',
      '    title: { kk: Іс-шара, ru: null }',
      '    executors: [{ code: БҒМ, byAgreement: false, lead: true }]',
      '    deadline: { text: тоқсан сайын }',
    ].join('\n');
    const result = parseCanonical(minimal, 'yaml', opts);
    expect(compact(result.diagnostics)).toEqual(['info policy_default - policy']);
    expect(result.plan?.approvedBy.number).toBe('1');
    expect(result.plan?.measures[0]).toEqual({
      number: '1',
      section: null,
      title: { kk: 'Іс-шара', ru: null },
      completionForm: { kk: null, ru: null },
      recipient: null,
      executors: [{ code: 'БҒМ', byAgreement: false, lead: true }],
      deadline: { text: 'тоқсан сайын', rule: { kind: 'quarterly' } },
      indicators: [],
      cost: null,
      fundingSource: null,
    });
  });
});

// ---- Generated plans ----
// Objects a parser builds have Object.prototype; so must generated ones, for toStrictEqual to compare contents only.
const NO_NULL_PROTO = { noNullPrototype: true } as const;

const CODES = AGENCIES_SEED.map((a) => a.code);
const LOCAL_CODES = ['РБ', 'ЖБ', 'Бөбек қоры', 'XYZ-1'];
// Texts YAML must quote or escape to keep: reserved words, numbers, dates, indicators, quotes, line breaks, Kazakh and Russian.
const TRICKY = [
  'null',
  'true',
  '~',
  '10',
  '1e3',
  '0x1F',
  '2017-09-19',
  '- item',
  'a: b',
  '#tag',
  '"quoted"',
  "it's",
  '  leading',
  'trailing  ',
  'two\nlines',
  'crlf\r\nend',
  'cr\ronly',
  'nul\u0000',
  'bell\u0007',
  'nbsp\u00a0',
  'line\u2028sep',
  'tab\there',
  '[x]',
  '{y}',
  '*star',
  '&amp',
  '!bang',
  '%pct',
  '@at',
  '`tick`',
  '|pipe',
  '>gt',
  'Нұр-Сұлтан',
  'информация в МИОР',
  '',
];
const textArb = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.constantFrom(...TRICKY));
const nonBlankArb = textArb.filter((t) => t.trim() !== '');
const nameArb: fc.Arbitrary<BilingualName> = fc.oneof(
  fc.record({ kk: nonBlankArb, ru: fc.constant(null) }, NO_NULL_PROTO),
  fc.record({ kk: fc.constant(null), ru: nonBlankArb }, NO_NULL_PROTO),
  fc.record({ kk: nonBlankArb, ru: nonBlankArb }, NO_NULL_PROTO),
);
const optionalNameArb: fc.Arbitrary<BilingualName> = fc.record(
  { kk: fc.option(textArb, { nil: null }), ru: fc.option(textArb, { nil: null }) },
  NO_NULL_PROTO,
);
const dateArb = fc.integer({ min: toDayNumber('1995-01-01'), max: toDayNumber('2035-12-31') }).map(fromDayNumber);
const actArb = fc.record(
  { issuer: nonBlankArb, number: nonBlankArb, date: dateArb, title: nameArb },
  { requiredKeys: ['issuer', 'number', 'date'], noNullPrototype: true },
);

// Deadline texts the parser reads, and ones it cannot read paired with a rule a reviewer set by hand.
const PARSED_TEXTS = [
  '2017 жылғы 3-тоқсан',
  'жыл сайын, 1 желтоқсанға дейін',
  'тоқсан сайын келесі айдың 5-не',
  'үнемі',
  '2019-2023 ж.ж.',
  'IV квартал 2017 года',
  'ежегодно, до 25 июля, 25 декабря',
  'Жыл сайын тамыз-қыркүйек, қараша',
  'жылына бір рет',
];
const OVERRIDES: readonly DeadlineRule[] = [
  { kind: 'once', due: '2020-03-25', precision: 'day' },
  { kind: 'annual', by: { month: 2, day: 'last' }, years: { from: 2019 } },
  {
    kind: 'periodic_dates',
    dates: [
      { month: 7, day: 10 },
      { month: 1, day: 10 },
    ],
  },
  { kind: 'semiannual', deadline: { monthsAfterPeriodEnd: 1, day: 10 } },
  { kind: 'during_years', years: { from: 2019, to: 2023 }, note: 'update_annually' },
];
const deadlineArb: fc.Arbitrary<Measure['deadline']> = fc.oneof(
  fc.constantFrom(...PARSED_TEXTS).map((text) => ({ text, rule: parseDeadline(text) })),
  fc
    .tuple(
      fc.constantFrom('қажеттілігіне қарай', 'келісілген мерзімде', 'по согласованию сторон'),
      fc.constantFrom(...OVERRIDES),
    )
    .map(([text, rule]) => ({ text, rule })),
  textArb.map((text) => ({ text, rule: parseDeadline(text) })),
);

const CUSTOM_POLICY: ReportingPolicy = {
  id: 'plan-own',
  name: { kk: 'Өз тәртібі', ru: 'Свой порядок', en: 'Own' },
  period: 'quarter',
  stages: [
    { id: 'executors', from: 'executors', to: { agency: 'ҰҚК' }, deadline: { monthsAfterPeriodEnd: 0, day: 'last' } },
  ],
};

function measureArb(sections: number, codes: readonly string[]): fc.Arbitrary<Measure> {
  const executorsArb = fc
    .uniqueArray(fc.constantFrom(...codes), { minLength: 1, maxLength: 5 })
    .chain((picked) =>
      fc.tuple(
        ...picked.map((code, i) =>
          fc.record(
            { code: fc.constant(code), byAgreement: fc.boolean(), lead: fc.constant(i === 0), group: nonBlankArb },
            { requiredKeys: ['code', 'byAgreement', 'lead'], noNullPrototype: true },
          ),
        ),
      ),
    );
  return fc.record(
    {
      number: nonBlankArb,
      section: sections === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: sections - 1 }), { nil: null }),
      title: nameArb,
      completionForm: optionalNameArb,
      recipient: fc.oneof(
        fc.constant(null),
        fc
          .constantFrom('coordinator', 'pm_office', 'presidential_administration', 'government')
          .map((role) => ({ role })),
        fc.constantFrom(...codes).map((agency) => ({ agency })),
      ),
      executors: executorsArb,
      deadline: deadlineArb,
      indicators: fc.array(
        fc.record(
          {
            name: nameArb,
            unit: fc.option(textArb, { nil: null }),
            targets: fc.dictionary(
              fc.constantFrom('2019', '2020', '2021'),
              fc.oneof(
                fc.integer(),
                fc
                  .double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })
                  .map((x) => (Object.is(x, -0) ? 0 : x)),
                textArb,
              ),
              NO_NULL_PROTO,
            ),
          },
          NO_NULL_PROTO,
        ),
        { maxLength: 2 },
      ),
      cost: fc.oneof(
        fc.constant(null),
        fc.record({ text: textArb }, NO_NULL_PROTO),
        fc.record(
          { text: textArb, amount: fc.integer({ min: 0, max: 1e12 }), currency: fc.constant('KZT' as const) },
          NO_NULL_PROTO,
        ),
      ),
      fundingSource: fc.option(textArb, { nil: null }),
      source: fc.record(
        { line: fc.integer({ min: 1, max: 1e6 }), row: fc.integer({ min: 1, max: 1e6 }) },
        { requiredKeys: [], noNullPrototype: true },
      ),
    },
    {
      requiredKeys: [
        'number',
        'section',
        'title',
        'completionForm',
        'recipient',
        'executors',
        'deadline',
        'indicators',
        'cost',
        'fundingSource',
      ],
      noNullPrototype: true,
    },
  ) as fc.Arbitrary<Measure>;
}

const planArb: fc.Arbitrary<Plan> = fc
  .tuple(
    fc.array(fc.record({ number: fc.option(nonBlankArb, { nil: null }), title: nameArb }, NO_NULL_PROTO), {
      maxLength: 3,
    }),
    fc.subarray(LOCAL_CODES),
  )
  .chain(([sections, local]) => {
    const codes = [...CODES, ...local];
    return fc.record(
      {
        title: nameArb,
        approvedBy: actArb,
        amendments: fc.array(fc.record({ act: actArb, summary: textArb }, NO_NULL_PROTO), { maxLength: 2 }),
        repeal: fc.option(fc.record({ date: dateArb, act: actArb }, NO_NULL_PROTO), { nil: null }),
        years: fc
          .tuple(fc.integer({ min: 1990, max: 2100 }), fc.integer({ min: 0, max: 10 }))
          .map(([from, span]) => ({ from, to: from + span })),
        coordinator: fc.constantFrom(...codes),
        policy: fc.constantFrom(...Object.values(STANDARD_POLICIES), CUSTOM_POLICY),
        shift: fc.constantFrom('next' as const, 'previous' as const, 'none' as const),
        reminders: fc.record(
          {
            offsets: fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }),
            unit: fc.constantFrom('calendar' as const, 'working' as const),
          },
          NO_NULL_PROTO,
        ),
        escalation: fc.array(
          fc.record(
            {
              after: fc.integer({ min: 0, max: 30 }),
              unit: fc.constantFrom('calendar' as const, 'working' as const),
              notify: fc.subarray(
                ['party', 'coordinator', 'coordinator_head', 'pm_office', 'presidential_administration'] as const,
                { minLength: 1 },
              ),
            },
            NO_NULL_PROTO,
          ),
          { maxLength: 3 },
        ),
        sections: fc.constant(sections),
        measures: fc.array(measureArb(sections.length, codes), { minLength: 1, maxLength: 4 }),
        abbreviations: fc
          .tuple(...local.map((code) => nameArb.map((name) => [code, name] as const)))
          .map((entries) => Object.fromEntries(entries)),
      },
      NO_NULL_PROTO,
    );
  });
