// The API's start-up wiring, written once for `npm run api` and the embedded stack: cycle engine, schedule reconciliation,
// health probes and the Fastify app over the resources the caller opened (and will close).
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';
import type { ApiMetrics } from '../platform/metrics.js';
import type { EvidenceConfig, LimitsConfig } from '../platform/config.js';
import { buildApp } from './app.js';
import { openEvidenceStore } from './evidence/store.js';
import { createCycleEngine, logReconciliation } from './cycle-engine.js';
import { postgresProbe, smtpProbe, temporalProbe } from './health.js';

export interface ApiResources {
  readonly db: Kysely<Database>;
  readonly temporal: Client;
  readonly taskQueue: string;
  /** Only for /health: the API sends no mail itself. Absent: SMTP reported as not configured. */
  readonly mailer: Transporter | undefined;
  /** The embedded SMTP sink is running (its messages are listed under /api/v1/sink). */
  readonly sinkEnabled: boolean;
  /** The Temporal web UI the pages link each obligation's workflow to; absent when unknown. */
  readonly temporalUi?: { readonly url: string; readonly namespace: string };
  /** Prometheus metrics: GET /metrics for admins (npm run api sets them). */
  readonly metrics?: ApiMetrics;
  /** MERZIM_PUBLIC_URL: the base of the links the API hands out (agencies' feed URLs). */
  readonly publicUrl?: string;
  /** MERZIM_WORKFLOW_BUNDLE: what the replay check replays against (else bundled on first use). */
  readonly workflowBundlePath?: string;
  /** MERZIM_EVIDENCE_*: where evidence files are kept and their limits; absent: PostgreSQL, 25 MB and 200 MB. */
  readonly evidence?: EvidenceConfig;
  /** MERZIM_RATE_LIMIT_*, body, plan and backfill limits (api/limits.ts); absent: the defaults without rate limits. */
  readonly limits?: LimitsConfig;
}

/**
 * Builds the API over open resources and reconciles the plans' Temporal Schedules, so a confirmed plan always has one; a plan that
 * cannot have one is logged with its id and left, and the API still starts (one bad row never keeps the service down).
 */
export async function composeApi(res: ApiResources, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const cycleEngine = createCycleEngine({ client: res.temporal, db: res.db, taskQueue: res.taskQueue });
  const mailer = res.mailer;
  const app = await buildApp(
    {
      db: res.db,
      temporal: res.temporal,
      taskQueue: res.taskQueue,
      cycleEngine,
      probes: {
        temporal: temporalProbe(res.temporal),
        postgres: postgresProbe(res.db),
        smtp:
          mailer === undefined
            ? async () => ({ ok: false, latencyMs: 0, error: 'SMTP_URL is not set' })
            : smtpProbe(mailer),
      },
      sinkEnabled: res.sinkEnabled,
      ...(res.temporalUi === undefined
        ? {}
        : { temporalUiUrl: res.temporalUi.url, temporalNamespace: res.temporalUi.namespace }),
      ...(res.metrics === undefined ? {} : { metrics: res.metrics }),
      ...(res.publicUrl === undefined ? {} : { publicUrl: res.publicUrl }),
      ...(res.workflowBundlePath === undefined ? {} : { workflowBundlePath: res.workflowBundlePath }),
      ...(res.limits === undefined ? {} : { limits: res.limits }),
      ...(res.evidence === undefined
        ? {}
        : {
            evidence: {
              store: openEvidenceStore(res.evidence, res.db),
              limits: { maxFileBytes: res.evidence.maxFileBytes, maxReportBytes: res.evidence.maxReportBytes },
            },
          }),
    },
    options,
  );
  logReconciliation(await cycleEngine.reconcileSchedules(), app.log);
  return app;
}
