// Issue 13, point 4: a deadline cell ending in a footnote marker takes its reporting rule (recipient and dates) from the note
// under the table; the rule becomes stages of the measure's executors to that recipient in each cycle holding its dates.
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { previewCycle } from '../../../domain/cycle-timeline.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { readFootnotes, readFootnoteRecipient, reportingOf, trailingMarker } from '../../../domain/import/footnotes.js';
import { applyMetadata } from '../../../domain/import/metadata.js';
import { createResolver } from '../../../domain/import/resolve.js';
import { Diagnostics } from '../../../domain/import/result.js';
import { exportCanonical, parseCanonical } from '../../../domain/import/canonical.js';
import type { Plan } from '../../../domain/plan.js';
import { fixtureText } from './helpers.js';

const opts = { directory: AGENCIES_SEED };
const resolver = createResolver(AGENCIES_SEED, [], new Diagnostics());

const HEADER = '№\tІс-шараның атауы\tАяқталу нысаны\tЖауапты орындаушылар\tОрындау мерзімі';
function table(deadlines: readonly string[], notes: readonly string[]): string {
  return [
    'Іс-шаралар жоспары',
    HEADER,
    ...deadlines.map(
      (d, i) => `${i + 1}\tДіни экстремизмнің алдын алу жұмысы ${i + 1}\tАҚДМ-ға ақпарат\tІІМ, БҒМ\t${d}`,
    ),
    '',
    ...notes,
  ].join('\n');
}

