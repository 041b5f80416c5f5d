// The agencies directory: everyone signed in may read it (plans name agencies); only admins change it.
// What each route does is the agency service's (api/services/calendar.ts), shared with the admin pages.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../auth.js';
import { Agency as AgencySchema, AgencyList, CodeParams } from '../schemas/agencies.js';
import { errors } from '../schemas/common.js';
import type { AgencyService } from '../services/calendar.js';

export const agencyRoutes: FastifyPluginAsyncTypebox<{ agencies: AgencyService }> = async (
  app,
  { agencies: service },
) => {
  app.get(
    '/api/v1/agencies',
    { schema: { tags: ['agencies'], summary: 'The agencies directory', response: { 200: AgencyList, ...errors() } } },
    async (request) => ({ items: await service.list(principalOf(request)) }),
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
    async (request) => service.get(principalOf(request), request.params.code),
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
    async (request) => service.save(principalOf(request), request.params.code, request.body, request.id),
  );
};
