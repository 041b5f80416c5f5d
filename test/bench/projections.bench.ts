// Projection rebuild over a large events log: PROJECTIONS_EVENTS (default 1,000,000) realistic events — 400 cycles of 99
// obligations, each obligation's stream opened, saved, five reminders with their e-mails queued and delivered, a report
// submitted and accepted with its two e-mails — generated in PostgreSQL by multi-row INSERT … SELECT through the hash-chain
// trigger (so every chain is valid), then `rebuildProjections` timed three ways: onto empty read models (every row written),
// a --check of the result (compare only), and a second rebuild (nothing to write). Peak RSS of this process is sampled every
// 50 ms during each run. Prints JSON for docs/benchmarks.md.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDb } from '../../db/connect.js';
import { migrateToLatest } from '../../db/migrate.js';
import { rebuildProjections, type RebuildReport } from '../../db/repositories/projections.js';
import { verifyEventChains } from '../../db/repositories/event-chain.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';

const TARGET = Number(process.env.PROJECTIONS_EVENTS ?? 1_000_000);
const PER_OBLIGATION = 25;
const PER_CYCLE_OBLIGATIONS = 99;
/** Each cycle's stream: opened, then one save per obligation change it hears of (25 in all). */
const PER_CYCLE_EVENTS = 25;
const CYCLES = Math.max(1, Math.round(TARGET / (PER_CYCLE_OBLIGATIONS * PER_OBLIGATION + PER_CYCLE_EVENTS)));
const VERIFY = process.env.PROJECTIONS_VERIFY === '1';

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function timed(run: () => Promise<RebuildReport>) {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  const t0 = performance.now();
  const report = await run();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  return {
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Math.round(report.events / seconds),
    events: report.events,
    streams: report.streams,
    rows: report.rows,
    differences: report.differences,
    written: report.written,
    deleted: report.deleted,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'merzim-projections-'));
