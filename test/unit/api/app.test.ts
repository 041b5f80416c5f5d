// The app refuses a route without response schemas, so every route's answers are declared (and in the OpenAPI document).
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp, requireResponseSchemas } from '../../../api/app.js';

describe('response schemas are required', () => {
  it('a route without them stops the start, naming the route', async () => {
    const app = Fastify({ logger: false });
    requireResponseSchemas(app);
    app.get('/declared', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
    expect(() => app.get('/undeclared', async () => ({ ok: true }))).toThrow(/GET \/undeclared declares no response schema/);
    await app.close();
  });

  it('every route of the Merzim app declares them', async () => {
    // Building registers every route; nothing is called, so the resources are never touched.
    const app = await buildApp({ db: {} as never, temporal: {} as never, taskQueue: 'unused', probes: {} as never, sinkEnabled: false });
    await app.ready();
    expect(app.hasRoute({ method: 'POST', url: '/api/v1/obligations/:id/submit' })).toBe(true);
    await app.close();
  });
});
