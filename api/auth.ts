// Bearer-token authentication and role checks: every /api route states which roles may call it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { findActiveToken, touchToken, type Role } from '../db/repositories/tokens.js';
import { HttpError } from './errors.js';

export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly agencyCode: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function authenticate(db: Kysely<Database>) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw new HttpError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
    const token = await findActiveToken(db, match[1]!);
    if (token === undefined) throw new HttpError(401, 'unauthenticated', 'The token is unknown or revoked');
    request.principal = { tokenId: token.id, name: token.name, role: token.role, agencyCode: token.agency_code };
    // Last-use tracking must not slow down or fail the request.
    touchToken(db, token.id).catch(() => undefined);
  };
}

export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const role = request.principal?.role;
    if (role === undefined) throw new HttpError(401, 'unauthenticated', 'Authorization: Bearer <token> is required');
    if (!roles.includes(role)) throw new HttpError(403, 'forbidden', `This requires one of the roles: ${roles.join(', ')}`);
  };
}
