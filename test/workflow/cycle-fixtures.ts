// Shared set-up of the reporting-cycle workflow tests: a small plan's CycleSpec, a time-skipping scenario driver, mail and event readers.
import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { Kysely } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Database } from '../../db/database.js';
import { seedReferenceData } from '../../db/seed.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import { previewCycle, type CyclePreview, type TimelineItem } from '../../domain/cycle-timeline.js';
import { parseIsoDate, type IsoDate } from '../../domain/dates.js';
import { KZ_TIME_ZONE, localToInstant } from '../../domain/tz.js';
import { createMailer } from '../../platform/mailer.js';
import { reportingCycleWorkflow } from '../../workflows/index.js';
import { DEFAULT_TASK_QUEUE, SEARCH_ATTRIBUTES, acceptUpdate, cycleStatusQuery, submitUpdate, type ReportingCycleResult } from '../../workflows/shared.js';
import { cycleWorkflowId, obligationWorkflowId, type CycleSpec, type PartySpec, type ReportItem, type SubmitResult } from '../../domain/cycle-model.js';
import { ADDRESS_OWNER, smallPlanSpec } from '../unit/cycles/small-plan.js';

export { AQDM, BGM, IIM, MSM, OM, PA, PMO, UQK } from '../unit/cycles/small-plan.js';

export const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

/** A full report of every measure the party owes. */
export function fullReport(p: PartySpec, by = `reporter@${p.agencyCode}`): { submittedBy: string; items: ReportItem[] } {
  return { submittedBy: by, items: p.measures.map((m) => ({ measure: m.number, status: 'done' as const, text: `${m.title.ru}: выполнено.` })) };
}

/** 10:00 local on `date`: a time of day when reports are submitted and reviewed. */
export function localTime(date: IsoDate, hour = 10): number {
  const { year, month, day } = parseIsoDate(date);
  return localToInstant({ year, month, day, hour }, KZ_TIME_ZONE);
}

/**
 * The year the scenarios report on: the first whose cycle can still start on 1 December and whose executors'
 * deadline (10 January after it) is a day off, so every scenario also exercises the shift. With the clock of
 * late 2026 that is 2026 (10 January 2027 is a Sunday); the expectations are computed, so a later year works too.
 */
export function scenarioYear(nowMs: number): number {
  for (let year = new Date(nowMs).getUTCFullYear(); ; year++) {
    const start = localToInstant({ year, month: 12, day: 1 }, KZ_TIME_ZONE);
    if (start > nowMs + 86_400_000 && !KZ_WORKING_CALENDAR.isWorkingDay(`${year + 1}-01-10`)) return year;
  }
}

// ——— Mail and events ————————————————————————————————————————————————————————————————————

export interface SentMail {
  /** X-Merzim-Key: reminder:<obligation>:<due>:<offset>, escalation:…, returned:…, deadline-changed:… */
  readonly key: string;
  readonly kind: string;
  /** Recipients as agency codes ("АҚДМ", "АҚДМ:head"). */
  readonly to: readonly string[];
  /** The language written first. */
  readonly lang: string;
  /** Agency of the obligation the mail is about. */
  readonly about: string;
  readonly subject: string;
  readonly text: string;
  readonly ics: string | null;
}

export async function mailsOf(db: Kysely<Database>, planId: string): Promise<SentMail[]> {
  const rows = await db.selectFrom('sink_messages').select('raw').orderBy('id', 'asc').execute();
  const parsed = await Promise.all(rows.map((r) => simpleParser(r.raw)));
  // The key travels MIME-encoded in X-Merzim-Key; the outbox row it was sent from names it plainly, by Message-ID.
  const keys = new Map((await db.selectFrom('notifications').select(['message_id', 'dedupe_key']).execute()).map((n) => [n.message_id, n.dedupe_key]));
  return parsed
    .map((m) => {
      const key = keys.get(m.messageId ?? '') ?? '';
      const to = (Array.isArray(m.to) ? m.to : m.to === undefined ? [] : [m.to]).flatMap((a) => a.value.map((v) => ADDRESS_OWNER[v.address ?? ''] ?? v.address ?? ''));
      const calendar = m.attachments.find((a) => a.contentType === 'text/calendar');
      return {
        key,
        kind: key.split(':')[0]!,
        to,
        lang: String(m.headers.get('content-language') ?? '').split(',')[0]!.trim(),
        about: key.split(':')[4] ?? '',
        subject: m.subject ?? '',
        text: m.text ?? '',
        ics: calendar === undefined ? null : calendar.content.toString('utf8'),
      };
    })
    .filter((m) => m.key.includes(`:${planId}:`));
}

