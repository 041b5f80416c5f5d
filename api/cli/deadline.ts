// `merzim deadline`: what a decree's deadline wording means, and which dates a reporting year owes under it.
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { parseDeadline } from '../../domain/deadline-language.js';
import { obligationsForYear, resolveDeadline } from '../../domain/due-dates.js';
import { LANGS } from '../../domain/lang.js';
import { parsePeriodKey, periodLabel } from '../../domain/periods.js';
import { STANDARD_POLICIES } from '../../domain/policies.js';
import {
  json,
  optionalChoice,
  parseCommandLine,
  parseYearOption,
  UsageError,
  type CliCommand,
  type CliIO,
} from './command.js';

const USAGE = `usage:
  merzim deadline due "<expression>" --year <YYYY> [--lang kk|ru|en] [--policy <id>] [--json]
      the due dates, as written, of every obligation reporting year YYYY creates
  merzim deadline parse "<expression>" [--json]
      the structured rule the expression means
policies: ${Object.keys(STANDARD_POLICIES).join(', ')} (default annual-cascade-580)`;

function expressionArgument(positionals: readonly string[]): string {
  if (positionals.length === 0)
    throw new UsageError('missing <expression> (quote it: merzim deadline due "жыл сайын" --year 2019)');
  if (positionals.length > 1)
    throw new UsageError(`expected one <expression>, got ${positionals.length} arguments: quote the expression`);
  return positionals[0] as string;
}

function due(args: readonly string[], io: CliIO): number {
  const { positionals, values } = parseCommandLine(args, {
    year: { type: 'string' },
    lang: { type: 'string' },
    policy: { type: 'string' },
    json: { type: 'boolean' },
  });
  const expression = expressionArgument(positionals);
  const year = parseYearOption(values);
  const lang = optionalChoice(values, 'lang', LANGS) ?? 'en';
  const policyId = optionalChoice(values, 'policy', Object.keys(STANDARD_POLICIES)) ?? 'annual-cascade-580';
  const policy = STANDARD_POLICIES[policyId];
  if (policy === undefined) throw new UsageError(`--policy: unknown policy ${JSON.stringify(policyId)}`);

  const rule = parseDeadline(expression);
  const obligations = obligationsForYear(rule, year, policy).map((o) => {
    const resolved = resolveDeadline(o.due, KZ_WORKING_CALENDAR, { shift: policy.shift ?? 'next' });
    return {
      period: o.period,
      label: periodLabel(parsePeriodKey(o.period), lang),
      due: o.due,
      workingDayDue: resolved.due,
      instant: new Date(resolved.instant).toISOString(),
    };
  });
  const dueDates = [...new Set(obligations.map((o) => o.due))];

  if (values.json === true) {
    io.out(
      json({
        kind: rule.kind,
        due: dueDates,
        ...(rule.kind === 'unparsed' ? { reason: rule.reason } : {}),
        expression,
        year,
        policy: policy.id,
        rule,
        obligations,
      }),
    );
  } else if (rule.kind === 'unparsed') {
    io.out(`unparsed: ${rule.reason}\n`);
  } else if (obligations.length === 0) {
    io.out(`${rule.kind}: nothing due for ${year}\n`);
  } else {
    io.out(`${rule.kind}: ${obligations.map((o) => `${o.due} (${o.label})`).join(', ')}\n`);
  }
  return 0;
}

function parse(args: readonly string[], io: CliIO): number {
  const { positionals, values } = parseCommandLine(args, { json: { type: 'boolean' } });
  const rule = parseDeadline(expressionArgument(positionals));
  io.out(values.json === true ? json(rule) : `${JSON.stringify(rule)}\n`);
  return 0;
}

export const deadlineCommand: CliCommand = {
  name: 'deadline',
  summary: 'parse decree deadline wording and list the due dates it creates',
  usage: USAGE,
  run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'due':
        return due(rest, io);
      case 'parse':
        return parse(rest, io);
      case undefined:
        throw new UsageError('missing subcommand: due or parse');
      default:
        throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}: expected due or parse`);
    }
  },
};
