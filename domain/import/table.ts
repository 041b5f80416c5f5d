// Imports a plan from a spreadsheet's rows (CSV or XLSX, already read into strings): plan details above the header row, one measure per row below it.
import { findAgency } from '../agencies.js';
import { formatIsoDate, isValidCivilDate } from '../dates.js';
import type { ActRef, Plan } from '../plan.js';
import { ANNUAL_CASCADE_580, STANDARD_POLICIES, type ReportingPolicy } from '../policies.js';
import { assemblePlan, planDate } from './assemble.js';
import { COLUMNS, costMultiplier, headerRole, normalizeHeader, type ColumnRole } from './columns.js';
import { glossaryRecord, isGlossaryHeading, parseGlossary } from './glossary.js';
import { describeRoles, formatColumnMapping, inferColumns, rolesFromMapping } from './column-mapping.js';
import { bilingual, buildMeasure, type SourceRow } from './measures.js';
import { createResolver } from './resolve.js';
import { Diagnostics, emptyFileResult, type ImportOptions, type ImportResult } from './result.js';
import { cellText, detectLang } from './text.js';

export interface TableRows {
  readonly rows: readonly (readonly string[])[];
  /** The sheet's row number of each row (1-based); index + 1 when absent. */
  readonly rowNumbers?: readonly number[];
  /** The text line each row starts on (CSV, where a quoted cell may span lines). */
  readonly lines?: readonly number[];
}

export type MetaKey = 'title' | 'issuer' | 'actNumber' | 'actDate' | 'coordinator' | 'years' | 'policy' | 'lang';

/** The plan details a sheet gives above its header row, as "key | value" rows; the templates print these labels. */
export const META_FIELDS: readonly {
  readonly key: MetaKey;
  readonly label: { readonly kk: string; readonly ru: string; readonly en: string };
  readonly aliases: readonly string[];
}[] = [
  {
    key: 'title',
    label: { kk: 'Жоспардың атауы', ru: 'Наименование плана', en: 'Plan title' },
    aliases: ['жоспардың атауы', 'жоспар атауы', 'наименование плана', 'название плана', 'plan title'],
  },
  {
    key: 'issuer',
    label: { kk: 'Бекіткен орган', ru: 'Кем утверждён', en: 'Issuer' },
    aliases: [
      'бекіткен орган',
      'акт шығарған орган',
      'кем утверждён',
      'кем утвержден',
      'орган принявший акт',
      'issuer',
    ],
  },
  {
    key: 'actNumber',
    label: { kk: 'Акт нөмірі', ru: 'Номер акта', en: 'Act number' },
    aliases: ['акт нөмірі', 'актінің нөмірі', 'номер акта', 'act number'],
  },
  {
    key: 'actDate',
    label: { kk: 'Акт күні', ru: 'Дата акта', en: 'Act date' },
    aliases: ['акт күні', 'актінің күні', 'дата акта', 'act date'],
  },
  {
    key: 'coordinator',
    label: { kk: 'Үйлестіруші орган', ru: 'Координатор', en: 'Coordinator' },
    aliases: ['үйлестіруші орган', 'үйлестіруші', 'координатор', 'coordinator'],
  },
  {
    key: 'years',
    label: { kk: 'Жоспар жылдары', ru: 'Годы плана', en: 'Years' },
    aliases: ['жоспар жылдары', 'жылдар', 'годы плана', 'годы', 'years'],
  },
  {
    key: 'policy',
    label: { kk: 'Есеп беру тәртібі', ru: 'Порядок отчётности', en: 'Reporting policy' },
    aliases: ['есеп беру тәртібі', 'порядок отчётности', 'порядок отчетности', 'reporting policy', 'policy'],
  },
  { key: 'lang', label: { kk: 'Тілі', ru: 'Язык', en: 'Language' }, aliases: ['тілі', 'тіл', 'язык', 'language'] },
];

function metaKey(cell: string): MetaKey | null {
  for (const part of cell.split(/\s+\/\s+/)) {
    const key = normalizeHeader(part);
    const field = META_FIELDS.find((f) => f.aliases.includes(key));
    if (field !== undefined) return field.key;
  }
  return null;
}

