// The agencies directory seed and finding agencies the way plans print them; executor cells: groups by date, by-agreement marks, noise.
import { describe, expect, it } from 'vitest';
import { agenciesOfKindOn, agencyExistsOn, findAgencyByName } from '../../../domain/agencies.js';
import { AGENCIES_SEED, findAgency } from '../../../domain/agencies-seed.js';
import { parseExecutors } from '../../../domain/import/executors.js';
import { createResolver } from '../../../domain/import/resolve.js';
import { Diagnostics } from '../../../domain/import/result.js';
import type { MeasureExecutor } from '../../../domain/plan.js';

const seed = AGENCIES_SEED;
const resolver = createResolver(seed, [], new Diagnostics());
const codes = (executors: readonly MeasureExecutor[]): string[] =>
  executors.map((e) => `${e.code}${e.lead ? '*' : ''}${e.byAgreement ? '(к)' : ''}`);

describe('the agencies directory seed', () => {
  it('has unique codes, and no alias that is another agency’s code or alias', () => {
    const keys = new Map<string, string>();
    for (const agency of seed) {
      for (const name of [agency.code, ...(agency.aliases ?? [])]) {
        const owner = keys.get(name);
        expect(owner === undefined || owner === agency.code, `${name} belongs to ${owner} and ${agency.code}`).toBe(
          true,
        );
        keys.set(name, agency.code);
      }
    }
  });

  it('names every body of the seeds’ glossaries (the budgets РБ and ЖБ are not bodies)', () => {
    const glossary000 = [
      'АКМ',
      'АҚДМ',
      'БҒМ',
      'БП',
      'ДИАҚМ',
      'ДСМ',
      'ЕҚЫҰ',
      'ІІМ',
      'Қаржымині',
      'Қорғанысмині',
      'ҚСЗИ',
      'МСМ',
      'МҚІСҚА',
      'СІМ',
      'СБҚ "Сырбар"',
      'ҰЭМ',
      'ҰҚК',
      'ҮЕҰ',
      'Ы. Алтынсарин атындағы ҰБА',
      'ЭЫДҰ',
    ];
    for (const code of glossary000) expect(findAgency(code, seed), code).toBeDefined();
    // Seed 002's glossary: ІМ is its own code for the Interior Ministry, found by the full name it gives.
    for (const name of [
      'Ішкі істер министрлігі',
      'Әділет министрлігі',
      'Ақпарат және қоғамдық даму министрлігі',
      'Денсаулық сақтау министрлігі',
      'Білім және ғылым министрлігі',
    ]) {
      expect(findAgencyByName(name, seed), name).toBeDefined();
    }
  });

  it('has the 17 regions of today, the three cities, the PM Office and the Presidential Administration', () => {
    expect(agenciesOfKindOn('regional_akimat', '2024-01-01', seed).map((a) => a.code)).toEqual([
      'Абай облысы',
      'Ақмола облысы',
      'Ақтөбе облысы',
      'Алматы облысы',
      'Атырау облысы',
      'Батыс Қазақстан облысы',
      'Жамбыл облысы',
      'Жетісу облысы',
      'Қарағанды облысы',
      'Қостанай облысы',
      'Қызылорда облысы',
      'Маңғыстау облысы',
      'Павлодар облысы',
      'Солтүстік Қазақстан облысы',
      'Түркістан облысы',
      'Ұлытау облысы',
      'Шығыс Қазақстан облысы',
    ]);
    expect(agenciesOfKindOn('city_akimat', '2024-01-01', seed).map((a) => a.code)).toEqual([
      'Астана',
      'Алматы',
      'Шымкент',
    ]);
    expect(seed.filter((a) => a.kind === 'pm_office').map((a) => a.code)).toEqual(['ПМК']);
    expect(seed.filter((a) => a.kind === 'presidential_administration').map((a) => a.code)).toEqual(['ПӘ']);
  });

  it('dates the regions: Абай, Жетісу, Ұлытау since 8 June 2022; South Kazakhstan became Turkistan on 19 June 2018', () => {
    for (const code of ['Абай облысы', 'Жетісу облысы', 'Ұлытау облысы'])
      expect(findAgency(code, seed)?.since).toBe('2022-06-08');
    const south = findAgency('Оңтүстік Қазақстан облысы', seed);
    expect(south?.successor).toMatchObject({ code: 'Түркістан облысы', date: '2018-06-19' });
    expect(agencyExistsOn(south as never, '2018-06-18')).toBe(true);
    expect(agencyExistsOn(south as never, '2018-06-19')).toBe(false);
    expect(agenciesOfKindOn('regional_akimat', '2017-09-19', seed)).toHaveLength(14);
  });

  it('keeps Astana one agency under its three names', () => {
    for (const name of ['Астана', 'Нұр-Сұлтан', 'Нур-Султан', 'Нұр–Сұлтан', 'г. Астана'])
      expect(findAgency(name, seed)?.code).toBe('Астана');
  });

  it('marks by agreement the bodies outside the Government, and follows ДІАҚМ to АҚДМ', () => {
    const byAgreement = seed.filter((a) => a.byAgreement).map((a) => a.code);
    for (const code of ['ҰҚК', 'БП', 'ЖС', 'ЖСК', 'ҰБ', 'МКҚ', 'СЖҚА', 'ҚМА', 'ЮНИСЕФ', 'ҮЕҰ'])
      expect(byAgreement).toContain(code);
    for (const code of ['АҚДМ', 'БҒМ', 'ПМК', 'Астана', 'Абай облысы']) expect(byAgreement).not.toContain(code);
    expect(findAgency('ДІАҚМ', seed)?.successor).toMatchObject({ code: 'АҚДМ', date: '2018-06-28' });
    for (const agency of seed)
      if (agency.successor) expect(findAgency(agency.successor.code, seed)?.code).toBe(agency.successor.code);
    expect(findAgency('ЮНИСЕФ', seed)?.lang).toBe('ru');
  });

  it('carries no contact addresses (demo contacts are added separately)', () => {
    expect(seed.every((a) => a.contacts.length === 0)).toBe(true);
  });
});

