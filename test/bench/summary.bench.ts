// The consolidated summary of a cycle of 60 measures × 30 agencies (every report accepted, two indicators per measure):
// assembling the model and rendering its DOCX and XLSX in Kazakh, cold (first run in the process) and warm (median of the
// runs after); then freezing it as a version is (canonical JSON and its SHA-256, the statuses per measure the Update carries)
// and assembling the PM Office's report from it; prints JSON for docs/benchmarks.md. Goal: assembling + both exports under 2 s.
import { createHash } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { summaryDocx } from '../../api/summary/docx.js';
import { summaryXlsx } from '../../api/summary/xlsx.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { canonicalJson } from '../../domain/report.js';
import { assembleSummary } from '../../domain/summary.js';
import { summaryAsReport, summaryStatuses, type FrozenSummary } from '../../domain/summary-version.js';
import { largeSummaryInputs } from '../fixtures/summary-fixtures.js';

const MEASURES = Number(process.env.SUMMARY_MEASURES ?? 60);
const AGENCIES = Number(process.env.SUMMARY_AGENCIES ?? 30);
const RUNS = Number(process.env.SUMMARY_RUNS ?? 5);

const inputs = largeSummaryInputs(MEASURES, AGENCIES);

interface Run {
  /** CPU time of the whole run (user + system, all threads): on a shared machine the honest measure of the work. */
  cpuMs: number;
  assembleMs: number;
  docxMs: number;
  xlsxMs: number;
  totalMs: number;
  /** Freezing: canonical JSON, SHA-256, statuses per measure. */
  freezeMs: number;
  /** The PM Office's report assembled from the frozen summary. */
  pmReportMs: number;
  frozenBytes: number;
  docxBytes: number;
  xlsxBytes: number;
}

async function once(): Promise<Run> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const summary = assembleSummary(inputs, KZ_WORKING_CALENDAR);
  const t1 = performance.now();
  const docx = await summaryDocx(summary, 'kk');
  const t2 = performance.now();
  const xlsx = await summaryXlsx(summary, 'kk');
  const t3 = performance.now();
  const frozen: FrozenSummary = { kind: 'consolidated_summary', stageId: 'executors', summary, overrides: [] };
  const canonical = canonicalJson(frozen);
  createHash('sha256').update(canonical).digest('hex');
  summaryStatuses(summary);
  const t4 = performance.now();
  const report = summaryAsReport(frozen, { agencyCode: inputs.sender.code, version: 1, submittedAt: inputs.asOf });
  assembleSummary(
    {
      ...inputs,
      parties: [
        {
          agency: inputs.sender,
          status: 'accepted',
          due: inputs.parties[0]!.due,
          measures: inputs.measures.map((m) => m.number),
        },
      ],
      reports: [report],
      marks: [],
    },
    KZ_WORKING_CALENDAR,
  );
  const t5 = performance.now();
  const used = process.cpuUsage(cpu);
  return {
    freezeMs: t4 - t3,
    pmReportMs: t5 - t4,
    frozenBytes: Buffer.byteLength(canonical),
    cpuMs: (used.user + used.system) / 1000,
    assembleMs: t1 - t0,
    docxMs: t2 - t1,
    xlsxMs: t3 - t2,
    totalMs: t3 - t0,
    docxBytes: docx.length,
    xlsxBytes: xlsx.length,
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cold = await once();
const warm: Run[] = [];
for (let i = 0; i < RUNS; i++) warm.push(await once());
const pick = (key: keyof Run): number => round(median(warm.map((r) => r[key])));

console.log(
  JSON.stringify(
    {
      benchmark: 'summary',
      measures: MEASURES,
      agencies: AGENCIES,
      executorLines: MEASURES * AGENCIES,
      runs: RUNS,
      coldMs: {
        assemble: round(cold.assembleMs),
        docx: round(cold.docxMs),
        xlsx: round(cold.xlsxMs),
        total: round(cold.totalMs),
        freeze: round(cold.freezeMs),
        pmReport: round(cold.pmReportMs),
        cpu: round(cold.cpuMs),
      },
      warmMedianMs: {
        assemble: pick('assembleMs'),
        docx: pick('docxMs'),
        xlsx: pick('xlsxMs'),
        total: pick('totalMs'),
        freeze: pick('freezeMs'),
        pmReport: pick('pmReportMs'),
        cpu: pick('cpuMs'),
      },
      bytes: { docx: cold.docxBytes, xlsx: cold.xlsxBytes, frozenVersion: cold.frozenBytes },
      goalMs: 2000,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage: round(loadavg()[0]!),
      },
    },
    null,
    2,
  ),
);
