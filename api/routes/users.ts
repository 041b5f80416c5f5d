// Users and API tokens: admins create users (with a one-time password), bind coordinators to plans, issue and revoke tokens.
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getAgency } from '../../db/repositories/agencies.js';
import { createTokenCommand, createUserCommand, revokeTokenCommand } from '../../db/commands/users.js';
import { getPlan } from '../../db/repositories/plans.js';
import { listApiTokens, type Role } from '../../db/repositories/tokens.js';
import { bindUserToPlan, generatePassword, getUser, listUsers } from '../../db/repositories/users.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';

interface NewUserBody {
  username: string;
  displayName: string;
  role: Role;
  agencyCode?: string;
  email?: string;
  lang?: 'kk' | 'ru';
}

export const userRoutes: FastifyPluginAsync<{ db: Kysely<Database> }> = async (app, { db }) => {
  const adminOnly = requireRole('admin');

  app.get('/api/v1/users', { preHandler: adminOnly, schema: { tags: ['users'], summary: 'All users (admin)' } }, async () => ({ items: await listUsers(db) }));

  app.post<{ Body: NewUserBody }>(
    '/api/v1/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Create a user; the one-time password is in the response, once',
        body: {
          type: 'object',
          required: ['username', 'displayName', 'role'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', pattern: '^[a-z0-9._-]{3,60}$' },
            displayName: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: ['admin', 'coordinator', 'pm_office', 'reporter'] },
            agencyCode: { type: 'string', maxLength: 40 },
            email: { type: 'string', format: 'email' },
            lang: { type: 'string', enum: ['kk', 'ru'] },
          },
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.role === 'reporter' && b.agencyCode === undefined) throw new HttpError(400, 'invalid_request', 'body/agencyCode is required for a reporter');
      if (b.agencyCode !== undefined && (await getAgency(db, b.agencyCode)) === undefined) throw new HttpError(400, 'invalid_request', `body/agencyCode: unknown agency "${b.agencyCode}"`);
      const password = generatePassword();
      const actor = actorOf(principalOf(request));
      const user = await db.transaction().execute((trx) => createUserCommand(trx, { user: { ...b, password, mustChangePassword: true }, actor })).catch((err: { code?: string }) => {
        if (err.code === '23505') throw new HttpError(409, 'conflict', `body/username: "${b.username}" is taken`);
        throw err;
      });
      return reply.code(201).send({ user, oneTimePassword: password });
    },
  );

  app.post<{ Params: { id: string }; Body: { planId: string } }>(
    '/api/v1/users/:id/plans',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Bind a coordinator to a plan',
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        body: { type: 'object', required: ['planId'], additionalProperties: false, properties: { planId: { type: 'string', format: 'uuid' } } },
      },
    },
    async (request) => {
      const user = await getUser(db, request.params.id);
      if (user === undefined) throw new HttpError(404, 'not_found', `No user ${request.params.id}`);
      if (user.role !== 'coordinator') throw new HttpError(400, 'invalid_request', 'only coordinators are bound to plans');
      if ((await getPlan(db, request.body.planId)) === undefined) throw new HttpError(400, 'invalid_request', `body/planId: no plan ${request.body.planId}`);
      await bindUserToPlan(db, user.id, request.body.planId);
      return { ok: true };
    },
  );

  app.get('/api/v1/tokens', { preHandler: adminOnly, schema: { tags: ['tokens'], summary: 'API tokens (admin); secrets are never shown again' } }, async () => ({
    items: await listApiTokens(db),
  }));

  app.post<{ Body: { name: string; userId: string; expiresAt?: string } }>(
    '/api/v1/tokens',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['tokens'],
        summary: "Issue a token for a user (e.g. an agency's own system); the secret is in the response, once",
        body: {
          type: 'object',
          required: ['name', 'userId'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, userId: { type: 'string', format: 'uuid' }, expiresAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (request, reply) => {
      const user = await getUser(db, request.body.userId);
      if (user === undefined || user.disabled_at !== null) throw new HttpError(400, 'invalid_request', `body/userId: no active user ${request.body.userId}`);
      const token = await db.transaction().execute((trx) => createTokenCommand(trx, {
        token: {
          name: request.body.name,
          role: user.role,
          agencyCode: user.agency_code,
          userId: user.id,
          expiresAt: request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt),
        },
        actor: actorOf(principalOf(request)),
        payload: { name: request.body.name, userId: user.id },
      }));
      return reply.code(201).send({ id: token.id, token: token.secret });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    { preHandler: adminOnly, schema: { tags: ['tokens'], summary: 'Revoke a token', params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]+$' } }, required: ['id'] } } },
    async (request) => {
      const revoked = await db.transaction().execute((trx) => revokeTokenCommand(trx, { id: request.params.id, actor: actorOf(principalOf(request)) }));
      if (!revoked) throw new HttpError(404, 'not_found', `No active token ${request.params.id}`);
      return { ok: true };
    },
  );
};
