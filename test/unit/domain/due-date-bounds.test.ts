// The bounds of a moved deadline: after today (Almaty), no later than the cycle's year plus the margin, a real date.
import { describe, expect, it } from 'vitest';
import { DUE_DATE_PATTERN, latestDueDate, newDueDateProblem } from '../../../domain/due-date-bounds.js';

describe('newDueDateProblem', () => {
  const ctx = { today: '2026-12-01', period: '2026-Q4' };

  it('takes a date after today within the cycle’s year plus two', () => {
    expect(newDueDateProblem('2026-12-02', ctx)).toBeNull();
    expect(newDueDateProblem('2028-12-31', ctx)).toBeNull();
  });

  it('refuses today, the past, beyond the margin and non-dates, naming newDueDate', () => {
    expect(newDueDateProblem('2026-12-01', ctx)).toMatch(/^newDueDate: must be after today \(2026-12-01\)/);
    expect(newDueDateProblem('2019-01-01', ctx)).toMatch(/after today/);
    expect(newDueDateProblem('2029-01-01', ctx)).toMatch(/no later than 2028-12-31/);
    expect(newDueDateProblem('9999-12-31', ctx)).toMatch(/no later than/);
    expect(newDueDateProblem('2027-02-30', ctx)).toMatch(/not a date/);
    expect(newDueDateProblem(20270101, ctx)).toMatch(/not a date/);
  });

  it('reads the year of every period kind', () => {
    expect(latestDueDate('2026')).toBe('2028-12-31');
    expect(latestDueDate('2026-H1')).toBe('2028-12-31');
    expect(latestDueDate('2026-03')).toBe('2028-12-31');
  });

  it('the schema pattern keeps years to 2000–2199', () => {
    const re = new RegExp(DUE_DATE_PATTERN);
    expect(re.test('2027-01-05')).toBe(true);
    expect(re.test('9999-12-31')).toBe(false);
    expect(re.test('10000-01-05')).toBe(false);
    expect(re.test('1999-12-31')).toBe(false);
  });
});
