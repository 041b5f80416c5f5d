// HTTP hygiene at the edges (issue 10, point 9), over a real socket: a path segment over the bound (414), headers or a URL
// over Node's 16 KB (431), a request that is not HTTP (400) and a malformed percent-encoding (400) all answer in the API's one
// error shape, never Fastify's or Node's; numbers past a double in a query are 400; the OpenAPI document marks exactly the
// public routes as needing no token; and the service answers /health afterwards.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let tdb: TestDatabase;
let t: TestApp;
let port: number;

beforeAll(async () => {
  tdb = await createTestDatabase();
  t = await createTestApp(tdb);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

/** Sends raw bytes and reads the whole answer: status, headers, JSON body. */
function raw(request: string): Promise<{ status: number; headers: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('error', (e) => (data === '' ? reject(e) : undefined));
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
      const text = rest.join('\r\n\r\n');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Left as text: the assertion on the shape says so.
      }
      resolve({ status, headers: head ?? '', body });
    });
    // Written, not ended: a half-closed socket may be closed by the server before an asynchronous answer is written.
    socket.write(request);
  });
}

const get = (path: string, extra = '') =>
  raw(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.adminToken}\r\n${extra}Connection: close\r\n\r\n`,
  );

function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
}

describe('the one error shape at the edges', () => {
  it('414 for a path segment over the bound', async () => {
    const r = await get(`/api/v1/obligations/${'x'.repeat(600)}`);
    expect(r.status).toBe(414);
    expectErrorShape(r.body, 'uri_too_long');
    expect(r.headers.toLowerCase()).toContain('cache-control: no-store');
    // A long but legitimate id (percent-encoded Cyrillic) still reaches the route: 404, not 414.
    const id = encodeURIComponent(
      'obligation:00000000-0000-4000-8000-000000000000:2019-Q3:ҚАЗАҚСТАН-ІІМ-ДСМ:executors',
    );
    expect((await get(`/api/v1/obligations/${id}`)).status).toBe(404);
  });

  it('431 for headers or a URL over 16 KB', async () => {
    const headers = await get('/api/v1/me', `X-Big: ${'a'.repeat(20_000)}\r\n`);
    expect(headers.status).toBe(431);
    expectErrorShape(headers.body, 'headers_too_large');
    const url = await get(`/api/v1/obligations?agency=${'b'.repeat(20_000)}`);
    expect(url.status).toBe(431);
    expectErrorShape(url.body, 'headers_too_large');
  });

  it('400 for a request that is not HTTP, and for a malformed percent-encoding', async () => {
    const garbage = await raw('HELLO\r\n\r\n');
    expect(garbage.status).toBe(400);
    expectErrorShape(garbage.body, 'bad_request');
    const encoding = await get('/api/v1/obligations/%E0%A4%A');
    expect(encoding.status).toBe(400);
    expectErrorShape(encoding.body, 'bad_url');
  });

  it('400 for numbers out of range in a query, naming the parameter', async () => {
    for (const q of ['limit=1e400', 'limit=99999999999999999999', 'limit=-1', 'limit=2.5', 'year=1e309']) {
      const url = q.startsWith('year') ? `/api/v1/calendar?${q}` : `/api/v1/obligations?${q}`;
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(t.adminToken) });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.message, q).toContain(q.split('=')[0]);
    }
  });

  it('the service answers afterwards', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('marks exactly the public routes as needing no token', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      security: unknown[];
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(doc.security).toEqual([{ bearer: [] }]);
    const open: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) if (op.security?.length === 0) open.push(`${method} ${path}`);
    // The calendar feed (/ics/:file, public too) is not in the JSON API's document.
    expect(open.sort()).toEqual(['get /health', 'get /ready', 'post /api/v1/auth/login']);
  });
});
