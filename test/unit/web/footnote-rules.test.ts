// The reporting rules footnotes set, as the import review page and the plan's page show them (kk, ru, en).
import { describe, expect, it } from 'vitest';
import { translator } from '../../../api/web/i18n/index.js';
import { footnoteRules } from '../../../api/web/pages/admin-plans.js';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { importDecreeText } from '../../../domain/import/adilet.js';
import { fixtureText } from '../import/helpers.js';

const nameOf = (lang: 'kk' | 'ru' | 'en') => (code: string) => {
  const a = AGENCIES_SEED.find((x) => x.code === code);
  return a === undefined ? code : ((lang === 'ru' ? a.name.ru : a.name.kk) ?? code);
};

describe('footnote rules on the pages', () => {
  const kkPlan = importDecreeText(fixtureText('footnotes-kk.txt'), { directory: AGENCIES_SEED }).plan!;
  const ruPlan = importDecreeText(fixtureText('footnotes-ru.txt'), { directory: AGENCIES_SEED }).plan!;

  it.each([
    [
      'kk',
      kkPlan,
      [
        'Сілтемелер белгілейтін есеп беру тәртібі',
        'жыл сайын: 20 желтоқсан, 5 қаңтар',
        'ҰҚК — Қазақстан Республикасының Ұлттық қауіпсіздік комитеті',
        'Мерзімдері танылмады',
      ],
    ],
    [
      'ru',
      ruPlan,
      [
        'Порядок представления информации, установленный сносками',
        'ежегодно: 20 декабря, 5 января',
        'ҰҚК — Комитет национальной безопасности Республики Казахстан',
        'Сроки не распознаны',
      ],
    ],
    ['en', kkPlan, ['Reporting rules set by footnotes', 'every year: 20 December, 5 January', 'Dates not understood']],
  ] as const)('%s: the measure, the note quoted, to whom and when', (lang, plan, texts) => {
    const out = footnoteRules(translator(lang), plan.measures, nameOf(lang)).value;
    for (const text of texts) expect(out).toContain(text);
    // The note is quoted whole; the measure without a marker is not listed.
    expect(out).toContain(plan.measures[0]!.reporting!.text);
    expect(out.match(/<tr>/g)).toHaveLength(3);
  });

  it('says when the note names no body, or one nobody knows, and shows nothing without footnotes', () => {
    const t = translator('ru');
    const m = kkPlan.measures[0]!;
    const none = footnoteRules(t, [{ ...m, reporting: { ...m.reporting!, recipient: null } }], nameOf('ru')).value;
    expect(none).toContain('Координатору плана (в сноске орган не назван)');
    const unknown = footnoteRules(t, [{ ...m, reporting: { ...m.reporting!, recipient: null } }], nameOf('ru'), [
      {
        severity: 'error',
        code: 'footnote_unknown_recipient',
        message: 'measure 1: footnote * … sends the information to "ХЗК", which is neither …',
        field: 'measures[0].reporting',
      },
    ]).value;
    expect(unknown).toContain('«ХЗК» нет в справочнике');
    expect(footnoteRules(t, [kkPlan.measures[2]!], nameOf('ru')).value).toBe('');
  });
});
