// Users and API tokens: admins create users (with a one-time password), bind coordinators to plans, issue and revoke tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getAgency } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import { getPlan } from '../../db/repositories/plans.js';
import { createApiToken, listApiTokens, revokeToken } from '../../db/repositories/tokens.js';
import { bindUserToPlan, createUser, generatePassword, getUser, listUsers } from '../../db/repositories/users.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { Ok, UuidParams, errors } from '../schemas/common.js';
import { CreatedToken, NewTokenBody, TokenIdParams, TokenList, tokenView } from '../schemas/tokens.js';
import { BindPlanBody, CreatedUser, NewUserBody, UserList, userView } from '../schemas/users.js';

export const userRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  const adminOnly = requireRole('admin');

  app.get(
    '/api/v1/users',
    { preHandler: adminOnly, schema: { tags: ['users'], summary: 'All users (admin)', response: { 200: UserList, ...errors() } } },
    async () => ({ items: (await listUsers(db)).map(userView) }),
  );

  app.post(
    '/api/v1/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Create a user; the one-time password is in the response, once',
        body: NewUserBody,
        response: { 201: CreatedUser, ...errors(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.role === 'reporter' && b.agencyCode === undefined) throw new HttpError(400, 'invalid_request', 'body/agencyCode is required for a reporter');
      if (b.agencyCode !== undefined && (await getAgency(db, b.agencyCode)) === undefined) throw new HttpError(400, 'invalid_request', `body/agencyCode: unknown agency "${b.agencyCode}"`);
      const password = generatePassword();
      const user = await createUser(db, { ...b, password, mustChangePassword: true });
      await appendEvent(db, { idempotencyKey: `user.created:${user.id}`, type: 'user.created', actor: actorOf(principalOf(request)), subjectType: 'user', subjectId: user.id, payload: { username: user.username, role: user.role, agencyCode: user.agency_code } });
      return reply.code(201).send({ user: userView(user), oneTimePassword: password });
    },
  );

  app.post(
    '/api/v1/users/:id/plans',
    {
      preHandler: adminOnly,
      schema: { tags: ['users'], summary: 'Bind a coordinator to a plan', params: UuidParams, body: BindPlanBody, response: { 200: Ok, ...errors(404, 409) } },
    },
    async (request) => {
      const user = await getUser(db, request.params.id);
      if (user === undefined) throw new HttpError(404, 'not_found', `No user ${request.params.id}`);
      if (user.role !== 'coordinator') throw new HttpError(400, 'invalid_request', 'only coordinators are bound to plans');
      if ((await getPlan(db, request.body.planId)) === undefined) throw new HttpError(400, 'invalid_request', `body/planId: no plan ${request.body.planId}`);
      await bindUserToPlan(db, user.id, request.body.planId);
      return { ok: true } as const;
    },
  );

  app.get(
    '/api/v1/tokens',
    { preHandler: adminOnly, schema: { tags: ['tokens'], summary: 'API tokens (admin); secrets are never shown again', response: { 200: TokenList, ...errors() } } },
    async () => ({ items: (await listApiTokens(db)).map(tokenView) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['tokens'],
        summary: "Issue a token for a user (e.g. an agency's own system); the secret is in the response, once",
        body: NewTokenBody,
        response: { 201: CreatedToken, ...errors(409) },
      },
    },
    async (request, reply) => {
      const user = await getUser(db, request.body.userId);
      if (user === undefined || user.disabled_at !== null) throw new HttpError(400, 'invalid_request', `body/userId: no active user ${request.body.userId}`);
      const token = await createApiToken(db, {
        name: request.body.name,
        role: user.role,
        agencyCode: user.agency_code,
        userId: user.id,
        expiresAt: request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt),
      });
      await appendEvent(db, { idempotencyKey: `token.created:${token.id}`, type: 'token.created', actor: actorOf(principalOf(request)), subjectType: 'token', subjectId: token.id, payload: { name: request.body.name, userId: user.id } });
      return reply.code(201).send({ id: token.id, token: token.secret });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { preHandler: adminOnly, schema: { tags: ['tokens'], summary: 'Revoke a token', params: TokenIdParams, response: { 200: Ok, ...errors(404) } } },
    async (request) => {
      if (!(await revokeToken(db, request.params.id))) throw new HttpError(404, 'not_found', `No active token ${request.params.id}`);
      await appendEvent(db, { idempotencyKey: `token.revoked:${request.params.id}`, type: 'token.revoked', actor: actorOf(principalOf(request)), subjectType: 'token', subjectId: request.params.id });
      return { ok: true } as const;
    },
  );
};
