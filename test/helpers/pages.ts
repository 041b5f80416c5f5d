// Walks a cursor-paged list route (api/pagination.ts) to its last page: every item, how many pages, each page checked.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { bearer } from './app.js';

export async function allPages<T = { id: string }>(app: FastifyInstance, url: string, token: string, limit: number) {
  const seen: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await app.inject({
      method: 'GET',
      url: `${url}${sep}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`,
      headers: bearer(token),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { items: T[]; nextCursor: string | null };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...body.items);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { seen, pages };
}
