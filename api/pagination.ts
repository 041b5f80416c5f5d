// Cursor-based pages for the list routes: the cursor is an opaque, URL-safe encoding of the last row's sort key, so a page
// is one index range scan however deep it is, and rows added meanwhile never shift a page. A limit has a maximum.
import { Type } from '@fastify/type-provider-typebox';
import { HttpError } from './errors.js';

export const MAX_PAGE_SIZE = 500;

/** A row id in a cursor (and elsewhere): a UUID as PostgreSQL prints it. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const DEFAULT_PAGE_SIZE = 100;

/** The query parameters of a paginated list. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: DEFAULT_PAGE_SIZE,
      description: `Rows per page (at most ${MAX_PAGE_SIZE})`,
    }),
  ),
  cursor: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,600}$',
      description: "The previous page's nextCursor: the page after it",
    }),
  ),
};

/** A list route's whole query when it has no filters of its own. */
export const PageQueryParams = Type.Object(PageQuery, { additionalProperties: false });

/** The next page's cursor, or null on the last page. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as ?cursor= for the next page; null on the last page',
});

/** The cursor of a row's sort key. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key of a cursor this API gave, with `parts` strings; 400 naming query/cursor otherwise. */
export function decodeCursor(cursor: string, parts: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === parts && key.every((k) => typeof k === 'string' && k.length <= 300))
      return key as string[];
  } catch {
    // Not JSON: the same answer as a wrong shape.
  }
  throw new HttpError(400, 'invalid_request', 'query/cursor is not a cursor this API gave');
}

/** Splits a fetched limit+1 rows into the page and the cursor of its last row when more follow. */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly string[]) {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}
