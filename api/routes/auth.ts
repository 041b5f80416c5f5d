// Login (a session token for a user), changing the one-time password, and "who am I".
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { revokeTokenCommand } from '../../db/commands/users.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { getUser, planIdsOfUser } from '../../db/repositories/users.js';
import { actorOf, principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { DigestsBody, DigestsReply, LoginBody, LoginReply, MeReply, PasswordBody } from '../schemas/auth.js';
import { Ok, errors, publicErrors } from '../schemas/common.js';
import { OwnTokenList, TokenIdParams, tokenView } from '../schemas/tokens.js';
import type { AccountService } from '../services/accounts.js';

const SESSION_HOURS = 12;

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database>; accounts: AccountService }> = async (
  app,
  { db, accounts },
) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a username and password for a session token (rate-limited; a lockout answers 429)',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...publicErrors(401, 429) },
      },
    },
    async (request, reply) => {
      const result = await accounts.signIn({
        username: request.body.username,
        password: request.body.password,
        address: request.ip,
        via: 'api',
      });
      if (!result.ok && result.reason === 'locked') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        throw new HttpError(
          429,
          'too_many_attempts',
          `Too many failed sign-ins for this username or address: try again in ${Math.ceil(result.retryAfterSeconds / 60)} min`,
        );
      }
      if (!result.ok) throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
      const user = result.user;
      const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
      const { secret } = await createApiToken(db, {
        name: `session:${user.username}`,
        role: user.role,
        agencyCode: user.agency_code,
        userId: user.id,
        kind: 'session',
        expiresAt,
      });
      return {
        token: secret,
        expiresAt: expiresAt.toISOString(),
        mustChangePassword: user.must_change_password,
        role: user.role,
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { allowPasswordChangePending: true },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password (required after a one-time password)',
        body: PasswordBody,
        response: { 200: Ok, ...errors() },
      },
    },
    async (request) => {
      await accounts.changePassword(principalOf(request), request.body.currentPassword, request.body.newPassword);
      return { ok: true } as const;
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { allowPasswordChangePending: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: revoke the token this request carries (a session or an API token)',
        response: { 200: Ok, ...errors() },
      },
    },
    async (request) => {
      const p = principalOf(request);
      await db.transaction().execute((trx) => revokeTokenCommand(trx, { id: p.tokenId, actor: actorOf(p) }));
      return { ok: true } as const;
    },
  );

  app.get(
    '/api/v1/me/tokens',
    {
      config: { allowPasswordChangePending: true },
      schema: {
        tags: ['auth'],
        summary: 'Your sessions and API tokens that still work, side by side (secrets are never shown again)',
        response: { 200: OwnTokenList, ...errors() },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return {
        items: (await accounts.ownTokens(p)).map((t) => ({ ...tokenView(t), current: t.id === p.tokenId })),
      };
    },
  );

  app.delete(
    '/api/v1/me/tokens/:id',
    {
      config: { allowPasswordChangePending: true },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of your sessions or API tokens (e.g. a browser left signed in elsewhere)',
        params: TokenIdParams,
        response: { 200: Ok, ...errors(404) },
      },
    },
    async (request) => {
      await accounts.revokeOwnToken(principalOf(request), request.params.id);
      return { ok: true } as const;
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { allowPasswordChangePending: true },
      schema: { tags: ['auth'], summary: 'The caller: role, agency, plans', response: { 200: MeReply, ...errors() } },
    },
    async (request) => {
      const p = principalOf(request);
      const user = p.userId === null ? undefined : await getUser(db, p.userId);
      return {
        role: p.role,
        agencyCode: p.agencyCode,
        username: p.username,
        displayName: user?.display_name ?? p.name,
        lang: user?.lang ?? 'kk',
        mustChangePassword: p.mustChangePassword,
        plans: p.userId === null ? [] : await planIdsOfUser(db, p.userId),
        digests: user?.digests ?? false,
      };
    },
  );

  app.put(
    '/api/v1/me/digests',
    {
      schema: {
        tags: ['auth'],
        summary:
          "Turn the caller's daily digests on or off (the PM Office's escalations digest, the coordinator's summary)",
        body: DigestsBody,
        response: { 200: DigestsReply, ...errors() },
      },
    },
    async (request) => {
      // The same service as the account page: a bare API token (no user behind it) is refused there, 403 not_a_user.
      await accounts.setDigests(principalOf(request), request.body.enabled);
      return { digests: request.body.enabled };
    },
  );
};
