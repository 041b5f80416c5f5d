// Throughput of plan import (seed 000 decree texts per second) and the time to import a synthetic 50 MB decree; prints JSON for docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { importDecreeText } from '../../domain/import/adilet.js';
import { exportCanonical, parseCanonical } from '../../domain/import/canonical.js';
import type { Plan } from '../../domain/plan.js';
import { corpusNames, scorePlan, shares } from '../helpers/import-corpus.js';

const opts = { directory: AGENCIES_SEED };
const seed = readFileSync(
  fileURLToPath(new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url)),
  'utf8',
);

function time<T>(run: () => T): { seconds: number; result: T } {
  const start = performance.now();
  const result = run();
  return { seconds: (performance.now() - start) / 1000, result };
}

/** Imports of `text` per second over about `seconds` of work, after a warm-up. */
function rate(run: () => unknown, seconds: number): { runs: number; seconds: number; perSecond: number } {
  for (let i = 0; i < 20; i++) run();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    run();
    runs++;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { runs, seconds: Number(elapsed.toFixed(3)), perSecond: Math.round(runs / elapsed) };
}

/**
 * A decree text of at least `bytes` (UTF-8): seed 000's decree, then its table (headings, rows,
 * page-break fragments, 6-cell rows) repeated with the rows renumbered, then its glossary.
 */
function syntheticDecree(bytes: number): { text: string; rows: number } {
  const lines = seed.split('\n');
  const header = lines.findIndex((l) => l.startsWith('Р/с №'));
  const glossary = lines.findIndex((l) => l.startsWith('Ескертпе: аббревиатуралардың'));
  const preamble = lines.slice(0, header + 2).join('\n');
  const table = lines.slice(header + 2, glossary);
  const rowsPerCopy = table.filter((l) => /^\d+\.?\t/.test(l)).length;
  const parts: string[] = [preamble];
  let size = Buffer.byteLength(preamble);
  const tail = lines.slice(glossary).join('\n');
  let copy = 0;
  while (size + Buffer.byteLength(tail) < bytes) {
    const offset = copy * rowsPerCopy;
    const block = table
      .map((l) => l.replace(/^(\d+)(\.?)\t/, (_m, n: string, dot: string) => `${Number(n) + offset}${dot}\t`))
      .join('\n');
    parts.push(block);
    size += Buffer.byteLength(block) + 1;
    copy++;
  }
  parts.push(tail);
  return { text: parts.join('\n'), rows: copy * rowsPerCopy };
}

// `--corpus`: every plan of test/fixtures/corpus, scored against its hand-checked expected file; JSON, then a table.
if (process.argv.includes('--corpus')) {
  const scores = corpusNames().map(scorePlan);
  const rows = scores.map((s) => ({ ...s, seconds: Number(s.seconds.toFixed(3)), shares: shares(s) }));
  process.stdout.write(
    `${JSON.stringify({ machine: { cpus: cpus().length, node: process.version, date: new Date().toISOString().slice(0, 10) }, corpus: rows }, null, 2)}\n\n`,
  );
  process.stdout.write(
    '| plan | measures found / expected | with executors | every executor resolved | deadlines parsed | sample exact |\n|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.name} | ${r.found} / ${r.expected} (${r.shares.measures} %) | ${r.withExecutors} (${r.shares.withExecutors} %) | ${r.executorsResolved} (${r.shares.executors} %) | ${r.deadlinesParsed} (${r.shares.deadlines} %) | ${r.sampleExact} / ${r.sampleSize} |\n`,
    );
  }
  process.exit(0);
}

const seedRate = rate(() => importDecreeText(seed, opts), 5);
const plan = importDecreeText(seed, opts).plan as Plan;
const yaml = exportCanonical(plan, 'yaml');
const canonicalRate = rate(() => parseCanonical(yaml, 'yaml', opts), 3);

// Linear time shows as a constant rate across sizes: 12.5, 25 and 50 MB.
const sizes = [12.5, 25, 50].map((mb) => {
  const { text, rows } = syntheticDecree(mb * 1_000_000);
  const run = time(() => importDecreeText(text, opts));
  const measures = run.result.plan?.measures.length ?? 0;
  return {
    megabytes: Number((Buffer.byteLength(text) / 1_000_000).toFixed(1)),
    rows,
    measures,
    executors: run.result.plan?.measures.reduce((n, m) => n + m.executors.length, 0) ?? 0,
    diagnostics: run.result.diagnostics.length,
    seconds: Number(run.seconds.toFixed(2)),
    megabytesPerSecond: Number((Buffer.byteLength(text) / 1_000_000 / run.seconds).toFixed(2)),
  };
});

process.stdout.write(
  `${JSON.stringify(
    {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        date: new Date().toISOString().slice(0, 10),
      },
      seed000: { bytes: Buffer.byteLength(seed), measures: plan.measures.length, ...seedRate, unit: 'imports/s' },
      canonicalYamlOfSeed000: { bytes: Buffer.byteLength(yaml), ...canonicalRate, unit: 'parses/s' },
      syntheticDecree: sizes,
    },
    null,
    2,
  )}\n`,
);
