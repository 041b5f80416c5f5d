// Users: what an admin sends to create one, and the camelCase view the API shows of a users row (never the password hash).
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { PublicUser } from '../../db/repositories/users.js';
import { DateTime, Lang, List, NullableDateTime, Role, Uuid, nullable } from './common.js';
import { NextCursor } from '../pagination.js';

export const NewUserBody = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z0-9._-]{3,60}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
    agencyCode: Type.Optional(Type.String({ maxLength: 40, description: 'Required for a reporter' })),
    email: Type.Optional(Type.String({ format: 'email' })),
    lang: Type.Optional(Lang),
  },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const User = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  email: nullable(Type.String()),
  role: Role,
  agencyCode: nullable(Type.String()),
  lang: Lang,
  mustChangePassword: Type.Boolean(),
  createdAt: DateTime,
  disabledAt: NullableDateTime,
});
export type User = Static<typeof User>;

export function userView(u: PublicUser): User {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    email: u.email,
    role: u.role,
    agencyCode: u.agency_code,
    lang: u.lang,
    mustChangePassword: u.must_change_password,
    createdAt: u.created_at,
    disabledAt: u.disabled_at,
  };
}

export const UserList = Type.Object({ items: List(User), nextCursor: NextCursor });
export const CreatedUser = Type.Object({
  user: User,
  oneTimePassword: Type.String({ description: 'Shown once; must be changed at first login' }),
});

export const BindPlanBody = Type.Object({ planId: Uuid }, { additionalProperties: false });
export type BindPlanBody = Static<typeof BindPlanBody>;
