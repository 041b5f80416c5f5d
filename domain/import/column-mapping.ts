// Which column is which when no header says so: a reviewer's mapping ("name=2,form=4,deadline=5,executors=6") or a guess from the cells' content, always shown for review.
import { parseDeadline } from '../deadline-language.js';
import { COLUMNS, type ColumnRole } from './columns.js';
import { findGroups } from './groups.js';
import type { Resolver } from './resolve.js';
import { cellText, normalizeDashes } from './text.js';

/** 1-based column numbers by role, as a reviewer gives them. */
export type ColumnMapping = Readonly<Partial<Record<ColumnRole, number>>>;

/** The names a mapping may use for each role (the CLI's and the API's `columns`). */
const NAMES: Readonly<Record<string, ColumnRole>> = {
  number: 'number',
  no: 'number',
  section: 'section',
  name: 'title',
  title: 'title',
  measure: 'title',
  form: 'completionForm',
  completion: 'completionForm',
  completionform: 'completionForm',
  executors: 'executors',
  executor: 'executors',
  deadline: 'deadline',
  due: 'deadline',
  cost: 'cost',
  funding: 'funding',
};

const SHORT_NAME: Readonly<Record<ColumnRole, string>> = {
  number: 'number',
  section: 'section',
  title: 'name',
  completionForm: 'form',
  executors: 'executors',
  deadline: 'deadline',
  cost: 'cost',
  funding: 'funding',
};

/** Reads "name=2,form=4,deadline=5,executors=6"; an error names the part that is wrong. The title, executors and deadline are required. */
export function parseColumnMapping(text: string): { readonly mapping: ColumnMapping } | { readonly error: string } {
  const mapping: Partial<Record<ColumnRole, number>> = {};
  const used = new Map<number, string>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^([a-z]+)\s*=\s*(\d{1,3})$/i.exec(part);
    if (m === null) return { error: `"${part}" must look like name=2` };
    const role = NAMES[(m[1] as string).toLowerCase()];
    if (role === undefined) return { error: `"${m[1]}" is not a column: use ${Object.keys(NAMES).join(', ')}` };
    const column = Number(m[2]);
    if (column < 1) return { error: `"${part}": columns are numbered from 1` };
    if (mapping[role] !== undefined) return { error: `"${m[1]}" is given twice` };
    const other = used.get(column);
    if (other !== undefined) return { error: `column ${column} is given to both ${other} and ${m[1]}` };
    used.set(column, m[1] as string);
    mapping[role] = column;
  }
  const missing = (['title', 'executors', 'deadline'] as const).filter((r) => mapping[r] === undefined);
  if (missing.length > 0) return { error: `the mapping needs ${missing.map((r) => SHORT_NAME[r]).join(', ')}` };
  return { mapping };
}

/** The mapping as the reviewer would type it back: "number=1,name=2,…". */
export function formatColumnMapping(roles: readonly (ColumnRole | null)[]): string {
  return roles.flatMap((role, k) => (role === null ? [] : [`${SHORT_NAME[role]}=${k + 1}`])).join(',');
}

/** Per column (0-based), the role a mapping gives it, for a table `width` columns wide. */
export function rolesFromMapping(mapping: ColumnMapping, width: number): (ColumnRole | null)[] {
  const top = Math.max(width, ...Object.values(mapping).map((c) => c ?? 0));
  const roles: (ColumnRole | null)[] = new Array<ColumnRole | null>(top).fill(null);
  for (const [role, column] of Object.entries(mapping) as [ColumnRole, number][]) roles[column - 1] = role;
  return roles;
}

/** What a guess says per column, for the diagnostic: "1 № · 2 the title · …". */
export function describeRoles(roles: readonly (ColumnRole | null)[]): string {
  return roles
    .flatMap((role, k) =>
      role === null ? [] : [`column ${k + 1}: ${COLUMNS.find((c) => c.role === role)?.label.en ?? role}`],
    )
    .join(', ');
}

const NUMBER = /^\d{1,6}(?:\.\d{1,3})*[.)]?$/;
const FORM_WORDS =
  /ақпарат|ұсыныс|бұйрық|қаулы|жоба|жоспар|хаттама|баяндама|тұжырымдама|бағдарлама|есеп|информаци|предложени|приказ|постановлени|проект|план|протокол|доклад|отч[её]т|концепци|материал/iu;
