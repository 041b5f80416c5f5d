// Finds the plan's table in a decree text and puts it back together: tab-separated rows or one cell per line, page-break fragments, rows broken over lines, repeated headers.
import { parseDeadline } from '../deadline-language.js';
import { extraRole, headerRole, headerRoles, type ColumnRole } from './columns.js';
import { findGroups } from './groups.js';
import { isGlossaryHeading } from './glossary.js';
import type { Resolver } from './resolve.js';
import type { Diagnostics } from './result.js';
import { cellText, normalizeDashes } from './text.js';

export interface Piece {
  readonly text: string;
  readonly line: number;
}

/** A cell assembled from one or more pieces of source text (a row split by a page break has two). */
export interface TableCell {
  readonly pieces: Piece[];
}

/** A row of a target or result indicators table set inside the plan ("Нысаналы индикаторлар", "Показатели результатов"). */
export interface IndicatorRow {
  readonly name: string;
  readonly unit: string | null;
  readonly source: string | null;
  /** Planned value per year, as printed. */
  readonly targets: Readonly<Record<string, string>>;
}

export type TableItem =
  | { readonly kind: 'row'; readonly line: number; readonly cells: TableCell[] }
  | { readonly kind: 'heading'; readonly line: number; readonly text: string }
  | { readonly kind: 'indicator'; readonly line: number; readonly indicator: IndicatorRow };

/** Where the plan's table is in the text, read from its header. */
export interface TableLocation {
  readonly layout: 'tabs' | 'lines';
  /** Per column, the role its header names (null: a column Merzim does not read). */
  readonly roles: readonly (ColumnRole | null)[];
  readonly headers: readonly string[];
  /** 0-based index of the header's first line: everything before it is the decree. */
  readonly start: number;
  /** 0-based index of the first line after the header. */
  readonly next: number;
  /** 0-based index where the table ends: the glossary heading, the publisher's footer, or the end of the text. */
  readonly end: number;
}

const MEASURE_NUMBER = /^\d{1,6}(?:\.\d{1,3})*[.)]?$/;
const NOTE = /^(?:Ескерту|Ескертпе|Сноска|Примечание)\s*\./i;
const DASH_ONLY = /^[-–—]$/;
const FOOTER = /^©/;

function isMeasureNumber(text: string): boolean {
  return MEASURE_NUMBER.test(text);
}

/** The text of a cell: its pieces joined by spaces; a lone dash (an empty-cell marker) counts only when nothing else is there. */
export function cellValue(cell: TableCell): string {
  const texts = cell.pieces.map((p) => cellText(p.text)).filter((t) => t !== '');
  const real = texts.filter((t) => !DASH_ONLY.test(t));
  return (real.length > 0 ? real : texts.slice(0, 1)).join(' ');
}

// A page header repeated inside the table: short cells naming the columns (a data row has a long title, so most lines skip the check).
function isRepeatedHeader(texts: readonly string[]): boolean {
  return (
    texts.length >= 3 &&
    !isMeasureNumber(texts[0] as string) &&
    texts.every((t) => t.length <= 80) &&
    headerRoles(texts) !== null
  );
}

// "кестенің жалғасы" / "продолжение таблицы": a page-break marker, not a row.
function isContinuationMarker(texts: readonly string[]): boolean {
  const filled = texts.filter((t) => t !== '');
  return (
    filled.length === 1 &&
    /^(?:кестенің\s+жалғасы|жалғасы|продолжение\s+таблицы|продолжение)\.?$/iu.test(filled[0] as string)
  );
}

function isFootnote(raw: string): boolean {
  // "**bold**" is markdown, not a footnote: the marker must not close on the same line.
  const text = raw.trim();
  return FOOTNOTE_LINE.test(text) && !/^\*\*[^*]+\*\*$/.test(text) && !text.includes('\t');
}

function isNumberingRow(texts: readonly string[]): boolean {
  const filled = texts.filter((t) => t !== '');
  return filled.length >= 3 && filled.every((t, i) => t === String(i + 1));
}

const HEADING_LINE =
  /^(?:\d+(?:\.\d+)*\s*-\s*(?:бөлім|тарау|бағыт|міндет|мақсат)|(?:раздел|глава|направление|бөлім|параграф|задача|цель)\s+\d+|\d+-параграф|(?:іс-шаралар|мероприятия)\s*:?$|(?:мақсат|міндет|цель|задача)\s*:)/iu;

