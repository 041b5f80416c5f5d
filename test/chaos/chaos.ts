// Chaos on the production topology (the real Temporal server on PostgreSQL, two `npm run worker`, `npm run api`, the SMTP sink),
// loopback only and bounded in time. Each phase opens a cycle whose every obligation's reminder falls due at one instant, sends a
// wave of submissions through the obligations' `submit` Update during the burst, and takes one part of the stack away:
//
//   worker-killed      a worker SIGKILLed during the burst and a new one started in its place
//   smtp-down          the relay (the sink) down from before the instant for BENCH/CHAOS_SMTP_DOWN_S (300 s; --short 30 s)
//   postgres-restart   Merzim's PostgreSQL stopped during the burst and started again 5 s later
//   temporal-restart   the Temporal server stopped during the burst and started again 5 s later
//
// After each: every reminder delivered (each Message-ID in the sink, counted against the cycle's obligations), none sent twice,
// every submission the Update accepted stored (read model and events), no obligation stuck (each answers a query), the events
// table agreeing with the read model. Prints JSON on stdout (`--markdown` adds the table for docs/reliability.md on stderr);
// exits non-zero on any loss, duplicate or stuck obligation.
//
//   npm run -s chaos                # the full run: 4 phases × 200 obligations
//   npm run -s chaos -- --short     # what CI runs: 2 phases × 40 obligations, the relay down 30 s
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { cycleWorkflowId, obligationWorkflowId, type CycleSpec, type PartySpec } from '../../domain/cycle-model.js';
import { resolveDue } from '../../domain/cycle-timeline.js';
import type { IsoDate } from '../../domain/dates.js';
import { DEFAULT_ESCALATION } from '../../domain/plan.js';
import { ANNUAL_CASCADE_580 } from '../../domain/policies.js';
import { KZ_TIME_ZONE, localDateOf } from '../../domain/tz.js';
import { freePort } from '../../worker/embedded/ports.js';
import { resolveNodeRuntime } from '../../worker/production/node-runtime.js';
import { startProductionStack, type ProductionStack } from '../../worker/production/stack.js';
import { projectRootFrom } from '../../worker/temporal-binaries.js';
import { obligationStatusQuery, submitUpdate } from '../../workflows/shared.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';

export type FaultName = 'worker-killed' | 'smtp-down' | 'postgres-restart' | 'temporal-restart';

export interface ChaosOptions {
  readonly phases: readonly FaultName[];
  /** Obligations per phase, each with one reminder due at the phase's instant. */
  readonly parties: number;
  /** Of them, how many submit their report during the burst. */
  readonly submissions: number;
  readonly smtpDownMs: number;
  /** Seconds from opening a phase's cycle to its reminders' instant (the obligations must all have planned by then). */
  readonly leadSeconds: number;
  readonly log: (line: string) => void;
}

export interface PhaseResult {
  readonly fault: FaultName;
  readonly obligations: number;
  readonly remindersExpected: number;
  readonly remindersDelivered: number;
  readonly remindersLost: number;
  readonly duplicateDeliveries: number;
  /**
   * Reminders that arrived but that the outbox still calls unsent: the worker died between the relay's acceptance and the
   * outbox update, and the report arrived before the retry, so nothing sent it again (the outbox row stays "pending").
   */
  readonly outboxInDoubt: number;
  readonly lastReminderAfterInstantMs: number | null;
  readonly submissionsAccepted: number;
  readonly submissionsRefused: number;
  readonly submissionsStored: number;
  readonly stuckObligations: number;
  readonly eventsDisagreeing: number;
  readonly ok: boolean;
}

