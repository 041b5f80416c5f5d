// Login, password change and "who am I": request and response schemas.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../platform/password-policy.js';
import { Lang, Role, nullable } from './common.js';

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginReply = Type.Object({
  token: Type.String({ description: 'Bearer token of the session (12 h)' }),
  expiresAt: Type.String({ format: 'date-time' }),
  mustChangePassword: Type.Boolean(),
  role: Role,
});

export const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ maxLength: MAX_PASSWORD_LENGTH }),
    newPassword: Type.String({
      minLength: MIN_PASSWORD_LENGTH,
      maxLength: MAX_PASSWORD_LENGTH,
      description:
        'Refused (400 weak_password) when blank, a common password, a repeated or sequential pattern, or built from the username',
    }),
  },
  { additionalProperties: false },
);
export type PasswordBody = Static<typeof PasswordBody>;

export const MeReply = Type.Object({
  role: Role,
  agencyCode: nullable(Type.String()),
  username: nullable(Type.String()),
  displayName: Type.String(),
  lang: Lang,
  mustChangePassword: Type.Boolean(),
  plans: Type.Array(Type.String({ format: 'uuid' }), { description: 'Plans a coordinator is bound to' }),
  digests: Type.Boolean({
    description:
      "Takes the daily digests (the PM Office's escalations, the coordinator's summary); false for API tokens",
  }),
});

export const DigestsBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
export type DigestsBody = Static<typeof DigestsBody>;
export const DigestsReply = Type.Object({ digests: Type.Boolean() });
