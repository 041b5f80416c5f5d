// The app refuses a JSON route without response schemas, so every answer of the API is declared (and in the OpenAPI
// document); the server-rendered pages are exempt only while hidden from that document.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp, isJsonApiRoute, requireResponseSchemas } from '../../../api/app.js';

const declared = { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } };

describe('response schemas are required', () => {
  it('a JSON route without them stops the start, naming the route', async () => {
    const app = Fastify({ logger: false });
    requireResponseSchemas(app);
    app.get('/api/v1/declared', { schema: declared }, async () => ({ ok: true }));
    app.get('/health', { schema: declared }, async () => ({ ok: true }));
    expect(() => app.get('/api/v1/undeclared', async () => ({ ok: true }))).toThrow(
      /GET \/api\/v1\/undeclared declares no response schema/,
    );
    expect(() => app.post('/health', { schema: { summary: 'no responses' } }, async () => ({ ok: true }))).toThrow(
      /POST \/health declares no response schema/,
    );
    // Hiding a JSON route from the OpenAPI document does not exempt it: its clients still get an undeclared answer.
    expect(() => app.get('/api/hidden', { schema: { hide: true } }, async () => ({ ok: true }))).toThrow(
      /GET \/api\/hidden declares no response schema/,
    );
    await app.close();
  });

  it('hidden HTML pages need none; a page not hidden from the OpenAPI document does', async () => {
    const app = Fastify({ logger: false });
    requireResponseSchemas(app);
    for (const url of ['/app/inbox', '/app/*', '/assets/:name', '/', '/favicon.ico']) {
      expect(() =>
        app.get(url, { schema: { hide: true } }, async (_request, reply) =>
          reply.type('text/html').send('<p>page</p>'),
        ),
      ).not.toThrow();
    }
    expect(() => app.get('/app/visible', async () => '<p>page</p>')).toThrow(
      /GET \/app\/visible declares no response schema and is not hidden/,
    );
    await app.close();
  });

  it('the JSON API is /api, /health and /ready, not the pages', () => {
    expect(['/api/v1/obligations/:id/submit', '/api/openapi.json', '/health', '/ready'].every(isJsonApiRoute)).toBe(
      true,
    );
    expect(
      ['/app', '/app/obligations/:id', '/assets/:name', '/', '/favicon.ico', '/apis', '/healthz'].some(isJsonApiRoute),
    ).toBe(false);
  });

  it('every route of the Merzim app passes: the JSON routes declare them and the pages are hidden', async () => {
    // Building registers every route; nothing is called, so the resources are never touched.
    const app = await buildApp({
      db: {} as never,
      temporal: {} as never,
      taskQueue: 'unused',
      probes: {} as never,
      sinkEnabled: false,
    });
    await app.ready();
    expect(app.hasRoute({ method: 'POST', url: '/api/v1/obligations/:id/submit' })).toBe(true);
    expect(app.hasRoute({ method: 'GET', url: '/api/openapi.json' })).toBe(true);
    expect(app.hasRoute({ method: 'GET', url: '/app/inbox' })).toBe(true);
    expect(app.hasRoute({ method: 'POST', url: '/app/obligations/:id/submit' })).toBe(true);
    // No page leaks into the OpenAPI document (which is why they may go without response schemas).
    const paths = Object.keys((app.swagger() as { paths?: Record<string, unknown> }).paths ?? {});
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !isJsonApiRoute(p))).toEqual([]);
    await app.close();
  });
});
