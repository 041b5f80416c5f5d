// The worker's metrics: an activity interceptor counting e-mails, their latency and failed attempts, and the /metrics endpoint.
import { createServer, type Server } from 'node:http';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import type { ComposeObligationMailInput } from '../activities/cycle-mail.js';
import type { ReminderBatchResult } from '../activities/reminder-batch.js';
import type { Database } from '../db/database.js';
import { findActiveToken } from '../db/repositories/tokens.js';
import type { WorkerMetrics } from '../platform/metrics.js';

/** Activities that send e-mail, and the notice kind of their input. */
const MAIL_ACTIVITIES: Readonly<Record<string, (input: unknown) => string>> = {
  sendObligationMail: (input) => (input as ComposeObligationMailInput).notice.kind,
  sendEmail: () => 'notification',
};

/** Observes every activity (scheduled and local): e-mails sent or failed by kind, send latency, failed attempts. */
export function activityMetrics(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        const kindOf = MAIL_ACTIVITIES[type];
        const kind = kindOf?.(input.args[0]);
        const started = performance.now();
        try {
          const result = await next(input);
          if (type === 'sendReminderBatch') {
            // A batch of reminders (patch cycle-batched-reminders): its counts, and each e-mail's share of its time.
            const r = result as ReminderBatchResult;
            if (r.sent > 0) {
              metrics.notices.inc({ kind: 'reminder', result: 'sent' }, r.sent);
              const each = (performance.now() - started) / 1000 / r.sent;
              for (let i = 0; i < r.sent; i++) metrics.emailSeconds.observe({ kind: 'reminder' }, each);
            }
            if (r.failed > 0) metrics.notices.inc({ kind: 'reminder', result: 'failed' }, r.failed);
            return result;
          }
          if (kind !== undefined && (result as { alreadySent?: boolean }).alreadySent !== true) {
            metrics.notices.inc({ kind, result: 'sent' });
            metrics.emailSeconds.observe({ kind }, (performance.now() - started) / 1000);
          }
          return result;
        } catch (err) {
          metrics.activityFailures.inc({ activity: type });
          if (kind !== undefined) metrics.notices.inc({ kind, result: 'failed' });
          throw err;
        }
      },
    },
  });
}

/** GET /metrics for Prometheus, behind an admin API token (Authorization: Bearer …, as the API's routes). */
export function serveWorkerMetrics(
  metrics: WorkerMetrics,
  db: Kysely<Database>,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const token = match === null ? undefined : await findActiveToken(db, match[1]!);
      if (token === undefined || token.role !== 'admin') {
        res
          .writeHead(401, { 'content-type': 'text/plain' })
          .end('an admin API token is required (Authorization: Bearer …)\n');
        return;
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
