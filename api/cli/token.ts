// `merzim token` and `merzim user`: what an operator needs before the API is usable (production has no bootstrap file).
import { createTokenCommand, createUserCommand, revokeTokenCommand } from '../../db/commands/users.js';
import { listApiTokens, type Role } from '../../db/repositories/tokens.js';
import { generatePassword } from '../../db/repositories/users.js';
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
  summary: 'create a user with a one-time password (printed once)',
  usage: `usage:
  merzim user create <username> --name <display name> --role admin|coordinator|pm_office|reporter [--agency <code>] [--lang kk|ru]`,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'create') throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (create)`);
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
