// One table row → one Measure: the same reading of every column for decree texts, CSV and spreadsheets, with a diagnostic naming line, row and field for each doubt.
import type { IsoDate } from '../dates.js';
import { parseDeadline } from '../deadline-language.js';
import type { BilingualName, FootnoteReporting, Measure, MeasureExecutor, MeasureExtra } from '../plan.js';
import { extraRole, type ColumnRole } from './columns.js';
import { reportingOf, type Footnote } from './footnotes.js';
import { readRecipient } from './completion.js';
import { parseExecutors } from './executors.js';
import { executorStage, type ReportingPolicy } from '../policies.js';
import type { Resolver } from './resolve.js';
import type { Diagnostics } from './result.js';
import { cellText } from './text.js';

/** A cell's text and the source line it starts on (decree text, CSV); spreadsheets give only the row. */
export interface SourceCell {
  readonly text: string;
  readonly line?: number;
  /** For a cell assembled from several lines: each piece and its line, to point a diagnostic at the right one. */
  readonly pieces?: readonly { readonly text: string; readonly line: number }[];
}

export interface SourceRow {
  readonly cells: Partial<Record<ColumnRole, SourceCell>>;
  readonly line?: number;
  readonly row?: number;
  readonly section: number | null;
  /** The row's other columns (unit, budget programme, expenses per year…): header and cell as printed. */
  readonly extras?: readonly { readonly header: string; readonly value: string }[];
  /** A footnote marker the deadline cell ends with ("*", "**"), read from the raw cell (cleaning drops "**"). */
  readonly deadlineMarker?: string;
}

export interface MeasureContext {
  readonly resolver: Resolver;
  /** The day group executors are expanded on (the plan's date); undefined when the source gives none. */
  readonly date: IsoDate | undefined;
  readonly lang: 'kk' | 'ru';
  /** Tenge per unit of the cost column (from its header); undefined when the header names no unit. */
  readonly costMultiplier: number | undefined;
  readonly diagnostics: Diagnostics;
  /** The footnotes under the table, by marker. */
  readonly footnotes?: ReadonlyMap<string, Footnote>;
  /** The plan's reporting policy: where a cell gives a frequency but no day, the day is the policy's (and said to be inferred). */
  readonly policy?: ReportingPolicy;
}