describe('the marker → the footnote', () => {
  it.each([
    ['2021 – 2023 жылдар*', '*'],
    ['2021 – 2023 жылдар *', '*'],
    ['жыл сайын**', '**'],
    ['жыл сайын ** ', '**'],
    ['ежегодно, к 10 января ***', '***'],
    ['2022 жылғы желтоқсан¹', '¹'],
    ['жыл сайын', undefined],
    ['**жыл сайын**', '**'],
  ])('%j ends in %j', (cell, marker) => {
    expect(trailingMarker(cell)).toBe(marker);
  });

  it('"**" resolves to the second footnote, "*" to the first, with or without a space after the note\'s marker', () => {
    const text = table(
      ['жыл сайын *', 'жыл сайын**', 'жыл сайын ***'],
      [
        '*Ақпарат ҚР Үкіметіне жылына екі рет, 5 шілдеге және 5 қаңтарға дейін беріледі.',
        '** Ақпарат Ұлттық қауіпсіздік комитетіне 20 желтоқсанға дейін беріледі.',
        '***   Информация в МВД к 1 марта.',
      ],
    );
    const notes = readFootnotes(text.split('\n'), 5, text.split('\n').length);
    expect([...notes.keys()]).toEqual(['*', '**', '***']);
    const measures = importDecreeText(text, opts).plan!.measures;
    expect(measures.map((m) => [m.reporting?.marker, m.reporting?.recipient])).toEqual([
      ['*', { role: 'government' }],
      ['**', { agency: 'ҰҚК' }],
      ['***', { agency: 'ІІМ' }],
    ]);
    expect(measures[1]!.reporting!.text).toBe('Ақпарат Ұлттық қауіпсіздік комитетіне 20 желтоқсанға дейін беріледі.');
    expect(measures[1]!.reporting!.rule).toEqual({ kind: 'annual', by: { month: 12, day: 20 } });
  });

  it.each([
    ['kk', '* Ақпарат ҚР Үкіметіне жылына екі рет, 5 шілдеге және 5 қаңтарға дейін беріледі.'],
    ['ru', '* Информация представляется в Правительство Республики Казахстан два раза в год, к 5 июля и 5 января.'],
  ])('a note naming two dates (%s) is two days a year, to the Government', (_lang, note) => {
    const r = reportingOf({ marker: '*', text: note.slice(2), line: 7 }, resolver);
    expect(r.reporting.recipient).toEqual({ role: 'government' });
    expect(r.reporting.rule).toEqual({
      kind: 'periodic_dates',
      dates: [
        { month: 7, day: 5 },
        { month: 1, day: 5 },
      ],
    });
    expect(r.unknown).toBeUndefined();
  });

  it('a note that names no date stays a diagnostic, never a guess', () => {
    const result = importDecreeText(
      table(['жыл сайын*'], ['* Ақпарат Ұлттық қауіпсіздік комитетіне талдау нәтижелері бойынша беріледі.']),
      opts,
    );
    const m = result.plan!.measures[0]!;
    expect(m.reporting?.rule.kind).toBe('unparsed');
    const warning = result.diagnostics.find((d) => d.code === 'footnote_unparsed');
    expect(warning).toMatchObject({ severity: 'warning', field: 'measures[0].reporting' });
    expect(warning?.message).toContain('талдау нәтижелері бойынша');
    // No stage is made of it: the measure is reported in the regular stage only.
    const spec = specOf({ ...planOf(result.plan!), measures: [m] }, '2026');
    expect(spec.stages.map((s) => s.id)).toEqual(['executors', 'summary', 'pm-office']);
  });

  it("a note naming no body goes to the plan's coordinator; one naming a body nobody knows is an error until answered", () => {
    expect(
      readFootnoteRecipient('Ақпарат жылына екі рет, 5 шілдеге және 5 қаңтарға дейін беріледі.', resolver),
    ).toEqual({
      kind: 'none',
    });
    expect(readFootnoteRecipient('Ақпарат ХЗК-ға 5 шілдеге дейін беріледі.', resolver)).toEqual({
      kind: 'unknown',
      name: 'ХЗК',
    });
    expect(
      readFootnoteRecipient(
        'Ақпарат Қазақстан Республикасының Су ресурстары министрлігіне 5 шілдеге беріледі.',
        resolver,
      ),
    ).toEqual({ kind: 'unknown', name: 'Су ресурстары министрлігі' });
    expect(
      readFootnoteRecipient('Информация в Агентство водных ресурсов Республики Казахстан к 5 июля.', resolver),
    ).toEqual({ kind: 'unknown', name: 'Агентство водных ресурсов' });
    const text = table(
      ['жыл сайын*', 'жыл сайын**'],
      ['* Ақпарат ХЗК-ға 5 шілдеге дейін беріледі.', '** Информация в Агентство водных ресурсов к 5 июля.'],
    );
    const result = importDecreeText(text, opts);
    const errors = result.diagnostics.filter((d) => d.code === 'footnote_unknown_recipient');
    expect(errors.map((d) => [d.severity, d.field])).toEqual([
      ['error', 'measures[0].reporting'],
      ['error', 'measures[1].reporting'],
    ]);
    expect(errors[0]!.message).toContain('ХЗК-ға 5 шілдеге');
    // The reviewer answers it as an unknown code: mapped to an agency, or ignored (the coordinator receives it).
    const answered = applyMetadata(
      result,
      { map: { ХЗК: 'ҰҚК' }, ignore: ['Агентство водных ресурсов'] },
      AGENCIES_SEED,
    );
    expect(answered.diagnostics.some((d) => d.code === 'footnote_unknown_recipient')).toBe(false);
    expect(answered.plan!.measures.map((m) => m.reporting?.recipient)).toEqual([{ agency: 'ҰҚК' }, null]);
    expect(answered.diagnostics.filter((d) => d.code.startsWith('footnote_recipient_')).map((d) => d.code)).toEqual([
      'footnote_recipient_mapped',
      'footnote_recipient_ignored',
    ]);
  });
});

function planOf(imported: Plan): Plan {
  return {
    ...imported,
    coordinator: 'АҚДМ',
    approvedBy: { issuer: 'government', number: '1', date: '2025-12-15' },
    years: { from: 2026, to: 2028 },
  };
}

