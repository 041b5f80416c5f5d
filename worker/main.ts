// `npm run worker`: a production worker process against TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL; run as many as load needs.
import { ConfigError, loadConfig } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import { createMailer } from '../platform/mailer.js';
import { createLogger } from '../platform/logger.js';
import { createWorkerMetrics } from '../platform/metrics.js';
import { activityMetrics, serveWorkerMetrics } from './metrics.js';
import { openMerzimWorker } from './worker.js';

let config;
try {
  config = loadConfig(process.env, 'worker');
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const db = createDb(config.databaseUrl!, { applicationName: 'merzim-worker' });
const mailer = createMailer(config.smtpUrl!);
const logger = createLogger({ level: config.logLevel, name: 'merzim-worker' });
const metrics = createWorkerMetrics();
const metricsServer =
  config.metrics.port === undefined
    ? undefined
    : await serveWorkerMetrics(metrics, db, config.api.host, config.metrics.port);
const { connection, worker } = await openMerzimWorker(config, { db, mailer }, logger, undefined, {
  interceptors: { activity: [activityMetrics(metrics)] },
  ...(config.metrics.temporalPort === undefined
    ? {}
    : { sdkMetricsBindAddress: `${config.api.host}:${config.metrics.temporalPort}` }),
});
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling and lets running activities finish.
logger.info(
  { taskQueue: config.temporal.taskQueue, temporal: config.temporal.address, namespace: config.temporal.namespace },
  'polling the task queue',
);
try {
  await worker.run();
} finally {
  metricsServer?.close();
  await connection.close();
  mailer.close();
  await db.destroy();
}
