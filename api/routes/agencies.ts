// The agencies directory: everyone signed in may read it (plans name agencies); only admins change it.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { appendEvent } from '../../db/repositories/events.js';
import { getAgency, listAgencies, upsertAgency } from '../../db/repositories/agencies.js';
import type { Agency } from '../../domain/plan.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';

const bilingual = {
  type: 'object',
  required: ['kk', 'ru'],
  additionalProperties: false,
  properties: { kk: { type: ['string', 'null'], maxLength: 500 }, ru: { type: ['string', 'null'], maxLength: 500 } },
} as const;

export const agencySchema = {
  type: 'object',
  required: ['code', 'name', 'kind', 'byAgreement', 'contacts', 'lang'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 40 },
    name: bilingual,
    kind: { type: 'string', enum: ['ministry', 'central_body', 'presidential_body', 'regional_akimat', 'city_akimat', 'ngo_international', 'pm_office', 'presidential_administration', 'other'] },
    byAgreement: { type: 'boolean' },
    successor: {
      type: 'object',
      required: ['code', 'date'],
      additionalProperties: false,
      properties: { code: { type: 'string' }, date: { type: 'string', format: 'date' }, act: { type: 'string' } },
    },
    contacts: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        required: ['role', 'email'],
        additionalProperties: false,
        properties: { role: { type: 'string', enum: ['reporter', 'head', 'coordinator', 'general'] }, email: { type: 'string', format: 'email' }, name: { type: 'string' } },
      },
    },
    lang: { type: 'string', enum: ['kk', 'ru'] },
    aliases: { type: 'array', items: { type: 'string', maxLength: 200 }, maxItems: 50 },
    since: { type: 'string', format: 'date' },
    note: { type: 'string', maxLength: 2000 },
  },
} as const;

export const agencyRoutes: FastifyPluginAsync<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get('/api/v1/agencies', { schema: { tags: ['agencies'], summary: 'The agencies directory' } }, async (request) => {
    const p = principalOf(request);
    const agencies = await listAgencies(db);
    // Contacts are personal data: only admins and coordinators need everyone's; others see their own agency's.
    const seesContacts = (a: Agency): boolean => p.role === 'admin' || p.role === 'coordinator' || a.code === p.agencyCode;
    return { items: agencies.map((a) => (seesContacts(a) ? a : { ...a, contacts: [] })) };
  });

  app.get<{ Params: { code: string } }>('/api/v1/agencies/:code', { schema: { tags: ['agencies'], summary: 'One agency' } }, async (request) => {
    const a = await getAgency(db, request.params.code);
    if (a === undefined) throw new HttpError(404, 'not_found', `No agency "${request.params.code}"`);
    const p = principalOf(request);
    return p.role === 'admin' || p.role === 'coordinator' || a.code === p.agencyCode ? a : { ...a, contacts: [] };
  });

  app.put<{ Params: { code: string }; Body: Agency }>(
    '/api/v1/agencies/:code',
    { preHandler: requireRole('admin'), schema: { tags: ['agencies'], summary: 'Create or replace an agency (admin)', body: agencySchema } },
    async (request) => {
      if (request.body.code !== request.params.code) throw new HttpError(400, 'invalid_request', 'body/code must equal the code in the path');
      if (request.body.successor !== undefined && (await getAgency(db, request.body.successor.code)) === undefined) {
        throw new HttpError(400, 'invalid_request', `body/successor/code: unknown agency "${request.body.successor.code}"`);
      }
      await db.transaction().execute(async (trx) => {
        await upsertAgency(trx, request.body);
        await appendEvent(trx, {
          idempotencyKey: `agency.updated:${request.body.code}:${request.id}:${Date.now()}`,
          type: 'agency.updated',
          actor: actorOf(principalOf(request)),
          subjectType: 'agency',
          subjectId: request.body.code,
          payload: request.body,
        });
      });
      return getAgency(db, request.params.code);
    },
  );
};