describe('findAgency tolerates how plans print codes', () => {
  it.each([
    ['Б F M', 'БҒМ'],
    ['БFM', 'БҒМ'],
    ['Д C M', 'ДСМ'],
    ['ҰҚК ', 'ҰҚК'],
    [' ҰҚК', 'ҰҚК'],
    ['KHБ', 'ҰҚК'],
    ['MO', 'Қорғанысмині'],
    ['ДИАҚМ', 'ДІАҚМ'],
    ['"Сырбар" СБҚ', 'СБҚ "Сырбар"'],
    ['Ы . Алтынсарин атындағы ҰБА', 'Ы. Алтынсарин атындағы ҰБА'],
    ['МИОР', 'АҚДМ'],
    ['UNICEF', 'ЮНИСЕФ'],
    ['ҰЕҰ', 'ҮЕҰ'],
  ])('%s → %s', (printed, code) => {
    expect(findAgency(printed, seed)?.code).toBe(code);
  });

  it('finds nothing for codes nobody defined', () => {
    for (const code of ['ПМ', 'ИМ', 'ПИК', '', '  ']) expect(findAgency(code, seed)).toBeUndefined();
  });
});

describe('executor cells', () => {
  it('expands a group to the akimats that existed on the plan’s date', () => {
    const group = 'облыстардың, республикалық маңызы бар қалалардың және астананың әкімдіктері';
    const at2017 = parseExecutors(group, resolver, '2017-09-19').executors.map((e) => e.code);
    expect(at2017).toHaveLength(16);
    expect(at2017).toContain('Оңтүстік Қазақстан облысы');
    expect(at2017).not.toContain('Шымкент');
    const at2019 = parseExecutors(group, resolver, '2019-04-11').executors.map((e) => e.code);
    expect(at2019).toHaveLength(17);
    expect(at2019).toContain('Түркістан облысы');
    expect(at2019).toContain('Шымкент');
    expect(parseExecutors(group, resolver, '2023-01-01').executors).toHaveLength(20);
    expect(parseExecutors(group, resolver, '2019-04-11').executors.every((e) => e.group === group)).toBe(true);
  });

  it.each([
    ['облыстардың, Астана және Алматы қалаларының әкімдіктері', 16],
    ['облыс әкімдіктері, Нұр-Сұлтан, Алматы, Шымкент', 17],
    ['облыс әкімдіктері, гг. Нұр-Сұлтан, Алматы, Шымкент', 17],
    ['облыс әкімдіктері Нұр-Сұлтан, Алматы, Шымкент', 17],
    ['облыстардың, республикалық маңызы бар қалалардың және астананың әкімдіктері', 17],
    ['республикалық маңызы бар қалалардың және астананың әкімдіктері', 3],
    ['акиматы областей, городов Астаны, Алматы и Шымкента', 17],
    ['акиматы областей, городов республиканского значения и столицы', 17],
    ['акиматы городов Астаны и Алматы', 2],
    ['МИО', 17],
    ['жергілікті атқарушы органдар', 17],
  ])('"%s" is %i akimats in 2019', (cell, count) => {
    const parsed = parseExecutors(cell, resolver, '2019-06-01');
    expect(parsed.executors).toHaveLength(count);
    expect(parsed.problems).toEqual([]);
  });

  it('reads a group however long its list of cities (one way to split it, so no backtracking blow-up)', () => {
    const cell = `облыс әкімдіктері${' Алматы,'.repeat(40)} Шымкент ПИК`;
    expect(
      parseExecutors(cell, resolver, '2019-06-01')
        .executors.map((e) => e.code)
        .slice(-3),
    ).toEqual(['Алматы', 'Шымкент', 'ПИК']);
  });

  it('reads the by-agreement marks however they are printed, and bodies by agreement unmarked', () => {
    const parsed = parseExecutors(
      'ДСМ, ҰҚК (келісім бойынша), МИОР (по согласованию), ПМК келісім бойынша), БП, Қаржымині',
      resolver,
      '2019-01-01',
    );
    expect(codes(parsed.executors)).toEqual(['ДСМ*', 'ҰҚК(к)', 'АҚДМ(к)', 'ПМК(к)', 'БП(к)', 'Қаржымині']);
  });

  it('makes the first listed executor the lead, and every member of a group listed first', () => {
    expect(codes(parseExecutors('ІІМ, БҒМ', resolver, '2019-01-01').executors)).toEqual(['ІІМ*', 'БҒМ']);
    const first = parseExecutors('акиматы городов Астаны и Алматы, МОН', resolver, '2019-01-01').executors;
    expect(codes(first)).toEqual(['Астана*', 'Алматы*', 'БҒМ']);
  });

  it('splits codes that lost their commas, keeps unknown words as printed and says so', () => {
    const parsed = parseExecutors(
      'АҚДМ, «Өрлеу» ҰЕҰ ЮНИСЕФ (келісім бойынша), ПМ, діни бірлестіктер',
      resolver,
      '2019-01-01',
    );
    expect(codes(parsed.executors)).toEqual(['АҚДМ*', '«Өрлеу»', 'ҮЕҰ(к)', 'ЮНИСЕФ(к)', 'ПМ', 'діни бірлестіктер']);
    expect(parsed.problems).toEqual([
      { kind: 'unknown_executor', text: '«Өрлеу»', index: 1 },
      { kind: 'unknown_abbreviation', text: 'ПМ', index: 4 },
      { kind: 'unknown_executor', text: 'діни бірлестіктер', index: 5 },
    ]);
  });

  it('keeps a code listed twice once, and a sub-unit in brackets as a detail of its agency', () => {
    const parsed = parseExecutors('ДСМ (РНПЦПН), АҚДМ, ДСМ', resolver, '2019-01-01');
    expect(codes(parsed.executors)).toEqual(['ДСМ*', 'АҚДМ']);
    expect(parsed.details).toEqual([{ code: 'ДСМ', detail: 'РНПЦПН' }]);
  });

  it('cannot expand a group without a date, and says so', () => {
    const parsed = parseExecutors('АҚДМ, облыс әкімдіктері', resolver, undefined);
    expect(parsed.problems).toEqual([{ kind: 'group_without_date', text: 'облыс әкімдіктері', index: 1 }]);
  });
});
