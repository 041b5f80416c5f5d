// A cycle's consolidated summary built from what the read model holds today: one stage's obligations (their status, due date
// and latest report), the plan's measures and indicators, the working-day calendar. For the coordinator of the cycle's plan,
// the PM Office and admins; a reporter may not (403), a caller who may not see the cycle gets 404 from the cycle service.
// Reports today carry one text per measure and no indicator values; the report-versions module will feed the same inputs.
//
// Submitting upward: the summary as built now (with its marks, preface and conclusions) is frozen into an immutable row of
// summary_versions and handed to the carrier obligation — the stage whose party is the summary's sender (the coordinator's
// stage to the PM Office; the PM Office's to the Presidential Administration) — by its `submit` Update with only the version's
// id, number, hash and a status per measure, in one transaction as an agency's report is (api/services/reports.ts). Refused
// with 409 naming the blockers while any is left without an override and its reason. The recipient reviews the carrier
// obligation as any report (accept, return with remarks). One level up, the PM Office's report consolidates the coordinators'
// stage: each accepted summary version counts as that stage's accepted report (domain/summary-version.ts summaryAsReport).
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database, ObligationRow } from '../../db/database.js';
import { loadWorkingCalendar } from '../../db/repositories/calendar.js';
import { getCycle, listObligations } from '../../db/repositories/cycles.js';
import { getPlan } from '../../db/repositories/plans.js';
import { getSummaryTexts, listSummaryMarks } from '../../db/repositories/summaries.js';
import { markMissingCommand, saveSummaryTextsCommand, unmarkMissingCommand } from '../../db/commands/summaries.js';
import type { CycleSpec, MeasureStatus, PartySpec, StageSpec } from '../../domain/cycle-model.js';
import { parsePeriodKey } from '../../domain/periods.js';
import type { Measure } from '../../domain/plan.js';
import {
  assembleSummary,
  type AcceptedReportInput,
  type ConsolidatedSummary,
  type MissingMarkInput,
  type SummaryBody,
  type SummaryIndicatorInput,
  type SummaryMeasureInput,
  type SummaryPartyInput,
  type SummaryTextsInput,
} from '../../domain/summary.js';
import { getVersion } from '../../db/repositories/report-versions.js';
import {
  getSummaryVersion,
  insertSummaryVersion,
  latestSummaryVersionNumber,
  listSummaryVersions,
  type SummaryVersion,
  type SummaryVersionHead,
} from '../../db/repositories/summary-versions.js';
import { appendEvent } from '../../db/repositories/events.js';
import { canonicalJson } from '../../domain/report.js';
import type { SubmitResult } from '../../domain/cycle-model.js';
import {
  describeBlocker,
  summaryAsReport,
  summaryStatuses,
  unresolvedBlockers,
  type BlockerOverride,
  type FrozenSummary,
} from '../../domain/summary-version.js';
import { submitUpdate } from '../../workflows/shared.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import { scopeOf } from '../plan-access.js';
import type { ObligationService } from './obligations.js';

/** The latest submission as the obligation workflow projects it (api/schemas/obligations.ts, Report). */
interface ProjectedReport {
  readonly version: number;
  readonly submittedAt: string;
  /** A report sent as items (before report versions, or by an older client); a versioned one has its content in PostgreSQL. */
  readonly items?: readonly { readonly measure: string; readonly status: MeasureStatus; readonly text: string }[];
  readonly versionId?: string;
}

const bodyOf = (party: PartySpec): SummaryBody => ({ code: party.agencyCode, name: party.name });

/** Whom a stage's summary comes from (the stage's receiver) and goes to (the next body up the chain). */
function senderAndRecipient(spec: CycleSpec, stage: StageSpec): { sender: PartySpec; recipient: PartySpec } {
  switch (stage.to) {
    case 'coordinator':
      return { sender: stage.recipient ?? spec.coordinator, recipient: spec.pmOffice };
    case 'pm_office':
      return { sender: stage.recipient ?? spec.pmOffice, recipient: spec.presidentialAdministration };
    case 'presidential_administration':
      return {
        sender: stage.recipient ?? spec.presidentialAdministration,
        recipient: spec.presidentialAdministration,
      };
  }
}

/** A target written as a number (or a numeric string, as YAML may carry it); anything else is no target. */
function plannedValue(target: number | string | undefined): number | null {
  if (typeof target === 'number') return Number.isFinite(target) ? target : null;
  if (typeof target === 'string' && /^\s*-?\d+([.,]\d+)?\s*$/.test(target)) return Number(target.replace(',', '.'));
  return null;
}

