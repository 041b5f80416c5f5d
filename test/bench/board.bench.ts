// The coordinator board of a cycle of 5,000 obligations (100 agencies × 50 stages): server time p50/p95 over the real page
// route and read models on an embedded PostgreSQL, and the page's weight on the wire; prints JSON for docs/benchmarks.md.
// The read model is written directly (the board reads only it); the cycles benchmark measures the workflows that write it.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../api/app.js';
import { SESSION_COOKIE } from '../../api/web/session.js';
import { createDb } from '../../db/connect.js';
import { EmbeddedPostgres } from '../../worker/embedded/postgres.js';
import { freePort } from '../../worker/embedded/ports.js';
import { AGENCIES, seedBoardCycle, STAGES } from './board-seed.js';

const REQUESTS = Number(process.env.BOARD_REQUESTS ?? 200);

const dir = mkdtempSync(join(tmpdir(), 'merzim-board-'));
chmodSync(dir, 0o755);
const postgres = await EmbeddedPostgres.start({
  dataDir: join(dir, 'postgres'),
  port: await freePort(),
  log: () => undefined,
});
await postgres.ensureDatabase('merzim');
const db = createDb(postgres.url('merzim'), { max: 4, applicationName: 'merzim-bench' });
try {
  const { cycleId, obligations, escalations, userId, sessionSecret: secret } = await seedBoardCycle(db);
  const user = { id: userId };
  const rows = { length: obligations };
  const overdue = { length: escalations };
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
  await db.destroy();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
