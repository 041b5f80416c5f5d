// `npm start`: Merzim on its embedded defaults in one supervised process; prints the URLs and stops everything on Ctrl-C/SIGTERM.
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { StartupError } from './embedded/errors.js';
import { startStack, type Stack } from './embedded/stack.js';
import { projectRootFrom } from './temporal-binaries.js';

const startedAt = performance.now();
// Lines for a person at the console; LOG_LEVEL applies once the configuration is read.
const logger = createLogger({ level: 'info', name: 'merzim', format: 'line' });
const log = (line: string): void => logger.info(line);

let stack: Stack | undefined;
let stopping = false;

async function shutdown(reason: string, exitCode: number): Promise<never> {
  if (stopping) process.exit(exitCode);
  stopping = true;
  log(`${reason} — stopping …`);
  const force = setTimeout(() => {
    log('Shutdown is taking too long; exiting.');
    process.exit(exitCode || 1);
  }, 45_000);
  force.unref();
  await stack?.stop();
  log(`Stopped. Peak memory (max RSS) of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB.`);
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C while stopping means "now".
    if (stopping) process.exit(130);
    void shutdown(`Received ${signal}`, 0);
  });
}

try {
  const config = loadConfig(process.env, 'embedded');
  logger.level = config.logLevel;
  stack = await startStack(config, { projectRoot: projectRootFrom(import.meta.url), logger });
  const { info } = stack;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  // The banner is the command's output for the person who started it, not a log line.
  process.stdout.write(
    [
      '',
      `Merzim is ready (${seconds} s).`,
      `  API and health   ${info.apiUrl}/health`,
      `  Temporal         ${info.temporalAddress}${info.started.temporal ? ' (embedded dev server)' : ''}`,
      ...(info.temporalUiUrl ? [`  Temporal web UI  ${info.temporalUiUrl}`] : []),
      `  PostgreSQL       ${info.started.postgres ? `embedded, data in ${config.dataDir}/postgres` : 'DATABASE_URL'}`,
      `  SMTP             ${info.started.smtpSink ? `${info.smtpUrl} (local sink: GET /api/v1/sink/messages)` : 'SMTP_URL'}`,
      ...(info.adminTokenFile
        ? [
            `  Admin API token  created now, readable once in ${info.adminTokenFile} (keep it secret; delete the file after copying)`,
          ]
        : []),
      ...(info.bootstrap.admin
        ? [
            `  Admin user       "${info.bootstrap.admin.username}", one-time password readable once in ${info.bootstrap.admin.passwordFile} (change it at first login; delete the file)`,
          ]
        : []),
      ...(info.demo !== undefined && info.demo.plans.length > 0
        ? [`  Demo             ${info.demo.plans.map((p) => `${p.file}: ${p.measures} measures`).join(', ')} confirmed`]
        : []),
      ...(info.demo?.living !== undefined
        ? [
            '  Living demo      opening now: within a minute the sink holds reminders, one agency is overdue and escalated, one report submitted, one returned',
          ]
        : []),
      ...(info.demoUsers.length > 0
        ? [
            `  Open             ${info.apiUrl}/app/sign-in and sign in as one of: ${info.demoUsers.join(', ')}`,
            `                   (passwords in ${join(config.dataDir, 'demo-users.txt')})`,
          ]
        : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n') + '\n',
  );
  const reason = await stack.failed;
  if (!stopping) await shutdown(`Stopping because ${reason}`, 1);
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartupError) {
    logger.error(err.message);
    process.exit(1);
  }
  logger.error({ err }, 'unexpected failure while starting');
  process.exit(1);
}