/** Mails as compact lines "kind about → recipients (lang)" with the reminder offset or escalation step, for exact comparisons. */
export function mailLines(mails: readonly SentMail[]): string[] {
  return mails.map((m) => {
    const parts = m.key.split(':');
    const detail = m.kind === 'reminder' ? ` ${parts.at(-1)}` : m.kind === 'escalation' ? ` step ${parts.at(-2)} ${parts.at(-1)}` : '';
    return `${m.kind}${detail} ${m.about} → ${[...m.to].sort().join(',')} (${m.lang})`;
  });
}

export async function eventsOf(db: Kysely<Database>, planId: string): Promise<{ type: string; subject: string; actor: string; payload: Record<string, unknown> }[]> {
  const rows = await db.selectFrom('events').selectAll().where('subject_id', 'like', `%:${planId}:%`).orderBy('id', 'asc').execute();
  return rows.map((r) => ({ type: r.type, subject: r.subject_id ?? '', actor: r.actor, payload: r.payload as Record<string, unknown> }));
}

/** Counts of event types, e.g. { 'reminder.sent': 6, … }. */
export function countTypes(events: readonly { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

/**
 * A real SMTP server that refuses the first transactions with the given reply codes (a relay that is down, then
 * overloaded), then accepts and stores every message like the embedded sink.
 */
export async function startRefusingSink(db: Kysely<Database>, refusals: readonly number[]): Promise<{ url: string; refused: () => number; close: () => Promise<void> }> {
  let transactions = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = refusals[transactions++];
        if (code !== undefined) return callback(Object.assign(new Error(`refused for the test (${code})`), { responseCode: code }));
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => storeSinkMessage(db, {
          messageId: parsed.messageId ?? null,
          mailFrom: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: parsed.subject ?? null,
          raw,
        })).then(() => callback(), (err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    refused: () => Math.min(transactions, refusals.length),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A history as plain JSON (int64 and bytes as strings, enums by name), read back by historyFromObject.
 * Not the SDK's historyToJSON: in this install @temporalio/common and @temporalio/proto each carry their own
 * protobufjs, and the SDK's proto-JSON helpers then refuse the other copy's types ("type must be a Type").
 */
export function historyToObject(history: History): unknown {
  const { History: HistoryMessage } = proto.temporal.api.history.v1;
  return HistoryMessage.toObject(HistoryMessage.fromObject(history), { longs: String, enums: String, bytes: String });
}

export function historyFromObject(json: unknown): History {
  return proto.temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}

// ——— The scenario driver —————————————————————————————————————————————————————————————————

export interface ScenarioDeps {
  readonly bundle: WorkflowBundleWithSourceMap;
  readonly db: Kysely<Database>;
  readonly smtpUrl: string;
}

/**
 * One reporting cycle on its own time-skipping server (every scenario starts from the same clock), its own
 * task queue and a worker that can be stopped and replaced; the plan id is unique, so the shared database
 * and SMTP sink tell scenarios apart.
 */
export class CycleScenario {
  readonly planId = `plan-${randomUUID().slice(0, 8)}`;
  readonly taskQueue = `${DEFAULT_TASK_QUEUE}-${randomUUID()}`;
  spec!: CycleSpec;
  preview!: CyclePreview;
  handle!: WorkflowHandle<typeof reportingCycleWorkflow>;
  year!: number;
  private worker?: { worker: Worker; running: Promise<void>; mailer: ReturnType<typeof createMailer> };

  private constructor(readonly env: TestWorkflowEnvironment, readonly deps: ScenarioDeps) {}

  static async create(deps: ScenarioDeps): Promise<CycleScenario> {
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } });
    // The time-skipping server knows only the search attributes registered with it, like a production namespace.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTES).map((name) => [name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */])),
    });
    await seedReferenceData(deps.db);
    const scenario = new CycleScenario(env, deps);
    scenario.year = scenarioYear(await env.currentTimeMs());
    return scenario;
  }

  /**
   * `cache: false` keeps no workflow in memory, hence no sticky queue: the time-skipping server measures a sticky
   * queue's schedule-to-start timeout on its own clock, which stands still while tasks wait, so work left on the
   * sticky queue of a stopped worker would never reach its successor.
   */
  async startWorker(opts: { cache?: boolean } = {}): Promise<void> {
    const mailer = createMailer(this.deps.smtpUrl);
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: this.taskQueue,
      workflowBundle: this.deps.bundle,
      ...(opts.cache === false ? { maxCachedWorkflows: 0 } : {}),
      activities: createActivities({ db: this.deps.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
    });
    this.worker = { worker, running: worker.run(), mailer };
  }

  async stopWorker(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    w.worker.shutdown();
    await w.running;
    w.mailer.close();
  }

  /** Starts the cycle at 00:00 local on 1 December of the scenario year. */
  async start(stages: 'cascade' | 'executors', executors?: readonly PartySpec[]): Promise<void> {
    await this.startSpec(smallPlanSpec({ planId: this.planId, year: this.year, stages, ...(executors === undefined ? {} : { executors }) }));
  }

  /** Starts a cycle of any spec of this scenario's plan (planId) and year at 00:00 local on 1 December of the year. */
  async startSpec(spec: CycleSpec): Promise<void> {
    this.spec = spec;
    this.preview = previewCycle(this.spec, KZ_WORKING_CALENDAR);
    await this.advanceTo(localToInstant({ year: this.year, month: 12, day: 1 }, KZ_TIME_ZONE));
    if (this.worker === undefined) await this.startWorker();
    this.handle = await this.env.client.workflow.start(reportingCycleWorkflow, {
      workflowId: cycleWorkflowId(this.planId, this.spec.period),
      taskQueue: this.taskQueue,
      args: [{ spec: this.spec }],
    });
    await this.obligationsStarted();
  }

  /** Waits (real time) until the cycle has started every obligation of the spec, so messages to them have a recipient. */
  async obligationsStarted(ids = this.preview.obligations.map((o) => o.obligationId)): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (const id of ids) {
      for (;;) {
        const started = await this.env.client.workflow.getHandle(id).describe().then(() => true, () => false);
        if (started) break;
        if (Date.now() > deadline) throw new Error(`obligation ${id} did not start`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  /** Skips the server's clock to `instantMs` (timers fire on the way; nothing happens if it is already past). */
  async advanceTo(instantMs: number): Promise<void> {
    const now = await this.env.currentTimeMs();
    if (instantMs > now) await this.env.sleep(instantMs - now);
  }

  obligationId(agency: PartySpec, stageId = 'executors'): string {
    return obligationWorkflowId(this.planId, this.spec.period, agency.agencyCode, stageId);
  }

  obligation(agency: PartySpec, stageId = 'executors'): WorkflowHandle {
    return this.env.client.workflow.getHandle(this.obligationId(agency, stageId));
  }

  /** The planned item of an obligation, from the same pure timeline the workflow uses. */
  item(agency: PartySpec, stageId: string, match: (i: TimelineItem) => boolean): TimelineItem {
    const o = this.preview.obligations.find((x) => x.agencyCode === agency.agencyCode && x.stageId === stageId);
    const item = o?.items.find(match);
    if (item === undefined) throw new Error(`no such timeline item for ${agency.agencyCode}/${stageId}`);
    return item;
  }

  reminderAt(agency: PartySpec, offset: number, stageId = 'executors'): number {
    return Date.parse(this.item(agency, stageId, (i) => i.kind === 'reminder' && i.offset === offset).at);
  }

  effectiveDue(stageId = 'executors'): IsoDate {
    return this.preview.obligations.find((o) => o.stageId === stageId)!.effectiveDueDate;
  }

  async submit(agency: PartySpec, stageId = 'executors', report = fullReport(agency)): Promise<SubmitResult> {
    return this.obligation(agency, stageId).executeUpdate(submitUpdate, { args: [report] });
  }

  async accept(agency: PartySpec, stageId = 'executors', by = 'coordinator@АҚДМ'): Promise<void> {
    await this.obligation(agency, stageId).executeUpdate(acceptUpdate, { args: [{ acceptedBy: by }] });
  }

  /** Waits (real time) until the plan has sent `count` e-mails: the last timer's sends may still be running. */
  async mailsWhen(count: number): Promise<SentMail[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const mails = await mailsOf(this.deps.db, this.planId);
      if (mails.length >= count) return mails;
      if (Date.now() > deadline) throw new Error(`expected ${count} e-mails, got ${mails.length}:\n${mailLines(mails).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async result(): Promise<ReportingCycleResult> {
    return this.handle.result();
  }

  /**
   * Writes the histories of the cycle and of every obligation it ran (amendments included) as
   * `<dir>/<name>.<n>.json`, each `{ workflowId, history }`, for the replay test (see historyToObject).
   */
  async recordHistories(name: string, dir: string | undefined): Promise<void> {
    if (dir === undefined || dir === '') return;
    mkdirSync(dir, { recursive: true });
    const status = await this.handle.query(cycleStatusQuery);
    const ids = [this.handle.workflowId, ...status.obligations.map((o) => o.obligationId)];
    for (const [i, workflowId] of ids.entries()) {
      const history = await this.env.client.workflow.getHandle(workflowId).fetchHistory();
      const file = `${dir}/${name}.${i === 0 ? 'cycle' : `obligation-${i}`}.json`;
      writeFileSync(file, `${JSON.stringify({ workflowId, history: historyToObject(history) })}\n`);
    }
  }

  async dispose(): Promise<void> {
    await this.stopWorker();
    await this.env.teardown();
  }
}
