// `npm run worker`: a production worker process against TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL; run as many as load needs.
import { ConfigError, loadConfig } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import { createMailer } from '../platform/mailer.js';
import { createLogger } from '../platform/logger.js';
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
const { connection, worker } = await openMerzimWorker(config, { db, mailer }, logger);
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling and lets running activities finish.
logger.info({ taskQueue: config.temporal.taskQueue, temporal: config.temporal.address, namespace: config.temporal.namespace }, 'polling the task queue');
try {
  await worker.run();
} finally {
  await connection.close();
  mailer.close();
  await db.destroy();
}
