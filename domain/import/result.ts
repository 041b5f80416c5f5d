// What every importer returns, and the one rule that decides whether an import may be stored.
import type { Agency, BilingualName, Diagnostic, DiagnosticSeverity, Plan } from '../plan.js';
import type { ColumnRole } from './columns.js';

export interface ImportResult {
  /** The plan as read; null only when nothing usable was found. A plan with error diagnostics must not be stored (see hasErrors). */
  readonly plan: Plan | null;
  /** The source's own glossary: code → full name. */
  readonly abbreviations: Readonly<Record<string, BilingualName>>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ImportOptions {
  /** The agencies directory executor codes resolve against (after the plan's own glossary). */
  readonly directory: readonly Agency[];
  /** The language of the source; detected from the text when absent. */
  readonly lang?: 'kk' | 'ru';
  /** A reviewer's column mapping (1-based), over what the header says or Merzim would guess: see column-mapping.ts. */
  readonly columns?: Readonly<Partial<Record<ColumnRole, number>>>;
}

/**
 * The storing rule: an import may be stored only when it produced a plan and no error diagnostic.
 * Warnings (an unparsed deadline) and infos (a repaired row) are shown for review but do not block.
 */
export function hasErrors(result: ImportResult): boolean {
  return result.plan === null || result.diagnostics.some((d) => d.severity === 'error');
}

export interface Where {
  readonly line?: number;
  readonly row?: number;
  readonly field?: string;
}

/** Collects diagnostics in the order found; `where` fields that are undefined are left out, so results compare cleanly. */
export class Diagnostics {
  private readonly list: Diagnostic[] = [];

  error(code: string, message: string, where: Where = {}): void {
    this.add('error', code, message, where);
  }

  warning(code: string, message: string, where: Where = {}): void {
    this.add('warning', code, message, where);
  }

  info(code: string, message: string, where: Where = {}): void {
    this.add('info', code, message, where);
  }

  add(severity: DiagnosticSeverity, code: string, message: string, where: Where): void {
    this.list.push({
      severity,
      code,
      message,
      ...(where.line !== undefined && { line: where.line }),
      ...(where.row !== undefined && { row: where.row }),
      ...(where.field !== undefined && { field: where.field }),
    });
  }

  /** In source order (line, then row); document-wide diagnostics, which have neither, first. Stable within a line. */
  sorted(): Diagnostic[] {
    const position = (d: Diagnostic): number => d.line ?? d.row ?? 0;
    return this.list
      .map((d, i) => ({ d, i }))
      .sort((a, b) => position(a.d) - position(b.d) || a.i - b.i)
      .map(({ d }) => d);
  }
}

/** The result for input with nothing in it. */
export function emptyFileResult(what = 'the file'): ImportResult {
  return {
    plan: null,
    abbreviations: {},
    diagnostics: [{ severity: 'error', code: 'empty_file', message: `${what} is empty` }],
  };
}

export function isBlank(text: string): boolean {
  return !/[^\s\u00a0\u200b\ufeff]/u.test(text);
}
