// One error shape for the whole API: {error: {code, message}}; 5xx details stay in the log, never in the response.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ArchiveLimitError } from './import/zip-guard.js';

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    // An upload whose archive would inflate past a limit: nothing was parsed or stored.
    if (err instanceof ArchiveLimitError) return reply.code(413).send({ error: { code: 'archive_too_large', limit: err.limit, message: err.message } });
    if ('validation' in err && err.validation !== undefined) {
      return reply.code(400).send({ error: { code: 'invalid_request', message: err.message } });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send({ error: { code: err.code ?? 'bad_request', message: err.message } });
    request.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: { code: 'internal', message: 'Internal error; it has been logged.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
