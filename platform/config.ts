// Configuration is read once from the environment, validated, frozen and passed down; nothing else reads process.env.
export type Mode = 'embedded' | 'worker' | 'api' | 'cli';

export interface TemporalConfig {
  /** host:port of the frontend; undefined in embedded mode means "start our own dev server". */
  readonly address: string | undefined;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly apiKey: string | undefined;
  readonly tls: boolean;
}

export interface Config {
  readonly mode: Mode;
  readonly dataDir: string;
  readonly temporal: TemporalConfig;
  readonly databaseUrl: string | undefined;
  /** The schema owner's URL for `npm run db:migrate` (MIGRATION_DATABASE_URL); DATABASE_URL then names the role granted rows. */
  readonly migrationDatabaseUrl: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly api: { readonly host: string; readonly port: number; readonly publicUrl: string };
  /**
   * The Temporal web UI the pages link cycles and obligations to (MERZIM_TEMPORAL_UI_URL); embedded: the dev server's UI when
   * unset; elsewhere unset means no link.
   */
  readonly temporalUiUrl: string | undefined;
  /** Ports used only by services the embedded supervisor starts itself. */
  readonly embedded: {
    readonly postgresPort: number;
    readonly temporalPort: number;
    readonly temporalUiPort: number;
    readonly smtpPort: number;
  };
  /** Load the demo plans and users into an empty database (embedded mode only; MERZIM_DEMO). */
  readonly demo: boolean;
  /** Where the seed documents are (MERZIM_SEEDS_DIR); relative to the project root. */
  readonly seedsDir: string;
  /** Prebuilt workflow bundle for production workers (MERZIM_WORKFLOW_BUNDLE). */
  readonly workflowBundlePath: string | undefined;
  /** A worker's Prometheus endpoint (MERZIM_METRICS_PORT, on HOST; admin token) and the Temporal SDK's (MERZIM_TEMPORAL_METRICS_PORT). */
  readonly metrics: { readonly port: number | undefined; readonly temporalPort: number | undefined };
  /** Local time (Asia/Almaty) at which reminders and later escalation notices go out (MERZIM_NOTICE_TIME, HH:MM). */
  readonly noticeTime: { readonly hour: number; readonly minute: number };
  /** How long a workflow task waits for the worker that has the workflow cached (MERZIM_STICKY_TIMEOUT_S; worker/worker.ts). */
  readonly stickyTimeoutSeconds: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Evidence files (report annexes): where their bytes are kept and how large they may be. */
  readonly evidence: EvidenceConfig;
  /** What protects the service from one caller: request rates, body sizes, plan sizes, backfill ranges (api/limits.ts). */
  readonly limits: LimitsConfig;
}

export interface LimitsConfig {
  /** Requests per window per API token or browser session (MERZIM_RATE_LIMIT_PER_TOKEN, 1200); 0 turns rate limiting off. */
  readonly ratePerToken: number;
  /** Requests per window per client address without a token or session (MERZIM_RATE_LIMIT_PER_ADDRESS, 300). */
  readonly ratePerAddress: number;
  /** The rate window (MERZIM_RATE_LIMIT_WINDOW_S, 60 seconds). */
  readonly rateWindowMs: number;
  /** A JSON or form body of an ordinary route (MERZIM_BODY_LIMIT_KB, 256). */
  readonly bodyBytes: number;
  /** A report's body: submit, draft, return, summary texts (MERZIM_REPORT_BODY_LIMIT_KB, 4096). */
  readonly reportBodyBytes: number;
  /** Measures of one imported plan (MERZIM_PLAN_MAX_MEASURES, 2000). */
  readonly planMaxMeasures: number;
  /** Parties (distinct executor agencies) of one imported plan (MERZIM_PLAN_MAX_PARTIES, 500). */
  readonly planMaxParties: number;
  /** Periods one backfill may open (MERZIM_BACKFILL_MAX_PERIODS, 10). */
  readonly backfillMaxPeriods: number;
}

