// Imports a plan from the text of its decree as Adilet publishes it: the decree's points, the table (tab-separated or one cell per line), the glossary.
import type { Plan, PlanIndicator } from '../plan.js';
import { assemblePlan, planDate } from './assemble.js';
import { describeRoles, formatColumnMapping, inferColumns, rolesFromMapping } from './column-mapping.js';
import { costMultiplier, type ColumnRole } from './columns.js';
import { findApprovingAct, findCoordinator, findPolicy, findTitle, readNotes, yearsOf } from './decree.js';
import { cellValue, locateTable, readTable, tableEnd, type TableItem, type TableLocation } from './decree-table.js';
import { readFootnotes, trailingMarker } from './footnotes.js';
import { glossaryRecord, parseGlossary } from './glossary.js';
import { buildMeasure, bilingual, type SourceRow } from './measures.js';
import { createResolver } from './resolve.js';
import { Diagnostics, emptyFileResult, isBlank, type ImportOptions, type ImportResult } from './result.js';
import { cellText, detectLang } from './text.js';

function splitLines(text: string): string[] {
  return text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
}

/** "1-бөлім. Дін саласындағы …" → number "1" and the title; "<b>Нормативтік …</b>" → no number. */
function section(text: string, lang: 'kk' | 'ru'): Plan['sections'][number] {
  const m =
    /^(\d+(?:\.\d+)*)\s*-\s*(?:бөлім|тарау|бағыт|міндет|мақсат)\.?\s*(.*)$/iu.exec(text) ??
    /^(?:Раздел|Глава|Направление|Бөлім|Параграф|Задача|Цель)\s+(\d+(?:\.\d+)*)\.?\s*(.*)$/iu.exec(text) ??
    /^(\d+(?:\.\d+)*)\.\s+(.*)$/u.exec(text);
  return m === null
    ? { number: null, title: bilingual(text, lang) }
    : { number: m[1] as string, title: bilingual((m[2] as string).trim(), lang) };
}

// An amendment that restates the plan itself: "Жоспар жаңа редакцияда", "План в редакции …".
const RESTATES_PLAN = /(?:жоспар|іс-шаралар\s+жоспары|план)\p{L}*\s+(?:жаңа\s+редакцияда|в\s+редакции)/iu;

/**
 * Reads a decree text into a plan. Executor codes resolve against the plan's own glossary, then
 * `opts.directory`; what the text does not say (a bare table has no act or coordinator) is an
 * error diagnostic, never a guess. `plan` is null only when the text holds no plan table.
 */
export function importDecreeText(text: string, opts: ImportOptions): ImportResult {
  if (isBlank(text)) return emptyFileResult('the decree text');
  const lines = splitLines(text);
  const lang = opts.lang ?? detectLang(text);
  const diagnostics = new Diagnostics();
  const table = mappedTable(lines, locateTable(lines), opts, diagnostics);
  if (table === undefined) {
    diagnostics.error(
      'no_table',
      'no plan table found: expected a header row naming the measure, the executors and the deadline ("Іс-шараның атауы … Жауапты орындаушылар … Орындау мерзімі"), or tab-separated rows whose columns can be told from their content; give the columns by hand with a mapping such as "number=1,name=2,form=3,executors=4,deadline=5" (CLI --columns, API columns=)',
    );
    const glossaryStart = lines.findIndex((l) => cellText(l) !== '' && /аббревиатур/i.test(l));
    const glossary = glossaryStart < 0 ? [] : parseGlossary(lines, glossaryStart, lines.length, lang);
    return { plan: null, abbreviations: glossaryRecord(glossary), diagnostics: diagnostics.sorted() };
  }

  const glossary = parseGlossary(lines, table.end, lines.length, lang);
  const resolver = createResolver(opts.directory, glossary, diagnostics);
  const abbreviations = glossaryRecord(glossary);

  const decreeTitle = cellText(lines.slice(0, table.start).find((l) => cellText(l) !== '') ?? '');
  const found = findApprovingAct(lines, table.start, decreeTitle === '' ? undefined : bilingual(decreeTitle, lang));
  const notes = readNotes(lines, diagnostics);
  const title = findTitle(lines, table.start, diagnostics);
  const years = (title && yearsOf(title.text)) ?? yearsOf(decreeTitle);
  const coordinator = findCoordinator(lines, table.start, opts.directory);
  if (coordinator !== undefined) {
    diagnostics.info(
      'coordinator_from_decree',
      `coordinator: ${coordinator.code}, the body the decree's reporting point sends the reports to`,
      { line: coordinator.line, field: 'coordinator' },
    );
  }
  const policy = findPolicy(lines, table.start, diagnostics);
  const restated = notes.amendments.filter((a) => RESTATES_PLAN.test(a.summary));
  const date = planDate({ approvedBy: found?.act, amendments: notes.amendments, years }, restated, diagnostics);

  const items = readTable(lines, table, resolver, diagnostics);
  const costColumn = table.roles.indexOf('cost');
  const ctx = {
    resolver,
    date,
    lang,
    costMultiplier: costColumn < 0 ? undefined : costMultiplier(table.headers[costColumn] ?? ''),
    diagnostics,
    footnotes: readFootnotes(lines, table.next, lines.length),
    policy,
  };
  const sections: Plan['sections'][number][] = [];
  const measures: Plan['measures'][number][] = [];
  const indicators: PlanIndicator[] = [];
  for (const item of items) {
    if (item.kind === 'heading') {
      sections.push(section(item.text, lang));
      continue;
    }
    if (item.kind === 'indicator') {
      const { name, unit, source, targets } = item.indicator;
      indicators.push({
        name: bilingual(name, lang),
        unit,
        source,
        targets,
        section: sections.length === 0 ? null : sections.length - 1,
      });
      continue;
    }
    const measure = buildMeasure(
      sourceRow(item, table, sections.length === 0 ? null : sections.length - 1),
      measures.length,
      ctx,
    );
    if (measure !== null) measures.push(measure);
  }
  if (measures.length === 0) {
    diagnostics.error('no_measures', 'the plan table has no rows that could be read');
    return { plan: null, abbreviations, diagnostics: diagnostics.sorted() };
  }

  const plan = assemblePlan(
    {
      lang,
      ...(title && { title }),
      ...(found && { approvedBy: found.act }),
      amendments: notes.amendments,
      repeal: notes.repeal,
      ...(years && { years }),
      ...(coordinator && { coordinator: coordinator.code }),
      policy,
      sections,
      measures,
      abbreviations,
      indicators,
    },
    diagnostics,
  );
  if (indicators.length > 0) {
    diagnostics.info(
      'indicators_read',
      `${indicators.length} target and result indicators read from the plan's indicator tables, with their yearly values`,
      { field: 'indicators' },
    );
  }
  return { plan, abbreviations, diagnostics: diagnostics.sorted() };
}

