// The full report of an obligation as the caller may see and change it: drafts (PostgreSQL, never workflow history), submitted
// versions (immutable rows of report_versions), the diff of two versions, and review with per-measure comments. Shares the
// obligation service's scoping and authorisation; a refusal is thrown as it comes and mapped once in api/errors.ts.
//
// Submitting: the content is validated against what the agency owes (its measures, the plan's indicators), its annexes'
// files checked, and then — in one transaction — the version row is inserted and the obligation's `submit` Update, carrying
// only the version's id, number, hash and statuses, is executed. A refusal by its validator rolls the insert back, so a
// refused version never exists (the application role cannot delete one). The commit follows the Update's completion (not
// merely its acceptance: the client reports a rejection only through the result); should the commit itself fail, the row is
// written again with the same id (an idempotent insert), so the history never names a version PostgreSQL lacks.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database, ObligationRow } from '../../db/database.js';
import { getCycle } from '../../db/repositories/cycles.js';
import { deleteDraft, getDraft, saveDraft } from '../../db/repositories/drafts.js';
import { missingEvidence } from '../../db/repositories/evidence.js';
import {
  getVersion,
  insertVersion,
  latestVersionNumber,
  listVersions,
  type ReportVersion,
  type ReportVersionHead,
} from '../../db/repositories/report-versions.js';
import type {
  CycleSpec,
  ObligationSummary,
  PartySpec,
  ReportItem,
  ReviewComment,
  SubmitResult,
} from '../../domain/cycle-model.js';
import type { Plan } from '../../domain/plan.js';
import {
  diffReports,
  measureStatuses,
  normalizeReport,
  reportContentHash,
  reportFromItems,
  validateReportContent,
  type ReportChange,
  type ReportContent,
  type ReportContext,
} from '../../domain/report.js';
import { localDateOf } from '../../domain/tz.js';
import { returnReportUpdate, submitUpdate } from '../../workflows/shared.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import type { ObligationService } from './obligations.js';

/** Statuses in which the agency still writes its report. */
const OPEN: readonly ObligationRow['status'][] = ['pending', 'overdue', 'returned'];

export interface SubmittedVersion {
  readonly version: number;
  readonly versionId: string;
  readonly contentHash: string;
  readonly late: boolean;
  readonly workingDaysLate: number;
}

