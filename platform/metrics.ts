// Prometheus metrics of Merzim's own (prom-client), shared by the api and the worker processes; each process has its own registry.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface WorkerMetrics {
  readonly registry: Registry;
  /** E-mails by notice kind (reminder, escalation, returned, …) and result (sent, failed); a dedupe hit is not counted again. */
  readonly notices: Counter<'kind' | 'result'>;
  /** Time to hand one e-mail to the SMTP relay, by notice kind. */
  readonly emailSeconds: Histogram<'kind'>;
  /** Activity attempts that failed, by activity type (a retried attempt counts each time). */
  readonly activityFailures: Counter<'activity'>;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'merzim_worker_' });
  return {
    registry,
    notices: new Counter({
      name: 'merzim_notices_total',
      help: 'E-mails sent or failed, by notice kind (reminder, escalation, …)',
      labelNames: ['kind', 'result'],
      registers: [registry],
    }),
    emailSeconds: new Histogram({
      name: 'merzim_email_send_seconds',
      help: 'Time to hand one e-mail to the SMTP relay',
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    activityFailures: new Counter({
      name: 'merzim_activity_failures_total',
      help: 'Failed activity attempts, by activity type',
      labelNames: ['activity'],
      registers: [registry],
    }),
  };
}

export interface ApiMetrics {
  readonly registry: Registry;
  /** Report submissions through the API: accepted (recorded) or refused (4xx). */
  readonly submissions: Counter<'result'>;
}

/** `overdue` is read at each scrape (one grouped query), so it is right whichever api instance is scraped. */
export function createApiMetrics(
  overdueByPlan: () => Promise<readonly { planId: string; count: number }[]>,
): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'merzim_api_' });
  new Gauge({
    name: 'merzim_overdue_obligations',
    help: 'Obligations overdue now, by plan',
    labelNames: ['plan_id'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { planId, count } of await overdueByPlan()) this.set({ plan_id: planId }, count);
    },
  });
  return {
    registry,
    submissions: new Counter({
      name: 'merzim_submissions_total',
      help: 'Report submissions through the API, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
