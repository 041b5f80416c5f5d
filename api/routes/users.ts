// Users and API tokens: admins create users (with a one-time password), bind coordinators to plans, issue and revoke tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { createTokenCommand, revokeTokenCommand } from '../../db/commands/users.js';
import { getPlan } from '../../db/repositories/plans.js';
import { bindUserToPlan, getUser } from '../../db/repositories/users.js';
import { actorOf, principalOf, requireRole } from '../auth.js';
import { HttpError } from '../errors.js';
import { Ok, UuidParams, errors } from '../schemas/common.js';
import { CreatedToken, NewTokenBody, TokenIdParams, TokenList, tokenView } from '../schemas/tokens.js';
import { BindPlanBody, CreatedUser, NewUserBody, User, UserList, userView } from '../schemas/users.js';
import { DEFAULT_PAGE_SIZE, PageQueryParams } from '../pagination.js';
import type { AccountService } from '../services/accounts.js';

export const userRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; accounts: AccountService }> = async (
  app,
  { db, accounts },
) => {
  const adminOnly = requireRole('admin');

  app.get(
    '/api/v1/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Users by username, a page at a time (admin)',
        querystring: PageQueryParams,
        response: { 200: UserList, ...errors() },
      },
    },
    async (request) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const page = await accounts.users(principalOf(request), { limit, cursor });
      return { items: page.items.map(userView), nextCursor: page.nextCursor };
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/api/v1/users/:id/${action}`,
      {
        preHandler: adminOnly,
        schema: {
          tags: ['users'],
          summary: disabled
            ? 'Disable a user: every session and API token of theirs stops working at once (and is revoked)'
            : 'Enable a disabled user again (their old sessions and tokens stay revoked)',
          params: UuidParams,
          response: { 200: User, ...errors(404, 409) },
        },
      },
      async (request) => userView(await accounts.setDisabled(principalOf(request), request.params.id, disabled)),
    );
  }

  app.post(
    '/api/v1/users/:id/password-reset',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary:
          "Reset a user's password: a new one-time password (in the response, once); their sessions are signed out",
        params: UuidParams,
        response: { 200: CreatedUser, ...errors(404) },
      },
    },
    async (request) => {
      const r = await accounts.resetPassword(principalOf(request), request.params.id);
      return { user: userView(r.user), oneTimePassword: r.oneTimePassword };
    },
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
      const r = await accounts.createUser(principalOf(request), request.body);
      return reply.code(201).send({ user: userView(r.user), oneTimePassword: r.oneTimePassword });
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
        summary: 'API tokens by creation, a page at a time (admin); secrets are never shown again',
        querystring: PageQueryParams,
        response: { 200: TokenList, ...errors() },
      },
    },
    async (request) => {
      const { limit = DEFAULT_PAGE_SIZE, cursor } = request.query;
      const page = await accounts.apiTokens(principalOf(request), { limit, cursor });
      return { items: page.items.map(tokenView), nextCursor: page.nextCursor };
    },
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
