// The importer's diagnostics in the reader's language: each code has a catalogue message (kk, ru, en) and the values the
// English developer message quotes ("…") are shown beside it. The API's JSON keeps the English message as it is.
import type { Diagnostic } from '../../domain/plan.js';
import type { Translator } from './i18n/index.js';

/** Every code the importers (domain/import, api/import) give a diagnostic; each has `diag.<code>` in every catalogue. */
export const DIAGNOSTIC_CODES = [
  'agency_not_in_directory',
  'broken_row',
  'by_agreement_inferred',
  'cells_aligned',
  'cells_repaired',
  'columns_given',
  'columns_inferred',
  'coordinator_from_decree',
  'csv_stray_text',
  'csv_unterminated_quote',
  'deadline_as_needed',
  'deadline_day_from_policy',
  'deadline_impossible_date',
  'deadline_override',
  'deadline_rule_mismatch',
  'deadline_unparsed',
  'empty_file',
  'executor_detail',
  'executor_ignored',
  'executor_mapped',
  'footnote_missing',
  'footnote_recipient_ignored',
  'footnote_recipient_mapped',
  'footnote_reporting',
  'footnote_unknown_recipient',
  'footnote_unparsed',
  'glossary_name_mismatch',
  'group_without_date',
  'impossible_date',
  'indicators_read',
  'invalid_field',
  'invalid_metadata',
  'invalid_years',
  'missing_act',
  'missing_column',
  'missing_coordinator',
  'missing_executors',
  'missing_field',
  'missing_header',
  'missing_title',
  'missing_years',
  'no_measures',
  'no_row_numbers',
  'no_table',
  'note_unparsed',
  'plan_date',
  'plan_date_assumed',
  'policy_default',
  'policy_from_decree',
  'policy_unrecognised',
  'syntax_error',
  'text_outside_rows',
  'title_from_decree',
  'unknown_abbreviation',
  'unknown_agency',
  'unknown_executor',
  'unknown_field',
  'unknown_policy',
  'unstorable_text',
  'wrong_file_type',
] as const;

/** The values an English diagnostic message quotes ("…"): a deadline's text, an executor, a column. */
export function diagnosticValues(message: string): string[] {
  return [...message.matchAll(/"([^"]{1,200})"/g)].map((m) => m[1]!.trim()).filter((v) => v !== '');
}

/**
 * A diagnostic's message in the reader's language, with the values the English message quotes (in « »); the position (line,
 * row) is shown beside it by the page. A code without a message says so in the reader's language, naming the code.
 */
export function diagnosticText(t: Translator, d: Pick<Diagnostic, 'code' | 'message'>): string {
  const key = `diag.${d.code}`;
  const template = t.tryT(key);
  const text = template === key ? t.t('diag.unknown', { code: d.code }) : template;
  const values = [...new Set(diagnosticValues(d.message))];
  if (values.length === 0) return text.replace(/\s*\(\{value\}\)/g, '').replace(/\s*\{value\}/g, '');
  return text.replace(/\{value\}/g, values.map((v) => `«${v}»`).join(', '));
}