const HEADER_SCAN = 100;

function columnName(role: ColumnRole): string {
  const spec = COLUMNS.find((c) => c.role === role);
  return spec === undefined ? role : `${spec.label.kk} / ${spec.label.ru} / ${spec.label.en}`;
}

function dateOf(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [y, m, d] = iso !== null ? [iso[1], iso[2], iso[3]] : dotted !== null ? [dotted[3], dotted[2], dotted[1]] : [];
  if (y === undefined) return undefined;
  return isValidCivilDate(Number(y), Number(m), Number(d)) ? formatIsoDate(Number(y), Number(m), Number(d)) : undefined;
}

function issuerOf(text: string): string {
  const t = text.toLowerCase();
  if (/үкімет|правительств|government/.test(t)) return 'government';
  if (/премьер/.test(t)) return 'prime_minister';
  if (/президент|president/.test(t)) return 'president';
  return text;
}

/**
 * Reads a plan from rows of cells. The header row is found by its column names (Kazakh, Russian or
 * English, see COLUMNS); the title, executors and deadline columns are required and each missing one
 * is a `missing_column` error. Every row diagnostic carries the sheet's `row` (and the CSV `line`).
 */
export function importTable(input: TableRows, opts: ImportOptions): ImportResult {
  const rows = input.rows.map((r) => r.map((c) => c ?? ''));
  if (rows.every((r) => r.every((c) => cellText(c) === ''))) return emptyFileResult();
  const rowNumber = (i: number): number => input.rowNumbers?.[i] ?? i + 1;
  const lineOf = (i: number): { line?: number } =>
    input.lines?.[i] === undefined ? {} : { line: input.lines[i] as number };
  const diagnostics = new Diagnostics();

  // The header: the first row naming the three required columns; else the row naming most columns, to say which are missing.
  let headerIndex = -1;
  let best = { index: -1, roles: [] as (ColumnRole | null)[], count: 0 };
  for (let i = 0; i < Math.min(rows.length, HEADER_SCAN); i++) {
    const roles = (rows[i] as string[]).map(headerRole);
    const distinct = new Set(roles.filter((r) => r !== null));
    if (distinct.has('title') && distinct.has('executors') && distinct.has('deadline')) {
      headerIndex = i;
      best = { index: i, roles, count: distinct.size };
      break;
    }
    if (distinct.size > best.count) best = { index: i, roles, count: distinct.size };
  }
  // A reviewer's mapping, or (no header) a guess from the cells: the rows are read with it and the diagnostic says which it was.
  let given: (ColumnRole | null)[] | undefined;
  const hasHeader = headerIndex >= 0;
  let bodyStart = headerIndex + 1;
  if (opts.columns !== undefined) {
    given = rolesFromMapping(opts.columns, Math.max(0, ...rows.map((r) => r.length)));
    diagnostics.info('columns_given', `columns as the reviewer mapped them: ${describeRoles(given)}`, {
      field: 'columns',
    });
  } else if (headerIndex < 0) {
    const resolver = createResolver(opts.directory, [], new Diagnostics());
    const guess = inferColumns(rows, resolver);
    if (guess !== null) {
      given = guess;
      diagnostics.warning(
        'columns_inferred',
        `no header row names the columns, so they were read from their content: ${describeRoles(guess)} — confirm with the mapping "${formatColumnMapping(guess)}" (CLI --columns, API columns=) or correct it`,
        { field: 'columns' },
      );
    }
  }
  if (given !== undefined && headerIndex < 0) {
    const title = given.indexOf('title');
    bodyStart = rows.findIndex(
      (r) => r.filter((c) => cellText(c) !== '').length >= 3 && cellText(r[title] ?? '') !== '',
    );
    if (bodyStart < 0) bodyStart = rows.length;
    headerIndex = bodyStart - 1;
    best = { index: headerIndex, roles: given, count: given.filter((r) => r !== null).length };
  } else if (given !== undefined) {
    best = { ...best, roles: given };
  }
  if (given === undefined && headerIndex < 0) {
    if (best.count < 2) {
      diagnostics.error(
        'missing_header',
        `no header row found: the sheet needs columns ${COLUMNS.filter((c) => c.required)
          .map((c) => `"${columnName(c.role)}"`)
          .join(', ')}`,
      );
    } else {
      for (const column of COLUMNS.filter((c) => c.required && !best.roles.includes(c.role))) {
        diagnostics.error('missing_column', `missing column "${columnName(column.role)}"`, {
          row: rowNumber(best.index),
          ...lineOf(best.index),
          field: column.role,
        });
      }
    }
    return { plan: null, abbreviations: {}, diagnostics: diagnostics.sorted() };
  }
  const roles = best.roles;
  const column = (role: ColumnRole): number => roles.indexOf(role);

  // Plan details above the header (or above the first row, when there is none).
  const meta: Partial<Record<MetaKey, { value: string; index: number }>> = {};
  for (let i = 0; i < (hasHeader ? headerIndex : bodyStart); i++) {
    const cells = (rows[i] as string[]).map(cellText).filter((c) => c !== '');
    const key = cells.length >= 2 ? metaKey(cells[0] as string) : null;
    if (key !== null) meta[key] = { value: cells[1] as string, index: i };
  }
  const lang =
    meta.lang !== undefined && /^(kk|қаз|каз)/i.test(meta.lang.value)
      ? 'kk'
      : meta.lang !== undefined && /^(ru|рус)/i.test(meta.lang.value)
        ? 'ru'
        : (opts.lang ??
          detectLang(
            rows
              .slice(headerIndex + 1, headerIndex + 200)
              .map((r) => r.join(' '))
              .join('\n'),
          ));
  const at = (key: MetaKey, field: string): { row: number; line?: number; field: string } => {
    const index = meta[key]?.index ?? Math.max(headerIndex, 0);
    return { row: rowNumber(index), ...lineOf(index), field };
  };

  // The glossary, when the sheet ends with one.
  const bodyEnd = rows.findIndex((r, i) => i > headerIndex && r.some((c) => isGlossaryHeading(c)));
  const end = bodyEnd < 0 ? rows.length : bodyEnd;
  const glossaryLines = rows.slice(end).map((r) => r.join('\t'));
  const glossary = parseGlossary(glossaryLines, 0, glossaryLines.length, lang).map((e) => ({
    ...e,
    line: rowNumber(end + e.line - 1),
  }));
  const resolver = createResolver(opts.directory, glossary, diagnostics);

  const approvedBy = readAct(meta, at, diagnostics);
  let coordinator: string | undefined;
  if (meta.coordinator !== undefined) {
    const agency =
      resolver.resolve(meta.coordinator.value) ?? findAgency(meta.coordinator.value, opts.directory) ?? null;
    if (agency === null)
      diagnostics.error(
        'unknown_abbreviation',
        `coordinator "${meta.coordinator.value}" is neither in the glossary nor in the agencies directory`,
        at('coordinator', 'coordinator'),
      );
    else coordinator = agency.code;
  }
  let years: { from: number; to: number } | undefined;
  if (meta.years !== undefined) {
    const m = /^((?:19|20|21)\d{2})\s*[-–—]\s*((?:19|20|21)\d{2})$/.exec(meta.years.value);
    if (m === null || Number(m[1]) > Number(m[2]))
      diagnostics.error(
        'invalid_years',
        `years "${meta.years.value}" must be written "2017-2020"`,
        at('years', 'years'),
      );
    else years = { from: Number(m[1]), to: Number(m[2]) };
  }
  let policy: ReportingPolicy = ANNUAL_CASCADE_580;
  const policyValue = meta.policy?.value;
  if (policyValue === undefined) {
    diagnostics.info(
      'policy_default',
      'the sheet names no reporting policy: the annual cascade (10 January, 25 February, 15 March) is used — review the policy',
      { field: 'policy' },
    );
  } else if (STANDARD_POLICIES[policyValue] === undefined) {
    diagnostics.error(
      'unknown_policy',
      `policy "${policyValue}" must be one of ${Object.keys(STANDARD_POLICIES).join(', ')}`,
      at('policy', 'policy'),
    );
  } else {
    policy = STANDARD_POLICIES[policyValue] as ReportingPolicy;
  }
  const date = planDate({ approvedBy, amendments: [], years }, [], diagnostics);

  const costCol = column('cost');
  const ctx = {
    resolver,
    date,
    lang,
    costMultiplier:
      costCol < 0 || headerIndex < 0
        ? undefined
        : costMultiplier((rows[headerIndex] as string[] | undefined)?.[costCol] ?? ''),
    diagnostics,
    policy,
  };
  const sections: Plan['sections'][number][] = [];
  const measures: Plan['measures'][number][] = [];
  let current: number | null = null;
  const sectionIndex = (title: string): number => {
    const found = sections.findIndex((s) => (s.title.kk ?? s.title.ru) === title);
    if (found >= 0) return found;
    sections.push({ number: null, title: bilingual(title, lang) });
    return sections.length - 1;
  };
  for (let i = headerIndex + 1; i < end; i++) {
    const cells = (rows[i] as string[]).map(cellText);
    const filled = cells.filter((c) => c !== '');
    if (filled.length === 0) continue;
    if (filled.length >= 3 && filled.every((c, k) => c === String(k + 1))) continue;
    if ((rows[i] as string[]).map(headerRole).filter((r) => r !== null).length >= 3) continue;
    const get = (role: ColumnRole): string => (column(role) < 0 ? '' : (cells[column(role)] ?? ''));
    // A row with nothing but one text outside the measure's own cells is a section heading.
    if (filled.length === 1 && get('number') === '' && get('executors') === '' && get('deadline') === '') {
      current = sectionIndex(filled[0] as string);
      continue;
    }
    // An empty section cell continues the section above, as the template's instructions say.
    if (get('section') !== '') current = sectionIndex(get('section'));
    const section = current;
    const source: SourceRow = {
      cells: Object.fromEntries(
        roles.flatMap((role, k) => (role === null ? [] : [[role, { text: cells[k] ?? '', ...lineOf(i) }]])),
      ),
      row: rowNumber(i),
      ...lineOf(i),
      section,
    };
    const measure = buildMeasure(source, measures.length, ctx);
    if (measure !== null) measures.push(measure);
  }
  if (measures.length === 0) {
    diagnostics.error('no_measures', 'the sheet has no measure rows under its header', {
      row: rowNumber(Math.max(headerIndex, 0)),
    });
    return { plan: null, abbreviations: glossaryRecord(glossary), diagnostics: diagnostics.sorted() };
  }
  const abbreviations = glossaryRecord(glossary);
  const plan = assemblePlan(
    {
      lang,
      ...(meta.title && { title: { text: meta.title.value, row: rowNumber(meta.title.index) } }),
      ...(approvedBy && { approvedBy }),
      amendments: [],
      repeal: null,
      ...(years && { years }),
      ...(coordinator !== undefined && { coordinator }),
      policy,
      sections,
      measures,
      abbreviations,
    },
    diagnostics,
  );
  return { plan, abbreviations, diagnostics: diagnostics.sorted() };
}

function readAct(
  meta: Partial<Record<MetaKey, { value: string; index: number }>>,
  at: (key: MetaKey, field: string) => { row: number; line?: number; field: string },
  diagnostics: Diagnostics,
): ActRef | undefined {
  const { issuer, actNumber, actDate } = meta;
  const date = actDate === undefined ? undefined : dateOf(actDate.value);
  if (actDate !== undefined && date === undefined) {
    diagnostics.error(
      'impossible_date',
      `act date "${actDate.value}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`,
      at('actDate', 'approvedBy.date'),
    );
  }
  // An act lacking its issuer, number or date is reported as missing by assemblePlan.
  if (issuer === undefined || actNumber === undefined || date === undefined) return undefined;
  return { issuer: issuerOf(issuer.value), number: actNumber.value, date };
}
