// The columns of an action plan's table and the header words (Kazakh, Russian, English) each is known by, shared by every importer and the templates.
import { cellText } from './text.js';

export type ColumnRole = 'number' | 'section' | 'title' | 'completionForm' | 'executors' | 'deadline' | 'cost' | 'funding';

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
    aliases: ['іс-шараның атауы', 'іс-шаралардың атауы', 'іс-шаралар', 'іс-шара', 'атауы', 'наименование мероприятия', 'наименование мероприятий',
      'наименование', 'мероприятия', 'мероприятие', 'measure', 'title'],
    required: true,
  },
  {
    role: 'completionForm',
    label: { kk: 'Аяқталу нысаны', ru: 'Форма завершения', en: 'Completion form' },
    aliases: ['аяқталу нысаны', 'аяқтау нысаны', 'форма завершения', 'completion form'],
    required: false,
  },
  {
    role: 'executors',
    label: { kk: 'Жауапты орындаушылар', ru: 'Ответственные исполнители', en: 'Executors' },
    aliases: ['жауапты орындаушылар', 'жауапты орындаушы', 'орындаушылар', 'жауаптылар', 'ответственные исполнители', 'ответственный исполнитель',
      'ответственные за исполнение', 'исполнители', 'executors', 'responsible'],
    required: true,
  },
  {
    role: 'deadline',
    label: { kk: 'Орындау мерзімі', ru: 'Срок исполнения', en: 'Deadline' },
    aliases: ['орындау мерзімі', 'орындау мерзімдері', 'мерзімі', 'срок исполнения', 'сроки исполнения', 'срок', 'сроки', 'deadline', 'due'],
    required: true,
  },
  {
    role: 'cost',
    label: { kk: 'Болжамды шығыстар (млн. теңге)', ru: 'Предполагаемые расходы (млн. тенге)', en: 'Estimated cost (million KZT)' },
    aliases: ['болжамды шығыстар', 'болжамды шығындар', 'болжамды шығын', 'предполагаемые расходы', 'предполагаемые затраты', 'estimated cost', 'cost'],
    required: false,
  },
  {
    role: 'funding',
    label: { kk: 'Қаржыландыру көзі', ru: 'Источник финансирования', en: 'Funding source' },
    aliases: ['қаржыландыру көздері', 'қаржыландыру көзі', 'источники финансирования', 'источник финансирования', 'funding source', 'funding'],
    required: false,
  },
];

/** A header cell lower-cased, without HTML, units in brackets, trailing punctuation or doubled spaces. */
export function normalizeHeader(text: string): string {
  return cellText(text)
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[.,:;*"«»]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The role a header cell names, or null. Bilingual template headers ("Іс-шара / Мероприятие") are
 * split at " / " and each part tried; "№ р/с" keeps its slash because it has no spaces around it.
 */
export function headerRole(text: string): ColumnRole | null {
  for (const part of text.split(/\s+\/\s+|\n/)) {
    const header = normalizeHeader(part);
    if (header === '') continue;
    for (const column of COLUMNS) {
      if (column.aliases.some((alias) => header === alias || (alias.length > 3 && header.startsWith(`${alias} `)))) return column.role;
    }
  }
  return null;
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
