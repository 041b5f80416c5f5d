// Bearer-token authentication and role checks: every /api route states which roles may call it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { TOUCH_INTERVAL_MS, findActiveToken, touchToken, type Role } from '../db/repositories/tokens.js';
import { HttpError } from './errors.js';

export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly agencyCode: string | null;
  readonly userId: string | null;
  readonly username: string | null;
  readonly mustChangePassword: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes a user who must change the password may still call. */
    allowPasswordChangePending?: boolean;
    /** Routes that need no token at all (login). */
    public?: boolean;
  }
}

/** Who did it, for the events log: "user:<username>" or "token:<name>". */
export function actorOf(p: Principal): string {
  return p.username !== null ? `user:${p.username}` : `token:${p.name}`;
}

export function authenticate(db: Kysely<Database>) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new HttpError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
    const token = await findActiveToken(db, match[1]!);
    if (token === undefined) throw new HttpError(401, 'unauthenticated', 'The token is unknown, expired or revoked');
    request.principal = {
      tokenId: token.id,
      name: token.name,
      role: token.role,
      agencyCode: token.agencyCode,
      userId: token.userId,
      username: token.username,
      mustChangePassword: token.mustChangePassword,
    };
    if (token.mustChangePassword && request.routeOptions.config.allowPasswordChangePending !== true) {
      throw new HttpError(
        403,
        'password_change_required',
        'Change the one-time password first: POST /api/v1/auth/password',
      );
    }
    // Last-use tracking must not slow down or fail the request, nor write a row per request of a busy client: to the minute.
    if (token.lastUsedAt === null || Date.now() - token.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS)
      touchToken(db, token.id).catch(() => undefined);
  };
}

export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const role = request.principal?.role;
    if (role === undefined) throw new HttpError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
    if (!roles.includes(role))
      throw new HttpError(403, 'forbidden', `This requires one of the roles: ${roles.join(', ')}`);
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined)
    throw new HttpError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
  return request.principal;
}