function measureInput(
  number: string,
  title: { kk: string | null; ru: string | null },
  planned: Measure | undefined,
  year: string,
): SummaryMeasureInput {
  const indicators: SummaryIndicatorInput[] = (planned?.indicators ?? []).map((indicator, i) => ({
    key: String(i + 1),
    name: indicator.name,
    unit: indicator.unit,
    planned: plannedValue(indicator.targets[year]),
  }));
  return { number, title, indicators };
}

/**
 * The accepted report of a party: a versioned one read from `report_versions` (narratives in both languages, indicator values
 * by the plan's indicator index), an items one from the read model (its one text shown in the party's language).
 */
async function acceptedReport(
  db: Kysely<Database>,
  party: PartySpec,
  row: ObligationRow,
  stage: StageSpec,
): Promise<AcceptedReportInput | undefined> {
  const report = row.report as ProjectedReport | null;
  if (row.status !== 'accepted' || report === null) return undefined;
  if (stage.from !== 'executors') {
    // A stage of summaries (the coordinator's): its accepted report is the frozen summary version.
    const frozen = await getSummaryVersion(db, row.workflow_id, report.version);
    return frozen === undefined
      ? undefined
      : summaryAsReport(frozen.content, {
          agencyCode: party.agencyCode,
          version: report.version,
          submittedAt: report.submittedAt,
        });
  }
  if (Array.isArray(report.items))
    return {
      agencyCode: party.agencyCode,
      version: report.version,
      submittedAt: report.submittedAt,
      items: report.items.map((item) => ({
        measure: item.measure,
        status: item.status,
        narrative: { kk: party.lang === 'kk' ? item.text : null, ru: party.lang === 'ru' ? item.text : null },
        indicators: [],
      })),
    };
  const version = await getVersion(db, row.workflow_id, report.version);
  if (version === undefined) return undefined;
  return {
    agencyCode: party.agencyCode,
    version: report.version,
    submittedAt: report.submittedAt,
    items: version.content.measures.map((m) => ({
      measure: m.measure,
      status: m.status,
      narrative: { kk: m.narrative.kk ?? null, ru: m.narrative.ru ?? null },
      indicators: m.indicators.map((v) => ({ key: String(v.indicator + 1), value: v.value })),
    })),
  };
}

export type SummaryService = ReturnType<typeof createSummaryService>;

/** Statuses in which the carrier obligation takes a (new) summary version. */
const OPEN_FOR_SUBMISSION: readonly ObligationRow['status'][] = ['pending', 'overdue', 'returned'];

/** The stage whose obligation carries a summary of `stage` upward: the one its recipient reports in (by role). */
export function carrierStageOf(spec: CycleSpec, stage: StageSpec): StageSpec | undefined {
  if (stage.recipient !== undefined || stage.to === 'presidential_administration') return undefined;
  return spec.stages.find((s) => s.from === stage.to && s.parties.length > 0);
}

/** A summary version as its sender and recipient list it, with the carrier obligation's state. */
export interface SummaryVersions {
  readonly obligationId: string;
  readonly status: ObligationRow['status'];
  readonly versions: SummaryVersionHead[];
}

