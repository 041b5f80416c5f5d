// The plan list (GET /api/v1/plans) before and after issue 10 point 8, over 500 confirmed plans of 60 measures each on an
// embedded PostgreSQL: "before" is the old path (every whole plan document read, visibility and the reporter's measures
// filtered in JavaScript, then summarized), "after" the SQL-scoped keyset page of summary columns (a page of 100 and of
// 500). Server-side work only (the same route code, without HTTP); p50/p95 over REQUESTS runs; prints JSON for docs/benchmarks.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Principal } from '../../api/auth.js';
import { canSee, listScopeOf, planForViewer, scopeOf } from '../../api/plan-access.js';
import { summarize, summaryView } from '../../api/routes/plans.js';
import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrate.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { confirmPlan, createDraft, listPlanPage, listPlans } from '../../db/repositories/plans.js';
import { seedReferenceData } from '../../db/seed.js';
import { measure, TEST_AGENCIES, testPlan } from '../helpers/plans.js';
import { startBenchPostgres } from './bench-postgres.js';

const PLANS = Number(process.env.PLAN_LIST_PLANS ?? 500);
const MEASURES = 60;
const REQUESTS = Number(process.env.PLAN_LIST_REQUESTS ?? 30);
const CODES = ['АҚДМ', 'БҒМ', 'ІІМ', 'ҰҚК'];

const bench = await startBenchPostgres('plan-list', 4);
const { db } = bench;

function principal(role: Principal['role'], agencyCode: string | null): Principal {
  return { tokenId: role, name: role, role, agencyCode, userId: null, username: null, mustChangePassword: false };
}

async function time(run: () => Promise<unknown>) {
  const ms: number[] = [];
  await run(); // warm
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95) };
}

try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedAgencies(db, TEST_AGENCIES);
  for (let i = 0; i < PLANS; i++) {
    const measures = Array.from({ length: MEASURES }, (_, k) =>
      measure(String(k + 1), `Іс-шара ${i}.${k} — ${'мәтін '.repeat(20)}`, [[CODES[(i + k) % 4]!, false]], 'жыл сайын'),
    );
    const id = await createDraft(db, {
      plan: testPlan({
        coordinator: CODES[i % 4]!,
        measures,
        title: { kk: `Жоспар ${i}`, ru: null },
        approvedBy: { issuer: 'Үкімет', number: `B-${i}`, date: '2024-01-15' },
      }),
      diagnostics: [],
      sourceFormat: 'yaml',
      sourceName: null,
      createdBy: 'bench',
    });
    await db.transaction().execute((trx) => confirmPlan(trx, id, 'bench'));
  }

  await sql`ANALYZE`.execute(db);

  // The old GET /api/v1/plans, as it was: whole plans, visibility and the reporter's measures in JavaScript.
  async function before(p: Principal) {
    const scope = await scopeOf(db, p);
    const candidates = await listPlans(db, {});
    return candidates
      .filter((s) => canSee(p, scope, s))
      .map((s) => summarize({ ...s, plan: planForViewer(p, s.plan) }));
  }
  async function after(p: Principal, limit: number) {
    return (await listPlanPage(db, { scope: listScopeOf(p), limit: limit + 1 })).slice(0, limit).map(summaryView);
  }

  const results: Record<string, unknown> = {};
  for (const [label, p] of [
    ['admin', principal('admin', null)],
    ['reporter', principal('reporter', 'ІІМ')],
  ] as const) {
    results[label] = {
      rows: (await before(p)).length,
      beforeWholeList: await time(() => before(p)),
      afterPage100: await time(() => after(p, 100)),
      afterPage500: await time(() => after(p, 500)),
    };
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'plan-list',
        plans: PLANS,
        measuresPerPlan: MEASURES,
        requests: REQUESTS,
        results,
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          memoryGb: Math.round(totalmem() / 2 ** 30),
          loadavg: loadavg(),
        },
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
}
