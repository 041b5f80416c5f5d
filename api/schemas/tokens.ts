// API tokens for agencies' own systems: what an admin sends, the camelCase listing (never a secret), the one-time secret.
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { listApiTokens } from '../../db/repositories/tokens.js';
import { DateTime, List, NullableDateTime, Role, StringEnum, Uuid, nullable } from './common.js';
import { NextCursor } from '../pagination.js';

export const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    userId: Uuid,
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type NewTokenBody = Static<typeof NewTokenBody>;

/** Token ids are random UUIDs: neither guessable nor a count of how many exist. */
export const TokenId = Type.String({ format: 'uuid' });

export const Token = Type.Object({
  id: TokenId,
  name: Type.String(),
  kind: StringEnum(['api', 'session']),
  role: Role,
  agencyCode: nullable(Type.String()),
  userId: nullable(Uuid),
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  expiresAt: NullableDateTime,
  revokedAt: NullableDateTime,
});
export type Token = Static<typeof Token>;

export function tokenView(t: Awaited<ReturnType<typeof listApiTokens>>[number]): Token {
  return {
    id: t.id,
    name: t.name,
    kind: t.kind,
    role: t.role,
    agencyCode: t.agency_code,
    userId: t.user_id,
    createdAt: t.created_at,
    lastUsedAt: t.last_used_at,
    expiresAt: t.expires_at,
    revokedAt: t.revoked_at,
  };
}

export const TokenList = Type.Object({ items: List(Token), nextCursor: NextCursor });
export const CreatedToken = Type.Object({
  id: TokenId,
  token: Type.String({ description: 'The secret, shown once' }),
});
export const TokenIdParams = Type.Object({ id: TokenId });

/** One's own sessions (sign-ins) and API tokens that still work, beside each other; `current` is the one calling. */
export const OwnTokenList = Type.Object({
  items: List(Type.Object({ ...Token.properties, current: Type.Boolean() })),
});
export type TokenIdParams = Static<typeof TokenIdParams>;