/** A footnote under the table: "* …", "** …", "¹ …" — the marker a deadline cell ends with, and what it says. */
export const FOOTNOTE_LINE = /^(\*{1,3}|[¹²³])\s*(?!\*)(\S.*)$/u;

/** In the one-cell-per-line layout nothing but the words marks a heading: "2-бөлім.", "Раздел 3.", or a line that is wholly bold. */
function isHeadingLine(raw: string): boolean {
  const trimmed = raw.trim();
  return (
    HEADING_LINE.test(cellText(trimmed)) || /^<b>[\s\S]*<\/b>$/i.test(trimmed) || /^\*\*[\s\S]*\*\*$/.test(trimmed)
  );
}

type Header = Omit<TableLocation, 'end'>;

// In the one-cell-per-line layout a header is a run of lines that each name a different column (a blank line between them allowed).
function lineHeaderAt(lines: readonly string[], i: number, end: number): Header | null {
  const roles: (ColumnRole | null)[] = [];
  const headers: string[] = [];
  // A header line names a column Merzim reads, or one it keeps beside the measure (unit, budget programme, a year's expenses).
  const kind = (text: string): ColumnRole | 'extra' | null => {
    if (text.length > 80) return null;
    return headerRole(text) ?? (extraRole(text) !== null ? 'extra' : null);
  };
  let j = i;
  while (j < end) {
    const text = cellText(lines[j] as string);
    if (text === '' && roles.length > 0 && j + 1 < end && cellText(lines[j + 1] as string) !== '') {
      j++;
      continue;
    }
    const previous = headers[headers.length - 1];
    // A header broken over lines: "Ответствен-" then "ные исполнители", or "Жауапты" then "орындаушылар".
    if (previous !== undefined && text !== '' && text.length <= 80 && (/-$/.test(previous) || /^\p{Ll}/u.test(text))) {
      const joined = /-$/.test(previous) ? `${previous.slice(0, -1)}${text}` : `${previous} ${text}`;
      const joinedKind = kind(joined);
      const last = roles[roles.length - 1] ?? null;
      if (
        joinedKind !== null &&
        (joinedKind === 'extra' ? last === null : joinedKind === last || !roles.slice(0, -1).includes(joinedKind))
      ) {
        roles[roles.length - 1] = joinedKind === 'extra' ? null : joinedKind;
        headers[headers.length - 1] = joined;
        j++;
        continue;
      }
    }
    const role = kind(text);
    if (role === null || (role === 'extra' && roles.length === 0) || (role !== 'extra' && roles.includes(role))) break;
    roles.push(role === 'extra' ? null : role);
    headers.push(text);
    j++;
  }
  if (roles.filter((r) => r !== null).length < 4 || headerRoles(headers) === null) return null;
  return { layout: 'lines', roles, headers, start: i, next: j };
}

/** Two header rows read as one: each column's header is its cells joined ("Болжамды шығыстар" over "2019 ж."). */
function joinHeaderRows(top: readonly string[], bottom: readonly string[]): string[] {
  return Array.from({ length: Math.max(top.length, bottom.length) }, (_, k) =>
    [cellText(top[k] ?? ''), cellText(bottom[k] ?? '')].filter((t) => t !== '').join(' '),
  );
}

// A second header row under the first: no measure number, every filled cell short and none of them a sentence.
function isSubHeader(cells: readonly string[]): boolean {
  const texts = cells.map(cellText);
  const filled = texts.filter((t) => t !== '');
  return (
    filled.length > 0 &&
    !isMeasureNumber(texts[0] ?? '') &&
    filled.every((t) => t.length <= 60) &&
    !isNumberingRow(texts) &&
    filled.some(
      (t) => headerRole(t) !== null || extraRole(t) !== null || /барлығы|всего|оның\s+ішінде|в\s+том\s+числе/iu.test(t),
    )
  );
}

function tabsHeader(cells: string[], start: number, next: number): Header | null {
  const roles = headerRoles(cells);
  if (roles === null) return null;
  while (roles.length > 0 && roles[roles.length - 1] === null && cellText(cells[roles.length - 1] as string) === '')
    roles.pop();
  return { layout: 'tabs', roles, headers: cells.slice(0, roles.length).map(cellText), start, next };
}

