// The columns of an action plan's table and the header words (Kazakh, Russian, English) each is known by, shared by every importer and the templates.
import { cellText } from './text.js';

export type ColumnRole =
  'number' | 'section' | 'title' | 'completionForm' | 'executors' | 'deadline' | 'cost' | 'funding';

export interface ColumnSpec {
  readonly role: ColumnRole;
  /** The header the templates print, per language. */
  readonly label: { readonly kk: string; readonly ru: string; readonly en: string };
  /** Normalised header texts that name the column (see normalizeHeader); a header matches when it equals one or starts with one. */
  readonly aliases: readonly string[];
  /** Required by the spreadsheet importer (the decree importer needs the same three). */
  readonly required: boolean;
}

export const COLUMNS: readonly ColumnSpec[] = [
  {
    role: 'number',
    label: { kk: '№ р/с', ru: '№ п/п', en: 'No.' },
    aliases: ['№', '№ р/с', 'р/с №', '№ п/п', 'п/п №', 'р/с', 'п/п', '№ пп', 'no', 'number', 'нөмірі', 'номер'],
    required: false,
  },
  {
    role: 'section',
    label: { kk: 'Бөлім', ru: 'Раздел', en: 'Section' },
    aliases: ['бөлім', 'бөлімі', 'раздел', 'направление', 'бағыт', 'section'],
    required: false,
  },
  {
    role: 'title',
    label: { kk: 'Іс-шараның атауы', ru: 'Наименование мероприятия', en: 'Measure' },
    aliases: [
      'іс-шараның атауы',
      'іс-шаралардың атауы',
      'іс-шаралар',
      'іс-шара',
      'атауы',
      'наименование мероприятия',
      'наименование мероприятий',
      'наименование',
      'мероприятия',
      'мероприятие',
      'measure',
      'title',
    ],
    required: true,
  },
  {
    role: 'completionForm',
    label: { kk: 'Аяқталу нысаны', ru: 'Форма завершения', en: 'Completion form' },
    aliases: [
      'аяқталу нысаны',
      'аяқтау нысаны',
      'аяқталу нысандары',
      'нысаны',
      'форма завершения',
      'форма окончания',
      'completion form',
    ],
    required: false,
  },
  {
    role: 'executors',
    label: { kk: 'Жауапты орындаушылар', ru: 'Ответственные исполнители', en: 'Executors' },
    aliases: [
      'жауапты орындаушылар',
      'жауапты орындаушы',
      'орындаушылар',
      'жауаптылар',
      'ответственные исполнители',
      'ответственный исполнитель',
      'ответственные за исполнение',
      'исполнители',
      'executors',
      'responsible',
    ],
    required: true,
  },
  {
    role: 'deadline',
    label: { kk: 'Орындау мерзімі', ru: 'Срок исполнения', en: 'Deadline' },
    aliases: [
      'орындау мерзімі',
      'орындау мерзімдері',
      'орындалу мерзімі',
      'орындалу мерзімдері',
      'іске асыру мерзімі',
      'мерзімі',
      'срок реализации',
      'сроки реализации',
      'срок выполнения',
      'срок исполнения',
      'сроки исполнения',
      'срок',
      'сроки',
      'deadline',
      'due',
    ],
    required: true,
  },
  {
    role: 'cost',
    label: {
      kk: 'Болжамды шығыстар (млн. теңге)',
      ru: 'Предполагаемые расходы (млн. тенге)',
      en: 'Estimated cost (million KZT)',
    },
    aliases: [
      'болжамды шығыстар',
      'болжамды шығындар',
      'болжамды шығын',
      'предполагаемые расходы',
      'предполагаемые затраты',
      'estimated cost',
      'cost',
    ],
    required: false,
  },
  {
    role: 'funding',
    label: { kk: 'Қаржыландыру көзі', ru: 'Источник финансирования', en: 'Funding source' },
    aliases: [
      'қаржыландыру көздері',
      'қаржыландыру көзі',
      'источники финансирования',
      'источник финансирования',
      'funding source',
      'funding',
    ],
    required: false,
  },
];

