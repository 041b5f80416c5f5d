// `npm run stack:production`: the production topology on this machine (real Temporal server, separate worker and api processes); Ctrl-C stops all.
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { StartupError } from '../embedded/errors.js';
import { projectRootFrom } from '../temporal-binaries.js';
import { startProductionStack, type ProductionStack } from './stack.js';

// Lines for a person at the console; each child's own lines come through prefixed with its name.
const logger = createLogger({ level: 'info', name: 'stack', format: 'line' });
const log = (line: string): void => logger.info(line);
const startedAt = performance.now();
let stack: ProductionStack | undefined;
let stopping = false;

async function shutdown(reason: string, exitCode: number): Promise<never> {
  if (stopping) process.exit(exitCode);
  stopping = true;
  log(`${reason} — stopping …`);
  const force = setTimeout(() => {
    log('Shutdown is taking too long; exiting.');
    process.exit(exitCode || 1);
  }, 60_000);
  force.unref();
  await stack?.stop();
  log('Stopped.');
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    void shutdown(`Received ${signal}`, 0);
  });
}

try {
  // The same variables as npm start, read once; the data directory defaults to its own, beside the embedded one.
  const config = loadConfig(process.env, 'embedded');
  const projectRoot = projectRootFrom(import.meta.url);
  const workers = Number(process.env.MERZIM_WORKERS ?? '2');
  if (!Number.isInteger(workers) || workers < 1 || workers > 16)
    throw new ConfigError([`MERZIM_WORKERS: expected 1–16, got "${process.env.MERZIM_WORKERS}"`]);
  stack = await startProductionStack({
    projectRoot,
    dataDir: resolve(projectRoot, process.env.MERZIM_DATA_DIR ?? '.data-production'),
    ports: {
      api: config.api.port,
      postgres: config.embedded.postgresPort,
      temporal: config.embedded.temporalPort,
      smtp: config.embedded.smtpPort,
    },
    workers,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    logLevel: config.logLevel,
    mailFrom: config.mailFrom,
    ...(config.workflowBundlePath === undefined ? {} : { workflowBundle: resolve(config.workflowBundlePath) }),
    buildServer: true,
    log,
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  log(
    [
      '',
      `Merzim's production topology is ready (${seconds} s).`,
      `  API (api process)     ${stack.apiUrl}/ready`,
      `  Workers               ${stack.workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')}`,
      `  Temporal server       ${stack.temporalAddress} (PostgreSQL persistence + visibility; metrics ${stack.temporalMetricsUrl})`,
      `  SMTP sink (relay)     ${stack.smtpUrl}`,
      `  Admin API token       in ${stack.adminTokenFile} when created now (keep it secret)`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const reason = await stack.failed;
  if (!stopping) await shutdown(`Stopping because ${reason}`, 1);
} catch (err) {
  if (err instanceof ConfigError || err instanceof StartupError) {
    logger.error(err.message);
    process.exit(1);
  }
  logger.error({ err }, 'Unexpected failure while starting');
  process.exit(1);
}
