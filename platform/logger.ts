// One structured logger (pino) for the API, the workers and the embedded supervisor: JSON lines in production, readable
// lines on the console of `npm start`; secrets are redacted wherever they would appear.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };
export type LogFormat = 'json' | 'line';

/** Paths pino blanks out: credentials in request headers and any field named like a secret, at the top or one level down. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'secret',
  'apiKey',
  'databaseUrl',
  'smtpUrl',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.databaseUrl',
  '*.smtpUrl',
  '*.oneTimePassword',
];

export interface LoggerOptions {
  readonly level: Config['logLevel'];
  /** The process (merzim-api, merzim-worker, merzim): a field of every line. */
  readonly name: string;
  /** json (default): one JSON object per line for log collectors; line: "[name] message key=value" for a person. */
  readonly format?: LogFormat;
  /** Where lines go (default stdout); tests pass a collector. */
  readonly destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? process.stdout;
  return pino(
    {
      name: opts.name,
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    opts.format === 'line' ? lineStream(destination, opts.destination ?? process.stderr) : destination,
  );
}

const HIDDEN_IN_LINES = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);
const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Turns pino's JSON lines into "[name] message key=value …" for the console of `npm start`; errors go to `errors` (stderr). */
function lineStream(out: DestinationStream, errors: DestinationStream): DestinationStream {
  return {
    write(chunk: string): void {
      for (const json of chunk.split('\n')) {
        if (json === '') continue;
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(json) as Record<string, unknown>;
        } catch {
          out.write(`${json}\n`);
          continue;
        }
        const level = LEVEL_NAMES[entry.level as number] ?? 'info';
        const extra = Object.entries(entry)
          .filter(([k]) => !HIDDEN_IN_LINES.has(k))
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
        (level === 'error' || level === 'fatal' ? errors : out).write(
          `[${String(entry.name ?? 'merzim')}] ${tag}${String(entry.msg ?? '')}${extra === '' ? '' : ` ${extra}`}\n`,
        );
      }
    },
  };
}