function findHeader(lines: readonly string[]): Header | null {
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.includes('\t')) {
      const cells = raw.split('\t');
      const below = lines[i + 1] ?? '';
      // A header spread over two rows: the first names some columns, the second the rest (or their sub-columns).
      if (below.includes('\t') && isSubHeader(below.split('\t'))) {
        const joined = tabsHeader(joinHeaderRows(cells, below.split('\t')), i, i + 2);
        if (joined !== null) return joined;
      }
      const header = tabsHeader(cells, i, i + 1);
      if (header !== null) return header;
    } else if (raw.length <= 120 && headerRole(raw) !== null) {
      const header = lineHeaderAt(lines, i, lines.length);
      if (header !== null) return header;
    }
  }
  return null;
}

// Words every glossary heading has; looked for before the heading pattern, which cleans the line first.
const GLOSSARY_WORD = /аббревиатур|сокращени|қысқарту/i;

/** Where a table that starts at `from` ends: the glossary heading, the publisher's footer, or the end of the text. */
export function tableEnd(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const text = (lines[i] as string).trim();
    if (FOOTER.test(text) || (GLOSSARY_WORD.test(text) && isGlossaryHeading(text))) return i;
  }
  return lines.length;
}

/** Finds the plan's table by its header row; undefined when the text has none. */
export function locateTable(lines: readonly string[]): TableLocation | undefined {
  const header = findHeader(lines);
  return header === null ? undefined : { ...header, end: tableEnd(lines, header.next) };
}

/** The rows and headings of the table, put back together. The resolver tells executor lines apart in the one-cell-per-line layout. */
export function readTable(
  lines: readonly string[],
  table: TableLocation,
  resolver: Resolver,
  diagnostics: Diagnostics,
): TableItem[] {
  return table.layout === 'tabs'
    ? scanTabs(lines, table, table.end, diagnostics)
    : scanLines(lines, table, table.end, resolver, diagnostics);
}

// ---- Tab-separated rows (seeds 000 and 002) ----

interface OpenRow {
  readonly line: number;
  cells: TableCell[];
  /** Fewer cells than the table has: a newline inside a cell cut it, and the next line continues it. */
  short: boolean;
  /** Could not be completed: reported and left out. */
  dropped: boolean;
  /** Fragments from above the page break that begin this row, merged once the row has its width. */
  prefix: TableCell[][];
}

type ScanItem =
  | { readonly kind: 'row'; readonly row: OpenRow }
  | { readonly kind: 'heading'; readonly line: number; readonly text: string }
  | { readonly kind: 'indicator'; readonly line: number; readonly indicator: IndicatorRow };

const INDICATOR_WORD = /индикатор|көрсеткіш|показател/iu;
const YEAR_CELL = /^((?:19|20)\d{2})(?:\s*(?:ж|жыл|жылы|г|год)\.?)?$/u;

/** The layout of an indicators table, read off its header row (and the row of years under it, when the years are there). */
interface IndicatorLayout {
  readonly width: number;
  readonly name: number;
  readonly unit: number;
  readonly source: number;
  /** The years, in the order of their columns; their columns are the row's last ones. */
  readonly years: readonly string[];
  /** Header lines taken (1 or 2). */
  readonly lines: number;
}

function indicatorLayout(texts: readonly string[], below: readonly string[] | undefined): IndicatorLayout | undefined {
  const name = texts.findIndex((t) => INDICATOR_WORD.test(t) && t.length <= 80);
  const unit = texts.findIndex((t) => extraRole(t) === 'unit');
  if (name < 0 || unit < 0) return undefined;
  const yearsOf = (cells: readonly string[]): string[] =>
    cells.map((t) => YEAR_CELL.exec(t)?.[1]).filter((y): y is string => y !== undefined);
  const own = yearsOf(texts);
  const next = below === undefined ? [] : yearsOf(below);
  const years = own.length > 0 ? own : next;
  if (years.length === 0) return undefined;
  return {
    width: texts.length,
    name,
    unit,
    source: texts.findIndex((t) => extraRole(t) === 'infoSource'),
    years,
    lines: own.length > 0 || next.length === 0 ? 1 : 2,
  };
}

