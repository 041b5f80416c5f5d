// Users with roles; passwords are hashed with argon2id and never leave this module in any other form.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../database.js';
import type { Role } from './tokens.js';

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly role: Role;
  readonly agencyCode?: string | null;
  readonly email?: string | null;
  readonly lang?: 'kk' | 'ru';
  readonly password: string;
  readonly mustChangePassword?: boolean;
}

export type PublicUser = Omit<UserRow, 'password_hash'>;

export { MIN_PASSWORD_LENGTH } from '../../platform/password-policy.js';

/** A one-time password: 96 random bits (16 characters), far above the policy's strength threshold. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

export async function createUser(db: Kysely<Database>, u: NewUser): Promise<PublicUser> {
  const row = await db
    .insertInto('users')
    .values({
      username: u.username,
      display_name: u.displayName,
      role: u.role,
      agency_code: u.agencyCode ?? null,
      email: u.email ?? null,
      lang: u.lang ?? 'kk',
      password_hash: await argon2.hash(u.password, { type: argon2.argon2id }),
      must_change_password: u.mustChangePassword ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return withoutHash(row);
}

/** Returns the user when the password is right; a constant amount of hashing work otherwise, so timing does not reveal usernames. */
export async function verifyLogin(
  db: Kysely<Database>,
  username: string,
  password: string,
): Promise<PublicUser | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('username', '=', username)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (row?.password_hash == null) {
    await argon2.hash(password).catch(() => undefined);
    return undefined;
  }
  return (await argon2.verify(row.password_hash, password)) ? withoutHash(row) : undefined;
}

export async function setPassword(db: Kysely<Database>, userId: string, password: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: await argon2.hash(password, { type: argon2.argon2id }), must_change_password: false })
    .where('id', '=', userId)
    .execute();
}

/** An admin's reset: a new one-time password that must be changed at the next sign-in. */
export async function setOneTimePassword(db: Kysely<Database>, userId: string, password: string): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ password_hash: await argon2.hash(password, { type: argon2.argon2id }), must_change_password: true })
    .where('id', '=', userId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Disables (now) or enables a user; false when the user does not exist or already was so. */
export async function setUserDisabled(db: Kysely<Database>, userId: string, disabled: boolean): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ disabled_at: disabled ? new Date() : null })
    .where('id', '=', userId)
    .where('disabled_at', disabled ? 'is' : 'is not', null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Remembers the web interface's language of a user. */
export async function setUiLang(db: Kysely<Database>, userId: string, lang: 'kk' | 'ru' | 'en'): Promise<void> {
  await db.updateTable('users').set({ ui_lang: lang }).where('id', '=', userId).execute();
}

export async function userIdByUsername(db: Kysely<Database>, username: string): Promise<string | undefined> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst())?.id;
}

export async function getUser(db: Kysely<Database>, id: string): Promise<PublicUser | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : withoutHash(row);
}

/** Users by username, `limit` at most, after `afterUsername` (a keyset page); never the password hash. */
export async function listUsers(
  db: Kysely<Database>,
  page: { limit: number; afterUsername?: string } = { limit: 5000 },
): Promise<PublicUser[]> {
  let q = db
    .selectFrom('users')
    .select([
      'id',
      'username',
      'display_name',
      'role',
      'agency_code',
      'email',
      'lang',
      'must_change_password',
      'created_at',
      'disabled_at',
      'ui_lang',
      'digests',
    ])
    .orderBy('username')
    .limit(page.limit);
  if (page.afterUsername !== undefined) q = q.where('username', '>', page.afterUsername);
  return q.execute();
}

export async function countUsers(db: Kysely<Database>, role?: Role): Promise<number> {
  let q = db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n'));
  if (role !== undefined) q = q.where('role', '=', role);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

export async function bindUserToPlan(db: Kysely<Database>, userId: string, planId: string): Promise<void> {
  await db
    .insertInto('user_plans')
    .values({ user_id: userId, plan_id: planId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function planIdsOfUser(db: Kysely<Database>, userId: string): Promise<string[]> {
  return (await db.selectFrom('user_plans').select('plan_id').where('user_id', '=', userId).execute()).map(
    (r) => r.plan_id,
  );
}

function withoutHash(row: UserRow): PublicUser {
  const { password_hash: _hash, ...rest } = row;
  return rest;
}
