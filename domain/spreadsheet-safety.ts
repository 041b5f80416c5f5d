// Formula injection: a cell Merzim writes that starts with =, +, -, @, a tab or a CR would run as a formula in Excel or LibreOffice when
// the CSV is opened. Such a cell is written with a leading apostrophe (OWASP's advice); Merzim's own CSV reader takes it off again.

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as written to a spreadsheet: a leading apostrophe before anything a spreadsheet would read as a formula. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The cell as it was before neutraliseFormula (an apostrophe before a formula character is taken off); any other cell unchanged. */
export function restoreNeutralised(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