function specOf(plan: Plan, period: string) {
  const result = cycleSpecFromPlan({
    planId: 'p1',
    plan,
    directory: AGENCIES_SEED,
    period,
    calendar: KZ_WORKING_CALENDAR,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

describe.each(['kk', 'ru'])('a decree whose table has footnotes (%s)', (lang) => {
  const result = importDecreeText(fixtureText(`footnotes-${lang}.txt`), opts);

  it('imports it with the reporting rule and a diagnostic quoting the note', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [first, second, third] = result.plan!.measures;
    expect(first!.reporting).toMatchObject({
      marker: '*',
      recipient: { agency: 'ҰҚК' },
      rule: {
        kind: 'periodic_dates',
        dates: [
          { month: 12, day: 20 },
          { month: 1, day: 5 },
        ],
      },
    });
    expect(second!.reporting?.rule.kind).toBe('unparsed');
    expect(third!.reporting).toBeUndefined();
    const info = result.diagnostics.find((d) => d.code === 'footnote_reporting')!;
    expect(info.field).toBe('measures[0].reporting');
    expect(info.message).toContain(first!.reporting!.text.slice(0, 60));
  });

  it("gives each cycle the note's dates as stages of the executors to ҰҚК, shifted off days off", () => {
    const spec = specOf(result.plan!, '2026');
    const notes = spec.stages.filter((s) => s.footnote !== undefined);
    expect(
      notes.map((s) => [s.id, s.from, s.to, s.recipient?.agencyCode, s.dueDate, s.parties.map((p) => p.agencyCode)]),
    ).toEqual([
      ['measure-1-note-1', 'executors', 'coordinator', 'ҰҚК', '2026-12-20', ['ІІМ', 'БҒМ']],
      ['measure-1-note-2', 'executors', 'coordinator', 'ҰҚК', '2027-01-05', ['ІІМ', 'БҒМ']],
    ]);
    expect(notes[0]!.footnote).toEqual({ measure: '1.', marker: '*', text: result.plan!.measures[0]!.reporting!.text });
    // 20 December 2026 is a Sunday: due the Monday after, at the end of the day in Almaty (the plan shifts 'next').
    expect(notes[0]!.dueInstant).toBe('2026-12-21T18:59:59.999Z');
    // The executors still owe the measure in the regular stage, to the coordinator.
    expect(spec.stages.find((s) => s.id === 'executors')!.parties.map((p) => p.agencyCode)).toEqual(['ІІМ', 'БҒМ']);
    // The preview shows them with the note and the recipient.
    const preview = previewCycle(spec, KZ_WORKING_CALENDAR);
    const o = preview.obligations.find((x) => x.stageId === 'measure-1-note-1' && x.agencyCode === 'ІІМ')!;
    expect(o.effectiveDueDate).toBe('2026-12-21');
    expect(o.receiver).toBe('ҰҚК');
    expect(o.footnote?.marker).toBe('*');
    // Outside the years of the measure (2026–2028) no note stage.
    expect(specOf({ ...result.plan!, years: { from: 2026, to: 2029 } }, '2029').stages.some((s) => s.footnote)).toBe(
      false,
    );
    // A cycle opened before spec version 3 is compared without them.
    const old = cycleSpecFromPlan({
      planId: 'p1',
      plan: result.plan!,
      directory: AGENCIES_SEED,
      period: '2026',
      calendar: KZ_WORKING_CALENDAR,
      footnoteStages: false,
    });
    expect(old.ok && old.spec.stages.some((s) => s.footnote !== undefined)).toBe(false);
  });

  it("follows the recipient to its successor in force on each of the note's dates", () => {
    const directory = AGENCIES_SEED.map((a) =>
      a.code === 'ҰҚК' ? { ...a, successor: { code: 'СІМ', date: '2026-12-25' } } : a,
    );
    const built = cycleSpecFromPlan({
      planId: 'p1',
      plan: result.plan!,
      directory,
      period: '2026',
      calendar: KZ_WORKING_CALENDAR,
    });
    expect(built.ok).toBe(true);
    const notes = built.ok ? built.spec.stages.filter((s) => s.footnote !== undefined) : [];
    expect(notes.map((s) => [s.id, s.recipient?.agencyCode])).toEqual([
      ['measure-1-note-1', 'ҰҚК'],
      ['measure-1-note-2', 'СІМ'],
    ]);
  });

  it('carries the rule through the plan document (YAML and JSON)', () => {
    for (const syntax of ['yaml', 'json'] as const) {
      const back = parseCanonical(exportCanonical(result.plan!, syntax), syntax, opts);
      expect(back.plan?.measures[0]?.reporting).toEqual(result.plan!.measures[0]!.reporting);
      expect(specOf(back.plan!, '2026').stages.filter((s) => s.footnote).length).toBe(2);
    }
  });
});
