// User and token commands: each writes its row and its audit event in the caller's transaction, so neither exists without the other.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { assertPasswordAcceptable } from '../../platform/password-policy.js';
import type { Database } from '../database.js';
import { appendEvent } from '../repositories/events.js';
import {
  createApiToken,
  revokeToken,
  revokeTokenOfUser,
  revokeTokensOfUser,
  type NewToken,
} from '../repositories/tokens.js';
import {
  createUser,
  setOneTimePassword,
  setPassword,
  setUserDisabled,
  type NewUser,
  type PublicUser,
} from '../repositories/users.js';

type Trx = Transaction<Database>;

/** A new user, and user.created naming who created it. */
export async function createUserCommand(trx: Trx, c: { user: NewUser; actor: string }): Promise<PublicUser> {
  const user = await createUser(trx, c.user);
  await appendEvent(trx, {
    idempotencyKey: `user.created:${user.id}`,
    type: 'user.created',
    actor: c.actor,
    subjectType: 'user',
    subjectId: user.id,
    payload: { username: user.username, role: user.role, agencyCode: user.agency_code },
  });
  return user;
}

/**
 * A user's own new password (refused by the password policy as PasswordPolicyError), every other session of the user
 * revoked (`keepTokenId`: the one the change was made from), and user.password_changed (never the password).
 */
export async function changePasswordCommand(
  trx: Trx,
  c: { userId: string; username: string; password: string; actor: string; keepTokenId?: string; field?: string },
): Promise<void> {
  await assertPasswordAcceptable(c.password, c.field ?? 'body/newPassword', [c.username]);
  await setPassword(trx, c.userId, c.password);
  const revoked = await revokeTokensOfUser(trx, c.userId, {
    kinds: ['session'],
    ...(c.keepTokenId === undefined ? {} : { except: c.keepTokenId }),
  });
  await appendEvent(trx, {
    idempotencyKey: `user.password_changed:${c.userId}:${randomUUID()}`,
    type: 'user.password_changed',
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
    payload: { sessionsRevoked: revoked },
  });
}

/** An admin's reset: a new one-time password (changed at the next sign-in), every session of the user revoked. */
export async function resetPasswordCommand(
  trx: Trx,
  c: { userId: string; password: string; actor: string },
): Promise<boolean> {
  if (!(await setOneTimePassword(trx, c.userId, c.password))) return false;
  const revoked = await revokeTokensOfUser(trx, c.userId, { kinds: ['session'] });
  await appendEvent(trx, {
    idempotencyKey: `user.password_reset:${c.userId}:${randomUUID()}`,
    type: 'user.password_reset',
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
    payload: { sessionsRevoked: revoked },
  });
  return true;
}

/**
 * Disables a user (their sessions and API tokens stop at once, and are revoked so that enabling does not revive them) or
 * enables one; false when the user does not exist or already was so.
 */
export async function setUserDisabledCommand(
  trx: Trx,
  c: { userId: string; disabled: boolean; actor: string },
): Promise<boolean> {
  if (!(await setUserDisabled(trx, c.userId, c.disabled))) return false;
  const revoked = c.disabled ? await revokeTokensOfUser(trx, c.userId, { kinds: ['session', 'api'] }) : 0;
  await appendEvent(trx, {
    idempotencyKey: `user.${c.disabled ? 'disabled' : 'enabled'}:${c.userId}:${randomUUID()}`,
    type: c.disabled ? 'user.disabled' : 'user.enabled',
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
    payload: c.disabled ? { tokensRevoked: revoked } : {},
  });
  return true;
}

/** A user revokes one of their own sessions or tokens (sign-out, "sign out that device"); false when not theirs or not active. */
export async function revokeOwnTokenCommand(
  trx: Trx,
  c: { userId: string; tokenId: string; actor: string },
): Promise<boolean> {
  if (!(await revokeTokenOfUser(trx, c.userId, c.tokenId))) return false;
  await appendEvent(trx, {
    idempotencyKey: `token.revoked:${c.tokenId}`,
    type: 'token.revoked',
    actor: c.actor,
    subjectType: 'token',
    subjectId: c.tokenId,
    payload: { by: 'owner' },
  });
  return true;
}

/** What happened at a sign-in (auth.signed_in, auth.sign_in_failed, auth.sign_in_refused, auth.locked_out), for the audit log. */
export async function recordSignInCommand(
  trx: Trx,
  c: {
    type: 'auth.signed_in' | 'auth.sign_in_failed' | 'auth.sign_in_refused' | 'auth.locked_out';
    username: string;
    userId: string | null;
    /** user:<name> for a sign-in, address:<ip> for a failure (whoever typed it is not known to be the user). */
    actor: string;
    payload: Record<string, unknown>;
  },
): Promise<void> {
  await appendEvent(trx, {
    idempotencyKey: `${c.type}:${randomUUID()}`,
    type: c.type,
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
    payload: { username: c.username, ...c.payload },
  });
}

/** A new API token, and token.created (never the secret); the secret is returned once. */
export async function createTokenCommand(
  trx: Trx,
  c: { token: NewToken; actor: string; payload: Record<string, unknown> },
): Promise<{ id: string; secret: string }> {
  const token = await createApiToken(trx, c.token);
  await appendEvent(trx, {
    idempotencyKey: `token.created:${token.id}`,
    type: 'token.created',
    actor: c.actor,
    subjectType: 'token',
    subjectId: token.id,
    payload: c.payload,
  });
  return token;
}

/** Revokes an active token and records token.revoked; false when there was none. */
export async function revokeTokenCommand(trx: Trx, c: { id: string; actor: string }): Promise<boolean> {
  if (!(await revokeToken(trx, c.id))) return false;
  await appendEvent(trx, {
    idempotencyKey: `token.revoked:${c.id}`,
    type: 'token.revoked',
    actor: c.actor,
    subjectType: 'token',
    subjectId: c.id,
  });
  return true;
}

/** Turns the user's daily digests on or off, and user.digests_changed. */
export async function setDigestsCommand(
  trx: Trx,
  c: { userId: string; enabled: boolean; actor: string },
): Promise<void> {
  await trx.updateTable('users').set({ digests: c.enabled }).where('id', '=', c.userId).execute();
  await appendEvent(trx, {
    idempotencyKey: `user.digests_changed:${c.userId}:${Date.now()}`,
    type: 'user.digests_changed',
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
    payload: { enabled: c.enabled },
  });
}
