// HTTP hygiene (issue 10 item 9) on the real app: security headers, no-store under /api, one error shape for malformed URLs, ids
// decoded once, out-of-range numbers refused with 400, and no type coercion of JSON bodies (["admin"] is not "admin").
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES } from '../helpers/plans.js';

let tdb: TestDatabase;
let t: TestApp;
let app: FastifyInstance;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  t = await createTestApp(tdb);
  app = t.app;
});

afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(t.adminToken) });

describe('HTTP hygiene', () => {
  it('every response carries the security headers; /api responses are never cached', async () => {
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['referrer-policy']).toBe('no-referrer');
    expect(health.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    const me = await get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'wrong-password-1' },
    });
    expect(login.headers['cache-control']).toBe('no-store');
    expect(login.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a JSON body is not coerced: ["admin"] is not a role, "3" is not a number; the query still is', async () => {
    const user = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(t.adminToken),
      payload: { username: 'coerced.user', displayName: 'C', role: ['admin'] },
    });
    expect(user.statusCode).toBe(400);
    expect(user.json().error.message).toContain('role');
    expect(await tdb.db.selectFrom('users').select('id').where('username', '=', 'coerced.user').execute()).toHaveLength(
      0,
    );
    expect((await get('/api/v1/calendar?year=2024')).statusCode).toBe(200);
  });

  it('malformed percent-encoding and out-of-range numbers answer 400 in the one error shape, not 500', async () => {
    for (const url of [
      '/api/v1/obligations/%E0%A4%A',
      '/api/v1/calendar?year=99999999999999999999',
      '/api/v1/calendar?year=1e400',
      '/api/v1/calendar?year=-1',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('ids are decoded once: an id holding "%" is looked up as it is, not decoded again', async () => {
    const res = await get(`/api/v1/obligations/${encodeURIComponent('obligation:%E0:x')}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('obligation:%E0:x');
  });
});