/** A header cell lower-cased, without HTML, units in brackets, trailing punctuation or doubled spaces; a word hyphenated at a line end ("орындау-\nшылар", "Ответствен- ные") joined again. */
export function normalizeHeader(text: string): string {
  return (
    cellText(text.replace(/\u00ad/g, '').replace(/(\p{L})[‐‑‒–—―−-][ \t]*(?:\r?\n|\r)[ \t]*(\p{Ll})/gu, '$1$2'))
      .toLowerCase()
      .replace(/\([^)]*\)/g, ' ')
      .replace(/[‐‑‒–—―−]/g, '-')
      // "орындау- шылар": a hyphen with a space after it only (not before) breaks a word; "іс-шара" has none.
      .replace(/(\p{L})- (\p{Ll})/gu, '$1$2')
      .replace(/[.,:;*"«»]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * The words a header is known by when it is none of the aliases: a header names a role when it
 * holds one of the role's stems (in Kazakh or Russian), tried in this order — the deadline before
 * the executors ("Срок исполнения" holds "исполн"), the completion form before the title
 * ("Іс-шараның аяқталу нысаны" holds "іс-шара").
 */
const MEANINGS: readonly { readonly role: ColumnRole; readonly stems: RegExp }[] = [
  { role: 'number', stems: /^(?:№|n|no)(?:\s|$)|^(?:р\/с|п\/п)(?:\s|$)|^реттік|^порядков/u },
  { role: 'deadline', stems: /мерзім|(?<![\p{L}])срок|deadline|(?<![\p{L}])due(?![\p{L}])/u },
  { role: 'completionForm', stems: /нысан|форм\p{L}*\s+(?:заверш|оконч|исполн)|аяқта|аяқтал|(?<![\p{L}])заверш/u },
  { role: 'executors', stems: /орындаушы|жауапты|жауаптыл|исполнител|ответствен|executor|responsib/u },
  { role: 'funding', stems: /қаржыландыру|финансирован|funding/u },
  { role: 'cost', stems: /шығыс|шығын|расход|затрат|cost/u },
  { role: 'title', stems: /іс-шара|атау|мероприят|наименован|measure/u },
  { role: 'section', stems: /^(?:бөлім|раздел|бағыт|направлени)/u },
];

/** Columns a plan's table may carry besides the ones Merzim reads: kept on the measure and shown, never mixed into its title or executors. */
export type ExtraRole = 'unit' | 'budgetCode' | 'year' | 'infoSource' | 'note';

const EXTRA_MEANINGS: readonly { readonly role: ExtraRole; readonly stems: RegExp }[] = [
  { role: 'unit', stems: /өлшем\s+бірліг|единиц\p{L}*\s+измерени|^ед\s+изм|^unit/u },
  {
    role: 'budgetCode',
    stems:
      /бюджеттік\s+бағдарлама|бюджетн\p{L}*\s+программ|бағдарлама\s+код|код\p{L}*\s+(?:бюджет|программ)|^ббк|^кбк|budget\s+(?:programme|program|code)/u,
  },
  { role: 'infoSource', stems: /ақпарат\s+көз|источник\p{L}*\s+информац/u },
  // A per-year sub-column: the header ends in one year ("2021 ж.", "Болжамды шығыстар 2021 ж."), not a range of them.
  { role: 'year', stems: /^(?!.*\d{4}.*\d{4})(?:.*\s)?(?:19|20)\d{2}(?:\s*(?:ж|жыл|жылы|жылға|г|год|году))?$/u },
  { role: 'note', stems: /ескерту|примечани/u },
];

/** The extra role of a header cell that names none of Merzim's columns, or null. */
export function extraRole(text: string): ExtraRole | null {
  const header = normalizeHeader(text);
  if (header === '') return null;
  return EXTRA_MEANINGS.find((m) => m.stems.test(header))?.role ?? null;
}

/**
 * The role a header cell names, or null. Bilingual template headers ("Іс-шара / Мероприятие") are
 * split at " / " and each part tried; "№ р/с" keeps its slash because it has no spaces around it.
 */
export function headerRole(text: string): ColumnRole | null {
  // "Болжамды шығыстар 2021 ж.": a year's sub-column of the cost, kept as that year's expenses.
  if (extraRole(text) === 'year') return null;
  for (const part of text.split(/\s+\/\s+|\n/)) {
    const header = normalizeHeader(part);
    if (header === '') continue;
    for (const column of COLUMNS) {
      if (column.aliases.some((alias) => header === alias || (alias.length > 3 && header.startsWith(`${alias} `))))
        return column.role;
    }
  }
  // No alias: by meaning. Headers are short; a long cell that happens to hold a stem is data.
  const whole = normalizeHeader(text.replace(/\s+\/\s+/g, ' '));
  if (whole === '' || whole.length > 90 || extraRole(text) !== null) return null;
  return MEANINGS.find((m) => m.stems.test(whole))?.role ?? null;
}

/** Roles of a header row (null for columns Merzim does not read), or null when the row is not a plan table's header. */
export function headerRoles(cells: readonly string[]): (ColumnRole | null)[] | null {
  const roles = cells.map(headerRole);
  const seen = new Set(roles.filter((r): r is ColumnRole => r !== null));
  // A header names the measure, who does it and by when; a row that names fewer is data that happens to contain a header word.
  if (!seen.has('title') || !seen.has('executors') || !seen.has('deadline') || seen.size < 3) return null;
  // The same role twice means a data row, not a header.
  if (seen.size !== roles.filter((r) => r !== null).length) return null;
  return roles;
}

/** How many tenge one unit of the cost column is, from its header ("(мың теңге)" → 1000); undefined when the header names no unit. */
export function costMultiplier(header: string): number | undefined {
  const text = cellText(header).toLowerCase();
  if (/млрд|миллиард|billion/.test(text)) return 1e9;
  if (/млн|миллион|million/.test(text)) return 1e6;
  if (/мың|тыс|thousand/.test(text)) return 1e3;
  if (/теңге|тенге|kzt|tenge/.test(text)) return 1;
  return undefined;
}
