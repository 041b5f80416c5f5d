// Group executors — "облыстардың, Астана және Алматы қалаларының әкімдіктері", "акиматы областей, городов Астаны, Алматы и Шымкента", "МИО" — found in a cell and expanded to one akimat each.
import { agenciesOfKindOn, findAgency } from '../agencies.js';
import type { IsoDate } from '../dates.js';
import type { Agency } from '../plan.js';

export interface GroupMatch {
  readonly start: number;
  readonly end: number;
  /** The words of the cell that named the group, as printed. */
  readonly text: string;
  readonly regions: boolean;
  /** Every city of republican significance (with or without the capital, see `capital`). */
  readonly republicanCities: boolean;
  readonly capital: boolean;
  readonly almaty: boolean;
  readonly shymkent: boolean;
}

// City names as the groups print them, in the cases they take ("Астаны", "Шымкента", "Нұр-Сұлтан").
const KK_CITY =
  '(?:республикалық\\s+маңызы\\s+бар\\s+қалалард[ыа]ң|астананың|астана|нұр-сұлтан|алматы(?!\\s+облыс)|шымкент)';
const RU_CITY =
  '(?:республиканского\\s+значения|столиц[ыа]|астан[аыу]|нур-султан[аеу]?|алматы(?!\\s+област)|шымкент[аеу]?)';
const CITY_PREFIX = '(?:(?:гг?|город(?:ов|а)?)\\.?\\s*)?';
// Between list items: a comma or "and" with any spaces, or spaces alone — one way to match each, so a long list never backtracks exponentially.
const KK_SEP = '(?:\\s*(?:,|және)\\s*|\\s+)';
const RU_SEP = '(?:\\s*(?:,|и)\\s*|\\s+)';

const PATTERNS: readonly string[] = [
  // "облыстардың, Астана және Алматы қалаларының әкімдіктері", "облыстардың, республикалық маңызы бар қалалардың және астананың әкімдіктері".
  `облыстард[ыа]ң(?:${KK_SEP}${KK_CITY})*(?:\\s+қалаларының)?\\s+әкімдіктер[іи]`,
  // "облыс әкімдіктері, гг. Нұр-Сұлтан, Алматы, Шымкент" (commas often missing).
  `облыс(?:тар(?:дың)?)?\\s+әкімдіктер[іи](?:${KK_SEP}${CITY_PREFIX}${KK_CITY}(?:\\s+қалалары(?:ның)?)?)*`,
  // Cities only: "республикалық маңызы бар қалалардың және астананың әкімдіктері", "Астана және Алматы қалаларының әкімдіктері".
  `${KK_CITY}(?:${KK_SEP}${KK_CITY})*(?:\\s+қалаларының)?\\s+әкімдіктер[іи]`,
  // "акиматы областей, городов Астаны, Алматы и Шымкента", "акиматы областей, городов республиканского значения и столицы".
  `акимат(?:ы|ов)\\s+(?:областей|городов)(?:${RU_SEP}${CITY_PREFIX}${RU_CITY})*`,
  // Local executive bodies: every akimat.
  `местные\\s+исполнительные\\s+органы|жергілікті\\s+атқарушы\\s+органдар(?:ы|дың)?|(?<![\\p{L}])(?:МИО|ЖАО)(?![\\p{L}])`,
];

const GROUP_RE = new RegExp(PATTERNS.map((p) => `(${p})`).join('|'), 'giu');

/** Every group named in `text` (already cleaned of HTML and with hyphens for dashes), in order, not overlapping. */
export function findGroups(text: string): GroupMatch[] {
  const found: GroupMatch[] = [];
  for (const m of text.matchAll(GROUP_RE)) {
    const words = m[0].toLowerCase();
    const local = m[5] !== undefined;
    const regions = local || /облыс|областей/.test(words);
    found.push({
      start: m.index,
      end: m.index + m[0].length,
      text: m[0],
      regions,
      republicanCities: local || /республикалық|республиканского/.test(words),
      capital: local || /астан|нұр-сұлтан|нур-султан|столиц/.test(words),
      almaty: /алматы/.test(words),
      shymkent: /шымкент/.test(words),
    });
  }
  return found;
}

/**
 * The akimats a group means on `date`, in directory order: the regions that existed then, the
 * capital, Almaty and Shymkent when named, and every city of republican significance of the day
 * when the group says so. A city a group names explicitly is included whatever the date.
 */
export function expandGroup(group: GroupMatch, date: IsoDate, directory: readonly Agency[]): Agency[] {
  const members: Agency[] = group.regions ? agenciesOfKindOn('regional_akimat', date, directory) : [];
  const capital = findAgency('Астана', directory);
  const cities = new Set<Agency>();
  if (group.republicanCities) {
    for (const city of agenciesOfKindOn('city_akimat', date, directory)) if (city !== capital) cities.add(city);
  }
  if (group.capital && capital !== undefined) cities.add(capital);
  const almaty = findAgency('Алматы', directory);
  const shymkent = findAgency('Шымкент', directory);
  if (group.almaty && almaty !== undefined) cities.add(almaty);
  if (group.shymkent && shymkent !== undefined) cities.add(shymkent);
  return [...members, ...directory.filter((agency) => cities.has(agency))];
}