function indicatorRow(texts: readonly string[], layout: IndicatorLayout): IndicatorRow | undefined {
  const filled = texts.filter((t) => t !== '');
  if (filled.length < 3) return undefined;
  // A row as wide as the header keeps its positions; a narrower one (merged cells) keeps its name first and its years last.
  const aligned = texts.length >= layout.width;
  const name = aligned ? (texts[layout.name] ?? '') : (filled.find((t) => !/^\d+[.)]?$/.test(t)) ?? '');
  if (name === '' || /^\d+[.)]?$/.test(name)) return undefined;
  const values = texts.slice(texts.length - layout.years.length);
  const targets: Record<string, string> = {};
  layout.years.forEach((year, k) => {
    const value = values[k] ?? '';
    if (value !== '' && !DASH_ONLY.test(value)) targets[year] = value;
  });
  const at = (k: number): string | null => (aligned && k >= 0 && (texts[k] ?? '') !== '' ? (texts[k] as string) : null);
  return { name, unit: at(layout.unit), source: at(layout.source), targets };
}

function scanTabs(lines: readonly string[], header: Header, end: number, diags: Diagnostics): TableItem[] {
  const n = header.roles.length;
  const numberIndex = Math.max(0, header.roles.indexOf('number'));
  // The header's own rows, repeated after a page break, are skipped however much of them is repeated.
  const headerRows = new Set(
    lines.slice(header.start, header.next).map((l) => l.split('\t').map(cellText).join('\t').replace(/\t+$/, '')),
  );
  const costIndex = header.roles.indexOf('cost');
  const fundingIndex = header.roles.indexOf('funding');
  const items: ScanItem[] = [];
  let open: OpenRow | null = null;
  // Fragments that begin the next row (see below), waiting for it.
  let waiting: { line: number; cells: TableCell[] }[] = [];
  const blank = (i: number): boolean => i >= header.next && i < end && (lines[i] as string).trim() === '';
  const toCells = (texts: readonly string[], line: number): TableCell[] =>
    texts.map((text) => ({ pieces: text.trim() === '' ? [] : [{ text, line }] }));

  /** Brings a row to the table's width; undefined when it cannot be done (more filled cells than columns). */
  const fit = (cells: readonly TableCell[], line: number, report: boolean): TableCell[] | undefined => {
    const out = [...cells];
    while (out.length > n && (out[out.length - 1] as TableCell).pieces.length === 0) out.pop();
    if (out.length === n - 1) {
      const last = cellValue(out[out.length - 1] as TableCell);
      // Decree tables drop the cost column's "-" more than any other cell; the funding text that then ends the row says so.
      const missing = costIndex >= 0 && fundingIndex === costIndex + 1 && !/^\d/.test(last) ? costIndex : n - 1;
      out.splice(missing, 0, { pieces: [] });
      if (report)
        diags.info(
          'cells_repaired',
          `the row has ${n - 1} cells where the table has ${n}: the empty "${header.headers[missing] ?? ''}" cell was added`,
          { line },
        );
    }
    return out.length === n ? out : undefined;
  };

  const merge = (target: TableCell[], fragment: readonly TableCell[], where: 'before' | 'after'): void => {
    fragment.forEach((cell, j) => {
      const into = target[j] as TableCell;
      if (where === 'after') into.pieces.push(...cell.pieces);
      else into.pieces.unshift(...cell.pieces);
    });
  };

  const drop = (row: OpenRow, message: string): void => {
    diags.error(
      'broken_row',
      `${message}: the row is skipped${row.prefix.length > 0 ? ', with the piece above the page break that began it' : ''}`,
      { line: row.line },
    );
    row.dropped = true;
  };

  // The row has its width: put the fragments that began it in front.
  const complete = (row: OpenRow, cells: TableCell[]): void => {
    row.cells = cells;
    row.short = false;
    for (const fragment of [...row.prefix].reverse()) merge(row.cells, fragment, 'before');
    row.prefix = [];
  };

  const closeShort = (): void => {
    if (open !== null && open.short) {
      drop(
        open,
        `the row has ${open.cells.length} cells where the table has ${n}, and the lines after it do not complete it`,
      );
      open = null;
    }
  };

  const flushWaiting = (): void => {
    for (const fragment of waiting) {
      if (open !== null) merge(open.cells, fragment.cells, 'after');
      else
        diags.error('broken_row', 'a piece of a row with no row to belong to: it is skipped', { line: fragment.line });
    }
    waiting = [];
  };

  // Inside an indicators table: its rows are indicators until a heading, the measures' header or "Іс-шаралар:" ends it.
  let indicators: IndicatorLayout | undefined;
  for (let i = header.next; i < end; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === '') continue;
    const cells = raw.split('\t');
    const texts = cells.map(cellText);
    if (cells.length > 1 || indicators !== undefined) {
      // The measures' own header may name a result indicator and a unit too: it is never an indicators table.
      // A cheap look for the indicator word first: most rows are measures.
      const layout =
        cells.length > 1 &&
        texts.some((t) => t.length <= 80 && INDICATOR_WORD.test(t)) &&
        !headerRows.has(texts.join('\t').replace(/\t+$/, '')) &&
        headerRoles(texts) === null
          ? indicatorLayout(texts, lines[i + 1]?.split('\t').map(cellText))
          : undefined;
      if (layout !== undefined) {
        closeShort();
        flushWaiting();
        open = null;
        indicators = layout;
        i += layout.lines - 1;
        continue;
      }
      if (indicators !== undefined) {
        const only = texts.filter((t) => t !== '');
        const ends =
          only.length <= 1 ||
          headerRows.has(texts.join('\t').replace(/\t+$/, '')) ||
          isRepeatedHeader(texts) ||
          /^(?:іс-шаралар|мероприятия)\s*:?$/iu.test(only[0] ?? '');
        if (!ends) {
          const indicator = indicatorRow(texts, indicators);
          if (indicator !== undefined) items.push({ kind: 'indicator', line: i + 1, indicator });
          continue;
        }
        indicators = undefined;
        if (/^(?:іс-шаралар|мероприятия)\s*:?$/iu.test(only[0] ?? '')) continue;
      }
    }
    if (
      NOTE.test(texts[0] ?? '') ||
      isNumberingRow(texts) ||
      isRepeatedHeader(texts) ||
      isContinuationMarker(texts) ||
      isFootnote(raw) ||
      headerRows.has(texts.join('\t').replace(/\t+$/, ''))
    )
      continue;
    const line = i + 1;
    const first = texts[0] as string;
    // The row's number: in the "№" column, wherever the table has it.
    const lead = texts[numberIndex] ?? '';

    const continued: OpenRow | null = open;
    if (continued !== null && continued.short) {
      // A newline inside a cell cut the row: this line carries on its last cell — unless it is plainly a row or a heading of its own.
      if (!isMeasureNumber(first) && !isHeadingLine(raw) && cells.length <= n - continued.cells.length + 1) {
        const [head, ...rest] = toCells(cells, line);
        (continued.cells[continued.cells.length - 1] as TableCell).pieces.push(...(head as TableCell).pieces);
        continued.cells.push(...rest);
        if (continued.cells.length >= n - 1) {
          const fitted = fit(continued.cells, continued.line, true);
          if (fitted === undefined) closeShort();
          else complete(continued, fitted);
        }
        continue;
      }
      closeShort();
    }

    if (isMeasureNumber(lead) && (numberIndex === 0 || texts.filter((t) => t !== '').length > 1)) {
      const row: OpenRow = {
        line,
        cells: toCells(cells, line),
        short: false,
        dropped: false,
        prefix: waiting.map((w) => w.cells),
      };
      waiting = [];
      if (row.cells.length < n - 1) {
        row.short = true;
      } else {
        const fitted = fit(row.cells, line, true);
        if (fitted === undefined) drop(row, `the row has ${texts.length} cells where the table has ${n}`);
        else complete(row, fitted);
      }
      items.push({ kind: 'row', row });
      open = row.dropped ? null : row;
      continue;
    }

    const only = texts.filter((t) => t !== '');
    if (only.length === 1 && (first !== '' || numberIndex !== 0)) {
      flushWaiting();
      items.push({ kind: 'heading', line, text: only[0] as string });
      open = null;
      continue;
    }

    // A fragment: part of a row that a page break (the blank line) cut. It belongs to the row on the
    // other side of the blank line: after a row and a blank line it ends that row; before a blank line
    // and a row it begins it. With no blank line it continues the row above.
    const fragment = fit(toCells(cells, line), line, false);
    if (fragment === undefined) {
      diags.error('broken_row', `a piece of a row has ${texts.length} cells where the table has ${n}: it is skipped`, {
        line,
      });
      continue;
    }
    const beginsNext = !blank(i - 1) && blank(i + 1);
    if (open !== null && !beginsNext) merge(open.cells, fragment, 'after');
    else waiting.push({ line, cells: fragment });
  }
  closeShort();
  flushWaiting();
  return items.flatMap((item): TableItem[] => {
    if (item.kind === 'heading' || item.kind === 'indicator') return [item];
    return item.row.dropped ? [] : [{ kind: 'row', line: item.row.line, cells: item.row.cells }];
  });
}