/**
 * The table with a reviewer's column mapping applied, or — when no header was found — with the
 * columns guessed from the cells of its tab-separated rows; the diagnostic says which. A text with
 * neither a header nor tab-separated rows has no table.
 */
function mappedTable(
  lines: readonly string[],
  found: TableLocation | undefined,
  opts: ImportOptions,
  diagnostics: Diagnostics,
): TableLocation | undefined {
  if (found !== undefined && opts.columns === undefined) return found;
  if (found !== undefined && opts.columns !== undefined) {
    const roles = rolesFromMapping(opts.columns, found.roles.length);
    diagnostics.info('columns_given', `columns as the reviewer mapped them: ${describeRoles(roles)}`, {
      line: found.start + 1,
      field: 'columns',
    });
    return { ...found, roles, headers: roles.map((_, k) => found.headers[k] ?? '') };
  }
  // No header: the first tab-separated row that begins with a measure number starts the table.
  const start = lines.findIndex(
    (l) =>
      l.includes('\t') &&
      /^\s*\d{1,4}[.)]?\s*$/.test(l.split('\t')[0] ?? '') &&
      l.split('\t').filter((c) => cellText(c) !== '').length >= 3,
  );
  if (start < 0) return undefined;
  const end = tableEnd(lines, start);
  const rows = lines
    .slice(start, Math.min(end, start + 2000))
    .filter((l) => l.includes('\t'))
    .map((l) => l.split('\t'));
  const width = Math.max(...rows.map((r) => r.length));
  let roles: (ColumnRole | null)[];
  if (opts.columns !== undefined) {
    roles = rolesFromMapping(opts.columns, width);
    diagnostics.info('columns_given', `columns as the reviewer mapped them: ${describeRoles(roles)}`, {
      line: start + 1,
      field: 'columns',
    });
  } else {
    const guess = inferColumns(rows, createResolver(opts.directory, [], new Diagnostics()));
    if (guess === null) return undefined;
    roles = guess;
    diagnostics.warning(
      'columns_inferred',
      `no header row names the columns, so they were read from their content: ${describeRoles(guess)} — confirm with the mapping "${formatColumnMapping(guess)}" (CLI --columns, API columns=) or correct it`,
      { line: start + 1, field: 'columns' },
    );
  }
  return { layout: 'tabs', roles, headers: roles.map(() => ''), start, next: start, end };
}

function sourceRow(
  item: Extract<TableItem, { kind: 'row' }>,
  table: Pick<TableLocation, 'roles' | 'headers'>,
  section: number | null,
): SourceRow {
  const cells: SourceRow['cells'] = {};
  const extras: { header: string; value: string }[] = [];
  table.roles.forEach((role, j) => {
    const cell = item.cells[j];
    if (cell === undefined) return;
    if (role === null) {
      extras.push({ header: table.headers[j] ?? '', value: cellValue(cell) });
      return;
    }
    const first = cell.pieces[0];
    cells[role] = { text: cellValue(cell), line: first?.line ?? item.line, pieces: cell.pieces };
  });
  const deadlinePieces = cells.deadline?.pieces ?? [];
  const marker = trailingMarker(deadlinePieces[deadlinePieces.length - 1]?.text ?? '');
  return {
    cells,
    line: item.line,
    section,
    ...(extras.length > 0 && { extras }),
    ...(marker !== undefined && { deadlineMarker: marker }),
  };
}
