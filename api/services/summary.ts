// A cycle's consolidated summary built from what the read model holds today: one stage's obligations (their status, due date
// and latest report), the plan's measures and indicators, the working-day calendar. For the coordinator of the cycle's plan,
// the PM Office and admins; a reporter may not (403), a caller who may not see the cycle gets 404 from the cycle service.
// Reports today carry one text per measure and no indicator values; the report-versions module will feed the same inputs.
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
): Promise<AcceptedReportInput | undefined> {
  const report = row.report as ProjectedReport | null;
  if (row.status !== 'accepted' || report === null) return undefined;
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

export function createSummaryService(deps: { db: Kysely<Database>; obligations: ObligationService }) {
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

  /** Marks and texts are the coordinator's: the plan's coordinator or an admin (the PM Office reads the summary only). */
  async function assertEditor(p: Principal, planId: string): Promise<void> {
    if (p.role === 'admin') return;
    if (p.role === 'coordinator' && (await scopeOf(db, p)).coordinated.has(planId)) return;
    throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin edits the summary");
  }

  return {
    /** The summary of a cycle's stage as of `now`, for the plan's coordinator, the PM Office or an admin. */
    async preview(p: Principal, cycleId: string, q: { stage?: string }, now: Date): Promise<ConsolidatedSummary> {
      const { head, spec, stage, key } = await resolve(p, cycleId, q.stage);
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
            return row === undefined ? undefined : acceptedReport(db, party, row);
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
      await assertEditor(p, head.plan_id);
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
      const { head, key } = await resolve(p, cycleId, m.stage);
      await assertEditor(p, head.plan_id);
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
      const { head, key } = await resolve(p, cycleId, t.stage);
      await assertEditor(p, head.plan_id);
      const clean = (text: string | null): string | null => (text === null || text.trim() === '' ? null : text);
      const texts: SummaryTextsInput = {
        preface: { kk: clean(t.preface.kk), ru: clean(t.preface.ru) },
        conclusions: { kk: clean(t.conclusions.kk), ru: clean(t.conclusions.ru) },
      };
      await db.transaction().execute((trx) => saveSummaryTextsCommand(trx, { ...key, texts, actor: actorOf(p) }));
      return texts;
    },
  };
}