// ---- One cell per line ----

const BY_AGREEMENT = /\(?\s*(?:келісім\s+бойынша|по\s+согласованию)\s*\)?/iu;
const FORM_WORDS =
  /ақпарат|ұсыныс|бұйрық|қаулы|жоба|жоспар|хаттама|тұжырымдама|бағдарлама|информаци|предложени|приказ|постановлени|проект|план|протокол|концепци|брошюр|материал/iu;
const FUNDING_WORDS =
  /бюджет|қаражат|средств|талап\s+етілмейді|қажет\s+етпейд|не\s+требуется|(?<![\p{L}])(?:РБ|ЖБ|МБ)(?![\p{L}])/iu;
const AMOUNT = /^\d[\d\s\u00a0]*(?:[.,]\d+)?(?:\s*(?:мың|тыс|млн|млрд)\.?)?(?:\s*(?:теңге|тенге))?$/iu;
const SKIPPED = -2.5;
const MAX_ROW_LINES = 200;

/** How well one line fits a column: the DP below picks the split of a row's lines into cells that fits best. */
function fitness(role: ColumnRole | null, text: string, resolver: Resolver): number {
  if (text === '') return 0;
  const dash = DASH_ONLY.test(text);
  switch (role) {
    case 'title':
      return text.length > 40 ? 1 : 0.3;
    // Forms are short ("АҚДМ-ға ақпарат"); a long line with "ақпарат" in it is a title ("… ақпарат құралдарының …").
    case 'completionForm':
      return FORM_WORDS.test(text) && text.length < 80 ? 1.5 : text.length < 60 ? 0.5 : -0.5;
    case 'executors': {
      const normalized = normalizeDashes(text);
      const parts = normalized
        .split(/[,;]/)
        .map((p) => p.replace(BY_AGREEMENT, '').trim())
        .filter((p) => p !== '');
      const known = parts.filter((p) => resolver.resolve(p) !== null).length + findGroups(normalized).length;
      const score = parts.length === 0 || known === 0 ? -1 : 3 * Math.min(1, known / parts.length);
      // "(келісім бойынша)" is written in executor cells only, even after a name the directory does not know.
      return BY_AGREEMENT.test(text) ? Math.max(score, 2) : score;
    }
    case 'deadline': {
      const rule = parseDeadline(text);
      return rule.kind !== 'unparsed' || rule.reason.startsWith('no such date') ? 3 : dash ? 0.5 : -0.5;
    }
    case 'cost':
      return dash ? 1 : AMOUNT.test(text) ? 2 : FUNDING_WORDS.test(text) ? 1 : -0.5;
    case 'funding':
      return dash ? 1 : FUNDING_WORDS.test(text) ? 2 : -0.5;
    default:
      return 0;
  }
}

