// Login (a session token for a user), changing the one-time password, and "who am I".
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { changePasswordCommand, setDigestsCommand } from '../../db/commands/users.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { getUser, planIdsOfUser, verifyLogin } from '../../db/repositories/users.js';
import { actorOf, principalOf } from '../auth.js';
import { HttpError } from '../errors.js';
import { DigestsBody, DigestsReply, LoginBody, LoginReply, MeReply, PasswordBody } from '../schemas/auth.js';
import { Ok, errors, publicErrors } from '../schemas/common.js';

const SESSION_HOURS = 12;

export const authRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a username and password for a session token',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...publicErrors(401) },
      },
    },
    async (request) => {
      const user = await verifyLogin(db, request.body.username, request.body.password);
      if (user === undefined) throw new HttpError(401, 'invalid_credentials', 'Wrong username or password');
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
      const p = principalOf(request);
      if (p.userId === null || p.username === null)
        throw new HttpError(400, 'not_a_user', 'This token does not belong to a user');
      if ((await verifyLogin(db, p.username, request.body.currentPassword)) === undefined)
        throw new HttpError(403, 'invalid_credentials', 'currentPassword is wrong');
      if (request.body.newPassword === request.body.currentPassword)
        throw new HttpError(400, 'invalid_request', 'body/newPassword must differ from the current one');
      const userId = p.userId;
      await db
        .transaction()
        .execute((trx) =>
          changePasswordCommand(trx, { userId, password: request.body.newPassword, actor: actorOf(p) }),
        );
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
        response: { 200: DigestsReply, ...errors(409) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.userId === null)
        throw new HttpError(409, 'not_a_user', 'enabled: only a user has digests, not an API token');
      const userId = p.userId;
      await db
        .transaction()
        .execute((trx) => setDigestsCommand(trx, { userId, enabled: request.body.enabled, actor: actorOf(p) }));
      return { digests: request.body.enabled };
    },
  );
};
