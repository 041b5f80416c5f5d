// HTTP hygiene for every response: security headers, no caching of anything under /api (tokens, reports, personal data), and a
// validator that coerces types in the URL (params, query: they are all strings) but never in a JSON body, where ["admin"] is not "admin".
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/** For HTML pages (their own policy, if set, wins): scripts, styles and images only from this origin, never framed. */
export const PAGE_CSP =
  "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
/** For everything else (JSON, files): nothing may load, nothing may frame it. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Fastify's schemaController: one Ajv with coercion for params/querystring/headers, one without for bodies. */
export function bodyStrictSchemaController(): NonNullable<FastifyServerOptions['schemaController']> {
  const factory = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas, ajvOptions) {
        const options = ajvOptions as { customOptions: Record<string, unknown>; plugins: unknown[] };
        const coercing = factory(externalSchemas as never, options as never);
        const strict = factory(
          externalSchemas as never,
          { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as never,
        );
        return (route) => (route.httpPart === 'body' ? strict : coercing)(route as never) as never;
      },
    },
  };
}

/**
 * A query value that reads as a number too large for a double ("1e400", twenty nines) would be coerced to Infinity, which Ajv
 * lets through a `maximum`; it is refused here, for every route, with 400 naming the parameter.
 */
function refuseInfiniteNumbers(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const query = request.query as Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (
          typeof v === 'string' &&
          /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v) &&
          !Number.isFinite(Number(v))
        ) {
          return reply
            .code(400)
            .send({ error: { code: 'invalid_request', message: `querystring/${name}: the number is out of range` } });
        }
      }
    }
  });
}

/** Security headers on every response, and Cache-Control: no-store on every /api response and every error. */
export function installHttpHygiene(app: FastifyInstance): void {
  refuseInfiniteNumbers(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('content-security-policy')) {
      const type = String(reply.getHeader('content-type') ?? '');
      reply.header('content-security-policy', type.startsWith('text/html') ? PAGE_CSP : DATA_CSP);
    }
    if ((request.url.startsWith('/api/') || reply.statusCode >= 400) && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    return payload;
  });
}
