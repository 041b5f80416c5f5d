// An imported plan whose text PostgreSQL could not store (NUL, lone surrogates from a JSON/YAML escape or a spreadsheet cell) gets an error diagnostic per field.
import { findUnstorableText } from '../storable-text.js';
import type { ImportResult } from './result.js';

/** The result with one `unstorable_text` error per field of the plan holding such a string (at most 20); the same result when clean. */
export function withUnstorableTextDiagnostics(result: ImportResult): ImportResult {
  if (result.plan === null) return result;
  const found = findUnstorableText(result.plan, '', 20);
  if (found.length === 0) return result;
  const diagnostics = found.map((problem) => {
    const field = problem.slice(0, problem.indexOf(': '));
    return {
      severity: 'error' as const,
      code: 'unstorable_text',
      message: `${problem}: remove the character (Merzim cannot store it) and upload again`,
      field,
    };
  });
  return { ...result, diagnostics: [...result.diagnostics, ...diagnostics] };
}
