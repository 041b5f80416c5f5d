// `merzim token` and `merzim user`: what an operator needs before the API is usable (production has no bootstrap file).
import {
  createTokenCommand,
  createUserCommand,
  resetPasswordCommand,
  revokeTokenCommand,
  setUserDisabledCommand,
} from '../../db/commands/users.js';
import { listApiTokens, type Role } from '../../db/repositories/tokens.js';
import { generatePassword, userIdByUsername } from '../../db/repositories/users.js';
import { json, optionalChoice, parseCommandLine, requireString, UsageError, type CliCommand } from './command.js';
import { openCliDatabase } from './database.js';

const ROLES: readonly Role[] = ['admin', 'coordinator', 'pm_office', 'reporter'];

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'create, list or revoke API tokens (the secret is printed once)',
  usage: `usage:
  merzim token create --name <name> --role admin|coordinator|pm_office|reporter [--agency <code>] [--json]
  merzim token list [--json]
  merzim token revoke <id>`,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { positionals, values } = parseCommandLine(rest, {
      name: { type: 'string' },
      role: { type: 'string' },
      agency: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (create, list, revoke)`);
    if (sub === 'create') {
      const role = optionalChoice(values, 'role', ROLES);
      if (role === undefined) throw new UsageError('missing --role');
      const agency = typeof values.agency === 'string' ? values.agency : null;
      if (role === 'reporter' && agency === null) throw new UsageError('--agency is required for a reporter token');
      const name = requireString(values, 'name');
      const db = await openCliDatabase();
      try {
        const t = await db.transaction().execute((trx) =>
          createTokenCommand(trx, {
            token: { name, role, agencyCode: agency },
            actor: 'cli',
            payload: { name, role, agency },
          }),
        );
        io.out(values.json === true ? json({ id: t.id, token: t.secret }) : `${t.secret}\n`);
        if (values.json !== true)
          io.err(`token ${t.id} (${role}) created; this is the only time the secret is shown\n`);
      } finally {
        await db.destroy();
      }
      return 0;
    }
    const db = await openCliDatabase();
    try {
      if (sub === 'list') {
        const tokens = await listApiTokens(db);
        io.out(
          values.json === true
            ? json(tokens)
            : tokens.map((t) => `${t.id}\t${t.role}\t${t.name}${t.revoked_at ? '\trevoked' : ''}\n`).join(''),
        );
        return 0;
      }
      const id = positionals[0];
      if (id === undefined || !/^\d+$/.test(id)) throw new UsageError('revoke needs a token <id> (see token list)');
      if (!(await db.transaction().execute((trx) => revokeTokenCommand(trx, { id, actor: 'cli' })))) {
        io.err(`no active token ${id}\n`);
        return 1;
      }
      io.out(`token ${id} revoked\n`);
      return 0;
    } finally {
      await db.destroy();
    }
  },
};

export const userCommand: CliCommand = {
  name: 'user',
  summary: 'create a user with a one-time password (printed once); reset a password; disable or enable a user',
  usage: `usage:
  merzim user create <username> --name <display name> --role admin|coordinator|pm_office|reporter [--agency <code>] [--lang kk|ru]
  merzim user reset-password <username>   a new one-time password (printed once); every session of the user is signed out
  merzim user disable <username>          every session and API token of the user stops at once
  merzim user enable <username>`,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'reset-password' || sub === 'disable' || sub === 'enable') return userAccount(sub, rest, io);
    if (sub !== 'create')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (create, reset-password, disable, enable)`);
    const { positionals, values } = parseCommandLine(rest, {
      name: { type: 'string' },
      role: { type: 'string' },
      agency: { type: 'string' },
      lang: { type: 'string' },
    });
    const username = positionals[0];
    if (username === undefined || !/^[a-z0-9._-]{3,60}$/.test(username))
      throw new UsageError('<username> must be 3–60 of a-z 0-9 . _ -');
    const role = optionalChoice(values, 'role', ROLES);
    if (role === undefined) throw new UsageError('missing --role');
    const agencyCode = typeof values.agency === 'string' ? values.agency : null;
    if (role === 'reporter' && agencyCode === null) throw new UsageError('--agency is required for a reporter');
    const lang = optionalChoice(values, 'lang', ['kk', 'ru'] as const) ?? 'kk';
    const db = await openCliDatabase();
    try {
      const password = generatePassword();
      const displayName = requireString(values, 'name');
      await db.transaction().execute((trx) =>
        createUserCommand(trx, {
          user: { username, displayName, role, agencyCode, lang, password, mustChangePassword: true },
          actor: 'cli',
        }),
      );
      io.out(`user ${username} (${role}) created; one-time password: ${password}\n`);
      return 0;
    } finally {
      await db.destroy();
    }
  },
};

/** The same commands as the admin's API routes, as the operator at the machine (actor "cli"). */
async function userAccount(
  sub: 'reset-password' | 'disable' | 'enable',
  rest: string[],
  io: Parameters<CliCommand['run']>[1],
): Promise<number> {
  const { positionals } = parseCommandLine(rest, {});
  const username = positionals[0];
  if (username === undefined) throw new UsageError('missing <username>');
  const db = await openCliDatabase();
  try {
    const userId = await userIdByUsername(db, username);
    if (userId === undefined) throw new UsageError(`no user ${JSON.stringify(username)}`);
    if (sub === 'reset-password') {
      const password = generatePassword();
      await db.transaction().execute((trx) => resetPasswordCommand(trx, { userId, password, actor: 'cli' }));
      io.out(`user ${username}: new one-time password: ${password} (to be changed at the next sign-in)\n`);
    } else {
      const changed = await db
        .transaction()
        .execute((trx) => setUserDisabledCommand(trx, { userId, disabled: sub === 'disable', actor: 'cli' }));
      io.out(`user ${username} ${changed ? `${sub}d` : `was already ${sub}d`}\n`);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}