/**
 * What it costs to read a line as the continuation of the cell above rather than as a cell of its
 * own: titles run over lines more than other cells do, and a line that starts in lower case
 * continues a sentence while one that starts with a capital usually begins a cell.
 */
function continuation(role: ColumnRole | null, text: string): number {
  return (role === 'title' ? -0.2 : -0.6) + (/^\p{Ll}/u.test(text) ? 0.5 : -0.5);
}

/**
 * Splits a row's lines into its columns, in order, maximising how well lines fit their columns.
 * A blank line is a whole (empty) cell; a cell may run over several lines and a column may get
 * none (at a cost), so a cell split or lost in copying is absorbed.
 */
function alignRow(
  pieces: readonly Piece[],
  roles: readonly (ColumnRole | null)[],
  resolver: Resolver,
): { cells: TableCell[]; exact: boolean } {
  const texts = pieces.map((p) => cellText(p.text));
  const fits = roles.map((role) => texts.map((t) => fitness(role, t, resolver)));
  const lineCount = pieces.length;
  const columns = roles.length;
  // best[j][i]: the best score of putting the first i lines into the first j columns; from[j][i]: where column j-1 began.
  const best: number[][] = Array.from({ length: columns + 1 }, () => new Array<number>(lineCount + 1).fill(-Infinity));
  const from: number[][] = Array.from({ length: columns + 1 }, () => new Array<number>(lineCount + 1).fill(0));
  (best[0] as number[])[0] = 0;
  for (let j = 1; j <= columns; j++) {
    const fit = fits[j - 1] as number[];
    for (let i = 0; i <= lineCount; i++) {
      let score = ((best[j - 1] as number[])[i] as number) + SKIPPED;
      let start = i;
      let segment = 0;
      for (let a = i - 1; a >= 0; a--) {
        // A blank line is a cell of its own, never part of a longer one.
        if (texts[a] === '' && a !== i - 1) break;
        if (texts[i - 1] === '' && a !== i - 1) break;
        // Line a starts the segment; the line after it, which was the start until now, becomes a continuation.
        segment += (fit[a] as number) + (a < i - 1 ? continuation(roles[j - 1] ?? null, texts[a + 1] as string) : 0);
        const candidate = ((best[j - 1] as number[])[a] as number) + segment;
        if (candidate > score) {
          score = candidate;
          start = a;
        }
      }
      (best[j] as number[])[i] = score;
      (from[j] as number[])[i] = start;
    }
  }
  const cells: TableCell[] = new Array<TableCell>(columns);
  let exact = true;
  let i = lineCount;
  for (let j = columns; j >= 1; j--) {
    const start = (from[j] as number[])[i] as number;
    cells[j - 1] = { pieces: pieces.slice(start, i).filter((p) => p.text.trim() !== '') };
    if (i - start !== 1) exact = false;
    i = start;
  }
  return { cells, exact };
}

