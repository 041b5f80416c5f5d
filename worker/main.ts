// `npm run worker`: a production worker process against TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL; run as many as load needs.
import { ConfigError, loadConfig } from '../domain/config.js';
import { createDb } from '../db/connect.js';
import { createMailer } from './mailer.js';
import { connectWorker } from './temporal-connection.js';
import { createMerzimWorker, quietTemporalRuntime } from './worker.js';

let config;
try {
  config = loadConfig(process.env, 'worker');
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

quietTemporalRuntime(config.logLevel === 'debug' || config.logLevel === 'trace' ? 'INFO' : 'WARN');
const db = createDb(config.databaseUrl!, { applicationName: 'merzim-worker' });
const mailer = createMailer(config.smtpUrl!);
const connection = await connectWorker(config.temporal);
const worker = await createMerzimWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: { db, mailer, mailFrom: config.mailFrom },
  workflowBundlePath: config.workflowBundlePath,
});
// Worker.run() handles SIGINT/SIGTERM itself: it stops polling and lets running activities finish.
console.log(`[merzim-worker] polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace})`);
try {
  await worker.run();
} finally {
  await connection.close();
  mailer.close();
  await db.destroy();
}
