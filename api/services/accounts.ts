// Accounts, for the JSON API and the pages alike: signing in (rate-limited and locked out per username and per address,
// in PostgreSQL so every API process and a restart see the same counts; every outcome an audit event), changing one's
// password, one's own sessions and tokens, and the admin's user management (create, disable, enable, reset a password).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import {
  changePasswordCommand,
  createUserCommand,
  recordSignInCommand,
  resetPasswordCommand,
  revokeOwnTokenCommand,
  setDigestsCommand,
  setUserDisabledCommand,
} from '../../db/commands/users.js';
import { getAgency } from '../../db/repositories/agencies.js';
import {
  clearSignInFailures,
  countSignInFailures,
  deleteSignInAttempt,
  pruneSignInFailures,
  recordSignInAttempt,
} from '../../db/repositories/sign-in-failures.js';
import { listActiveTokensOfUser, listApiTokens } from '../../db/repositories/tokens.js';
import {
  generatePassword,
  getUser,
  listUsers,
  userIdByUsername,
  verifyLogin,
  type NewUser,
  type PublicUser,
} from '../../db/repositories/users.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import { UUID, decodeCursor, pageOf } from '../pagination.js';

export interface SignInLimits {
  /** Failures of one username from one address before it is locked out there. */
  readonly perUserAddress: number;
  /** Failures of one username from any address before the account is locked out everywhere. */
  readonly perUser: number;
  /** Failures from one address, any username, before the address is locked out. */
  readonly perAddress: number;
  /** The sliding window the failures are counted in; a lockout ends when enough of them leave it. */
  readonly windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perUserAddress: 5,
  perUser: 10,
  perAddress: 30,
  windowMs: 15 * 60_000,
};

export type SignInResult =
  | { readonly ok: true; readonly user: PublicUser }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'locked'; readonly retryAfterSeconds: number };

export type AccountService = ReturnType<typeof createAccountService>;

const MAX_USERNAME = 100;
const MAX_PASSWORD = 200;