function follows(previous: string | null, next: string): boolean {
  if (previous === null) return true;
  const a = previous.replace(/[.)]$/, '').split('.').map(Number);
  const b = next.replace(/[.)]$/, '').split('.').map(Number);
  if (b.length > a.length) return b.slice(0, a.length).every((x, k) => x === a[k]);
  return (
    (b[0] as number) === (a[0] as number) + 1 ||
    (b.length > 1 && b.length === a.length && (b[b.length - 1] as number) === (a[a.length - 1] as number) + 1)
  );
}

/**
 * An indicators table in the one-cell-per-line layout, from its header line at `i` ("Нысаналы
 * индикатор"): the header lines (the indicator, its source, its unit, the years), then rows of
 * a number and as many lines as the header has, until a heading, "Іс-шаралар:" or a line that
 * cannot start a row. Null when the lines after `i` are not such a header.
 */
function lineIndicatorsAt(
  lines: readonly string[],
  i: number,
  end: number,
): { items: TableItem[]; next: number } | null {
  // The header may start one line above, with "Р/с №".
  const texts: string[] = [];
  let j = i;
  while (j < end && texts.length < 20) {
    const text = cellText(lines[j] as string);
    if (text === '') {
      j++;
      continue;
    }
    const isHeader =
      text.length <= 80 &&
      (INDICATOR_WORD.test(text) ||
        extraRole(text) !== null ||
        /^(?:есепті|жоспарлы|отч[её]тн|планов)\p{L}*\s+(?:кезең|период)\p{L}*$/iu.test(text));
    if (!isHeader) break;
    texts.push(text);
    j++;
  }
  const years = texts.map((t) => YEAR_CELL.exec(t)?.[1]).filter((y): y is string => y !== undefined);
  // "Есепті кезең" / "Жоспарлы кезең" group the years; they are no column of their own.
  const columns = texts.filter((t) => !/^(?:есепті|жоспарлы|отч[её]тн|планов)/iu.test(t));
  const width = columns.length;
  if (years.length === 0 || !columns.some((t) => extraRole(t) === 'unit')) return null;
  const layout: IndicatorLayout = {
    width,
    name: columns.findIndex((t) => INDICATOR_WORD.test(t)),
    unit: columns.findIndex((t) => extraRole(t) === 'unit'),
    source: columns.findIndex((t) => extraRole(t) === 'infoSource'),
    years,
    lines: 1,
  };
  const items: TableItem[] = [];
  while (j < end) {
    const text = cellText(lines[j] as string);
    if (text === '') {
      j++;
      continue;
    }
    if (!isMeasureNumber(text) || isHeadingLine(lines[j] as string)) break;
    const cells: string[] = [];
    let k = j + 1;
    while (k < end && cells.length < width) {
      const cell = cellText(lines[k] as string);
      if (cell !== '') cells.push(cell);
      k++;
    }
    if (cells.length < width) break;
    const indicator = indicatorRow(cells, layout);
    if (indicator === undefined) break;
    items.push({ kind: 'indicator', line: j + 1, indicator });
    j = k;
  }
  // A following "Іс-шаралар:" line belongs to the indicators' end, not to a measure.
  while (
    j < end &&
    (cellText(lines[j] as string) === '' || /^(?:іс-шаралар|мероприятия)\s*:?$/iu.test(cellText(lines[j] as string)))
  )
    j++;
  return items.length === 0 ? null : { items, next: j };
}

