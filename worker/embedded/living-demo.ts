// Drives the living demo once the worker runs: opens its cycle and sends the demo's reports and review through the real Updates.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { CycleEngine } from '../../api/cycle-engine.js';
import type { Database } from '../../db/database.js';
import { listObligations } from '../../db/repositories/cycles.js';
import { appendEvent, listEvents } from '../../db/repositories/events.js';
import { getPlan } from '../../db/repositories/plans.js';
import { addDays } from '../../domain/dates.js';
import { localDateOf } from '../../domain/tz.js';
import { returnReportUpdate } from '../../workflows/shared.js';
import type { Principal } from '../../api/auth.js';
import { createObligationService } from '../../api/services/obligations.js';
import { createReportService } from '../../api/services/reports.js';
import type { ReportContent } from '../../domain/report.js';
import { markMissingCommand, saveSummaryTextsCommand } from '../../db/commands/summaries.js';
import { createLivingDemo, type LivingDemo, type LivingDemoSeed } from '../demo.js';

export interface LivingDemoDeps {
  readonly db: Kysely<Database>;
  readonly client: Client;
  readonly engine: Pick<CycleEngine, 'openCycle'>;
  readonly log: (line: string) => void;
  /** Stops the wait for obligations when the stack is stopping. */
  readonly signal?: AbortSignal;
  /** How long to wait for the demo's obligations to open (default 60 s). */
  readonly timeoutMs?: number;
}

export interface LivingDemoResult {
  readonly cycleId: string | null;
  readonly submitted: readonly string[];
  readonly returned: readonly string[];
  /** True when an earlier start already drove the demo (nothing was sent again). */
  readonly alreadyDriven: boolean;
}

// Who acts in the demo: the demo users where there is one, else a "demo" token of the agency.
const ACTOR: Readonly<Record<string, string>> = { БҒМ: 'bgm.reporter', Алматы: 'almaty.reporter' };

/** The agency's reporter as the report service sees a caller (the demo user where there is one). */
function reporterOf(agencyCode: string): Principal {
  return {
    tokenId: 'demo',
    name: 'demo',
    role: 'reporter',
    agencyCode,
    userId: null,
    username: ACTOR[agencyCode] ?? null,
    mustChangePassword: false,
  };
}

const NARRATIVE = {
  kk: 'Демо есеп: іс-шара бойынша жұмыс жүргізілуде, ақпарат қоса беріледі.',
  ru: 'Демо-отчёт: работа по мероприятию ведётся, информация прилагается.',
};
const RETURN_COMMENT = 'Демо: көрсеткіштер мен сандарды толықтырыңыз. / Демо: дополните показатели и цифры.';

/**
 * Opens the demo cycle (the opener refuses a second one) and, once the submitting agencies' obligations are open, submits
 * their reports through `submit` and returns one through `returnReport` with a comment and a new date a week on — the same
 * Updates the API sends, so the workflows record, notify and re-plan as for any user. Runs once per database (event
 * `demo.living.driven`). The overdue agency, the reminders and the escalation need nobody: the plan's dates do them.
 */
