// Refuses, for every route, a request whose params, query or JSON body holds a string PostgreSQL cannot store (NUL, lone surrogates).
import type { FastifyInstance } from 'fastify';
import { findUnstorableText } from '../domain/storable-text.js';
import { HttpError } from './errors.js';

/** "items[0].text" → "items/0/text", the path style of the schema validator's messages. */
function slashPath(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/\./g, '/');
}

/** Problems of one request part, each as "part/path: reason". */
export function unstorableInRequest(parts: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [part, value] of Object.entries(parts)) {
    // A raw upload arrives as a Buffer: its text is checked by the importer, which reports it as a diagnostic.
    if (value === undefined || Buffer.isBuffer(value)) continue;
    problems.push(...findUnstorableText(value, '', 5).map((p) => `${part}/${slashPath(p)}`));
  }
  return problems;
}

/**
 * One root hook, so no route can forget it: it runs before each route's schema validation on every route registered after it.
 * (A multipart form's fields are read in the handler; the import route checks them with the same function.)
 */
export function refuseUnstorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems = unstorableInRequest({ params: request.params, querystring: request.query, body: request.body });
    if (problems.length > 0)
      throw new HttpError(400, 'invalid_request', `${problems.join('; ')} (PostgreSQL cannot store it)`);
  });
}