function scanLines(
  lines: readonly string[],
  header: Header,
  end: number,
  resolver: Resolver,
  diags: Diagnostics,
): TableItem[] {
  const n = header.roles.length;
  const numberIndex = header.roles.indexOf('number');
  const dataRoles = header.roles.filter((_, k) => k !== numberIndex);
  const items: TableItem[] = [];
  if (numberIndex < 0) {
    diags.error(
      'no_row_numbers',
      'a table written one cell per line needs its "№" column: without row numbers its rows cannot be told apart',
      { line: header.start + 1 },
    );
    return items;
  }
  // `filled` counts the row's non-blank lines as they come, so no line is looked at twice.
  let current: { line: number; number: string; pieces: Piece[]; filled: number } | null = null;
  let previousNumber: string | null = null;

  const close = (): void => {
    if (current === null) return;
    const pieces = [...current.pieces];
    while (pieces.length > dataRoles.length && (pieces[pieces.length - 1] as Piece).text.trim() === '') pieces.pop();
    if (pieces.length > MAX_ROW_LINES) {
      diags.error('broken_row', `measure ${current.number} runs over ${pieces.length} lines: the row is skipped`, {
        line: current.line,
      });
    } else {
      const { cells, exact } = alignRow(pieces, dataRoles, resolver);
      if (!exact) {
        diags.info(
          'cells_aligned',
          `measure ${current.number}: ${pieces.length} lines for ${dataRoles.length} cells, joined by content — check the cells`,
          { line: current.line },
        );
      }
      cells.splice(numberIndex, 0, { pieces: [{ text: current.number, line: current.line }] });
      items.push({ kind: 'row', line: current.line, cells });
    }
    current = null;
  };

  for (let i = header.next; i < end; i++) {
    const raw = lines[i] as string;
    const text = cellText(raw);
    if (NOTE.test(text) || isFootnote(raw) || isContinuationMarker([text])) continue;
    // An indicators table written one cell per line: its rows become indicators, and the measures resume after it.
    const indicatorTable =
      text !== '' && text.length <= 80 && INDICATOR_WORD.test(text) ? lineIndicatorsAt(lines, i, end) : null;
    if (indicatorTable !== null) {
      close();
      items.push(...indicatorTable.items);
      previousNumber = null;
      i = indicatorTable.next - 1;
      continue;
    }
    const repeated = text !== '' && text.length <= 80 && headerRole(text) !== null ? lineHeaderAt(lines, i, end) : null;
    if (repeated !== null) {
      i = repeated.next - 1;
      continue;
    }
    if (text === '1') {
      let k = 0;
      while (k < n && cellText(lines[i + k] ?? '') === String(k + 1)) k++;
      if (k === n) {
        i += n - 1;
        continue;
      }
    }
    if (text !== '' && isHeadingLine(raw)) {
      close();
      items.push({ kind: 'heading', line: i + 1, text });
      continue;
    }
    if (
      isMeasureNumber(text) &&
      (current === null ||
        (current.filled >= 2 && (follows(previousNumber, text) || current.pieces.length >= dataRoles.length)))
    ) {
      close();
      current = { line: i + 1, number: text, pieces: [], filled: 0 };
      previousNumber = text;
      continue;
    }
    if (current !== null) {
      current.pieces.push({ text: raw, line: i + 1 });
      if (text !== '') current.filled++;
    } else if (text !== '')
      diags.warning('text_outside_rows', `"${text.slice(0, 60)}" is neither a row nor a heading and is ignored`, {
        line: i + 1,
      });
  }
  close();
  return items;
}