const TASK_QUEUE = 'reporting';
const MEASURES: PartySpec['measures'] = [
  {
    number: '1',
    title: {
      kk: 'Дін саласындағы мемлекеттік саясатты түсіндіру жұмыстарын жүргізу',
      ru: 'Проведение разъяснительной работы по государственной политике в религиозной сфере',
    },
  },
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Local (Asia/Almaty) HH:MM:SS of an instant. */
function almatyTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: KZ_TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

function chaosSpec(planId: string, parties: number, dueDate: IsoDate, noticeTime: string): CycleSpec {
  const domain = planId.replace(/[^a-z0-9-]/gi, '');
  const party = (code: string, lang: 'kk' | 'ru'): PartySpec => ({
    agencyCode: code,
    name: { kk: `${code} облысының әкімдігі`, ru: `Акимат области ${code}` },
    lang,
    byAgreement: false,
    emails: {
      reporter: [`report@${code.toLowerCase()}.${domain}.test`],
      head: [`head@${code.toLowerCase()}.${domain}.test`],
    },
    measures: MEASURES,
  });
  return {
    planId,
    planTitle: { kk: 'Хаос сынағының жоспары', ru: 'План испытания отказов' },
    period: dueDate.slice(0, 4),
    policyId: ANNUAL_CASCADE_580.id,
    shift: 'none',
    coordinator: party('АҚДМ', 'kk'),
    pmOffice: party('ПМК', 'kk'),
    presidentialAdministration: { ...party('ПӘ', 'kk'), measures: [] },
    stages: [
      {
        id: 'executors',
        from: 'executors',
        to: 'coordinator',
        dueDate,
        dueInstant: resolveDue(dueDate, 'none', KZ_WORKING_CALENDAR).dueInstant,
        parties: Array.from({ length: parties }, (_, i) =>
          party(`C${String(i + 1).padStart(4, '0')}`, i % 2 ? 'ru' : 'kk'),
        ),
      },
    ],
    reminders: { offsets: [0], unit: 'calendar', noticeTime },
    escalation: DEFAULT_ESCALATION,
  };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(1_000);
  }
}

async function injectFault(stack: ProductionStack, fault: FaultName, o: ChaosOptions, instant: number): Promise<void> {
  switch (fault) {
    case 'worker-killed':
      await sleep(Math.max(0, instant + 3_000 - Date.now()));
      o.log('fault: SIGKILL worker 1, a new worker in its place');
      await stack.faults.replaceWorker(0, 'SIGKILL');
      return;
    case 'smtp-down':
      await sleep(Math.max(0, instant - 5_000 - Date.now()));
      o.log(`fault: the relay down for ${Math.round(o.smtpDownMs / 1000)} s`);
      await stack.faults.stopSink();
      await sleep(o.smtpDownMs);
      await stack.faults.startSink();
      o.log('fault: the relay is back');
      return;
    case 'postgres-restart':
      await sleep(Math.max(0, instant + 3_000 - Date.now()));
      o.log("fault: Merzim's PostgreSQL stopped, started again in 5 s");
      await stack.faults.restartPostgres(5_000);
      return;
    case 'temporal-restart':
      await sleep(Math.max(0, instant + 3_000 - Date.now()));
      o.log('fault: the Temporal server stopped, started again in 5 s');
      await stack.faults.restartTemporal(5_000);
      return;
  }
}

/** Submits during the burst, retrying what a fault interrupted (as a client whose request failed would); counts the answers. */
async function submissionWave(
  client: Client,
  ids: readonly string[],
  startAt: number,
): Promise<{ accepted: string[]; refused: number }> {
  await sleep(Math.max(0, startAt - Date.now()));
  const accepted: string[] = [];
  let refused = 0;
  await Promise.all(
    ids.map(async (id, i) => {
      await sleep(i * 50);
      for (let attempt = 0; attempt < 30; attempt++) {
        try {
          await client.workflow.getHandle(id).executeUpdate(submitUpdate, {
            args: [{ submittedBy: 'chaos', items: [{ measure: '1', status: 'done', text: 'Орындалды.' }] }],
            updateId: `chaos-submit:${id}`,
          });
          accepted.push(id);
          return;
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) {
            refused++;
            return;
          }
          await sleep(2_000);
        }
      }
      refused++;
    }),
  );
  return { accepted, refused };
}

