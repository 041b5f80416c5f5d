// The coordinator board of a cycle of 5,000 obligations (100 agencies × 50 stages): server time p50/p95 over the real page
// route and read models on an embedded PostgreSQL, and the page's weight on the wire; prints JSON for docs/benchmarks.md.
// The read model is written directly (the board reads only it); the cycles benchmark measures the workflows that write it.
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app.js';
import { newToken, SESSION_COOKIE } from '../../api/web/session.js';
import { migrateToLatest } from '../../db/migrate.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { upsertCycle } from '../../db/repositories/cycles.js';
import { appendEvent } from '../../db/repositories/events.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import { seedReferenceData } from '../../db/seed.js';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { addDays } from '../../domain/dates.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS } from '../../domain/plan.js';
import { testPlan } from '../helpers/plans.js';
import { startBenchPostgres } from './bench-postgres.js';

const AGENCIES = 100;
const STAGES = 50;
const REQUESTS = Number(process.env.BOARD_REQUESTS ?? 200);
const STATUSES = [
  'pending',
  'pending',
  'overdue',
  'submitted',
  'submitted',
  'returned',
  'accepted',
  'accepted',
] as const;

const bench = await startBenchPostgres('board', 4);
const { db } = bench;
try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedAgencies(db, AGENCIES_SEED);
  const planId = await createDraft(db, {
    plan: testPlan(),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'bench',
  });
  const party = (code: string, i: number) => ({
    agencyCode: code,
    name: { kk: `Орган ${i} (${code})`, ru: `Орган ${i} (${code})` },
    lang: 'kk' as const,
    byAgreement: false,
    emails: { reporter: [`r${i}@example.kz`], head: [] },
    measures: [{ number: String(i % 60), title: { kk: `Іс-шара ${i}`, ru: `Мероприятие ${i}` } }],
  });
  const codes = Array.from({ length: AGENCIES }, (_, i) => AGENCIES_SEED[i]?.code ?? `A${i}`);
  const parties = codes.map(party);
  const cycleId = `cycle:${planId}:2026`;
  const stages = Array.from({ length: STAGES }, (_, s) => ({
    id: `measure-${s + 1}-due-1`,
    from: 'executors' as const,
    to: 'coordinator' as const,
    dueDate: addDays('2026-02-01', s * 6),
    dueInstant: '2026-02-01T18:59:59.999Z',
    parties,
  }));
  const spec = {
    version: 2,
    planId,
    planTitle: { kk: 'Бенчмарк жоспары', ru: 'План для замера' },
    period: '2026',
    policyId: 'annual-cascade-580',
    shift: 'next',
    coordinator: party('АҚДМ', 1000),
    pmOffice: party('ПМК', 1001),
    presidentialAdministration: party('ПӘ', 1002),
    stages,
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
  };
  await upsertCycle(db, {
    workflowId: cycleId,
    runId: 'bench',
    revision: 1,
    planId,
    period: '2026',
    policyId: 'annual-cascade-580',
    status: 'open',
    stage: stages[0]!.id,
    closedReason: null,
    spec,
    openedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
  });
  const rows = stages.flatMap((stage, s) =>
    codes.map((code, a) => {
      const status = STATUSES[(s * 7 + a) % STATUSES.length]!;
      return {
        workflow_id: `obligation:${planId}:2026:${code}:${stage.id}`,
        run_id: 'bench',
        revision: 1,
        cycle_workflow_id: cycleId,
        plan_id: planId,
        period: '2026',
        stage_id: stage.id,
        agency_code: code,
        status,
        due_date: stage.dueDate,
        effective_due_date: stage.dueDate,
        due_at: `${stage.dueDate}T18:59:59.999Z`,
        report_version: status === 'pending' || status === 'overdue' ? 0 : 1,
        report: null,
        submitted_at: null,
        working_days_late: status === 'submitted' && a % 3 === 0 ? 2 : status === 'submitted' ? 0 : null,
        accepted_at: null,
        closed_reason: null,
        opened_at: '2026-01-01T00:00:00Z',
        finished_at: null,
      };
    }),
  );
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('obligations')
      .values(rows.slice(i, i + 500))
      .execute();
  const overdue = rows.filter((r) => r.status === 'overdue');
  for (const [i, r] of overdue.slice(0, 300).entries()) {
    await appendEvent(db, {
      idempotencyKey: `bench-esc-${i}`,
      type: 'escalation.sent',
      actor: 'system',
      subjectType: 'obligation',
      subjectId: r.workflow_id,
      payload: { to: ['head@example.kz'], notice: { kind: 'escalation', audience: 'coordinator_head' } },
    });
  }
  const user = await createUser(db, {
    username: 'bench.coordinator',
    displayName: 'Bench',
    role: 'coordinator',
    agencyCode: 'АҚДМ',
    password: 'bench-password-1',
  });
  const { secret } = await createApiToken(db, {
    name: 'session:bench',
    role: 'coordinator',
    agencyCode: 'АҚДМ',
    userId: user.id,
    kind: 'session',
    expiresAt: new Date(Date.now() + 3600_000),
    csrfToken: newToken(),
  });

  // The board never talks to Temporal: a lazy client that is never connected.
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp({
    db,
    temporal: client,
    taskQueue: 'bench',
    sinkEnabled: false,
    probes: {
      temporal: async () => ({ ok: true, latencyMs: 0 }),
      postgres: async () => ({ ok: true, latencyMs: 0 }),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
  });
  const headers = { cookie: `${SESSION_COOKIE}=${encodeURIComponent(secret)}`, 'accept-encoding': 'gzip' };
  const url = `/app/board?cycle=${encodeURIComponent(cycleId)}`;
  const times: number[] = [];
  let last;
  for (let i = 0; i < 20 + REQUESTS; i++) {
    const start = performance.now();
    last = await app.inject({ method: 'GET', url, headers });
    if (last.statusCode !== 200) throw new Error(`board: ${last.statusCode} ${last.body.slice(0, 300)}`);
    if (i >= 20) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  if (process.env.BOARD_PROFILE) {
    const { createObligationService } = await import('../../api/services/obligations.js');
    const svc = createObligationService({ db, temporal: client });
    const p = {
      tokenId: 'x',
      name: 'b',
      role: 'coordinator' as const,
      agencyCode: 'АҚДМ',
      userId: user.id,
      username: 'bench.coordinator',
      mustChangePassword: false,
    };
    const t = async (name: string, f: () => Promise<unknown>) => {
      const s0 = performance.now();
      for (let i = 0; i < 10; i++) await f();
      console.error(name, ((performance.now() - s0) / 10).toFixed(1), 'ms');
    };
    await t('listCycles', () => svc.listCycles(p, {}));
    await t('board', () => svc.board(p, cycleId));
    await t('escalations', () => svc.escalations(p, cycleId));
    const { boardPage } = await import('../../api/web/pages/board.js');
    const { translator } = await import('../../api/web/i18n/index.js');
    const data = await svc.board(p, cycleId);
    const esc = await svc.escalations(p, cycleId);
    const cycles = await svc.listCycles(p, {});
    const names = new Map(
      [...(await svc.agencyNames(data.obligations.map((o) => o.agency_code)))].map(([c, n]) => [c, n.kk]),
    );
    const ctx = { t: translator('kk'), principal: p, displayName: 'x', csrf: 'y', path: '/app/board' };
    const input = { cycles, titles: new Map(), ...data, names, escalations: esc, filter: {} };
    await t('render', async () => boardPage(ctx, input));
    const page = boardPage(ctx, input);
    const { gzip } = await import('node:zlib');
    const { promisify } = await import('node:util');
    await t('gzip', () => promisify(gzip)(page.value, { level: 4 }));
  }
  const pct = (p: number) =>
    Number(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(1));
  const assets: Record<string, number> = {};
  for (const a of ['app.css', 'htmx.min.js', 'favicon.svg'])
    assets[a] = (
      await app.inject({ method: 'GET', url: `/assets/${a}`, headers: { 'accept-encoding': 'gzip' } })
    ).rawPayload.length;
  const htmlGzip = last!.rawPayload.length;
  const uncompressed = (await app.inject({ method: 'GET', url, headers: { cookie: headers.cookie } })).rawPayload
    .length;
  await app.close();
  console.log(
    JSON.stringify(
      {
        benchmark: 'board',
        obligations: rows.length,
        agencies: AGENCIES,
        stages: STAGES,
        escalations: Math.min(300, overdue.length),
        requests: REQUESTS,
        serverMs: { p50: pct(50), p95: pct(95), max: pct(100) },
        bytes: {
          htmlGzip,
          htmlUncompressed: uncompressed,
          assetsGzip: assets,
          totalTransferred: htmlGzip + Object.values(assets).reduce((s, n) => s + n, 0),
        },
        requestsPerPage: 1 + Object.keys(assets).length,
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          memGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await bench.close();
}
