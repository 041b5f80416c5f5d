// `npm run api`: the production API process; it only listens and closes gracefully — the app itself is in app.ts.
import { ConfigError, loadConfig } from '../platform/config.js';
import { createDb } from '../db/connect.js';
import { createMailer } from '../platform/mailer.js';
import { connectClient } from '../platform/temporal-connection.js';
import { createLogger } from '../platform/logger.js';
import { composeApi } from './compose.js';

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
  { db, temporal, taskQueue: config.temporal.taskQueue, mailer, sinkEnabled: false, publicUrl: config.api.publicUrl },
  { loggerInstance: createLogger({ level: config.logLevel, name: 'merzim-api' }) },
);
app.addHook('onClose', async () => {
  await temporal.connection.close();
  mailer?.close();
  await db.destroy();
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'closing');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
await app.listen({ host: config.api.host, port: config.api.port });
