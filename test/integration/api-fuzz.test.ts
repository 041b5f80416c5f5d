// Property-based fuzzing of the whole JSON API (issue 10, tests) against the real stack: every OpenAPI operation with a body or
// a query gets generated values — NUL, lone surrogates, RTL marks, 10,000-character strings, numbers at and past the limits,
// wrong types — as the admin (the widest reach), and must answer without a 500, within 2 s; afterwards the obligation workflow
// the routes reached is not left retrying and /health answers. `npm run -s fuzz:api` runs it longer (FUZZ_RUNS).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { postgresProbe, temporalProbe } from '../../api/health.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { seedReferenceData } from '../../db/seed.js';
import { createMailer } from '../../platform/mailer.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { createMerzimWorker, quietTemporalRuntime } from '../../worker/worker.js';
import { bearer } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestSink, waitFor } from '../helpers/mail.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

/** Runs per operation: a few in `npm test`, more with FUZZ_RUNS (npm run fuzz:api). */

const RUNS = Number(process.env.FUZZ_RUNS ?? '3');
const HANG_MS = 2_000;
const YEAR = new Date().getUTCFullYear();
const taskQueue = `api-fuzz-${randomUUID()}`;

/** Operations the fuzzer leaves alone: they would end its own session, not test input handling. */
const SKIPPED = new Set(['post /api/v1/auth/logout', 'delete /api/v1/me/tokens/{id}', 'delete /api/v1/tokens/{id}']);

let tdb: TestDatabase;
let smtp: SmtpSink;
let native: NativeConnection;
let client: Client;
let worker: Worker;
let run: Promise<void>;
let app: FastifyInstance;
let admin: string;
let planId: string;
let obligationId: string;

/** What no input may break: the classes the issue names, and ordinary values so a body sometimes passes validation. */
const nasty = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'ok\u0000x',
    'a\ud800b',
    '\udfff',
    '\u202e\u200f\u061cتقرير',
    'x'.repeat(10_000),
    '',
    ' ',
    '%00',
    '../../etc/passwd',
    "'; DROP TABLE events; --",
    '9999-12-31',
    '1e400',
    '-1',
    String(Number.MAX_SAFE_INTEGER + 2),
    'NaN',
    '2019-Q3',
    'БҒМ',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nasty,
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 31, 2.5, true, null, [], {}, ['admin']),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('measure', 'status', 'text', 'kk', 'ru'), nasty, { maxKeys: 3 }),
);

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly bodyProps: readonly string[] | undefined;
}

function operations(doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
}): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      if (SKIPPED.has(`${method} ${path}`)) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const json = op.requestBody?.content['application/json'];
      const bodyProps = json === undefined ? undefined : Object.keys(json.schema?.properties ?? {});
      if (query.length > 0 || bodyProps !== undefined) out.push({ method, path, query, bodyProps });
    }
  return out;
}

/** A path with its parameters filled: real ids (so the deeper code runs) or a generated string. */
function fillPath(path: string, pick: (name: string) => string): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(pick(name)));
}

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  smtp = await startTestSink(tdb.db);
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  worker = await createMerzimWorker({
    connection: native,
    namespace: 'default',
    taskQueue,
    deps: { db: tdb.db, mailer: createMailer(smtp.url), mailFrom: 'Merzim <merzim@test>' },
  });
  run = worker.run();
  app = await buildApp({
    db: tdb.db,
    temporal: client,
    taskQueue,
    probes: {
      temporal: temporalProbe(client),
      postgres: postgresProbe(tdb.db),
      smtp: async () => ({ ok: true, latencyMs: 0 }),
    },
    sinkEnabled: true,
  });
  admin = (await createApiToken(tdb.db, { name: 'fuzz-admin', role: 'admin' })).secret;
  planId = await createDraft(tdb.db, {
    plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  expect(
    (await app.inject({ method: 'POST', url: `/api/v1/plans/${planId}/confirm`, headers: bearer(admin) })).statusCode,
  ).toBe(200);
  await app.inject({
    method: 'POST',
    url: `/api/v1/plans/${planId}/cycles`,
    headers: bearer(admin),
    payload: { period: String(YEAR) },
  });
  obligationId = `obligation:${planId}:${YEAR}:БҒМ:executors`;
  await waitFor(
    async () =>
      (await tdb.db
        .selectFrom('obligations')
        .select('workflow_id')
        .where('workflow_id', '=', obligationId)
        .executeTakeFirst()) ?? undefined,
    60_000,
    "БҒМ's obligation",
  );
}, 180_000);

afterAll(async () => {
  await client?.schedule
    .getHandle(`schedule:${planId}`)
    .delete()
    .catch(() => undefined);
  await app?.close();
  worker?.shutdown();
  await run?.catch(() => undefined);
  await native?.close();
  await client?.connection.close();
  await smtp?.close();
  await tdb?.drop();
});

describe('fuzzing every route with a body or a query', () => {
  it('never answers 500, never takes 2 s, leaves no workflow retrying', { timeout: 600_000 }, async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(15);
    const realIds: Record<string, () => string> = {
      id: () => planId,
      code: () => 'БҒМ',
    };
    const failures: string[] = [];
    for (const op of ops) {
      const input = fc.record({
        real: fc.boolean(),
        pathValue: nasty,
        query: fc.dictionary(fc.constantFrom(...(op.query.length > 0 ? op.query : ['x'])), nasty, { maxKeys: 3 }),
        body: fc.oneof(
          fc.record(Object.fromEntries((op.bodyProps ?? []).map((p) => [p, nastyValue])), { requiredKeys: [] }),
          nastyValue,
        ),
      });
      await fc
        .assert(
          fc.asyncProperty(input, async (i) => {
            const path = fillPath(op.path, (name) =>
              i.real
                ? op.path.includes('/obligations/')
                  ? obligationId
                  : (realIds[name]?.() ?? i.pathValue)
                : i.pathValue,
            );
            const qs = new URLSearchParams(op.query.length > 0 ? (i.query as Record<string, string>) : {}).toString();
            const started = performance.now();
            const res = await app.inject({
              method: op.method.toUpperCase() as 'GET',
              url: `${path}${qs === '' ? '' : `?${qs}`}`,
              headers: {
                ...bearer(admin),
                ...(op.bodyProps === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(op.bodyProps === undefined ? {} : { payload: JSON.stringify(i.body) }),
            });
            const ms = performance.now() - started;
            if (res.statusCode >= 500 || ms > HANG_MS)
              failures.push(
                `${op.method.toUpperCase()} ${op.path} → ${res.statusCode} in ${Math.round(ms)} ms: ${res.body.slice(0, 200)}`,
              );
            return res.statusCode < 500 && ms <= HANG_MS;
          }),
          { numRuns: RUNS, endOnFailure: true, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
        )
        .catch(() => undefined);
    }
    expect(failures).toEqual([]);

    // Nothing reached left a workflow retrying: no activity or workflow task on a second attempt, and it still answers.
    const described = await client.workflow.getHandle(obligationId).describe();
    expect(described.status.name).toBe('RUNNING');
    for (const a of described.raw.pendingActivities ?? []) expect(a.attempt ?? 1).toBeLessThanOrEqual(1);
    expect(described.raw.pendingWorkflowTask?.attempt ?? 1).toBeLessThanOrEqual(1);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const o = await app.inject({
      method: 'GET',
      url: `/api/v1/obligations/${encodeURIComponent(obligationId)}`,
      headers: bearer(admin),
    });
    expect(o.statusCode).toBe(200);
  });
});