export interface DraftView {
  readonly content: unknown;
  readonly items: readonly { measure: string; status: string; text: string }[];
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

/** What the report form and the validation need of an obligation: its party, the measures owed, the plan's indicators. */
export interface ReportSetting {
  readonly obligation: ObligationRow;
  readonly party: PartySpec | undefined;
  readonly context: ReportContext;
  /** Per measure owed: the plan's indicators (name, unit, targets), in the plan's order. */
  readonly indicators: ReadonlyMap<string, Plan['measures'][number]['indicators']>;
  readonly cycleOpen: boolean;
}

export type ReportService = ReturnType<typeof createReportService>;

export function createReportService(deps: { db: Kysely<Database>; temporal: Client; obligations: ObligationService }) {
  const { db, temporal, obligations } = deps;

  async function assertReporter(p: Principal, o: ObligationRow): Promise<void> {
    const refusal = await obligations.reportRefusal(p, o);
    if (refusal !== null) throw new HttpError(403, 'forbidden', refusal);
  }

  async function assertReviewer(p: Principal, o: ObligationRow): Promise<void> {
    const refusal = await obligations.reviewRefusal(p, o);
    if (refusal !== null) throw new HttpError(403, 'forbidden', refusal);
  }

  /** The party's measures from the cycle's spec and each measure's indicators from the plan (the import brings targets). */
  async function settingOf(o: ObligationRow): Promise<ReportSetting> {
    const cycle = o.cycle_workflow_id === null ? undefined : await getCycle(db, o.cycle_workflow_id);
    const spec = (cycle?.spec ?? {}) as Partial<CycleSpec>;
    const party = spec.stages?.find((s) => s.id === o.stage_id)?.parties.find((x) => x.agencyCode === o.agency_code);
    const plan = await db.selectFrom('plans').select('document').where('id', '=', o.plan_id).executeTakeFirst();
    const planMeasures = new Map((plan?.document.measures ?? []).map((m) => [m.number, m]));
    const indicators = new Map(
      (party?.measures ?? []).map((m) => [m.number, planMeasures.get(m.number)?.indicators ?? []] as const),
    );
    return {
      obligation: o,
      party,
      indicators,
      cycleOpen: cycle === undefined || cycle.status === 'open',
      context: {
        period: o.period,
        measures: (party?.measures ?? []).map((m) => ({
          number: m.number,
          indicators: (indicators.get(m.number) ?? []).map((i) => ({ unit: i.unit })),
        })),
        requireAll: true,
      },
    };
  }

  /** 409 unless the agency may (re)submit now: not under review, not accepted or closed, its cycle open. */
  function assertOpen(s: ReportSetting): void {
    const o = s.obligation;
    if (!s.cycleOpen) throw new HttpError(409, 'cycle_closed', `The cycle ${o.cycle_workflow_id} is closed`);
    if (o.status === 'submitted')
      throw new HttpError(
        409,
        'under_review',
        `Version ${o.report_version} is under review: it must be returned before a new version is submitted`,
      );
    if (!OPEN.includes(o.status))
      throw new HttpError(409, 'invalid_transition', `The report is ${o.status}: nothing can be submitted any more`);
  }

  const service = {
    settingOf,

    /** The obligation's report setting for a caller who may see it. */
    async setting(p: Principal, id: string): Promise<ReportSetting> {
      return settingOf(await obligations.visibleObligation(p, id));
    },

    async draft(p: Principal, id: string): Promise<DraftView | null> {
      const o = await obligations.visibleObligation(p, id);
      await assertReporter(p, o);
      const d = await getDraft(db, o.workflow_id);
      return d === undefined
        ? null
        : { content: d.content, items: d.items, updatedBy: d.updatedBy, updatedAt: d.updatedAt };
    },

    /** Saves what is typed so far (incomplete content is fine: it is checked when submitted). */
    async saveDraft(p: Principal, id: string, content: unknown): Promise<Date> {
      const o = await obligations.visibleObligation(p, id);
      await assertReporter(p, o);
      assertOpen(await settingOf(o));
      return saveDraft(db, { obligationId: o.workflow_id, agencyCode: o.agency_code, content, updatedBy: actorOf(p) });
    },

    /**
     * Submits the full report (or a legacy item list, mapped to it) as the obligation's next version. Bad content: 422 naming
     * the field; under review, accepted, closed: 409; another agency's obligation: 404. Nothing is stored when refused.
     */
    async submit(
      p: Principal,
      id: string,
      body: { content?: unknown; items?: readonly ReportItem[] },
    ): Promise<SubmittedVersion> {
      const o = await obligations.visibleObligation(p, id);
      await assertReporter(p, o);
      // A stage of summaries (the coordinator's to the PM Office, the PM Office's to the PA) carries a frozen summary only.
      if ((await obligations.stageOf(o)).from !== 'executors')
        throw new HttpError(
          409,
          'summary_stage',
          `${o.workflow_id} carries a consolidated summary: submit it with POST /api/v1/cycles/:id/summary/submit`,
        );
      const setting = await settingOf(o);
      assertOpen(setting);
      const today = localDateOf(Date.now());
      const legacy = body.content === undefined;
      if (legacy === (body.items === undefined))
        throw new HttpError(400, 'invalid_request', 'body: send either content (the full report) or items, not both');
      const raw: unknown = legacy
        ? reportFromItems(body.items!, o.period, setting.party?.lang ?? 'kk', today, actorOf(p))
        : body.content;
      const problems = validateReportContent(raw, { ...setting.context, requireAll: !legacy });
      if (problems.length > 0)
        throw new HttpError(422, 'invalid_report', problems.map((x) => (legacy ? x : `content.${x}`)).join('; '));
      const content = normalizeReport(raw as ReportContent);
      const fileIds = content.annexes.flatMap((a) => (a.fileId === undefined ? [] : [a.fileId]));
      if (fileIds.length > 0) {
        const missing = new Set(await missingEvidence(db, o.workflow_id, fileIds));
        const bad = content.annexes.findIndex((a) => a.fileId !== undefined && missing.has(a.fileId));
        if (bad >= 0)
          throw new HttpError(
            422,
            'invalid_report',
            `content.annexes[${bad}].fileId: not a file uploaded to this obligation (or withdrawn)`,
          );
      }
      const contentHash = reportContentHash(content);
      const versionId = randomUUID();
      const version = Math.max(await latestVersionNumber(db, o.workflow_id), o.report_version) + 1;
      const row = {
        id: versionId,
        obligationId: o.workflow_id,
        version,
        agencyCode: o.agency_code,
        content,
        contentHash,
        submittedBy: actorOf(p),
      };
      const submission = {
        submittedBy: actorOf(p),
        versionId,
        version,
        contentHash,
        statuses: measureStatuses(content),
      };
      const workflow = temporal.workflow.getHandle(o.workflow_id);
      let result: SubmitResult | undefined;
      try {
        await db.transaction().execute(async (trx) => {
          await insertVersion(trx, row);
          result = await workflow.executeUpdate(submitUpdate, { args: [submission] });
        });
      } catch (err) {
        if (result === undefined) throw err;
        // The workflow took the version but the commit failed: write the same row again, outside the lost transaction.
        await insertVersion(db, row);
      }
      await deleteDraft(db, o.workflow_id);
      return { ...result!, versionId, contentHash };
    },

    async versions(p: Principal, id: string): Promise<ReportVersionHead[]> {
      const o = await obligations.visibleObligation(p, id);
      return listVersions(db, o.workflow_id);
    },

    async version(p: Principal, id: string, n: number): Promise<ReportVersion> {
      const o = await obligations.visibleObligation(p, id);
      const v = await getVersion(db, o.workflow_id, n);
      if (v === undefined) throw new HttpError(404, 'not_found', `version: ${o.workflow_id} has no version ${n}`);
      return v;
    },

    /** Every field that differs from version `from` to version `to`. */
    async diff(p: Principal, id: string, from: number, to: number): Promise<{ changes: ReportChange[] }> {
      const o = await obligations.visibleObligation(p, id);
      const [a, b] = await Promise.all([getVersion(db, o.workflow_id, from), getVersion(db, o.workflow_id, to)]);
      if (a === undefined) throw new HttpError(404, 'not_found', `from: ${o.workflow_id} has no version ${from}`);
      if (b === undefined) throw new HttpError(404, 'not_found', `to: ${o.workflow_id} has no version ${to}`);
      return { changes: diffReports(a.content, b.content) };
    },

    /** Returns the report with a general comment, remarks per measure and field, and a new due date. */
    async returnReport(
      p: Principal,
      id: string,
      x: { comment: string; newDueDate: string; comments?: readonly ReviewComment[] },
    ): Promise<ObligationSummary> {
      const o = await obligations.visibleObligation(p, id);
      await assertReviewer(p, o);
      const comments = x.comments?.map((c) => ({
        ...(c.measure === undefined ? {} : { measure: c.measure }),
        ...(c.field === undefined || c.field.trim() === '' ? {} : { field: c.field.trim() }),
        text: c.text.trim(),
      }));
      const summary = await temporal.workflow.getHandle(o.workflow_id).executeUpdate(returnReportUpdate, {
        args: [
          {
            returnedBy: actorOf(p),
            comment: x.comment,
            newDueDate: x.newDueDate,
            ...(comments === undefined || comments.length === 0 ? {} : { comments }),
          },
        ],
      });
      // The obligation writes its read model once the new date is planned, just after it answers: wait (briefly) for it, so
      // whoever acts next — the agency's draft, a withdrawn file, the page after the redirect — sees the report returned.
      await readModelShows(o.workflow_id, (row) => row.status === summary.status && row.due_date === x.newDueDate);
      return summary;
    },
  };
  return service;

  /** Polls the obligation's read-model row until `done` holds or `timeoutMs` passes (the Update has succeeded either way). */
  async function readModelShows(
    workflowId: string,
    done: (row: { status: string; due_date: string }) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      const row = await db
        .selectFrom('obligations')
        .select(['status', 'due_date'])
        .where('workflow_id', '=', workflowId)
        .executeTakeFirst();
      if (row === undefined || done(row)) return;
    }
  }
}