export function createAccountService(deps: { db: Kysely<Database>; signInLimits?: SignInLimits }) {
  const { db } = deps;
  const limits = deps.signInLimits ?? DEFAULT_SIGN_IN_LIMITS;
  const assertAdmin = (p: Principal) => {
    if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
  };
  // What only a user has (a password, sessions, digests): a bare API token has no user behind it, so it may not (403).
  const userOf = (p: Principal) => {
    if (p.userId === null || p.username === null)
      throw new HttpError(403, 'not_a_user', 'This token does not belong to a user');
    return { userId: p.userId, username: p.username };
  };
  const event = (c: Parameters<typeof recordSignInCommand>[1]) =>
    db.transaction().execute((trx) => recordSignInCommand(trx, c));

  return {
    limits,

    /**
     * Checks a username and password from an address. The attempt is counted as a failure before the password is checked,
     * so concurrent guesses see each other; a success takes it back. Over a limit, the password is not checked at all.
     */
    async signIn(input: {
      username: string;
      password: string;
      address: string;
      via: 'api' | 'web';
    }): Promise<SignInResult> {
      const username = input.username.trim().toLowerCase().slice(0, MAX_USERNAME);
      const { address, via } = input;
      const attempt = await recordSignInAttempt(db, username, address);
      // The failures before this attempt: at a limit, this one is refused without looking at the password.
      const counts = await countSignInFailures(db, username, address, limits.windowMs, attempt);
      const over: [string, Date | null][] = [];
      if (counts.userAddress >= limits.perUserAddress) over.push(['user_address', counts.oldestUserAddress]);
      if (counts.user >= limits.perUser) over.push(['user', counts.oldestUser]);
      if (counts.address >= limits.perAddress) over.push(['address', counts.oldestAddress]);
      const userId = (await userIdByUsername(db, username)) ?? null;
      if (over.length > 0) {
        await deleteSignInAttempt(db, attempt);
        const until = Math.max(...over.map(([, oldest]) => (oldest?.getTime() ?? Date.now()) + limits.windowMs));
        const retryAfterSeconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
        await event({
          type: 'auth.sign_in_refused',
          username,
          userId,
          actor: `address:${address}`,
          payload: { address, via, lockedBy: over.map(([scope]) => scope), retryAfterSeconds },
        });
        return { ok: false, reason: 'locked', retryAfterSeconds };
      }
      const user =
        username === '' || input.password === '' || input.password.length > MAX_PASSWORD
          ? undefined
          : await verifyLogin(db, username, input.password);
      if (user !== undefined) {
        await deleteSignInAttempt(db, attempt);
        await clearSignInFailures(db, username, address);
        await pruneSignInFailures(db, limits.windowMs);
        await event({
          type: 'auth.signed_in',
          username,
          userId: user.id,
          actor: `user:${username}`,
          payload: { address, via },
        });
        return { ok: true, user };
      }
      await event({
        type: 'auth.sign_in_failed',
        username,
        userId,
        actor: `address:${address}`,
        payload: { address, via },
      });
      // This failure reached a limit: the next attempt is refused, so this is when the lockout begins.
      const reached: string[] = [];
      if (counts.userAddress + 1 === limits.perUserAddress) reached.push('user_address');
      if (counts.user + 1 === limits.perUser) reached.push('user');
      if (counts.address + 1 === limits.perAddress) reached.push('address');
      if (reached.length > 0)
        await event({
          type: 'auth.locked_out',
          username,
          userId,
          actor: `address:${address}`,
          payload: { address, via, scopes: reached, minutes: Math.round(limits.windowMs / 60_000) },
        });
      return { ok: false, reason: 'invalid' };
    },

    /** One's own new password: the current one must be right; every other session of the user is signed out. */
    async changePassword(p: Principal, currentPassword: string, newPassword: string): Promise<void> {
      const { userId, username } = userOf(p);
      if ((await verifyLogin(db, username, currentPassword)) === undefined)
        throw new HttpError(403, 'invalid_credentials', 'body/currentPassword is wrong');
      if (newPassword === currentPassword)
        throw new HttpError(400, 'invalid_request', 'body/newPassword must differ from the current one');
      await db.transaction().execute((trx) =>
        changePasswordCommand(trx, {
          userId,
          username,
          password: newPassword,
          actor: actorOf(p),
          keepTokenId: p.tokenId,
        }),
      );
    },

    /** One's own sessions and API tokens that still work. */
    async ownTokens(p: Principal) {
      return listActiveTokensOfUser(db, userOf(p).userId);
    },

    /** Whether the caller gets the daily digests (the PM Office's escalations digest, the coordinator's summary). */
    async digests(p: Principal): Promise<boolean> {
      return (await getUser(db, userOf(p).userId))?.digests ?? true;
    },

    /** Turns the caller's daily digests on or off; an audit event records it. */
    async setDigests(p: Principal, enabled: boolean): Promise<void> {
      const { userId } = userOf(p);
      await db.transaction().execute((trx) => setDigestsCommand(trx, { userId, enabled, actor: actorOf(p) }));
    },

    /** Revokes one of one's own sessions or tokens (the current one too: that is signing out). */
    async revokeOwnToken(p: Principal, tokenId: string): Promise<void> {
      const { userId } = userOf(p);
      const revoked = await db
        .transaction()
        .execute((trx) => revokeOwnTokenCommand(trx, { userId, tokenId, actor: actorOf(p) }));
      if (!revoked) throw new HttpError(404, 'not_found', `params/id: no active session or token ${tokenId} of yours`);
    },

    /** Users by username; with a page, `limit` of them after the cursor. */
    async users(p: Principal, page?: { limit: number; cursor?: string | undefined }) {
      assertAdmin(p);
      if (page === undefined) return { items: await listUsers(db), nextCursor: null };
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0]!;
      const rows = await listUsers(db, {
        limit: page.limit + 1,
        ...(after === undefined ? {} : { afterUsername: after }),
      });
      return pageOf(rows, page.limit, (u) => [u.username]);
    },

    /** API tokens (admin), by id, a page at a time. */
    async apiTokens(p: Principal, page: { limit: number; cursor?: string | undefined }) {
      assertAdmin(p);
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0]!;
      if (after !== undefined && !UUID.test(after))
        throw new HttpError(400, 'invalid_request', 'query/cursor is not a cursor this API gave');
      const rows = await listApiTokens(db, { limit: page.limit + 1, ...(after === undefined ? {} : { after }) });
      return pageOf(rows, page.limit, (t) => [t.id]);
    },

    /** A new user with a one-time password (returned once). */
    async createUser(p: Principal, u: Omit<NewUser, 'password' | 'mustChangePassword'>) {
      assertAdmin(p);
      if (u.role === 'reporter' && (u.agencyCode === undefined || u.agencyCode === null))
        throw new HttpError(400, 'invalid_request', 'body/agencyCode is required for a reporter');
      if (u.agencyCode != null && (await getAgency(db, u.agencyCode)) === undefined)
        throw new HttpError(400, 'invalid_request', `body/agencyCode: unknown agency "${u.agencyCode}"`);
      const password = generatePassword();
      // A taken username fails the insert (users_username_key): api/errors.ts answers 409 naming body/username.
      const user = await db
        .transaction()
        .execute((trx) =>
          createUserCommand(trx, { user: { ...u, password, mustChangePassword: true }, actor: actorOf(p) }),
        );
      return { user, oneTimePassword: password };
    },

    /** Disables or enables a user; an admin cannot disable themself (someone must be left to enable them). */
    async setDisabled(p: Principal, userId: string, disabled: boolean): Promise<PublicUser> {
      assertAdmin(p);
      if (disabled && userId === p.userId)
        throw new HttpError(409, 'invalid_transition', 'params/id: an admin cannot disable their own account');
      const user = await getUser(db, userId);
      if (user === undefined) throw new HttpError(404, 'not_found', `params/id: no user ${userId}`);
      await db.transaction().execute((trx) => setUserDisabledCommand(trx, { userId, disabled, actor: actorOf(p) }));
      return (await getUser(db, userId))!;
    },

    /** A new one-time password for a user (returned once); their sessions are signed out. */
    async resetPassword(p: Principal, userId: string): Promise<{ user: PublicUser; oneTimePassword: string }> {
      assertAdmin(p);
      const password = generatePassword();
      const done = await db
        .transaction()
        .execute((trx) => resetPasswordCommand(trx, { userId, password, actor: actorOf(p) }));
      if (!done) throw new HttpError(404, 'not_found', `params/id: no user ${userId}`);
      return { user: (await getUser(db, userId))!, oneTimePassword: password };
    },
  };
}
