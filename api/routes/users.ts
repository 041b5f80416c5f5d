// Users and API tokens: admins create users (with a one-time password), bind coordinators to plans, issue and revoke tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getAgency } from '../../db/repositories/agencies.js';
import { createTokenCommand, createUserCommand, revokeTokenCommand } from '../../db/commands/users.js';
import { getPlan } from '../../db/repositories/plans.js';
import { listApiTokens } from '../../db/repositories/tokens.js';
import { bindUserToPlan, generatePassword, getUser, listUsers } from '../../db/repositories/users.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { Ok, UuidParams, errors } from '../schemas/common.js';
import { CreatedToken, NewTokenBody, TokenIdParams, TokenList, tokenView } from '../schemas/tokens.js';
import { BindPlanBody, CreatedUser, NewUserBody, UserList, userView } from '../schemas/users.js';

export const userRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  const adminOnly = requireRole('admin');

  app.get(
    '/api/v1/users',
    {
      preHandler: adminOnly,
      schema: { tags: ['users'], summary: 'All users (admin)', response: { 200: UserList, ...errors() } },
    },
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
      if (b.role === 'reporter' && b.agencyCode === undefined)
        throw new HttpError(400, 'invalid_request', 'body/agencyCode is required for a reporter');
      if (b.agencyCode !== undefined && (await getAgency(db, b.agencyCode)) === undefined)
        throw new HttpError(400, 'invalid_request', `body/agencyCode: unknown agency "${b.agencyCode}"`);
      const password = generatePassword();
      const actor = actorOf(principalOf(request));
      // A taken username fails the insert (users_username_key): api/errors.ts answers 409 naming body/username.
      const user = await db
        .transaction()
        .execute((trx) => createUserCommand(trx, { user: { ...b, password, mustChangePassword: true }, actor }));
      return reply.code(201).send({ user: userView(user), oneTimePassword: password });
    },
  );

  app.post(
    '/api/v1/users/:id/plans',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Bind a coordinator to a plan',
        params: UuidParams,
        body: BindPlanBody,
        response: { 200: Ok, ...errors(404, 409) },
      },
    },
    async (request) => {
      const user = await getUser(db, request.params.id);
      if (user === undefined) throw new HttpError(404, 'not_found', `No user ${request.params.id}`);
      if (user.role !== 'coordinator')
        throw new HttpError(400, 'invalid_request', 'only coordinators are bound to plans');
      if ((await getPlan(db, request.body.planId)) === undefined)
        throw new HttpError(400, 'invalid_request', `body/planId: no plan ${request.body.planId}`);
      await bindUserToPlan(db, user.id, request.body.planId);
      return { ok: true } as const;
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['tokens'],
        summary: 'API tokens (admin); secrets are never shown again',
        response: { 200: TokenList, ...errors() },
      },
    },
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
      if (user === undefined || user.disabled_at !== null)
        throw new HttpError(400, 'invalid_request', `body/userId: no active user ${request.body.userId}`);
      const token = await db.transaction().execute((trx) =>
        createTokenCommand(trx, {
          token: {
            name: request.body.name,
            role: user.role,
            agencyCode: user.agency_code,
            userId: user.id,
            expiresAt: request.body.expiresAt === undefined ? null : new Date(request.body.expiresAt),
          },
          actor: actorOf(principalOf(request)),
          payload: { name: request.body.name, userId: user.id },
        }),
      );
      return reply.code(201).send({ id: token.id, token: token.secret });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token',
        params: TokenIdParams,
        response: { 200: Ok, ...errors(404) },
      },
    },
    async (request) => {
      const revoked = await db
        .transaction()
        .execute((trx) => revokeTokenCommand(trx, { id: request.params.id, actor: actorOf(principalOf(request)) }));
      if (!revoked) throw new HttpError(404, 'not_found', `No active token ${request.params.id}`);
      return { ok: true } as const;
    },
  );
};