export interface EvidenceConfig {
  /** MERZIM_EVIDENCE_STORE: a directory (`dir`, MERZIM_EVIDENCE_DIR) or PostgreSQL (`pg`, the application's database). */
  readonly store: 'dir' | 'pg';
  /** MERZIM_EVIDENCE_DIR (default `<MERZIM_DATA_DIR>/evidence`). */
  readonly dir: string;
  /** MERZIM_EVIDENCE_MAX_FILE_MB (25): one file. */
  readonly maxFileBytes: number;
  /** MERZIM_EVIDENCE_MAX_REPORT_MB (200): the live files of one obligation together. */
  readonly maxReportBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * MERZIM_STICKY_TIMEOUT_S unless set: how long a workflow task waits on the queue of the worker that has the workflow cached
 * before the server gives it to any worker. A worker SIGKILLed (or lost with its machine) leaves on that queue whatever the
 * server put there before it noticed the worker gone (its last poll up to 10 s back, a rule of the server's matching service):
 * those tasks wait out this timeout — a report's `submit` Update among them, with the agency's request open meanwhile.
 * It was 5 minutes while each reminder of a burst was a workflow task of its own (a short one had a burst's backlog replayed
 * from history); since reminders go out in the cycle's batches (BATCHED_REMINDERS_PATCH) no burst of reminders wakes an
 * obligation, and 30 s bounds what a dead worker holds up. Deadline instants still wake each obligation not yet reported:
 * a backlog older than 30 s is then replayed from history (slower, nothing lost).
 */
export const DEFAULT_STICKY_TIMEOUT_S = 30;

/** Reads and validates configuration; every problem found is reported at once, each naming its variable. */
export function loadConfig(env: Env, mode: Mode): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const port = (name: string, fallback: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
      problems.push(`${name}: expected a TCP port between 1 and 65535, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const optionalPort = (name: string): number | undefined => (str(name) === undefined ? undefined : port(name, 0));
  const url = (name: string, protocols: readonly string[]): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name}: not a valid URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name}: expected a ${protocols.join(' or ')} URL, got "${parsed.protocol}"`);
      return undefined;
    }
    return raw;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}: expected true or false, got "${raw}"`);
    return fallback;
  };

  const temporalAddress = str('TEMPORAL_ADDRESS');
  if (temporalAddress !== undefined && !/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(temporalAddress)) {
    problems.push(`TEMPORAL_ADDRESS: expected host:port, got "${temporalAddress}"`);
  }
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const migrationDatabaseUrl = url('MIGRATION_DATABASE_URL', ['postgres:', 'postgresql:']);
  const noticeRaw = str('MERZIM_NOTICE_TIME') ?? '09:00';
  const noticeMatch = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(noticeRaw);
  if (noticeMatch === null)
    problems.push(`MERZIM_NOTICE_TIME: expected a local time HH:MM (00:00–23:59), got "${noticeRaw}"`);
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const stickyRaw = str('MERZIM_STICKY_TIMEOUT_S') ?? String(DEFAULT_STICKY_TIMEOUT_S);
  const stickyTimeoutSeconds = Number(stickyRaw);
  if (!/^\d+$/.test(stickyRaw) || stickyTimeoutSeconds < 1 || stickyTimeoutSeconds > 3600)
    problems.push(`MERZIM_STICKY_TIMEOUT_S: expected whole seconds 1–3600, got "${stickyRaw}"`);
  const apiPort = port('PORT', 8080);
  const apiHost = str('HOST') ?? '127.0.0.1';
  const publicUrl =
    url('MERZIM_PUBLIC_URL', ['http:', 'https:']) ??
    `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`;
  const megabytes = (name: string, fallback: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback * 1024 * 1024;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n <= 0 || n > 1_000_000) {
      problems.push(`${name}: expected a size in MB greater than 0, got "${raw}"`);
      return fallback * 1024 * 1024;
    }
    return Math.floor(n * 1024 * 1024);
  };
  const count = (name: string, fallback: number, min = 1, max = 1_000_000_000): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name}: expected a whole number ${min}–${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const evidenceStore = str('MERZIM_EVIDENCE_STORE') ?? 'dir';
  if (evidenceStore !== 'dir' && evidenceStore !== 'pg')
    problems.push(`MERZIM_EVIDENCE_STORE: expected dir or pg, got "${evidenceStore}"`);
  const logLevel = (str('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  // Separate processes have nobody to start dependencies for them: each must be told where they are.
  if (mode === 'worker' || mode === 'api') {
    if (temporalAddress === undefined)
      problems.push(`TEMPORAL_ADDRESS: required for "npm run ${mode}" (e.g. temporal.example.org:7233)`);
    if (str('DATABASE_URL') === undefined)
      problems.push(`DATABASE_URL: required for "npm run ${mode}" (e.g. postgres://merzim:…@db:5432/merzim)`);
    if (mode === 'worker' && str('SMTP_URL') === undefined)
      problems.push('SMTP_URL: required for "npm run worker" (e.g. smtp://user:…@mail:587)');
  }

