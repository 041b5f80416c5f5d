// Shared by the import tests: the seeds and fixtures on disk, and a compact form of diagnostics to assert lists exactly.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, Measure, Plan } from '../../../domain/plan.js';

export const SEEDS = new URL('../../../../shared/seeds/', import.meta.url);
export const FIXTURES = new URL('../../fixtures/import/', import.meta.url);

export function seedText(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, SEEDS)), 'utf8');
}

export function fixtureText(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, FIXTURES)), 'utf8');
}

/** "severity code Lline field [the name quoted by an unknown_* diagnostic]": one string per diagnostic, easy to list and diff. */
// Infos that say a value was inferred (issue 13) are asserted by their own tests (unseen-layouts, seeds); the exact lists leave them out.
const INFERENCE_INFOS = new Set(['by_agreement_inferred', 'deadline_day_from_policy']);

export function compact(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => !INFERENCE_INFOS.has(d.code))
    .map((d) => {
      const quoted = d.code.startsWith('unknown') ? /"([^"]*)"/.exec(d.message)?.[1] : undefined;
      const position = d.line !== undefined ? `L${d.line}` : d.row !== undefined ? `R${d.row}` : '-';
      return [d.severity, d.code, position, d.field ?? '-', ...(quoted === undefined ? [] : [quoted])].join(' ');
    });
}

export function measure(plan: Plan | null, number: string): Measure {
  const found = plan?.measures.find((m) => m.number === number);
  if (found === undefined) throw new Error(`no measure ${number}`);
  return found;
}

/** Executors as "CODE", "CODE*" (lead) and "CODE(к)" (by agreement): a row's executor cell at a glance. */
export function executorCodes(m: Measure): string[] {
  return m.executors.map((e) => `${e.code}${e.lead ? '*' : ''}${e.byAgreement ? '(к)' : ''}`);
}

/** The measure without where it came from, to compare the same row read from two layouts. */
export function withoutSource(m: Measure): Omit<Measure, 'source'> {
  const { source: _source, ...rest } = m;
  return rest;
}

/** The akimats a 2019-edition group expands to: 14 regions (Turkistan, not South Kazakhstan), then the cities. */
export const REGIONS_2019 = [
  'Ақмола облысы',
  'Ақтөбе облысы',
  'Алматы облысы',
  'Атырау облысы',
  'Батыс Қазақстан облысы',
  'Жамбыл облысы',
  'Қарағанды облысы',
  'Қостанай облысы',
  'Қызылорда облысы',
  'Маңғыстау облысы',
  'Павлодар облысы',
  'Солтүстік Қазақстан облысы',
  'Түркістан облысы',
  'Шығыс Қазақстан облысы',
];
