// Validates a deadline rule written by hand (the override of a deadline text Merzim cannot read), naming the field of every error.
import { isIsoDate } from '../dates.js';
import type { DeadlineRule } from '../deadline-language.js';
import { isPeriodKey } from '../periods.js';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

const KEYS: Readonly<Record<DeadlineRule['kind'], readonly string[]>> = {
  once: ['due', 'precision', 'period'],
  several_once: ['dates'],
  annual: ['by', 'deadline', 'years', 'note'],
  periodic_dates: ['dates', 'years'],
  semiannual: ['deadline', 'years'],
  quarterly: ['deadline', 'years'],
  monthly: ['deadline', 'years'],
  continuous: ['years', 'note'],
  during_years: ['years', 'note'],
  as_needed: ['years', 'trigger'],
  unparsed: ['reason'],
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
// 29 February exists in some years, so a recurring day allows it.
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dayOfYear(value: unknown, path: string, errors: FieldError[]): void {
  if (!isRecord(value)) {
    errors.push({ path, message: 'must be { month, day } (day 1–31 or "last")' });
    return;
  }
  if (!isInt(value.month, 1, 12)) errors.push({ path: `${path}.month`, message: 'must be an integer 1..12' });
  const max = isInt(value.month, 1, 12) ? (DAYS_IN_MONTH[value.month - 1] as number) : 31;
  if (value.day !== 'last' && !isInt(value.day, 1, max))
    errors.push({ path: `${path}.day`, message: `must be an integer 1..${max} or "last"` });
  if (value.fromMonth !== undefined && !isInt(value.fromMonth, 1, 12))
    errors.push({ path: `${path}.fromMonth`, message: 'must be an integer 1..12' });
  for (const key of Object.keys(value))
    if (!['month', 'day', 'fromMonth'].includes(key)) errors.push({ path: `${path}.${key}`, message: 'unknown field' });
}

function relative(value: unknown, path: string, errors: FieldError[]): void {
  if (!isRecord(value)) {
    errors.push({ path, message: 'must be { monthsAfterPeriodEnd, day }' });
    return;
  }
  if (!isInt(value.monthsAfterPeriodEnd, 0, 24))
    errors.push({ path: `${path}.monthsAfterPeriodEnd`, message: 'must be an integer 0..24' });
  if (value.day !== 'last' && !isInt(value.day, 1, 31))
    errors.push({ path: `${path}.day`, message: 'must be an integer 1..31 or "last"' });
  for (const key of Object.keys(value))
    if (!['monthsAfterPeriodEnd', 'day'].includes(key))
      errors.push({ path: `${path}.${key}`, message: 'unknown field' });
}

function yearRange(value: unknown, path: string, errors: FieldError[], bothRequired: boolean): void {
  if (!isRecord(value)) {
    errors.push({ path, message: bothRequired ? 'must be { from, to }' : 'must be { from?, to? }' });
    return;
  }
  for (const key of ['from', 'to'] as const) {
    if (value[key] === undefined ? bothRequired : !isInt(value[key], 1900, 2200))
      errors.push({ path: `${path}.${key}`, message: 'must be a year 1900..2200' });
  }
  if (isInt(value.from, 1900, 2200) && isInt(value.to, 1900, 2200) && value.from > value.to)
    errors.push({ path, message: 'runs backwards (from > to)' });
  for (const key of Object.keys(value))
    if (key !== 'from' && key !== 'to') errors.push({ path: `${path}.${key}`, message: 'unknown field' });
}

/** The errors of `value` as a DeadlineRule (empty when it is one). */
export function checkDeadlineRule(value: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!isRecord(value) || typeof value.kind !== 'string' || !(value.kind in KEYS)) {
    errors.push({ path: `${path}.kind`, message: `must be one of ${Object.keys(KEYS).join(', ')}` });
    return errors;
  }
  const kind = value.kind as DeadlineRule['kind'];
  for (const key of Object.keys(value)) {
    if (key !== 'kind' && !(KEYS[kind] as readonly string[]).includes(key))
      errors.push({ path: `${path}.${key}`, message: `unknown field for a "${kind}" rule` });
  }
  const optional = (key: string, check: (v: unknown, p: string) => void): void => {
    if (value[key] !== undefined) check(value[key], `${path}.${key}`);
  };
  switch (kind) {
    case 'once':
      if (!isIsoDate(value.due)) errors.push({ path: `${path}.due`, message: 'must be a date YYYY-MM-DD that exists' });
      if (!['day', 'month', 'quarter', 'half', 'year'].includes(value.precision as string))
        errors.push({ path: `${path}.precision`, message: 'must be day, month, quarter, half or year' });
      optional('period', (v, p) => {
        if (!isPeriodKey(v))
          errors.push({ path: p, message: 'must be a period key (2019, 2019-H1, 2019-Q3, 2019-07)' });
      });
      break;
    case 'several_once':
      if (!Array.isArray(value.dates) || value.dates.length === 0)
        errors.push({ path: `${path}.dates`, message: 'must be a non-empty list of { due, precision, period }' });
      else {
        value.dates.forEach((d: unknown, i) => {
          const p = `${path}.dates[${i}]`;
          if (!isRecord(d)) {
            errors.push({ path: p, message: 'must be { due, precision, period }' });
            return;
          }
          if (!isIsoDate(d.due)) errors.push({ path: `${p}.due`, message: 'must be a date YYYY-MM-DD that exists' });
          if (!['day', 'month', 'quarter', 'half', 'year'].includes(d.precision as string))
            errors.push({ path: `${p}.precision`, message: 'must be day, month, quarter, half or year' });
          if (d.period !== undefined && !isPeriodKey(d.period))
            errors.push({ path: `${p}.period`, message: 'must be a period key (2019, 2019-H1, 2019-Q3, 2019-07)' });
          for (const key of Object.keys(d))
            if (!['due', 'precision', 'period'].includes(key))
              errors.push({ path: `${p}.${key}`, message: 'unknown field' });
        });
      }
      break;
    case 'annual':
      optional('by', (v, p) => dayOfYear(v, p, errors));
      optional('deadline', (v, p) => relative(v, p, errors));
      break;
    case 'periodic_dates':
      if (!Array.isArray(value.dates) || value.dates.length === 0)
        errors.push({ path: `${path}.dates`, message: 'must be a non-empty list of { month, day }' });
      else value.dates.forEach((d: unknown, i) => dayOfYear(d, `${path}.dates[${i}]`, errors));
      break;
    case 'semiannual':
    case 'quarterly':
    case 'monthly':
      optional('deadline', (v, p) => relative(v, p, errors));
      break;
    case 'during_years':
      yearRange(value.years, `${path}.years`, errors, true);
      break;
    case 'as_needed':
      optional('trigger', (v, p) => {
        if (v !== 'analysis_results' && v !== 'pre_trial_investigation')
          errors.push({ path: p, message: 'must be analysis_results or pre_trial_investigation' });
      });
      break;
    case 'unparsed':
      if (typeof value.reason !== 'string') errors.push({ path: `${path}.reason`, message: 'must be a string' });
      break;
    case 'continuous':
      break;
  }
  if (kind !== 'during_years') optional('years', (v, p) => yearRange(v, p, errors, false));
  if (kind === 'annual' || kind === 'continuous' || kind === 'during_years') {
    optional('note', (v, p) => {
      if (v !== 'update_annually' && v !== 'report_on_period_results')
        errors.push({ path: p, message: 'must be update_annually or report_on_period_results' });
    });
  }
  return errors;
}
