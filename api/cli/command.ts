// What every `merzim` subcommand shares: its shape, its output streams, and argument parsing that names the bad argument.
import { parseArgs } from 'node:util';

/** Where a command writes; injected so commands can be tested without a child process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `merzim help`. */
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code: 0 success, 2 bad arguments (throw UsageError), 1 anything else. */
  run(args: readonly string[], io: CliIO): number | Promise<number>;
}

/** Bad command-line input: the dispatcher prints the message on stderr and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedCommandLine {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

/** Strict parsing: an unknown option or a missing value is a UsageError naming it. */
export function parseCommandLine(args: readonly string[], options: OptionSpec): ParsedCommandLine {
  try {
    const { positionals, values } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { positionals, values: values as Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function requireString(values: ParsedCommandLine['values'], name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}`);
  return value;
}

export function optionalChoice<T extends string>(
  values: ParsedCommandLine['values'],
  name: string,
  choices: readonly T[],
): T | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function parseYearOption(values: ParsedCommandLine['values'], name = 'year'): number {
  const raw = requireString(values, name);
  if (!/^\d{4}$/.test(raw)) throw new UsageError(`--${name} must be a four-digit year, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
