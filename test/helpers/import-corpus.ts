// The import corpus (test/fixtures/corpus): each real plan imported and scored against its hand-checked expected file — measures found, executors resolved, deadlines parsed, sample exact.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { importPlan, type TextImportFormat } from '../../domain/import/index.js';
import type { DeadlineRule } from '../../domain/deadline-language.js';
import type { Measure } from '../../domain/plan.js';

export const CORPUS = new URL('../fixtures/corpus/', import.meta.url);

export interface SampleEntry {
  readonly number: string;
  readonly line?: number;
  readonly titleStart?: string;
  readonly executors?: readonly string[];
  readonly byAgreement?: readonly string[];
  readonly completionForm?: string;
  readonly deadline?: DeadlineRule;
}

export interface Expected {
  readonly source: Record<string, unknown>;
  readonly text: string;
  readonly format?: TextImportFormat;
  readonly measures: number;
  readonly sample: readonly SampleEntry[];
}

export interface CorpusScore {
  readonly name: string;
  readonly expected: number;
  readonly found: number;
  /** Measures with at least one executor read from the cell. */
  readonly withExecutors: number;
  /** Measures with at least one executor and none unresolved against the plan's glossary and the directory. */
  readonly executorsResolved: number;
  readonly deadlinesParsed: number;
  readonly sampleExact: number;
  readonly sampleSize: number;
  /** What differed in the sample: "measure 12: executors …". */
  readonly mismatches: readonly string[];
  readonly seconds: number;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(entry: SampleEntry, m: Measure | undefined): string[] {
  if (m === undefined) return [`measure ${entry.number}: not found`];
  const out: string[] = [];
  const title = m.title.kk ?? m.title.ru ?? '';
  const form = m.completionForm.kk ?? m.completionForm.ru ?? '';
  if (entry.titleStart !== undefined && !title.startsWith(entry.titleStart))
    out.push(`measure ${entry.number}: title "${title.slice(0, 60)}"`);
  if (
    entry.executors !== undefined &&
    !sameJson(
      m.executors.map((e) => e.code),
      entry.executors,
    )
  )
    out.push(`measure ${entry.number}: executors ${m.executors.map((e) => e.code).join(', ')}`);
  if (
    entry.byAgreement !== undefined &&
    !sameJson(
      m.executors.filter((e) => e.byAgreement).map((e) => e.code),
      entry.byAgreement,
    )
  ) {
    out.push(
      `measure ${entry.number}: by agreement ${m.executors
        .filter((e) => e.byAgreement)
        .map((e) => e.code)
        .join(', ')}`,
    );
  }
  if (entry.completionForm !== undefined && !form.startsWith(entry.completionForm))
    out.push(`measure ${entry.number}: form "${form.slice(0, 60)}"`);
  if (entry.deadline !== undefined && !sameJson(m.deadline.rule, entry.deadline))
    out.push(`measure ${entry.number}: deadline ${JSON.stringify(m.deadline.rule)}`);
  return out;
}

/** Every plan of the corpus, by name (the expected file's name without ".expected.json"). */
export function corpusNames(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.expected.json'.length))
    .sort();
}

export function readExpected(name: string): Expected {
  return JSON.parse(readFileSync(new URL(`${name}.expected.json`, CORPUS), 'utf8')) as Expected;
}

/** Imports one corpus plan and scores it. */
export function scorePlan(name: string): CorpusScore {
  const expected = readExpected(name);
  const text = readFileSync(fileURLToPath(new URL(expected.text, CORPUS)), 'utf8');
  const start = performance.now();
  const result = importPlan({ format: expected.format ?? 'adilet', text }, { directory: AGENCIES_SEED });
  const seconds = (performance.now() - start) / 1000;
  const measures = result.plan?.measures ?? [];
  const unresolved = new Set(
    result.diagnostics
      .filter(
        (d) => d.code === 'unknown_abbreviation' || d.code === 'unknown_executor' || d.code === 'group_without_date',
      )
      .map((d) => /^measures\[(\d+)\]\.executors/.exec(d.field ?? '')?.[1])
      .filter((i): i is string => i !== undefined)
      .map(Number),
  );
  const mismatches = expected.sample.flatMap((entry) =>
    compare(
      entry,
      measures.find((m) => m.number === entry.number),
    ),
  );
  const exact = expected.sample.filter(
    (entry) =>
      compare(
        entry,
        measures.find((m) => m.number === entry.number),
      ).length === 0,
  ).length;
  return {
    name,
    expected: expected.measures,
    found: measures.length,
    withExecutors: measures.filter((m) => m.executors.length > 0).length,
    executorsResolved: measures.filter((m, i) => m.executors.length > 0 && !unresolved.has(i)).length,
    deadlinesParsed: measures.filter((m) => m.deadline.rule.kind !== 'unparsed').length,
    sampleExact: exact,
    sampleSize: expected.sample.length,
    mismatches,
    seconds,
  };
}

/** The shares the goal is stated in (found / expected; the others / found), in per cent to one decimal. */
export function shares(s: CorpusScore): {
  measures: number;
  withExecutors: number;
  executors: number;
  deadlines: number;
} {
  const pct = (a: number, b: number): number => (b === 0 ? 0 : Math.round((1000 * a) / b) / 10);
  return {
    measures: pct(Math.min(s.found, s.expected), s.expected),
    withExecutors: pct(s.withExecutors, s.found),
    executors: pct(s.executorsResolved, s.found),
    deadlines: pct(s.deadlinesParsed, s.found),
  };
}