export function createSummaryService(deps: {
  db: Kysely<Database>;
  obligations: ObligationService;
  temporal?: Client;
}) {
  const { db, obligations } = deps;
  /** The cycle, its spec and the stage a summary consolidates, if the caller may see the summary (404 / 403 otherwise). */
  async function resolve(p: Principal, cycleId: string, stageId: string | undefined) {
    const head = await obligations.visibleCycle(p, cycleId);
    if (p.role === 'reporter')
      throw new HttpError(403, 'forbidden', "Only the plan's coordinator, the PM Office or an admin sees the summary");
    const cycle = await getCycle(db, head.workflow_id);
    const spec = cycle?.spec;
    if (spec === null || spec === undefined) throw new HttpError(404, 'not_found', `No spec for cycle ${cycleId}`);
    const stage =
      stageId === undefined
        ? // The policy's own stage of executors (id "executors"); a plan whose measures all have their own dates: the first.
          (spec.stages.find((s) => s.id === 'executors') ?? spec.stages.find((s) => s.from === 'executors'))
        : spec.stages.find((s) => s.id === stageId);
    if (stage === undefined)
      throw new HttpError(
        400,
        'invalid_request',
        stageId === undefined
          ? `stage: cycle ${cycleId} has no stage of executors; name one`
          : `stage: no stage ${stageId} in cycle ${cycleId}`,
      );
    return { head, spec, stage, key: { cycleId: head.workflow_id, stageId: stage.id } };
  }

  /**
   * Marks, texts and submitting are the sender's: for a summary of reports to the coordinator, the plan's coordinator; for
   * the PM Office's report (a stage to the PM Office), the PM Office; an admin always. Others read it only.
   */
  async function assertEditor(p: Principal, planId: string, stage?: StageSpec): Promise<void> {
    if (p.role === 'admin') return;
    if (stage?.to === 'pm_office') {
      if (p.role === 'pm_office') return;
      throw new HttpError(403, 'forbidden', "Only the PM Office or an admin edits the PM Office's report");
    }
    if (p.role === 'coordinator' && (await scopeOf(db, p)).coordinated.has(planId)) return;
    throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin edits the summary");
  }

  /** The carrier obligation of a summary (404 when the cycle has no stage to carry it, or it has not opened). */
  async function carrierOf(spec: CycleSpec, stage: StageSpec, cycleId: string): Promise<ObligationRow> {
    const carrier = carrierStageOf(spec, stage);
    const party = carrier?.parties[0];
    const [row] =
      carrier === undefined || party === undefined
        ? []
        : await listObligations(db, { cycleWorkflowId: cycleId, stageId: carrier.id, agencyCode: party.agencyCode });
    if (row === undefined)
      throw new HttpError(404, 'not_found', `stage: no obligation carries the summary of stage ${stage.id} upward`);
    return row;
  }

  async function build(
    { head, spec, stage, key }: Awaited<ReturnType<typeof resolve>>,
    now: Date,
  ): Promise<ConsolidatedSummary> {
    const [stored, calendar, marks, texts] = await Promise.all([
      getPlan(db, head.plan_id),
      loadWorkingCalendar(db),
      listSummaryMarks(db, key),
      getSummaryTexts(db, key),
    ]);
    const rows = new Map(
      (await listObligations(db, { cycleWorkflowId: head.workflow_id, stageId: stage.id })).map((o) => [
        o.agency_code,
        o,
      ]),
    );
    const year = String(parsePeriodKey(spec.period).year);
    const planMeasures = new Map((stored?.plan.measures ?? []).map((m) => [m.number, m]));
    const order = new Map((stored?.plan.measures ?? []).map((m, i) => [m.number, i]));
    const owed = new Map<string, { kk: string | null; ru: string | null }>();
    for (const party of stage.parties)
      for (const m of party.measures) if (!owed.has(m.number)) owed.set(m.number, m.title ?? { kk: null, ru: null });
    const measures = [...owed]
      .sort(([a], [b]) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity))
      .map(([number, title]) => measureInput(number, title, planMeasures.get(number), year));

    const parties: SummaryPartyInput[] = stage.parties.map((party) => {
      const row = rows.get(party.agencyCode);
      return {
        agency: bodyOf(party),
        status: row?.status ?? 'pending',
        due: {
          dueDate: row?.due_date ?? stage.dueDate,
          effectiveDueDate: row?.effective_due_date ?? row?.due_date ?? stage.dueDate,
          dueInstant: row?.due_at.toISOString() ?? stage.dueInstant,
        },
        measures: party.measures.map((m) => m.number),
      };
    });
    const reports = (
      await Promise.all(
        stage.parties.map(async (party) => {
          const row = rows.get(party.agencyCode);
          return row === undefined ? undefined : acceptedReport(db, party, row, stage);
        }),
      )
    ).filter((r): r is AcceptedReportInput => r !== undefined);
    const { sender, recipient } = senderAndRecipient(spec, stage);
    return assembleSummary(
      {
        plan: {
          id: head.plan_id,
          number: stored?.plan.approvedBy.number ?? null,
          title: stored?.plan.title ?? spec.planTitle,
        },
        period: spec.period,
        sender: bodyOf(sender),
        recipient: bodyOf(recipient),
        measures,
        parties,
        reports,
        marks,
        texts,
        asOf: now.toISOString(),
      },
      calendar,
    );
  }

  const service = {
    /** What the summary page needs besides the summary: the stage, its direction, and whether the caller is its sender. */
    async describe(
      p: Principal,
      cycleId: string,
      q: { stage?: string },
    ): Promise<{
      cycleId: string;
      planId: string;
      period: string;
      stageId: string;
      to: StageSpec['to'];
      canEdit: boolean;
    }> {
      const { head, spec, stage } = await resolve(p, cycleId, q.stage);
      const canEdit = await assertEditor(p, head.plan_id, stage).then(
        () => true,
        () => false,
      );
      return {
        cycleId: head.workflow_id,
        planId: head.plan_id,
        period: spec.period,
        stageId: stage.id,
        to: stage.to,
        canEdit,
      };
    },

    /** The summary of a cycle's stage as of `now`, for the plan's coordinator, the PM Office or an admin. */
    async preview(p: Principal, cycleId: string, q: { stage?: string }, now: Date): Promise<ConsolidatedSummary> {
      return build(await resolve(p, cycleId, q.stage), now);
    },

    /**
     * Marks a party of the stage missing with a reason (a blank one is refused), so the summary may go up without its report;
     * an agency that owes nothing in the stage is refused (400), and so is one whose report is accepted (409).
     */
    async markMissing(
      p: Principal,
      cycleId: string,
      m: { agencyCode: string; reason: string; stage?: string },
    ): Promise<MissingMarkInput> {
      const { head, stage, key } = await resolve(p, cycleId, m.stage);
      await assertEditor(p, head.plan_id, stage);
      if (m.reason.trim() === '') throw new HttpError(400, 'invalid_request', 'reason: a missing mark needs a reason');
      if (!stage.parties.some((party) => party.agencyCode === m.agencyCode))
        throw new HttpError(400, 'invalid_request', `agency: ${m.agencyCode} owes no report in stage ${stage.id}`);
      const [row] = await listObligations(db, {
        cycleWorkflowId: key.cycleId,
        stageId: stage.id,
        agencyCode: m.agencyCode,
      });
      if (row?.status === 'accepted')
        throw new HttpError(
          409,
          'report_accepted',
          `agency: ${m.agencyCode}'s report is accepted; it cannot be marked missing`,
        );
      return db
        .transaction()
        .execute((trx) =>
          markMissingCommand(trx, { ...key, agencyCode: m.agencyCode, reason: m.reason.trim(), actor: actorOf(p) }),
        );
    },

    /** Takes a missing mark back; false when there was none. */
    async unmarkMissing(p: Principal, cycleId: string, m: { agencyCode: string; stage?: string }): Promise<boolean> {
      const { head, stage, key } = await resolve(p, cycleId, m.stage);
      await assertEditor(p, head.plan_id, stage);
      return db
        .transaction()
        .execute((trx) => unmarkMissingCommand(trx, { ...key, agencyCode: m.agencyCode, actor: actorOf(p) }));
    },

    /** Saves the preface and conclusions (null or empty: none in that language). */
    async saveTexts(
      p: Principal,
      cycleId: string,
      t: SummaryTextsInput & { stage?: string },
    ): Promise<SummaryTextsInput> {
      const { head, stage, key } = await resolve(p, cycleId, t.stage);
      await assertEditor(p, head.plan_id, stage);
      const clean = (text: string | null): string | null => (text === null || text.trim() === '' ? null : text);
      const texts: SummaryTextsInput = {
        preface: { kk: clean(t.preface.kk), ru: clean(t.preface.ru) },
        conclusions: { kk: clean(t.conclusions.kk), ru: clean(t.conclusions.ru) },
      };
      await db.transaction().execute((trx) => saveSummaryTextsCommand(trx, { ...key, texts, actor: actorOf(p) }));
      return texts;
    },

    /**
     * Freezes the summary as built now and submits it upward as the carrier obligation's next version. 409 `summary_not_ready`
     * naming each blocker left without an override with a reason; 409 while a version is under review, or once accepted or
     * closed; 400 naming an override that resolves nothing. Nothing is stored when refused.
     */
    async submit(
      p: Principal,
      cycleId: string,
      x: { stage?: string; overrides?: readonly BlockerOverride[] },
      now: Date,
    ): Promise<SummaryVersionHead & { result: SubmitResult }> {
      const resolved = await resolve(p, cycleId, x.stage);
      const { head, spec, stage, key } = resolved;
      await assertEditor(p, head.plan_id, stage);
      const carrier = await carrierOf(spec, stage, key.cycleId);
      if (carrier.status === 'submitted')
        throw new HttpError(
          409,
          'under_review',
          `Version ${carrier.report_version} of the summary is under review: it must be returned before a new one is submitted`,
        );
      if (!OPEN_FOR_SUBMISSION.includes(carrier.status))
        throw new HttpError(
          409,
          'invalid_transition',
          `The summary is ${carrier.status}: nothing can be submitted any more`,
        );
      const overrides = (x.overrides ?? []).map((o) => ({ agencyCode: o.agencyCode, reason: o.reason.trim() }));
      const summary = await build(resolved, now);
      const { unresolved, stray } = unresolvedBlockers(summary.blockers, overrides);
      if (stray.length > 0) {
        const i = overrides.findIndex((o) => stray.includes(o.agencyCode));
        throw new HttpError(
          400,
          'invalid_request',
          `overrides[${i}].agencyCode: ${stray[0]} blocks nothing in the summary`,
        );
      }
      if (unresolved.length > 0)
        throw new HttpError(
          409,
          'summary_not_ready',
          `The summary is not ready: ${unresolved.map(describeBlocker).join('; ')} (resolve each, or override it with a reason)`,
        );
      const kindOf = new Map(summary.blockers.map((b) => [b.agency.code, b.kind]));
      const frozen: FrozenSummary = {
        kind: 'consolidated_summary',
        stageId: stage.id,
        summary,
        overrides: overrides
          .filter((o) => kindOf.has(o.agencyCode))
          .map((o) => ({ ...o, kind: kindOf.get(o.agencyCode)! })),
      };
      const contentHash = createHash('sha256').update(canonicalJson(frozen)).digest('hex');
      const id = randomUUID();
      const version = Math.max(await latestSummaryVersionNumber(db, carrier.workflow_id), carrier.report_version) + 1;
      const row = {
        id,
        obligationId: carrier.workflow_id,
        cycleId: key.cycleId,
        stageId: stage.id,
        version,
        agencyCode: carrier.agency_code,
        content: frozen,
        contentHash,
        submittedBy: actorOf(p),
      };
      if (deps.temporal === undefined) throw new Error('the summary service was built without a Temporal client');
      const workflow = deps.temporal.workflow.getHandle(carrier.workflow_id);
      let result: SubmitResult | undefined;
      try {
        await db.transaction().execute(async (trx) => {
          await insertSummaryVersion(trx, row);
          await appendEvent(trx, {
            idempotencyKey: `summary.submitted:${id}`,
            type: 'summary.submitted',
            actor: actorOf(p),
            workflowId: key.cycleId,
            subjectType: 'obligation',
            subjectId: carrier.workflow_id,
            // Who blocked and why it went up anyway: the sender's own words; never the summary's texts.
            payload: { stageId: stage.id, version, contentHash, overrides: frozen.overrides },
          });
          result = await workflow.executeUpdate(submitUpdate, {
            args: [
              { submittedBy: actorOf(p), versionId: id, version, contentHash, statuses: summaryStatuses(summary) },
            ],
          });
        });
      } catch (err) {
        if (result === undefined) throw err;
        // The workflow took the version but the commit failed: write the same row again, outside the lost transaction.
        await insertSummaryVersion(db, row);
      }
      const [stored] = (await listSummaryVersions(db, carrier.workflow_id)).filter((v) => v.id === id);
      return { ...stored!, result: result! };
    },

    /** The carrier obligation's state and its summary versions (as the summary: the sender, its recipient, admins). */
    async versions(p: Principal, cycleId: string, q: { stage?: string }): Promise<SummaryVersions> {
      const { spec, stage, key } = await resolve(p, cycleId, q.stage);
      const carrier = await carrierOf(spec, stage, key.cycleId);
      return {
        obligationId: carrier.workflow_id,
        status: carrier.status,
        versions: await listSummaryVersions(db, carrier.workflow_id),
      };
    },

    /** One frozen version, as submitted (its DOCX and XLSX are rendered from its content alone). */
    async version(p: Principal, cycleId: string, n: number, q: { stage?: string }): Promise<SummaryVersion> {
      const { spec, stage, key } = await resolve(p, cycleId, q.stage);
      const carrier = await carrierOf(spec, stage, key.cycleId);
      const v = await getSummaryVersion(db, carrier.workflow_id, n);
      if (v === undefined) throw new HttpError(404, 'not_found', `version: the summary has no version ${n}`);
      return v;
    },
  };
  return service;
}