const FUNDING_WORDS = /бюджет|қаражат|средств|талап\s+етілмейді|не\s+требуется|(?<![\p{L}])(?:РБ|ЖБ|МБ)(?![\p{L}])/iu;
const AMOUNT = /^\d[\d\s\u00a0]*(?:[.,]\d+)?$/;
const BY_AGREEMENT = /келісім\s+бойынша|по\s+согласованию/iu;

function executorsScore(text: string, resolver: Resolver): number {
  const normalized = normalizeDashes(text).replace(BY_AGREEMENT, ' ').replace(/[()]/g, ' ');
  const parts = normalized
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return 0;
  const known = parts.filter((p) => resolver.resolve(p) !== null).length + findGroups(normalized).length;
  return Math.min(1, known / parts.length);
}

/**
 * Guesses the columns of rows that no header names, from the cells: a column of row numbers, one
 * of agencies the directory knows, one of deadline expressions, one of completion forms; the
 * title is the column of longest text left. Null when the title, executors and deadline cannot
 * all be placed — Merzim then asks for a mapping rather than guess further.
 */
export function inferColumns(rows: readonly (readonly string[])[], resolver: Resolver): (ColumnRole | null)[] | null {
  const data = rows
    .map((r) => r.map(cellText))
    .filter((r) => r.filter((c) => c !== '').length >= 3)
    .slice(0, 400);
  if (data.length === 0) return null;
  const width = Math.max(...data.map((r) => r.length));
  const share = (j: number, test: (text: string) => number): number => {
    const cells = data.map((r) => r[j] ?? '').filter((c) => c !== '' && !/^[-–—]$/.test(c));
    return cells.length < data.length / 2 ? 0 : cells.reduce((sum, c) => sum + test(c), 0) / cells.length;
  };
  const scores: { role: ColumnRole; column: number; score: number }[] = [];
  for (let j = 0; j < width; j++) {
    scores.push({ role: 'number', column: j, score: share(j, (c) => (NUMBER.test(c) ? 1 : 0)) });
    scores.push({
      role: 'deadline',
      column: j,
      score: share(j, (c) => (parseDeadline(c).kind !== 'unparsed' ? 1 : 0)),
    });
    scores.push({ role: 'executors', column: j, score: share(j, (c) => executorsScore(c, resolver)) });
    scores.push({
      role: 'completionForm',
      column: j,
      score: share(j, (c) => (FORM_WORDS.test(c) && c.length < 120 ? 1 : 0)) * 0.9,
    });
    scores.push({
      role: 'funding',
      column: j,
      score: share(j, (c) => (FUNDING_WORDS.test(c) && c.length < 80 ? 1 : 0)) * 0.8,
    });
    scores.push({
      role: 'cost',
      column: j,
      score: share(j, (c) => (AMOUNT.test(c) && !NUMBER.test(c) ? 1 : AMOUNT.test(c) ? 0.3 : 0)) * 0.8,
    });
  }
  const roles: (ColumnRole | null)[] = new Array<ColumnRole | null>(width).fill(null);
  const placed = new Set<ColumnRole>();
  for (const { role, column, score } of scores.sort((a, b) => b.score - a.score)) {
    if (score < 0.5 || placed.has(role) || roles[column] !== null) continue;
    roles[column] = role;
    placed.add(role);
  }
  // The title: the free column of the longest text on average.
  let title = -1;
  let longest = 25;
  for (let j = 0; j < width; j++) {
    if (roles[j] !== null) continue;
    const cells = data.map((r) => r[j] ?? '').filter((c) => c !== '');
    const mean = cells.length < data.length / 2 ? 0 : cells.reduce((sum, c) => sum + c.length, 0) / cells.length;
    if (mean > longest) {
      longest = mean;
      title = j;
    }
  }
  if (title >= 0) roles[title] = 'title';
  if (!roles.includes('title') || !roles.includes('executors') || !roles.includes('deadline')) return null;
  while (roles.length > 0 && roles[roles.length - 1] === null) roles.pop();
  return roles;
}