  const config: Config = {
    mode,
    dataDir: str('MERZIM_DATA_DIR') ?? '.data',
    temporal: {
      address: temporalAddress,
      namespace: str('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: str('TEMPORAL_TASK_QUEUE') ?? 'reporting',
      apiKey: str('TEMPORAL_API_KEY'),
      tls: bool('TEMPORAL_TLS', str('TEMPORAL_API_KEY') !== undefined),
    },
    databaseUrl,
    migrationDatabaseUrl,
    smtpUrl,
    mailFrom: str('MAIL_FROM') ?? 'Merzim <merzim@localhost>',
    api: { host: apiHost, port: apiPort, publicUrl },
    temporalUiUrl: url('MERZIM_TEMPORAL_UI_URL', ['http:', 'https:']),
    embedded: {
      postgresPort: port('MERZIM_PG_PORT', 5433),
      temporalPort: port('MERZIM_TEMPORAL_PORT', 7233),
      temporalUiPort: port('MERZIM_TEMPORAL_UI_PORT', 8233),
      smtpPort: port('MERZIM_SMTP_PORT', 2525),
    },
    demo: mode === 'embedded' && bool('MERZIM_DEMO', true),
    seedsDir: str('MERZIM_SEEDS_DIR') ?? '../shared/seeds',
    workflowBundlePath: str('MERZIM_WORKFLOW_BUNDLE'),
    metrics: { port: optionalPort('MERZIM_METRICS_PORT'), temporalPort: optionalPort('MERZIM_TEMPORAL_METRICS_PORT') },
    noticeTime:
      noticeMatch === null ? { hour: 9, minute: 0 } : { hour: Number(noticeMatch[1]), minute: Number(noticeMatch[2]) },
    stickyTimeoutSeconds: Number.isInteger(stickyTimeoutSeconds) ? stickyTimeoutSeconds : DEFAULT_STICKY_TIMEOUT_S,
    logLevel,
    evidence: {
      store: evidenceStore === 'pg' ? 'pg' : 'dir',
      dir: str('MERZIM_EVIDENCE_DIR') ?? `${str('MERZIM_DATA_DIR') ?? '.data'}/evidence`,
      maxFileBytes: megabytes('MERZIM_EVIDENCE_MAX_FILE_MB', 25),
      maxReportBytes: megabytes('MERZIM_EVIDENCE_MAX_REPORT_MB', 200),
    },
    limits: {
      ratePerToken: count('MERZIM_RATE_LIMIT_PER_TOKEN', 1200, 0),
      ratePerAddress: count('MERZIM_RATE_LIMIT_PER_ADDRESS', 300, 1),
      rateWindowMs: count('MERZIM_RATE_LIMIT_WINDOW_S', 60, 1, 86_400) * 1000,
      bodyBytes: count('MERZIM_BODY_LIMIT_KB', 256, 1, 1_048_576) * 1024,
      reportBodyBytes: count('MERZIM_REPORT_BODY_LIMIT_KB', 4096, 1, 1_048_576) * 1024,
      planMaxMeasures: count('MERZIM_PLAN_MAX_MEASURES', 2000),
      planMaxParties: count('MERZIM_PLAN_MAX_PARTIES', 500),
      backfillMaxPeriods: count('MERZIM_BACKFILL_MAX_PERIODS', 10, 1, 1000),
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Replaces the password of a URL so it can be printed or logged. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
