// The report's shape: validation naming each field's path, the canonical hash, the field-by-field diff, the pure SHA-256.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  diffReports,
  normalizeReport,
  plannedValues,
  reportContentHash,
  validateReportContent,
  type ReportContent,
  type ReportContext,
} from '../../../domain/report.js';
import { sha256Hex } from '../../../domain/sha256.js';

const ctx: ReportContext = {
  period: '2026',
  measures: [
    { number: '1', indicators: [{ unit: 'бейнеролик' }, { unit: null }] },
    { number: '2', indicators: [] },
  ],
  requireAll: true,
};

const good: ReportContent = {
  period: '2026',
  measures: [
    {
      measure: '1',
      status: 'done',
      narrative: { kk: '10 жоспарланғаннан 7 анимациялық бейнеролик түсірілді' },
      indicators: [{ indicator: 0, value: 7, unit: 'бейнеролик' }],
    },
    { measure: '2', status: 'not_yet_due', narrative: { ru: 'Срок не наступил' }, indicators: [] },
  ],
  events: [
    {
      name: 'Дөңгелек үстел',
      date: '2026-03-10',
      place: 'Астана',
      participants: 40,
      categories: 'жастар',
      experts: 'теологтар',
      annex: 1,
    },
  ],
  risks: [{ risk: 'Қаржы кешігуі', mitigation: 'Демеушілер тартылды' }],
  annexes: [
    { number: 1, title: 'Бағдарлама', url: 'https://example.kz/video' },
    { number: 2, title: 'Хат', fileId: '0b6f8a52-6a55-4f0e-9f57-3d5b3c6b2d11' },
  ],
  signatory: { name: 'А. Нұрланов', position: 'Департамент директоры' },
  signedOn: '2027-01-05',
};

const withMeasure = (i: number, patch: object): unknown => ({
  ...good,
  measures: good.measures.map((m, j) => (j === i ? { ...m, ...patch } : m)),
});

describe('validateReportContent', () => {
  it('accepts a full report', () => {
    expect(validateReportContent(good, ctx)).toEqual([]);
  });

  it.each([
    [
      'a value that is not a number',
      { indicators: [{ indicator: 0, value: '7' }] },
      'measures[0].indicators[0].value: must be a number',
    ],
    [
      'a negative value',
      { indicators: [{ indicator: 0, value: -1 }] },
      'measures[0].indicators[0].value: must not be negative',
    ],
    [
      'an infinite value',
      { indicators: [{ indicator: 0, value: Infinity }] },
      'measures[0].indicators[0].value: must be a number',
    ],
    [
      'a value in the wrong unit',
      { indicators: [{ indicator: 0, value: 7, unit: '%' }] },
      'measures[0].indicators[0].unit',
    ],
    [
      'an indicator the plan lacks',
      { indicators: [{ indicator: 5, value: 1 }] },
      'measures[0].indicators[0].indicator',
    ],
    ['a measure not owed', { measure: '9' }, 'measures[0].measure: "9" is not a measure this agency owes'],
    ['no narrative', { narrative: { kk: ' ' } }, 'measures[0].narrative: say what was done'],
    ['a bad status', { status: 'maybe' }, 'measures[0].status'],
  ])('refuses %s, naming the field', (_, patch, expected) => {
    const problems = validateReportContent(withMeasure(0, patch), ctx);
    expect(problems.join('; ')).toContain(expected);
  });

  it('refuses a missing measure, a wrong period, bad annexes, events and signatory', () => {
    const problems = validateReportContent(
      {
        ...good,
        period: '2025',
        measures: [good.measures[0]],
        annexes: [
          { number: 1, title: 'x', url: 'javascript:alert(1)' },
          { number: 1, title: 'y', url: 'https://a.kz', fileId: '0b6f8a52-6a55-4f0e-9f57-3d5b3c6b2d11' },
        ],
        events: [{ name: 'e', date: '2026-02-30', place: 'p', participants: 1.5, annex: 7 }],
        signatory: { name: '', position: 'x' },
        signedOn: 'yesterday',
      },
      ctx,
    ).join('; ');
    for (const part of [
      'period:',
      'measures: the report must cover every measure owed; missing 2',
      'annexes[0].url',
      'annexes[1].number: annex 1 appears twice',
      'annexes[1]: give exactly one of fileId',
      'events[0].date',
      'events[0].participants',
      'events[0].annex',
      'signatory.name: required',
      'signedOn:',
    ])
      expect(problems).toContain(part);
  });

  it('refuses text PostgreSQL cannot store, naming the path', () => {
    expect(validateReportContent(withMeasure(0, { narrative: { kk: 'a\u0000b' } }), ctx)[0]).toMatch(
      /^content\.measures\[0\]\.narrative\.kk: contains U\+0000/,
    );
  });
});

describe('hash and diff', () => {
  it('hashes the canonical JSON: key order does not matter, content does', () => {
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const shuffled = reversed(good) as ReportContent;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(good));
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 'ы' }] })).toBe('{"a":[1,{"c":"ы","d":2}],"b":1}');
    expect(reportContentHash(normalizeReport(shuffled))).toBe(reportContentHash(normalizeReport(good)));
    expect(reportContentHash(normalizeReport(withMeasure(0, { status: 'in_progress' }) as ReportContent))).not.toBe(
      reportContentHash(normalizeReport(good)),
    );
  });

  it('lists the fields that changed between two versions, measures matched by number', () => {
    const next = {
      ...good,
      measures: [
        good.measures[1]!,
        { ...good.measures[0]!, indicators: [{ indicator: 0, value: 10, unit: 'бейнеролик' }] },
      ],
      annexes: [...good.annexes, { number: 3, title: 'Фото', url: 'https://example.kz/p' }],
    };
    expect(diffReports(good, good)).toEqual([]);
    expect(diffReports(good, next)).toEqual([
      { path: 'measures[measure=1].indicators[0].value', from: 7, to: 10 },
      { path: 'annexes[number=3]', from: null, to: { number: 3, title: 'Фото', url: 'https://example.kz/p' } },
    ]);
  });

  it('reads planned values for the period’s year', () => {
    expect(
      plannedValues([{ targets: { '2026': 10 } }, { targets: { '2026': '12,5' } }, { targets: {} }], '2026-H1'),
    ).toEqual([10, 12.5, null]);
  });

  it('computes SHA-256 as node:crypto does', () => {
    for (const s of ['', 'abc', 'Мерзім — ', 'x'.repeat(1000), '😀'.repeat(33)])
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
  });
});