export async function driveLivingDemo(deps: LivingDemoDeps, demo: LivingDemo): Promise<LivingDemoResult> {
  const { db, client, log } = deps;
  // Every Temporal call under the stop signal: the worker stops on the same signal, and a call left waiting on a workflow
  // would otherwise outlive the connection.
  const temporal = <T>(fn: () => Promise<T>): Promise<T> =>
    deps.signal === undefined ? fn() : client.withAbortSignal(deps.signal, fn);
  if ((await listEvents(db, { type: 'demo.living.driven', limit: 1 })).length > 0)
    return { cycleId: null, submitted: [], returned: [], alreadyDriven: true };
  const plan = await getPlan(db, demo.planId);
  if (plan === undefined) throw new Error(`living demo: plan ${demo.planId} not found`);
  // ІІМ was due yesterday: the demo period is live and late, so it opens in catch-up mode (its overdue notices go out now).
  const opened = await temporal(() => deps.engine.openCycle(plan, demo.period, 'demo', 'catch-up'));
  if (opened.status === 'not_opened')
    throw new Error(`living demo: cycle ${demo.period} not opened: ${opened.reason ?? 'no reason given'}`);
  const cycleId = opened.cycleId;

  const acting = demo.obligations.filter((o) => o.fate === 'submitted' || o.fate === 'returned');
  const deadline = Date.now() + (deps.timeoutMs ?? 60_000);
  const ids = new Map<string, string>();
  while (ids.size < acting.length) {
    if (deps.signal?.aborted === true) throw new Error('living demo: stopped before its obligations opened');
    if (Date.now() > deadline)
      throw new Error(`living demo: obligations of ${acting.map((o) => o.agencyCode).join(', ')} did not open in time`);
    for (const o of acting) {
      if (ids.has(o.agencyCode)) continue;
      const [row] = await listObligations(db, {
        planId: demo.planId,
        period: demo.period,
        agencyCode: o.agencyCode,
        limit: 1,
      });
      if (row !== undefined) ids.set(o.agencyCode, row.workflow_id);
    }
    if (ids.size < acting.length) await new Promise((r) => setTimeout(r, 200));
  }

  const submitted: string[] = [];
  const returned: string[] = [];
  // The reports go in as the API's do: the report service validates the full report, stores it as an immutable version
  // (report_versions) and executes the `submit` Update with its id, number and hash only.
  const obligations = createObligationService({ db, temporal: client });
  const reports = createReportService({ db, temporal: client, obligations });
  for (const o of acting) {
    const id = ids.get(o.agencyCode)!;
    const handle = client.workflow.getHandle(id);
    const reporter = reporterOf(o.agencyCode);
    const content: ReportContent = {
      period: demo.period,
      measures: [{ measure: o.measure, status: 'in_progress', narrative: { ...NARRATIVE }, indicators: [] }],
      events: [],
      risks: [],
      annexes: [],
      signatory: { name: reporter.username ?? `${o.agencyCode} (demo)`, position: 'Демо / Демо' },
      signedOn: localDateOf(Date.now()),
    };
    await temporal(() => reports.submit(reporter, id, { content }));
    submitted.push(id);
    if (o.fate === 'returned') {
      const newDueDate = addDays(localDateOf(Date.now()), 7);
      await temporal(() =>
        handle.executeUpdate(returnReportUpdate, {
          args: [{ returnedBy: 'user:akdm.coordinator', comment: RETURN_COMMENT, newDueDate }],
        }),
      );
      returned.push(id);
    }
  }
  await startDemoSummary(db, demo);
  await appendEvent(db, {
    idempotencyKey: `demo.living.driven:${demo.planId}`,
    type: 'demo.living.driven',
    actor: 'demo',
    subjectType: 'plan',
    subjectId: demo.planId,
    payload: { cycleId, submitted, returned },
  });
  log(
    `Living demo: cycle ${cycleId ?? demo.period} open; ${submitted.length} report(s) submitted, ${returned.length} returned`,
  );
  return { cycleId, submitted, returned, alreadyDriven: false };
}

/**
 * A summary in progress on the overdue agency's stage (the cycle's earliest, which the summary page opens on): the
 * coordinator has written a preface and marked the overdue agency missing with a reason, as on the summary page.
 */
async function startDemoSummary(db: Kysely<Database>, demo: LivingDemo): Promise<void> {
  const overdue = demo.obligations.find((o) => o.fate === 'overdue');
  if (overdue === undefined) return;
  // Its obligation opened with the others; its row may be a moment behind theirs.
  let row: Awaited<ReturnType<typeof listObligations>>[number] | undefined;
  for (let i = 0; i < 40 && row === undefined; i++) {
    [row] = await listObligations(db, {
      planId: demo.planId,
      period: demo.period,
      agencyCode: overdue.agencyCode,
      limit: 1,
    });
    if (row === undefined) await new Promise((r) => setTimeout(r, 250));
  }
  if (row?.cycle_workflow_id == null) return;
  const key = { cycleId: row.cycle_workflow_id, stageId: row.stage_id };
  const actor = 'user:akdm.coordinator';
  await db.transaction().execute(async (trx) => {
    await saveSummaryTextsCommand(trx, {
      ...key,
      actor,
      texts: {
        preface: {
          kk: 'Демо: жиынтық ақпарат дайындалуда, есептер қабылданған сайын толықтырылады.',
          ru: 'Демо: сводная информация готовится и дополняется по мере принятия отчётов.',
        },
        conclusions: { kk: null, ru: null },
      },
    });
    await markMissingCommand(trx, {
      ...key,
      agencyCode: overdue.agencyCode,
      actor,
      reason:
        'Демо: есеп мерзімінде ұсынылмады, хат жіберілді. / Демо: отчёт не представлен в срок, направлено письмо.',
    });
  });
}

/**
 * The whole living demo on a freshly loaded database, once the worker runs: creates its plan with the notices `leadMs` ahead
 * (default 20 s: the cycle opens in a few), then opens and drives it. Nothing when it was created before.
 */
export async function startLivingDemo(
  deps: LivingDemoDeps,
  seed: LivingDemoSeed,
  opts: { leadMs?: number } = {},
): Promise<LivingDemoResult | undefined> {
  const living = await createLivingDemo(deps.db, seed, { leadMs: opts.leadMs ?? 20_000 });
  if (living === undefined) return undefined;
  deps.log(`Living demo: plan ${living.planId} (${living.period}); reminders and an escalation at ${living.noticeAt}`);
  return driveLivingDemo(deps, living);
}
