// User and token commands: each writes its row and its audit event in the caller's transaction, so neither exists without the other.
import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import { appendEvent } from '../repositories/events.js';
import { createApiToken, revokeToken, type NewToken } from '../repositories/tokens.js';
import { createUser, setPassword, type NewUser, type PublicUser } from '../repositories/users.js';

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

/** A user's new password, and user.password_changed (never the password). */
export async function changePasswordCommand(
  trx: Trx,
  c: { userId: string; password: string; actor: string },
): Promise<void> {
  await setPassword(trx, c.userId, c.password);
  await appendEvent(trx, {
    idempotencyKey: `user.password_changed:${c.userId}:${Date.now()}`,
    type: 'user.password_changed',
    actor: c.actor,
    subjectType: 'user',
    subjectId: c.userId,
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
