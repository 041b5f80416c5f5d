// Dependency probes for GET /health: Temporal, PostgreSQL and SMTP reported separately, each with a time limit.
import { sql, type Kysely } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';

export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export type Probe = () => Promise<ProbeResult>;

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // Only the first line: driver messages can be long, and must never carry credentials.
    const message = ((err as Error).message ?? String(err)).split('\n')[0]!.replace(/\/\/[^@\s]*@/g, '//***@');
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: message };
  } finally {
    clearTimeout(timer);
  }
}

export function postgresProbe(db: Kysely<Database>): Probe {
  return () => timed(() => sql`select 1`.execute(db), 3_000);
}

export function temporalProbe(client: Client): Probe {
  return () => timed(() => client.workflowService.getSystemInfo({}), 3_000);
}

/** SMTP verification opens a connection, so its result is reused for a few seconds. */
export function smtpProbe(mailer: Transporter, cacheMs = 5_000): Probe {
  let last: { at: number; result: ProbeResult } | undefined;
  return async () => {
    if (last !== undefined && Date.now() - last.at < cacheMs) return last.result;
    const result = await timed(() => mailer.verify(), 5_000);
    last = { at: Date.now(), result };
    return result;
  };
}