async function runPhase(
  stack: ProductionStack,
  client: Client,
  fault: FaultName,
  index: number,
  o: ChaosOptions,
): Promise<PhaseResult> {
  const db: Kysely<Database> = stack.db;
  const planId = `chaos-${index + 1}-${fault}-${Date.now().toString(36)}`;
  const instant = Math.ceil((Date.now() + o.leadSeconds * 1000) / 1000) * 1000;
  const dueDate = localDateOf(instant, KZ_TIME_ZONE);
  const spec = chaosSpec(planId, o.parties, dueDate, almatyTime(new Date(instant)));
  o.log(`phase ${fault}: ${o.parties} obligations, reminders due at ${new Date(instant).toISOString()}`);
  await client.workflow.start(reportingCycleWorkflow, {
    workflowId: cycleWorkflowId(planId, spec.period),
    taskQueue: TASK_QUEUE,
    args: [{ spec }],
  });
  await waitFor(`${o.parties} obligations planned`, instant - Date.now() - 1_000, async () => {
    const r = await db
      .selectFrom('obligations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('plan_id', '=', planId)
      .where('effective_due_date', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(r.n) >= o.parties ? true : undefined;
  });
  const ids = spec.stages[0]!.parties.map((p) => obligationWorkflowId(planId, spec.period, p.agencyCode, 'executors'));
  const [, wave] = await Promise.all([
    injectFault(stack, fault, o, instant),
    submissionWave(client, ids.slice(0, o.submissions), instant + 1_000),
  ]);

  // Delivered: every reminder's Message-ID in the sink, waited for up to 4 minutes after the fault has passed.
  // Per obligation: its reminder's copies in the sink, and whether the outbox recorded it sent. An obligation is served when its
  // reminder arrived, or when its report was in before the reminder went (then none is owed: "none after a report arrives").
  const submitted = wave.accepted.length === 0 ? ['-'] : wave.accepted;
  const delivered = async (): Promise<{
    owed: number;
    arrived: number;
    unserved: number;
    copies: number;
    inDoubt: number;
    last: Date | null;
  }> => {
    const r = await sql<{
      owed: string;
      arrived: string;
      unserved: string;
      copies: string;
      in_doubt: string;
      last: Date | null;
    }>`
      WITH per AS (
        SELECT o.workflow_id,
               o.workflow_id = ANY(${submitted}::text[]) AS reported,
               count(DISTINCT s.message_id) AS arrived,
               count(s.id) AS copies,
               count(DISTINCT n.dedupe_key) FILTER (WHERE n.status <> 'sent' AND s.id IS NOT NULL) AS in_doubt,
               max(s.received_at) AS last
          FROM obligations o
          LEFT JOIN notifications n ON n.workflow_id = o.workflow_id AND n.dedupe_key LIKE 'reminder:%'
          LEFT JOIN sink_messages s ON s.message_id = n.message_id
         WHERE o.plan_id = ${planId}
         GROUP BY o.workflow_id)
      SELECT count(*) FILTER (WHERE arrived > 0 OR NOT reported)::text AS owed,
             count(*) FILTER (WHERE arrived > 0)::text AS arrived,
             count(*) FILTER (WHERE arrived = 0 AND NOT reported)::text AS unserved,
             coalesce(sum(copies), 0)::text AS copies,
             coalesce(sum(in_doubt), 0)::text AS in_doubt,
             max(last) AS last
        FROM per`.execute(db);
    const row = r.rows[0]!;
    return {
      owed: Number(row.owed),
      arrived: Number(row.arrived),
      unserved: Number(row.unserved),
      copies: Number(row.copies),
      inDoubt: Number(row.in_doubt),
      last: row.last,
    };
  };
  let seen = await waitFor('the reminders in the sink', 240_000, async () => {
    const d = await delivered();
    return d.unserved === 0 ? d : undefined;
  }).catch(async (err: Error) => {
    o.log(`phase ${fault}: ${err.message}`);
    return delivered();
  });
  // Anything late or doubled (a retried send, a replayed timer) arrives in this quiet time.
  await sleep(15_000);
  seen = await delivered();

  // Stored: each accepted submission in the read model and the events.
  const stored = await db
    .selectFrom('obligations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('plan_id', '=', planId)
    .where('status', '=', 'submitted')
    .where('workflow_id', 'in', wave.accepted.length === 0 ? ['-'] : wave.accepted)
    .executeTakeFirstOrThrow();
  const disagreeing = await sql<{ n: string }>`
    SELECT count(*)::text AS n FROM obligations o
     WHERE o.plan_id = ${planId}
       AND (o.status = 'submitted') <> EXISTS (
             SELECT 1 FROM events e WHERE e.subject_id = o.workflow_id AND e.type = 'report.submitted')`.execute(db);
  // Not stuck: each obligation answers a query (its workflow is alive on a worker and not wedged).
  let stuck = 0;
  for (const id of ids) {
    try {
      await client.workflow.getHandle(id).query(obligationStatusQuery);
    } catch {
      stuck++;
    }
  }
  const result: PhaseResult = {
    fault,
    obligations: o.parties,
    remindersExpected: seen.owed,
    remindersDelivered: seen.arrived,
    remindersLost: seen.unserved,
    duplicateDeliveries: seen.copies - seen.arrived,
    outboxInDoubt: seen.inDoubt,
    lastReminderAfterInstantMs: seen.last === null ? null : new Date(seen.last).getTime() - instant,
    submissionsAccepted: wave.accepted.length,
    submissionsRefused: wave.refused,
    submissionsStored: Number(stored.n),
    stuckObligations: stuck,
    eventsDisagreeing: Number(disagreeing.rows[0]!.n),
    ok: false,
  };
  const ok =
    result.remindersLost === 0 &&
    result.remindersDelivered === result.remindersExpected &&
    result.duplicateDeliveries === 0 &&
    result.submissionsStored === result.submissionsAccepted &&
    result.stuckObligations === 0 &&
    result.eventsDisagreeing === 0;
  o.log(`phase ${fault}: ${JSON.stringify({ ...result, ok })}`);
  return { ...result, ok };
}

export async function runChaos(o: ChaosOptions): Promise<{ phases: PhaseResult[]; ok: boolean }> {
  const projectRoot = projectRootFrom(import.meta.url);
  const node = resolveNodeRuntime({ projectRoot, env: process.env, log: o.log });
  const dir = mkdtempSync(join(tmpdir(), 'merzim-chaos-'));
  chmodSync(dir, 0o755);
  let stack: ProductionStack | undefined;
  let connection: Connection | undefined;
  try {
    stack = await startProductionStack({
      projectRoot,
      dataDir: dir,
      ports: { api: await freePort(), postgres: await freePort(), temporal: await freePort(), smtp: await freePort() },
      workers: 2,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      logLevel: 'warn',
      mailFrom: 'Merzim <merzim@chaos.test>',
      nodeBinDir: node.binDir,
      buildServer: false,
      log: o.log,
    });
    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const phases: PhaseResult[] = [];
    for (const [i, fault] of o.phases.entries()) phases.push(await runPhase(stack, client, fault, i, o));
    return { phases, ok: phases.every((p) => p.ok) };
  } finally {
    await connection?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function markdownTable(phases: readonly PhaseResult[]): string {
  const head =
    '| Fault | Obligations | Reminders delivered / owed | Lost | Sent twice | Outbox in doubt | Last after instant | Submissions stored / accepted | Stuck | Events ≠ read model | OK |';
  const rows = phases.map(
    (p) =>
      `| ${p.fault} | ${p.obligations} | ${p.remindersDelivered} / ${p.remindersExpected} | ${p.remindersLost} | ${p.duplicateDeliveries} | ${p.outboxInDoubt} | ${p.lastReminderAfterInstantMs === null ? '—' : `${(p.lastReminderAfterInstantMs / 1000).toFixed(1)} s`} | ${p.submissionsStored} / ${p.submissionsAccepted} | ${p.stuckObligations} | ${p.eventsDisagreeing} | ${p.ok ? 'yes' : '**no**'} |`,
  );
  return [head, `|${'---|'.repeat(11)}`, ...rows].join('\n');
}

/** What CI runs (test/integration/chaos.test.ts and `npm run -s chaos -- --short`). */
export const SHORT_CHAOS: Omit<ChaosOptions, 'log'> = {
  phases: ['worker-killed', 'smtp-down'],
  parties: 40,
  submissions: 10,
  smtpDownMs: 30_000,
  leadSeconds: 60,
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const short = process.argv.includes('--short');
  const log = (line: string): void =>
    void process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const options: ChaosOptions = short
    ? { ...SHORT_CHAOS, log }
    : {
        phases: ['worker-killed', 'smtp-down', 'postgres-restart', 'temporal-restart'],
        parties: Number(process.env.CHAOS_PARTIES ?? 200),
        submissions: Number(process.env.CHAOS_SUBMISSIONS ?? 40),
        smtpDownMs: Number(process.env.CHAOS_SMTP_DOWN_S ?? 300) * 1000,
        leadSeconds: Number(process.env.CHAOS_LEAD_S ?? 120),
        log,
      };
  const started = Date.now();
  const { phases, ok } = await runChaos(options);
  process.stdout.write(
    `${JSON.stringify({ chaos: short ? 'short' : 'full', at: new Date().toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model }, seconds: Math.round((Date.now() - started) / 1000), settings: { ...options, log: undefined }, phases, ok }, null, 2)}\n`,
  );
  if (process.argv.includes('--markdown')) process.stderr.write(`\n${markdownTable(phases)}\n`);
  process.exit(ok ? 0 : 1);
}
