// The agencies directory: everyone signed in may read it (plans name agencies); only admins change it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { appendEvent } from '../../db/repositories/events.js';
import { getAgency, listAgencies, upsertAgency } from '../../db/repositories/agencies.js';
import type { Agency } from '../../domain/plan.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { Agency as AgencySchema, AgencyList, CodeParams } from '../schemas/agencies.js';
import { errors } from '../schemas/common.js';

export const agencyRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.get(
    '/api/v1/agencies',
    { schema: { tags: ['agencies'], summary: 'The agencies directory', response: { 200: AgencyList, ...errors() } } },
    async (request) => {
      const p = principalOf(request);
      const agencies = await listAgencies(db);
      // Contacts are personal data: only admins and coordinators need everyone's; others see their own agency's.
      const seesContacts = (a: Agency): boolean =>
        p.role === 'admin' || p.role === 'coordinator' || a.code === p.agencyCode;
      return { items: agencies.map((a) => (seesContacts(a) ? a : { ...a, contacts: [] })) };
    },
  );

  app.get(
    '/api/v1/agencies/:code',
    {
      schema: {
        tags: ['agencies'],
        summary: 'One agency',
        params: CodeParams,
        response: { 200: AgencySchema, ...errors(404) },
      },
    },
    async (request) => {
      const a = await getAgency(db, request.params.code);
      if (a === undefined) throw new HttpError(404, 'not_found', `No agency "${request.params.code}"`);
      const p = principalOf(request);
      return p.role === 'admin' || p.role === 'coordinator' || a.code === p.agencyCode ? a : { ...a, contacts: [] };
    },
  );

  app.put(
    '/api/v1/agencies/:code',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['agencies'],
        summary: 'Create or replace an agency (admin)',
        params: CodeParams,
        body: AgencySchema,
        response: { 200: AgencySchema, ...errors(409) },
      },
    },
    async (request) => {
      if (request.body.code !== request.params.code)
        throw new HttpError(400, 'invalid_request', 'body/code must equal the code in the path');
      if (request.body.successor !== undefined && (await getAgency(db, request.body.successor.code)) === undefined) {
        throw new HttpError(
          400,
          'invalid_request',
          `body/successor/code: unknown agency "${request.body.successor.code}"`,
        );
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