/** The extra columns of a row, sorted by what their headers name; empty cells and dashes are left out. */
export function readExtras(extras: SourceRow['extras']): MeasureExtra | undefined {
  if (extras === undefined) return undefined;
  const out: {
    unit?: string;
    budgetCode?: string;
    expenses?: Record<string, string>;
    columns?: Record<string, string>;
  } = {};
  for (const { header, value } of extras) {
    const text = cellText(value);
    if (isEmpty(text)) continue;
    const role = extraRole(header);
    const year = /(?:19|20)\d{2}/.exec(header)?.[0];
    if (role === 'unit') out.unit = text;
    else if (role === 'budgetCode') out.budgetCode = text;
    else if (role === 'year' && year !== undefined) out.expenses = { ...out.expenses, [year]: text };
    else
      out.columns = {
        ...out.columns,
        [cellText(header) === '' ? `column ${Object.keys(out.columns ?? {}).length + 1}` : cellText(header)]: text,
      };
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

// "Not required" in the cost or funding column.
const NOT_REQUIRED =
  /^(?:талап\s+етілмейді|талап\s+етпейді|қажет\s+етпейд[іи]|қажет\s+етілмейді|не\s+требуется|не\s+требует(?:ся)?\s+финансирования|not\s+required)\.?$/iu;
const DASH_ONLY = /^[-–—]$/;
// "1 234,5", "1234.5", "12,0 млн. теңге".
const AMOUNT =
  /^(\d{1,3}(?:[\s\u00a0]\d{3})+|\d+)(?:[.,](\d+))?(?:\s*(мың|тыс|млн|млрд)\.?)?(?:\s*(?:теңге|тенге|тг|kzt))?\.?$/iu;
const UNIT_WORD: Readonly<Record<string, number>> = { мың: 1e3, тыс: 1e3, млн: 1e6, млрд: 1e9 };

export function bilingual(text: string, lang: 'kk' | 'ru'): BilingualName {
  return lang === 'kk' ? { kk: text, ru: null } : { kk: null, ru: text };
}

function isEmpty(text: string): boolean {
  return text === '' || DASH_ONLY.test(text);
}

/** The line of the piece of `cell` in which `needle` starts (its first word), else the cell's first line. */
function lineOf(cell: SourceCell | undefined, needle: string, fallback: number | undefined): number | undefined {
  const word = needle.split(/\s+/)[0] ?? '';
  const piece = word === '' ? undefined : cell?.pieces?.find((p) => p.text.includes(word));
  return piece?.line ?? cell?.line ?? fallback;
}

function readCost(costCell: string, fundingCell: string, multiplier: number | undefined): Measure['cost'] {
  if (NOT_REQUIRED.test(costCell) || (isEmpty(costCell) && NOT_REQUIRED.test(fundingCell))) {
    return { text: isEmpty(costCell) ? fundingCell : costCell, amount: 0, currency: 'KZT' };
  }
  if (isEmpty(costCell)) return null;
  const m = AMOUNT.exec(costCell);
  const unit = m?.[3] === undefined ? multiplier : UNIT_WORD[m[3].toLowerCase()];
  if (m === null || unit === undefined) return { text: costCell };
  const value = Number(`${(m[1] as string).replace(/[\s\u00a0]/g, '')}.${m[2] ?? '0'}`);
  // Rounded to the tenge: "1,5 млн" is 1 500 000, not 1 499 999.9999.
  return { text: costCell, amount: Math.round(value * unit), currency: 'KZT' };
}

/**
 * Builds the measure at `index` of the plan from a row, or null when the row cannot be one (no
 * title): that is an error and the row is skipped. Unknown executors stay in the measure, named
 * as printed, each with an error; a deadline the parser cannot read is a warning, an impossible
 * date an error, "as needed" an info.
 */
export function buildMeasure(source: SourceRow, index: number, ctx: MeasureContext): Measure | null {
  const { diagnostics: diags, lang } = ctx;
  const at = (role: ColumnRole): { line?: number; row?: number } => ({
    ...((source.cells[role]?.line ?? source.line) !== undefined && { line: source.cells[role]?.line ?? source.line }),
    ...(source.row !== undefined && { row: source.row }),
  });
  const text = (role: ColumnRole): string => cellText(source.cells[role]?.text ?? '');
  const path = `measures[${index}]`;
  const number = text('number');
  const title = text('title');
  const label = number === '' ? `row ${source.row ?? source.line ?? index + 1}` : `measure ${number}`;
  if (title === '') {
    diags.error('missing_title', `${label} has no title: the row is skipped`, {
      ...at('title'),
      field: `${path}.title`,
    });
    return null;
  }

  const executorCell = source.cells.executors;
  const parsed = parseExecutors(executorCell?.text ?? '', ctx.resolver, ctx.date);
  for (const problem of parsed.problems) {
    const where = {
      line: lineOf(executorCell, problem.text, source.line),
      ...(source.row !== undefined && { row: source.row }),
      field: `${path}.executors[${problem.index}]`,
    };
    if (problem.kind === 'group_without_date') {
      diags.error(
        'group_without_date',
        `${label}: the group "${problem.text}" cannot be expanded without the plan's date`,
        where,
      );
    } else if (problem.kind === 'unknown_abbreviation') {
      diags.error(
        'unknown_abbreviation',
        `${label}: executor "${problem.text}" is neither in the plan's glossary nor in the agencies directory`,
        where,
      );
    } else {
      diags.error(
        'unknown_executor',
        `${label}: executor "${problem.text}" names no agency of the glossary or the directory`,
        where,
      );
    }
  }
  for (const { code, detail } of parsed.details) {
    diags.info(
      'executor_detail',
      `${label}: "${code} (${detail})" — the obligation is ${code}'s; the part in brackets is kept only in the source`,
      {
        line: lineOf(executorCell, detail, source.line),
        ...(source.row !== undefined && { row: source.row }),
        field: `${path}.executors`,
      },
    );
  }
  if (parsed.executors.length === 0) {
    diags.error('missing_executors', `${label} names no executor`, { ...at('executors'), field: `${path}.executors` });
  }
  const inferred: string[] = [];
  for (const k of parsed.byAgreementInferred) {
    const code = (parsed.executors[k] as MeasureExecutor).code;
    inferred.push(`executors[${k}].byAgreement`);
    diags.info(
      'by_agreement_inferred',
      `${label}: ${code} is taken as reporting by agreement because the agencies directory says so, not the cell ("келісім бойынша" / "по согласованию") — confirm or change it`,
      { ...at('executors'), field: `${path}.executors[${k}].byAgreement` },
    );
  }

  const form = text('completionForm');
  const reading = readRecipient(form, ctx.resolver);
  if (reading.kind === 'unknown') {
    diags.error(
      'unknown_abbreviation',
      `${label}: the completion form "${form}" sends the report to "${reading.code}", which is neither in the plan's glossary nor in the agencies directory`,
      { ...at('completionForm'), field: `${path}.completionForm` },
    );
  }

  const deadlineText = text('deadline');
  const rule = parseDeadline(deadlineText);
  if (rule.kind === 'unparsed') {
    if (rule.reason.startsWith('no such date')) {
      diags.error(
        'deadline_impossible_date',
        `${label}: the deadline "${deadlineText}" is impossible (${rule.reason})`,
        { ...at('deadline'), field: `${path}.deadline` },
      );
    } else {
      diags.warning(
        'deadline_unparsed',
        `${label}: the deadline "${deadlineText}" is not understood (${rule.reason}); set it by hand before cycles start`,
        { ...at('deadline'), field: `${path}.deadline` },
      );
    }
  } else if (
    (rule.kind === 'quarterly' || rule.kind === 'semiannual' || rule.kind === 'monthly') &&
    rule.deadline === undefined &&
    ctx.policy !== undefined
  ) {
    const { monthsAfterPeriodEnd, day } = executorStage(ctx.policy).deadline;
    inferred.push('deadline.day');
    diags.info(
      'deadline_day_from_policy',
      `${label}: "${deadlineText}" says how often but not by which day: the plan's policy sets it (day ${day} of the ${monthsAfterPeriodEnd === 1 ? 'month after' : `${monthsAfterPeriodEnd}th month after`} each period) — confirm or change it`,
      { ...at('deadline'), field: `${path}.deadline` },
    );
  } else if (rule.kind === 'as_needed') {
    diags.info('deadline_as_needed', `${label}: "${deadlineText}" has no calendar deadline; it is not scheduled`, {
      ...at('deadline'),
      field: `${path}.deadline`,
    });
  }

  let reporting: FootnoteReporting | undefined;
  if (source.deadlineMarker !== undefined) {
    const note = ctx.footnotes?.get(source.deadlineMarker);
    if (note === undefined) {
      diags.warning(
        'footnote_missing',
        `${label}: the deadline ends in the footnote marker "${source.deadlineMarker}" but no footnote under the table has it`,
        { ...at('deadline'), field: `${path}.deadline` },
      );
    } else {
      const read = reportingOf(note, ctx.resolver);
      reporting = read.reporting;
      const where = { ...at('deadline'), field: `${path}.reporting` };
      const quote = `footnote ${note.marker} (line ${note.line}) "${note.text.slice(0, 200)}"`;
      if (read.unknown !== undefined) {
        diags.error(
          'footnote_unknown_recipient',
          `${label}: ${quote} sends the information to "${read.unknown}", which is neither in the plan's glossary nor in the agencies directory: say which agency it is, or ignore it (the plan's coordinator receives it)`,
          where,
        );
      }
      if (reporting.rule.kind === 'unparsed') {
        diags.warning(
          'footnote_unparsed',
          `${label}: ${quote} sets the reporting, but its dates are not understood (${reporting.rule.reason}); set them by hand`,
          where,
        );
      } else {
        const to =
          reporting.recipient !== null
            ? `to ${'role' in reporting.recipient ? reporting.recipient.role : reporting.recipient.agency}`
            : read.unknown !== undefined
              ? `to "${read.unknown}", a body Merzim does not know`
              : "to the plan's coordinator (the footnote names no body)";
        diags.info('footnote_reporting', `${label}: ${quote} sets the reporting: ${to}, ${reporting.rule.kind}`, where);
      }
    }
  }

  const extra = readExtras(source.extras);
  const fundingText = text('funding');
  return {
    number: number === '' ? String(index + 1) : number,
    section: source.section,
    title: bilingual(title, lang),
    completionForm: form === '' ? { kk: null, ru: null } : bilingual(form, lang),
    recipient: reading.kind === 'recipient' ? reading.recipient : null,
    executors: parsed.executors,
    deadline: { text: deadlineText, rule },
    indicators: [],
    cost: readCost(text('cost'), fundingText, ctx.costMultiplier),
    fundingSource: isEmpty(fundingText) || NOT_REQUIRED.test(fundingText) ? null : fundingText,
    source: {
      ...(source.line !== undefined && { line: source.line }),
      ...(source.row !== undefined && { row: source.row }),
    },
    ...(extra !== undefined && { extra }),
    ...(inferred.length > 0 && { inferred }),
    ...(reporting !== undefined && { reporting }),
  };
}
