// Every route, called for real (PostgreSQL, Temporal, a worker, the SMTP sink), answers what its schema declares: each
// response is validated with ajv against the route's schema for that status, nothing the handler returned is stripped by
// the serializer, and a route without a response schema, an undeclared status or a route never called fails the test.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../api/schemas/common.js';
import { createDraft } from '../../db/repositories/plans.js';
import { planScheduleId } from '../../domain/cycle-model.js';
import { startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { bearer } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/mail.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

// ajv-formats is CommonJS: its default export is the plugin function, sometimes one level down.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const YEAR = new Date().getUTCFullYear();
let stack: ApiTestStack;
let tdb: TestDatabase;
let client: Client;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const scheduledPlans: string[] = [];

/** What the server did for one request: the route (as declared), the status, and the payload before serialization. */
interface Served {
  readonly method: string;
  readonly route: string | undefined;
  readonly schema: FastifySchema | undefined;
  readonly status: number;
  readonly contentType: string;
  readonly raw: unknown;
}
const served: Served[] = [];
const rawPayloads = new Map<string, unknown>();

beforeAll(async () => {
  stack = await startApiTestStack('api-schemas');
  ({ tdb, client, app } = stack);
  // Observe every reply: the handler's payload before the serializer, and the route that answered.
  app.addHook('preSerialization', async (request, _reply, payload) => {
    rawPayloads.set(request.id, payload);
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    served.push({
      method: request.method,
      route: request.routeOptions.url,
      schema: request.routeOptions.schema,
      status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? ''),
      raw: rawPayloads.get(request.id),
    });
    rawPayloads.delete(request.id);
    return payload;
  });
  tokens.admin = await stack.token('admin', 'admin');
  tokens.coordinator = await stack.token('akdm', 'coordinator', 'АҚДМ');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
});

afterAll(async () => {
  for (const id of scheduledPlans)
    await client?.schedule
      .getHandle(planScheduleId(id))
      .delete()
      .catch(() => undefined);
  await stack?.close();
});

const ajv = addFormats(new Ajv({ strict: true, allErrors: true, coerceTypes: false }));
const validators = new Map<object, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  let v = validators.get(schema);
  if (v === undefined) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}

const essence = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** Checks one real response against the declared schema of the route that answered it. */
function checkAgainstSchema(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  s: Served,
): void {
  const where = `${s.method} ${s.route ?? '(no route)'} → ${s.status}`;
  if (s.route === undefined) {
    // No route matched: the not-found handler answers 404 in the one error shape.
    expect(s.status, where).toBe(404);
    const v = validatorFor(ErrorBody);
    expect(v(JSON.parse(res.body)) ? [] : v.errors, where).toEqual([]);
    return;
  }
  const responses = (s.schema?.response ?? undefined) as
    Record<string, { content?: Record<string, { schema: object }> } & object> | undefined;
  expect(responses, `${where}: the route declares no response schema`).toBeDefined();
  const declared = responses![String(s.status)] ?? responses![`${String(s.status)[0]}xx`];
  expect(
    declared,
    `${where}: status ${s.status} is not declared (declared: ${Object.keys(responses!).join(', ')})`,
  ).toBeDefined();
  if (s.status === 204) {
    // No content: nothing to validate but that nothing came.
    expect(res.body, `${where}: a 204 has no body`).toBe('');
    return;
  }
  if (declared!.content !== undefined) {
    // Content types declared one by one (a file, a raw message, or JSON beside them): the answer's must be one of them,
    // and a JSON answer is validated against the object schema declared for it (a JSON file sent as bytes is binary).
    expect(Object.keys(declared!.content), `${where}: content type ${s.contentType}`).toContain(essence(s.contentType));
    const json = declared!.content['application/json'];
    if (essence(s.contentType) === 'application/json' && (json?.schema as { type?: string })?.type === 'object') {
      const validate = validatorFor(json!.schema);
      expect(validate(JSON.parse(res.body)) ? [] : validate.errors, `${where}: ${res.body.slice(0, 300)}`).toEqual([]);
    }
    return;
  }
  if ((declared as { type?: string }).type === 'null') {
    // "No content" declared (204): the answer must have no body at all.
    expect(res.body, `${where}: declared without content, but a body came`).toBe('');
    return;
  }
  expect(essence(s.contentType), `${where}: a JSON schema, but the answer is ${s.contentType}`).toBe(
    'application/json',
  );
  const body: unknown = JSON.parse(res.body);
  const validate = validatorFor(declared!);
  expect(validate(body) ? [] : validate.errors, `${where}: ${res.body.slice(0, 300)}`).toEqual([]);
  // The serializer keeps only what the schema declares: a field the handler returned but the schema lacks would vanish silently.
  if (s.raw !== undefined && typeof s.raw === 'object' && !Buffer.isBuffer(s.raw)) {
    expect(body, `${where}: the response schema strips or changes fields the handler returned`).toEqual(
      JSON.parse(JSON.stringify(s.raw)),
    );
  }
}

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly token?: string | undefined;
  readonly payload?: unknown;
  readonly headers?: Record<string, string>;
}