chmodSync(dir, 0o755);
const postgres = await EmbeddedPostgres.start({
  dataDir: join(dir, 'postgres'),
  port: await freePort(),
  log: () => undefined,
});
await postgres.ensureDatabase('merzim');
const db = createDb(postgres.url('merzim'), { max: 4, applicationName: 'merzim-bench' });
try {
  await migrateToLatest(db);
  const body = `${'Құрметті әріптестер! Есеп беру мерзімі жақындап келеді. '.repeat(6)}\n${'Уважаемые коллеги! Срок отчёта приближается. '.repeat(6)}`;
  const spec = {
    measures: Array.from({ length: 40 }, (_, i) => ({
      number: i + 1,
      kk: 'Іс-шара '.repeat(8),
      ru: 'Мероприятие '.repeat(6),
    })),
  };
  const t0 = performance.now();
  // One statement per 20 cycles: each cycle's stream, then its obligations' streams, every event in stream order.
  for (let from = 0; from < CYCLES; from += 20) {
    const to = Math.min(CYCLES, from + 20) - 1;
    await sql`
      INSERT INTO events (occurred_at, idempotency_key, type, actor, workflow_id, run_id, subject_type, subject_id, payload)
      SELECT now(),
        -- The outbox's events carry the live keys and subject (what the rebuild's check for rows without events looks for).
        CASE WHEN g.type LIKE 'notification.%' THEN 'notification:' || x.mail || ':' || split_part(g.type, '.', 2)
          ELSE 'bench:' || g.wf || ':' || g.j END,
        g.type, 'system', g.wf, 'run-' || g.c,
        CASE WHEN g.type LIKE 'notification.%' THEN 'notification' ELSE g.kind END,
        CASE WHEN g.type LIKE 'notification.%' THEN x.mail ELSE g.wf END, p.body FROM (
        SELECT c, 0 AS o, j, 'cycle:bench:' || lpad(c::text, 4, '0') AS wf, 'cycle' AS kind,
          CASE WHEN j = 1 THEN 'cycle.opened' ELSE 'cycle.saved' END AS type,
          CASE WHEN j = 1 THEN jsonb_build_object('parties', ${sql.lit(PER_CYCLE_OBLIGATIONS)})
          ELSE jsonb_build_object('workflowId', 'cycle:bench:' || lpad(c::text, 4, '0'), 'runId', 'run-' || c,
            'revision', j - 1, 'planId', 'bench', 'period', lpad(c::text, 4, '0'), 'policyId', 'annual-cascade-580',
            'status', CASE WHEN j = ${sql.lit(PER_CYCLE_EVENTS)} THEN 'completed' ELSE 'open' END, 'stage', 'executors',
            'closedReason', NULL, 'openedAt', '2026-01-01T00:00:00.000Z',
            'finishedAt', CASE WHEN j = ${sql.lit(PER_CYCLE_EVENTS)} THEN '2026-03-01T00:00:00.000Z' END)
            || CASE WHEN j = 2 THEN jsonb_build_object('spec', ${JSON.stringify(spec)}::jsonb) ELSE '{}'::jsonb END
          END AS payload
        FROM generate_series(${from}::int, ${to}::int) c, generate_series(1, ${sql.lit(PER_CYCLE_EVENTS)}) j
        UNION ALL
        SELECT c, o, j, 'obligation:bench:' || lpad(c::text, 4, '0') || ':A' || lpad(o::text, 3, '0') || ':executors',
          'obligation',
          CASE WHEN j = 1 THEN 'obligation.opened' WHEN j IN (2, 19, 23) THEN 'obligation.saved'
            WHEN j BETWEEN 3 AND 17 AND (j - 3) % 3 = 0 THEN 'notification.queued'
            WHEN j BETWEEN 3 AND 17 AND (j - 3) % 3 = 1 THEN 'notification.delivered'
            WHEN j BETWEEN 3 AND 17 THEN 'reminder.sent'
            WHEN j = 18 THEN 'report.submitted' WHEN j IN (20, 24) THEN 'notification.queued'
            WHEN j IN (21, 25) THEN 'notification.delivered' ELSE 'report.accepted' END,
          NULL
        FROM generate_series(${from}::int, ${to}::int) c, generate_series(1, ${sql.lit(PER_CYCLE_OBLIGATIONS)}) o,
          generate_series(1, ${sql.lit(PER_OBLIGATION)}) j
      ) g
      CROSS JOIN LATERAL (SELECT
        'bench:' || g.wf || ':' || (CASE WHEN g.j BETWEEN 3 AND 17 THEN 'r' || ((g.j - 3) / 3)::text
          WHEN g.j IN (20, 21) THEN 'arrived' ELSE 'accepted' END) AS mail,
        CASE WHEN g.j IN (2, 19, 23) THEN (CASE g.j WHEN 2 THEN 1 WHEN 19 THEN 2 ELSE 3 END) END AS revision) x
      CROSS JOIN LATERAL (SELECT COALESCE(g.payload, CASE
        WHEN g.type = 'obligation.saved' THEN jsonb_build_object('workflowId', g.wf, 'runId', 'run-' || g.c,
          'revision', x.revision, 'cycleWorkflowId', 'cycle:bench:' || lpad(g.c::text, 4, '0'), 'planId', 'bench',
          'period', lpad(g.c::text, 4, '0'), 'stageId', 'executors', 'agencyCode', 'A' || lpad(g.o::text, 3, '0'),
          'status', (ARRAY['pending', 'submitted', 'accepted'])[x.revision], 'dueDate', '2026-02-10',
          'effectiveDueDate', '2026-02-10', 'dueAt', '2026-02-10T18:59:59.999Z', 'reportVersion', x.revision - 1,
          'report', CASE WHEN x.revision > 1 THEN jsonb_build_object('versionId', md5(g.wf), 'items', 12) END,
          'submittedAt', CASE WHEN x.revision > 1 THEN '2026-02-05T06:00:00.000Z' END,
          'workingDaysLate', CASE WHEN x.revision > 1 THEN 0 END,
          'acceptedAt', CASE WHEN x.revision = 3 THEN '2026-02-06T06:00:00.000Z' END, 'closedReason', NULL,
          'openedAt', '2026-01-01T00:00:00.000Z', 'finishedAt', CASE WHEN x.revision = 3 THEN '2026-02-06T06:00:00.000Z' END)
        WHEN g.type = 'notification.queued' THEN jsonb_build_object('id', (g.c * 1000 + g.o) * 100 + g.j, 'dedupeKey', x.mail,
          'createdAt', '2026-01-20T04:00:00.000Z', 'to', jsonb_build_array('info@a' || g.o || '.gov.kz'),
          'subject', 'Еске салу / Напоминание: есеп ' || g.wf, 'bodyText', ${body}::text, 'lang', 'kk',
          'messageId', '<' || md5(x.mail) || '@merzim>', 'workflowId', g.wf, 'runId', 'run-' || g.c)
        WHEN g.type = 'notification.delivered' THEN jsonb_build_object('dedupeKey', x.mail, 'sentAt', '2026-01-20T04:00:01.000Z')
        ELSE jsonb_build_object('offset', g.j, 'late', false) END) AS body) p
      ORDER BY g.wf, g.j`.execute(db);
    process.stderr.write(`generated ${to + 1}/${CYCLES} cycles (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  const generateSeconds = (performance.now() - t0) / 1000;
  const total = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(db)).rows[0]!.n);
  await sql`VACUUM ANALYZE events`.execute(db);
  const chains = VERIFY ? await verifyEventChains(db) : undefined;
  if (process.env.PROJECTIONS_EXPLAIN === '1') {
    const plan = await sql<{
      'QUERY PLAN': string;
    }>`EXPLAIN (ANALYZE, BUFFERS) SELECT stream, stream_seq::text AS seq, type,
      workflow_id, run_id, actor, occurred_at, payload FROM events
      WHERE type IN ('cycle.saved', 'obligation.saved', 'notification.queued', 'notification.delivered')
        AND (stream, stream_seq) > ('obligation:bench:0100', 0::bigint) ORDER BY stream, stream_seq LIMIT 5000`.execute(
      db,
    );
    process.stderr.write(`${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  }

  const onto = await timed(() => rebuildProjections(db, { check: false }));
  const check = await timed(() => rebuildProjections(db, { check: true }));
  const again = await timed(() => rebuildProjections(db, { check: false }));
  process.stdout.write(
    `${JSON.stringify(
      {
        events: total,
        cycles: CYCLES,
        obligations: CYCLES * PER_CYCLE_OBLIGATIONS,
        generateSeconds: Number(generateSeconds.toFixed(1)),
        ...(chains === undefined ? {} : { chainsOk: chains.ok }),
        rebuildOntoEmpty: onto,
        checkOfRebuilt: check,
        rebuildAgain: again,
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        totalMemMb: mb(totalmem()),
        loadavg: loadavg().map((l) => Number(l.toFixed(1))),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await db.destroy();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
