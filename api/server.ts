// `npm run api`: the production API process; it only listens and closes gracefully — the app itself is in app.ts.
import { ConfigError, loadConfig } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import { createMailer } from '../platform/mailer.js';
import { connectClient } from '../platform/temporal-connection.js';
import { createLogger } from '../platform/logger.js';
import { composeApi } from './compose.js';
import { createApiMetrics } from '../platform/metrics.js';
import { overdueByPlan } from '../db/repositories/cycles.js';

let config;
try {
  config = loadConfig(process.env, 'api');
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

const db = createDb(config.databaseUrl!, { applicationName: 'merzim-api' });
const temporal = await connectClient(config.temporal);
// The API sends no mail; the transport is here only so /health can tell whether SMTP answers.
const mailer = config.smtpUrl === undefined ? undefined : createMailer(config.smtpUrl);
const app = await composeApi(
  {
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    mailer,
    sinkEnabled: false,
    metrics: createApiMetrics(() => overdueByPlan(db)),
    publicUrl: config.api.publicUrl,
    ...(config.workflowBundlePath === undefined ? {} : { workflowBundlePath: config.workflowBundlePath }),
    evidence: config.evidence,
    limits: config.limits,
    // Links from the pages to each workflow in the Temporal web UI, when one is configured.
    ...(config.temporalUiUrl === undefined
      ? {}
      : { temporalUi: { url: config.temporalUiUrl, namespace: config.temporal.namespace } }),
  },
  { loggerInstance: createLogger({ level: config.logLevel, name: 'merzim-api' }) },
);
app.addHook('onClose', async () => {
  await temporal.connection.close();
  mailer?.close();
  await db.destroy();
});

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `on`, not `once`: under npm and tsx the same signal arrives twice (to the group, then relayed); the second must not kill mid-close.
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
await app.listen({ host: config.api.host, port: config.api.port });