/** Calls the API for real and validates the answer; returns it for the scenario's own assertions. */
async function call(c: Call, expectedStatus: number) {
  const before = served.length;
  const res = await app.inject({
    method: c.method,
    url: c.url,
    headers: { ...(c.token === undefined ? {} : bearer(c.token)), ...c.headers },
    ...(c.payload === undefined ? {} : { payload: c.payload as string }),
  });
  expect(res.statusCode, `${c.method} ${c.url}: ${res.body.slice(0, 300)}`).toBe(expectedStatus);
  expect(served.length, `${c.method} ${c.url}: one reply observed`).toBe(before + 1);
  checkAgainstSchema(res, served[served.length - 1]!);
  return res;
}

const enc = encodeURIComponent;

describe('every route answers what its schema declares', () => {
  it('a full tour of the API, each response validated against its route schema', { timeout: 180_000 }, async () => {
    const admin = tokens.admin!;
    const coord = tokens.coordinator!;
    const bgm = tokens.bgm!;

    // Public routes and authentication.
    await call({ method: 'GET', url: '/health' }, 200);
    await call({ method: 'GET', url: '/ready' }, 200);
    await call({ method: 'GET', url: '/api/openapi.json' }, 200);
    await call({ method: 'GET', url: '/api/v1/me' }, 401);
    await call({ method: 'GET', url: '/api/v1/nothing-here', token: admin }, 404);

    // Users, login, one-time password, tokens.
    const created = await call(
      {
        method: 'POST',
        url: '/api/v1/users',
        token: admin,
        payload: {
          username: 'akdm.coordinator',
          displayName: 'АҚДМ үйлестіруші',
          role: 'coordinator',
          agencyCode: 'АҚДМ',
          email: 'coord@akdm.example.kz',
          lang: 'kk',
        },
      },
      201,
    );
    const user = created.json().user as { id: string; displayName: string; mustChangePassword: boolean };
    expect(user).toMatchObject({ displayName: 'АҚДМ үйлестіруші', mustChangePassword: true });
    expect(created.json().user).not.toHaveProperty('display_name');
    await call(
      {
        method: 'POST',
        url: '/api/v1/users',
        token: admin,
        payload: { username: 'akdm.coordinator', displayName: 'again', role: 'pm_office' },
      },
      409,
    );
    await call(
      {
        method: 'POST',
        url: '/api/v1/users',
        token: admin,
        payload: { username: 'Bad Name', displayName: 'x', role: 'pm_office' },
      },
      400,
    );
    await call(
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'akdm.coordinator', password: 'wrong-password' },
      },
      401,
    );
    const session = await call(
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'akdm.coordinator', password: created.json().oneTimePassword },
      },
      200,
    );
    const sessionToken = session.json().token as string;
    await call({ method: 'GET', url: '/api/v1/agencies', token: sessionToken }, 403);
    await call(
      {
        method: 'POST',
        url: '/api/v1/auth/password',
        token: sessionToken,
        payload: { currentPassword: created.json().oneTimePassword, newPassword: 'a-long-enough-passphrase' },
      },
      200,
    );
    await call({ method: 'GET', url: '/api/v1/me', token: sessionToken }, 200);
    const digestsOff = await call(
      { method: 'PUT', url: '/api/v1/me/digests', token: sessionToken, payload: { enabled: false } },
      200,
    );
    expect(digestsOff.json()).toEqual({ digests: false });
    expect((await call({ method: 'GET', url: '/api/v1/me', token: sessionToken }, 200)).json().digests).toBe(false);
    await call({ method: 'PUT', url: '/api/v1/me/digests', token: admin, payload: { enabled: true } }, 403);
    await call({ method: 'PUT', url: '/api/v1/me/digests', token: sessionToken, payload: { enabled: 'no' } }, 400);
    const users = await call({ method: 'GET', url: '/api/v1/users', token: admin }, 200);
    expect(users.json().items[0]).toHaveProperty('agencyCode');
    await call({ method: 'GET', url: '/api/v1/users', token: bgm }, 403);

    const issued = await call(
      { method: 'POST', url: '/api/v1/tokens', token: admin, payload: { name: 'akdm-erp', userId: user.id } },
      201,
    );
    const tokenList = await call({ method: 'GET', url: '/api/v1/tokens', token: admin }, 200);
    expect(tokenList.json().items.find((t: { id: string }) => t.id === issued.json().id)).toMatchObject({
      name: 'akdm-erp',
      userId: user.id,
      revokedAt: null,
    });
    await call({ method: 'DELETE', url: `/api/v1/tokens/${issued.json().id}`, token: admin }, 200);
    await call({ method: 'DELETE', url: `/api/v1/tokens/${issued.json().id}`, token: admin }, 404);

    // Accounts: a weak password, one's own sessions and tokens, an admin disabling, enabling and resetting, sign-out, a lockout.
    await call(
      {
        method: 'POST',
        url: '/api/v1/auth/password',
        token: sessionToken,
        payload: { currentPassword: 'a-long-enough-passphrase', newPassword: 'password123' },
      },
      400,
    );
    const second = (
      await call(
        {
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'akdm.coordinator', password: 'a-long-enough-passphrase' },
        },
        200,
      )
    ).json().token as string;
    const own = await call({ method: 'GET', url: '/api/v1/me/tokens', token: sessionToken }, 200);
    const secondId = (own.json().items as { id: string; current: boolean }[]).find((i) => !i.current)!.id;
    await call({ method: 'DELETE', url: `/api/v1/me/tokens/${secondId}`, token: sessionToken }, 200);
    await call({ method: 'DELETE', url: `/api/v1/me/tokens/${secondId}`, token: sessionToken }, 404);
    await call({ method: 'GET', url: '/api/v1/me', token: second }, 401);
    await call({ method: 'POST', url: `/api/v1/users/${user.id}/disable`, token: admin }, 200);
    await call({ method: 'POST', url: `/api/v1/users/${user.id}/disable`, token: bgm }, 403);
    await call({ method: 'POST', url: `/api/v1/users/${randomUUID()}/disable`, token: admin }, 404);
    await call({ method: 'POST', url: `/api/v1/users/${user.id}/enable`, token: admin }, 200);
    await call({ method: 'POST', url: `/api/v1/users/${randomUUID()}/enable`, token: admin }, 404);
    const reset = await call({ method: 'POST', url: `/api/v1/users/${user.id}/password-reset`, token: admin }, 200);
    await call({ method: 'POST', url: `/api/v1/users/${randomUUID()}/password-reset`, token: admin }, 404);
    const afterReset = (
      await call(
        {
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'akdm.coordinator', password: reset.json().oneTimePassword },
        },
        200,
      )
    ).json().token as string;
    await call({ method: 'POST', url: '/api/v1/auth/logout', token: afterReset }, 200);
    await call({ method: 'POST', url: '/api/v1/auth/logout', token: afterReset }, 401);
    for (let i = 0; i < 5; i++)
      await call(
        { method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ghost.user', password: 'x' } },
        401,
      );
    await call({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ghost.user', password: 'x' } }, 429);

    // The agencies directory.
    await call({ method: 'GET', url: '/api/v1/agencies', token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/agencies/${enc('БҒМ')}`, token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/agencies/${enc('ЖОҚ')}`, token: bgm }, 404);
    const bgmAgency = TEST_AGENCIES.find((a) => a.code === 'БҒМ')!;
    await call(
      {
        method: 'PUT',
        url: `/api/v1/agencies/${enc('БҒМ')}`,
        token: admin,
        payload: { ...bgmAgency, note: 'Тексеру' },
      },
      200,
    );
    await call(
      {
        method: 'PUT',
        url: `/api/v1/agencies/${enc('БҒМ')}`,
        token: admin,
        payload: { ...bgmAgency, contacts: [{ role: 'reporter', email: 'not-mail' }] },
      },
      400,
    );

    // The working-day calendar.
    await call({ method: 'GET', url: '/api/v1/calendar?year=2024', token: bgm }, 200);
    const entry = {
      date: '2026-01-12',
      kind: 'transfer_day_off',
      nameKk: 'Демалыс күнін ауыстыру',
      nameRu: 'Перенос выходного дня',
      nameEn: 'Transferred day off',
      source: 'Test order',
    };
    await call({ method: 'PUT', url: '/api/v1/calendar/entries', token: admin, payload: entry }, 200);
    await call({ method: 'PUT', url: '/api/v1/calendar/entries', token: bgm, payload: entry }, 403);
    await call({ method: 'DELETE', url: '/api/v1/calendar/entries/2026-01-12/transfer_day_off', token: admin }, 200);
    await call({ method: 'DELETE', url: '/api/v1/calendar/entries/2026-01-12/transfer_day_off', token: admin }, 404);
    await call(
      {
        method: 'PUT',
        url: '/api/v1/calendar/years/2027',
        token: admin,
        payload: { status: 'provisional', note: 'Transfer act not yet out' },
      },
      200,
    );

    // Plans: a draft, its review, import round trip, confirmation and the running cycle's obligations.
    const planId = await createDraft(tdb.db, {
      plan: testPlan({ years: { from: YEAR, to: YEAR + 1 } }),
      diagnostics: [],
      sourceFormat: 'json',
      sourceName: null,
      createdBy: 'test',
    });
    await call({ method: 'GET', url: '/api/v1/plans', token: coord }, 200);
    await call({ method: 'GET', url: '/api/v1/plans?status=bogus', token: coord }, 400);
    await call({ method: 'GET', url: `/api/v1/plans/${planId}`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/plans/${planId}`, token: bgm }, 404);
    await call({ method: 'GET', url: `/api/v1/plans/${planId}/diagnostics`, token: coord }, 200);
    const yaml = await call({ method: 'GET', url: `/api/v1/plans/${planId}/export`, token: coord }, 200);
    expect(yaml.body).toContain('coordinator');
    const json = await call({ method: 'GET', url: `/api/v1/plans/${planId}/export?format=json`, token: coord }, 200);
    await call({ method: 'GET', url: '/api/v1/plans/template.csv', token: bgm }, 200);
    await call({ method: 'GET', url: '/api/v1/plans/template.xlsx', token: bgm }, 200);
    const importUrl = '/api/v1/plans/import?filename=plan.json';
    const octet = { 'content-type': 'application/octet-stream' };
    await call(
      { method: 'POST', url: `${importUrl}&dryRun=true`, token: coord, payload: json.body, headers: octet },
      200,
    );
    const copy = await call({ method: 'POST', url: importUrl, token: coord, payload: json.body, headers: octet }, 201);
    await call({ method: 'POST', url: importUrl, token: coord, payload: 'this is not a plan', headers: octet }, 422);
    // The real seed decrees, dry run: measures with sections, extra columns, inferred values, footnote reporting, indicators —
    // whatever the importer finds must reach the caller, not be dropped by the response schema.
    const seeds = new URL('../../../shared/seeds/', import.meta.url);
    for (const name of readdirSync(seeds)
      .filter((f) => /^\d{3}_.*\.txt$/.test(f))
      .sort()) {
      await call(
        {
          method: 'POST',
          url: `/api/v1/plans/import?dryRun=true&filename=${enc(name)}`,
          token: coord,
          payload: readFileSync(new URL(name, seeds)),
          headers: octet,
        },
        200,
      );
    }
    await call({ method: 'POST', url: `/api/v1/users/${user.id}/plans`, token: admin, payload: { planId } }, 200);
    await call({ method: 'POST', url: `/api/v1/plans/${copy.json().id}/discard`, token: coord }, 200);
    await call({ method: 'POST', url: `/api/v1/plans/${copy.json().id}/confirm`, token: coord }, 409);

    scheduledPlans.push(planId);
    await call({ method: 'POST', url: `/api/v1/plans/${planId}/confirm`, token: coord }, 200);
    await call({ method: 'POST', url: `/api/v1/plans/${planId}/confirm`, token: coord }, 409);
    await call({ method: 'GET', url: `/api/v1/plans/${planId}/versions`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/plans/${planId}/schedule`, token: coord }, 200);
    await call(
      { method: 'POST', url: `/api/v1/plans/${planId}/schedule/pause`, token: coord, payload: { note: 'review' } },
      200,
    );
    await call({ method: 'POST', url: `/api/v1/plans/${planId}/schedule/unpause`, token: coord, payload: {} }, 200);
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/schedule/backfill`,
        token: admin,
        payload: { from: String(YEAR - 1), to: String(YEAR - 1) },
      },
      200,
    );
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/schedule/backfill`,
        token: admin,
        payload: { from: 'last year', to: String(YEAR) },
      },
      400,
    );
    await call(
      { method: 'POST', url: `/api/v1/plans/${planId}/cycles`, token: admin, payload: { period: String(YEAR + 5) } },
      409,
    );
    const opened = await waitFor(
      async () => {
        const n = await tdb.db
          .selectFrom('obligations')
          .select('workflow_id')
          .where('plan_id', '=', planId)
          .where('period', '=', String(YEAR))
          .execute();
        return n.length >= 4 ? n : undefined;
      },
      30_000,
      'the obligations of the opened cycle',
    );
    expect(opened.length).toBeGreaterThanOrEqual(4);
    await call(
      { method: 'POST', url: `/api/v1/plans/${planId}/cycles`, token: admin, payload: { period: String(YEAR) } },
      200,
    );

    const cycles = await call({ method: 'GET', url: `/api/v1/cycles?planId=${planId}`, token: coord }, 200);
    await call({ method: 'GET', url: '/api/v1/cycles?period=someday', token: coord }, 400);
    const cycleId = (cycles.json().items as { id: string; period: string }[]).find(
      (c) => c.period === String(YEAR),
    )!.id;
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}?include=obligations&limit=2`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(`cycle:${randomUUID()}:${YEAR}`)}`, token: coord }, 404);
    await call({ method: 'POST', url: `/api/v1/agencies/${enc('БҒМ')}/feed`, token: bgm }, 201);
    await call({ method: 'DELETE', url: `/api/v1/agencies/${enc('БҒМ')}/feed`, token: bgm }, 200);
    const page = await call({ method: 'GET', url: `/api/v1/obligations?planId=${planId}`, token: coord }, 200);
    await call(
      {
        method: 'GET',
        url: `/api/v1/obligations?planId=${planId}`,
        token: coord,
        headers: { 'if-none-match': String(page.headers.etag) },
      },
      304,
    );
    await call({ method: 'GET', url: '/api/v1/obligations', token: bgm }, 200);

    // Review commands are Temporal Updates; their refusals are mapped to HTTP in api/errors.ts.
    const bgmObligation = enc(`obligation:${planId}:${YEAR}:БҒМ:executors`);
    // Another agency's (ІІМ's one-off measure 2, due 1 December): the coordinator extends it below.
    const iimObligation = enc(`obligation:${planId}:${YEAR}:ІІМ:measure-2-due-1`);
    const submit = (text: string) => ({ items: [{ measure: '1', status: 'done', text }] });
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}`, token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/obligations/${iimObligation}`, token: bgm }, 404);

    // Evidence files: a streamed multipart upload (the default store, PostgreSQL), the list, the download, a withdrawal.
    const multipart = (name: string, bytes: Buffer) => {
      const boundary = 'tour-boundary-1234';
      return {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
          ),
          bytes,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      };
    };
    const evidenceUrl = `/api/v1/obligations/${bgmObligation}/evidence`;
    const uploaded = await call(
      { method: 'POST', url: evidenceUrl, token: bgm, ...multipart('act.pdf', Buffer.from('%PDF-1.7\n% tour\n')) },
      201,
    );
    const fileId = uploaded.json().id as string;
    await call(
      { method: 'POST', url: evidenceUrl, token: bgm, ...multipart('act.pdf', Buffer.from('MZ\x90\x00')) },
      415,
    );
    await call({ method: 'POST', url: evidenceUrl, token: bgm, payload: {} }, 400);
    await call({ method: 'GET', url: evidenceUrl, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/evidence/${fileId}`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/evidence/${randomUUID()}`, token: bgm }, 404);
    await call({ method: 'DELETE', url: `/api/v1/evidence/${fileId}`, token: coord }, 403);
    await call({ method: 'DELETE', url: `/api/v1/evidence/${fileId}`, token: bgm }, 200);
    await call(
      { method: 'POST', url: evidenceUrl, token: bgm, ...multipart('act.pdf', Buffer.from('%PDF-1.7\n')) },
      201,
    );
    const invalid = await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/submit`,
        token: bgm,
        payload: { items: [{ measure: '2', status: 'done', text: 'not ours' }] },
      },
      422,
    );
    expect(invalid.json().error.code).toBe('invalid_report');
    const early = await call(
      { method: 'POST', url: `/api/v1/obligations/${bgmObligation}/accept`, token: coord, payload: {} },
      409,
    );
    expect(early.json().error.code).toBe('invalid_transition');
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/submit`,
        token: bgm,
        payload: submit('Курс енгізілді'),
      },
      200,
    );
    const due = (await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}`, token: coord }, 200)).json()
      .dueDate as string;
    const later = `${Number(due.slice(0, 4)) + 1}${due.slice(4)}`;
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/return`,
        token: coord,
        payload: {
          comment: 'Толықтырыңыз',
          newDueDate: later,
          comments: [{ measure: '1', field: 'narrative.kk', text: 'Мектептер санын көрсетіңіз' }],
        },
      },
      200,
    );
    // The report's draft (never in the workflow's history), its versions and their diff.
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/draft`, token: bgm }, 404);
    await call(
      {
        method: 'PUT',
        url: `/api/v1/obligations/${bgmObligation}/draft`,
        token: bgm,
        payload: { content: { measures: [{ measure: '1', narrative: { kk: 'жазып жатырмыз' } }] } },
      },
      200,
    );
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/draft`, token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/draft`, token: coord }, 403);
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/submit`,
        token: bgm,
        payload: submit('Курс 120 мектепте енгізілді'),
      },
      200,
    );
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/submit`,
        token: bgm,
        payload: submit('under review'),
      },
      409,
    );
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/versions`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/versions/1`, token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/versions/9`, token: bgm }, 404);
    await call({ method: 'GET', url: `/api/v1/obligations/${iimObligation}/versions`, token: bgm }, 404);
    const diff = await call(
      { method: 'GET', url: `/api/v1/obligations/${bgmObligation}/diff?from=1&to=2`, token: coord },
      200,
    );
    expect(diff.json().changes).toContainEqual({
      path: 'measures[measure=1].narrative.kk',
      from: 'Курс енгізілді',
      to: 'Курс 120 мектепте енгізілді',
    });
    await call({ method: 'GET', url: `/api/v1/obligations/${bgmObligation}/diff?from=1`, token: coord }, 400);
    await call({ method: 'POST', url: `/api/v1/obligations/${bgmObligation}/accept`, token: bgm, payload: {} }, 403);
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/accept`,
        token: coord,
        payload: { comment: 'Қабылданды' },
      },
      200,
    );

    // The charts' data (JSON) and an agency's deadline feed: shown, issued, revoked.
    await call({ method: 'GET', url: `/api/v1/plans/${planId}/charts/on-time`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/charts/overdue`, token: bgm }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/charts/timeline`, token: coord }, 200);
    // The consolidated summary of the cycle (БҒМ's report accepted above): JSON, DOCX, XLSX; a reporter may not.
    const summary = await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary`, token: coord }, 200);
    expect(summary.json().measures[0].executors[0]).toMatchObject({ kind: 'reported', status: 'done' });
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary?format=docx&lang=ru`, token: admin }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary?format=xlsx`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary?format=pdf`, token: coord }, 400);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary`, token: bgm }, 403);
    // The coordinator's part of the summary: a missing mark with its reason, the texts.
    const mark = (agency: string) => `/api/v1/cycles/${enc(cycleId)}/summary/marks/${enc(agency)}`;
    const reason = { reason: 'Есеп ұсынылмады' };
    // ІІМ owes measure 2 in its own stage; the coordinator (АҚДМ) reports to itself in no stage, so it owes nothing to mark.
    const iimStage = { ...reason, stage: 'measure-2-due-1' };
    await call({ method: 'PUT', url: mark('ІІМ'), token: coord, payload: iimStage }, 200);
    await call({ method: 'PUT', url: mark('ІІМ'), token: coord, payload: reason }, 400);
    await call({ method: 'PUT', url: mark('АҚДМ'), token: coord, payload: reason }, 400);
    await call({ method: 'PUT', url: mark('БҒМ'), token: coord, payload: reason }, 409);
    await call({ method: 'PUT', url: mark('АҚДМ'), token: bgm, payload: reason }, 403);
    await call({ method: 'PUT', url: mark('АҚДМ'), token: coord, payload: { reason: '' } }, 400);
    const texts = { preface: { kk: 'Кіріспе', ru: null }, conclusions: { kk: null, ru: 'Выводы' } };
    await call(
      { method: 'PUT', url: `/api/v1/cycles/${enc(cycleId)}/summary/texts`, token: coord, payload: texts },
      200,
    );
    await call({ method: 'PUT', url: `/api/v1/cycles/${enc(cycleId)}/summary/texts`, token: bgm, payload: texts }, 403);
    await call(
      {
        method: 'PUT',
        url: `/api/v1/cycles/${enc(`cycle:${randomUUID()}:${YEAR}`)}/summary/texts`,
        token: coord,
        payload: texts,
      },
      404,
    );
    await call({ method: 'DELETE', url: `${mark('ІІМ')}?stage=measure-2-due-1`, token: coord }, 200);
    await call({ method: 'DELETE', url: mark('АҚДМ'), token: bgm }, 403);
    await call(
      { method: 'GET', url: `/api/v1/cycles/${enc(`cycle:${randomUUID()}:${YEAR}`)}/summary`, token: coord },
      404,
    );
    // The summary sent up: frozen into a version the coordinator's own obligation carries; a reporter may not; once under
    // review no second version; the versions listed and one rendered from its content.
    const submitSummary = `/api/v1/cycles/${enc(cycleId)}/summary/submit`;
    await call({ method: 'POST', url: submitSummary, token: bgm, payload: {} }, 403);
    await call(
      {
        method: 'POST',
        url: submitSummary,
        token: coord,
        payload: { overrides: [{ agencyCode: 'БҒМ', reason: 'x' }] },
      },
      400,
    );
    const frozen = await call({ method: 'POST', url: submitSummary, token: coord, payload: {} }, 200);
    expect(frozen.json().version).toBe(1);
    await call({ method: 'POST', url: submitSummary, token: coord, payload: {} }, 409);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary/versions`, token: coord }, 200);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary/versions`, token: bgm }, 403);
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary/versions/1`, token: admin }, 200);
    await call(
      { method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary/versions/1?format=xlsx&lang=ru`, token: coord },
      200,
    );
    await call({ method: 'GET', url: `/api/v1/cycles/${enc(cycleId)}/summary/versions/9`, token: coord }, 404);
    await call({ method: 'GET', url: `/api/v1/agencies/${enc('БҒМ')}/feed`, token: bgm }, 200);
    const feed = await call({ method: 'POST', url: `/api/v1/agencies/${enc('БҒМ')}/feed`, token: bgm }, 201);
    expect(feed.json().url).toMatch(/\/ics\/[A-Za-z0-9_-]{20,100}\.ics$/);
    await call({ method: 'DELETE', url: `/api/v1/agencies/${enc('БҒМ')}/feed`, token: admin }, 200);
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('status')
          .where('workflow_id', '=', decodeURIComponent(bgmObligation))
          .executeTakeFirst();
        return row?.status === 'accepted' ? true : undefined;
      },
      20_000,
      'the accepted obligation',
    );
    await waitFor(
      async () => {
        const { status } = await client.workflow.getHandle(decodeURIComponent(bgmObligation)).describe();
        return status.name === 'RUNNING' ? undefined : true;
      },
      20_000,
      'the accepted obligation to finish',
    );
    const closed = await call(
      { method: 'POST', url: `/api/v1/obligations/${bgmObligation}/submit`, token: bgm, payload: submit('again') },
      409,
    );
    expect(closed.json().error.code).toBe('invalid_transition');
    const lateEvidence = await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${bgmObligation}/evidence`,
        token: bgm,
        ...multipart('late.pdf', Buffer.from('%PDF-1.7\n')),
      },
      409,
    );
    expect(lateEvidence.json().error.code).toBe('obligation_not_open');
    await call(
      {
        method: 'POST',
        url: `/api/v1/obligations/${iimObligation}/extend`,
        token: coord,
        payload: { reason: 'Мерзімі ұзартылды', newDueDate: later },
      },
      200,
    );

    // Amendments and repeal.
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/amend`,
        token: coord,
        payload: {
          act: { issuer: 'Үкімет', number: '1', date: `${YEAR}-11-01` },
          summary: 'x',
          changes: [{ op: 'add_executor', measure: '1', code: 'ЖОҚ' }],
        },
      },
      400,
    );
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/amend`,
        token: coord,
        payload: {
          act: { issuer: 'Үкімет', number: '2', date: `${YEAR}-11-02` },
          summary: 'ҰҚК шығарылды',
          changes: [{ op: 'remove_executor', measure: '2', code: 'ҰҚК' }],
        },
      },
      200,
    );
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/amend`,
        token: coord,
        payload: {
          act: { issuer: 'Үкімет', number: '3', date: `${YEAR}-11-03` },
          summary: 'y',
          expectedVersion: 1,
          changes: [{ op: 'remove_executor', measure: '1', code: 'АҚДМ' }],
        },
      },
      409,
    );
    await call(
      {
        method: 'POST',
        url: `/api/v1/plans/${planId}/repeal`,
        token: coord,
        payload: {
          act: { issuer: 'Үкімет', number: '1014', date: `${YEAR}-11-15` },
          date: `${YEAR}-11-15`,
          reason: 'Жоспардың күші жойылды',
        },
      },
      200,
    );
    const noSchedule = await call(
      { method: 'POST', url: `/api/v1/plans/${planId}/schedule/pause`, token: coord, payload: {} },
      409,
    );
    expect(noSchedule.json().error.code).toBe('no_schedule');

    // Mail: a test notification through a real workflow, the outbox and what the sink received.
    const key = randomUUID();
    await call(
      {
        method: 'POST',
        url: '/api/v1/notifications/test',
        token: admin,
        payload: { to: ['akimat@example.kz'], lang: 'ru' },
        headers: { 'idempotency-key': key },
      },
      202,
    );
    await call(
      {
        method: 'POST',
        url: '/api/v1/notifications/test',
        token: admin,
        payload: { to: ['akimat@example.kz'], lang: 'ru' },
        headers: { 'idempotency-key': key },
      },
      200,
    );
    await call({ method: 'POST', url: '/api/v1/notifications/test', token: admin, payload: { to: ['not-mail'] } }, 400);
    const messageId = await waitFor(
      async () => {
        const row = await tdb.db.selectFrom('sink_messages').select('id').orderBy('id', 'desc').executeTakeFirst();
        return row?.id;
      },
      30_000,
      'a message in the sink',
    );
    await call({ method: 'GET', url: '/api/v1/outbox?limit=5', token: admin }, 200);
    await call({ method: 'GET', url: '/api/v1/sink/messages?to=akimat@example.kz', token: admin }, 200);
    await call({ method: 'GET', url: `/api/v1/sink/messages/${messageId}/raw`, token: admin }, 200);
    await call({ method: 'GET', url: '/api/v1/sink/messages/999999999/raw', token: admin }, 404);

    // History: the replay check, over a committed history and over what runs now.
    const recorded = JSON.parse(
      readFileSync(new URL('../replay/histories/status-attribute.on-time.obligation-1.json', import.meta.url), 'utf8'),
    ) as { workflowId: string; history: unknown };
    const replayed = await call(
      { method: 'POST', url: '/api/v1/replay', token: admin, payload: { history: recorded } },
      200,
    );
    expect(replayed.json()).toMatchObject({ total: 1, ok: 1, failed: 0 });
    await call({ method: 'POST', url: '/api/v1/replay', token: admin, payload: { open: true, limit: 3 } }, 200);
    await call({ method: 'POST', url: '/api/v1/replay', token: admin, payload: {} }, 400);
    await call({ method: 'POST', url: '/api/v1/replay', token: tokens.coordinator!, payload: { open: true } }, 403);
    const workflow = await tdb.db.selectFrom('obligations').select('workflow_id').executeTakeFirstOrThrow();
    const historyUrl = `/api/v1/history/${encodeURIComponent(workflow.workflow_id)}`;
    await call({ method: 'GET', url: historyUrl, token: admin }, 200);
    await call({ method: 'GET', url: `${historyUrl}/raw`, token: admin }, 200);
    await call({ method: 'GET', url: '/api/v1/history/obligation%3Anone', token: admin }, 404);
    await call({ method: 'GET', url: historyUrl, token: tokens.coordinator! }, 403);
    const events = await call({ method: 'GET', url: '/api/v1/events?limit=2', token: admin }, 200);
    expect(events.json().items).toHaveLength(2);
    await call({ method: 'GET', url: '/api/v1/events/export?format=csv', token: admin }, 200);
    await call({ method: 'GET', url: '/api/v1/events/export?format=jsonl&type=plan.confirmed', token: admin }, 200);
    await call({ method: 'GET', url: '/api/v1/events/export?format=xml', token: admin }, 400);
    const cycle = await tdb.db.selectFrom('cycles').select('workflow_id').executeTakeFirstOrThrow();
    const asOf = `/api/v1/history/cycles/${encodeURIComponent(cycle.workflow_id)}/as-of?at=${encodeURIComponent(new Date().toISOString())}`;
    await call({ method: 'GET', url: asOf, token: admin }, 200);
    await call({ method: 'GET', url: asOf, token: tokens.bgm! }, 403);
    await call(
      {
        method: 'GET',
        url: `/api/v1/history/cycles/nope/as-of?at=${encodeURIComponent(new Date().toISOString())}`,
        token: admin,
      },
      404,
    );
  });

  it('every route in the OpenAPI document was called, declares its responses, and marks public routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            requestBody?: { content: Record<string, unknown> };
            responses: Record<string, { content?: unknown }>;
          }
        >
      >;
    };
    const called = new Set(
      served
        .filter((s) => s.route !== undefined)
        .map((s) => `${s.method.toLowerCase()} ${s.route!.replace(/:(\w+)/g, '{$1}')}`),
    );
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method} ${path}`, op })),
    );
    expect(operations.length).toBeGreaterThan(40);
    for (const { key, op } of operations) {
      expect(called, `${key} was never called by the tour`).toContain(key);
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect(success.length, `${key} declares no success response`).toBeGreaterThan(0);
      // 204 No Content is the one success without a body, hence without a schema.
      for (const [status, r] of success)
        if (status !== '204') expect(r.content, `${key} ${status} has no schema`).toBeDefined();
    }
    for (const key of ['post /api/v1/auth/login', 'get /health'])
      expect(operations.find((o) => o.key === key)!.op.security, `${key} is public`).toEqual([]);
    expect(operations.find((o) => o.key === 'get /api/v1/me')!.op.security).toBeUndefined();
    // The upload's body is a file, described for clients though no JSON Schema validates it.
    expect(Object.keys(doc.paths['/api/v1/plans/import']!.post!.requestBody!.content)).toEqual(
      expect.arrayContaining(['application/octet-stream', 'multipart/form-data']),
    );
  });
});
