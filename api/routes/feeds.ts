// Agencies' deadline feeds: the JSON routes that show, rotate and revoke an agency's secret .ics URL, and the public feed itself.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { agencyOfFeedSecret, openObligationsOfAgency } from '../../db/repositories/feeds.js';
import { principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { buildAgencyFeed } from '../services/agency-feed.js';
import { createFeedService } from '../services/feeds.js';

interface FeedOptions {
  readonly db: Kysely<Database>;
  /** The API's public URL; absent: taken from the request (Host header). */
  readonly publicUrl?: string;
}

export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return (publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

const feedView = {
  type: 'object',
  required: ['agencyCode', 'url', 'createdAt'],
  properties: {
    agencyCode: { type: 'string' },
    url: { type: ['string', 'null'] },
    createdAt: { type: ['string', 'null'] },
  },
} as const;
const codeParams = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', minLength: 1, maxLength: 40 } },
} as const;

/** JSON routes (under the authenticated /api scope): an agency's reporter for its own agency, and admins. */
export const feedRoutes: FastifyPluginAsync<FeedOptions> = async (app, { db, publicUrl }) => {
  const service = createFeedService({ db });
  const base = (request: FastifyRequest) => baseUrl(request, publicUrl);

  app.get<{ Params: { code: string } }>(
    '/api/v1/agencies/:code/feed',
    {
      schema: {
        tags: ['feeds'],
        summary: "The agency's secret deadline feed URL (.ics), or null before one is issued",
        params: codeParams,
        response: { 200: feedView },
      },
    },
    async (request) => service.get(principalOf(request), request.params.code, base(request)),
  );

  app.post<{ Params: { code: string } }>(
    '/api/v1/agencies/:code/feed',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Issue a new secret feed URL; the previous one stops working at once',
        params: codeParams,
        response: { 201: feedView },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.rotate(principalOf(request), request.params.code, base(request))),
  );

  app.delete<{ Params: { code: string } }>(
    '/api/v1/agencies/:code/feed',
    {
      schema: {
        tags: ['feeds'],
        summary: "Revoke the agency's feed URL (it then answers 404)",
        params: codeParams,
        response: {
          200: {
            description: 'Revoked',
            type: 'object',
            required: ['agencyCode', 'revoked'],
            additionalProperties: false,
            properties: { agencyCode: { type: 'string' }, revoked: { type: 'boolean', const: true } },
          },
        },
      },
    },
    async (request) => {
      await service.revoke(principalOf(request), request.params.code);
      return { agencyCode: request.params.code, revoked: true as const };
    },
  );
};

/** The feed itself, outside /api: the secret in the URL is its only credential (calendar apps send no other). */
export const icsFeedRoute: FastifyPluginAsync<FeedOptions & { readonly organizerEmail?: string }> = async (
  app,
  { db, publicUrl, organizerEmail },
) => {
  app.get<{ Params: { file: string } }>(
    '/ics/:file',
    {
      // The URL is the secret: keep it out of the request log lines (info level), whatever the server's log level.
      logLevel: 'warn',
      schema: {
        tags: ['feeds'],
        summary: "An agency's deadlines as iCalendar: what it still owes (pending, overdue, returned)",
        security: [],
        // Not part of the JSON API's OpenAPI document (which lists /api only): a calendar URL, documented in the README.
        hide: true,
        response: { 200: { description: 'text/calendar (RFC 5545)', type: 'string' } },
      },
    },
    async (request, reply) => {
      const match = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(request.params.file);
      const agencyCode = match === null ? undefined : await agencyOfFeedSecret(db, match[1]!);
      // Unknown, revoked and malformed look the same: nothing says whether a secret ever existed.
      if (agencyCode === undefined) throw new HttpError(404, 'not_found', 'No such feed');
      const directory = await listAgencies(db);
      const agencies = new Map(directory.map((a) => [a.code, a]));
      const agency = agencies.get(agencyCode);
      if (agency === undefined) throw new HttpError(404, 'not_found', 'No such feed');
      const obligations = await openObligationsOfAgency(db, agencyCode);
      const body = buildAgencyFeed({
        agency,
        obligations,
        agencies,
        publicUrl: baseUrl(request, publicUrl),
        stamp: new Date(),
        fallbackOrganizerEmail: organizerEmail ?? 'merzim@localhost',
      });
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .header('referrer-policy', 'no-referrer')
        .header('content-disposition', `inline; filename="merzim-deadlines.ics"`)
        .send(body);
    },
  );
};
