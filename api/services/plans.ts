// Plans: what a JSON route and an admin page both do — import (dry run or a stored draft), read, confirm, discard, amend,
// repeal, and the plan's schedule (pause, resume, backfill) — with the caller's scoping and authorisation.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import {
  amendPlanCommand,
  confirmPlanCommand,
  discardPlanCommand,
  repealPlanCommand,
} from '../../db/commands/plans.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import { createDraft, getPlan, listPlanPage, listPlanVersions, type StoredPlan } from '../../db/repositories/plans.js';
import { parseColumnMapping } from '../../domain/import/column-mapping.js';
import { hasErrors } from '../../domain/import/index.js';
import { applyMetadata, type ImportMetadata } from '../../domain/import/metadata.js';
import { applyAmendment, applyRepeal, type AmendmentOp, type AppliedChange } from '../../domain/plan-amend.js';
import type { ActRef } from '../../domain/plan.js';
import type { OpeningAnswer } from '../cycle-engine.js';
import { actorOf, type Principal } from '../auth.js';
import type { CycleEngine } from '../cycle-engine.js';
import type { OpeningMode } from '../../domain/cycle-opening.js';
import { HttpError } from '../errors.js';
import { importUpload, type UploadFormat } from '../import/index.js';
import { canConfirm, canManage, canSee, listScopeOf, scopeOf } from '../plan-access.js';
import { UUID, decodeCursor, pageOf } from '../pagination.js';
import { parsePeriodKey, periodsBetween } from '../../domain/periods.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { importSummary } from '../plan-import.js';
import { ImportQuery } from '../schemas/plans.js';
import { unstorableInRequest } from '../storable-input.js';

/** The cycle a confirmation opened at once (the plan's current period, in catch-up mode) and how many were overdue. */
export interface ConfirmedOpening {
  readonly period: string;
  readonly mode: 'catch-up';
  readonly overdueAtOpening: number;
}

/** What the reporting engine does when a plan's life changes (schedules, signals to running cycles). */
export interface PlanLifecycle {
  /**
   * Inside the confirming transaction, before it commits: the plan's schedule exists (created idempotently). If this throws the
   * transaction rolls back, so a plan is never confirmed without its schedule.
   */
  scheduling(plan: StoredPlan): Promise<void>;
  /** The plan is not (or no longer) confirmable: its schedule, if one was created, goes (idempotent). */
  unscheduled(planId: string): Promise<void>;
  /**
   * After commit: what a confirmation sets in motion now (the current period's cycle, opened in catch-up mode); idempotent.
   * Says which period it opens and how many of its obligations are overdue at once; null when it opens none.
   */
  confirmed(plan: StoredPlan, actor: string): Promise<ConfirmedOpening | null>;
  amended(plan: StoredPlan, applied: readonly AppliedChange[], actor: string): Promise<void>;
  repealed(plan: StoredPlan, reason: string, actor: string): Promise<void>;
}

/** What an import found: the plan's head, its measures in brief, the glossary, the diagnostics (API and pages alike). */
export type ImportFindings = { format: string; storable: boolean } & ReturnType<typeof importSummary>;

export type ImportOutcome =
  | { readonly kind: 'dry_run'; readonly findings: ImportFindings; readonly unknownCodes: readonly string[] }
  | {
      readonly kind: 'refused';
      readonly wrongType: boolean;
      readonly findings: ImportFindings;
      readonly unknownCodes: readonly string[];
    }
  | { readonly kind: 'stored'; readonly id: string; readonly findings: ImportFindings };

export interface ImportRequest {
  readonly bytes: Uint8Array;
  readonly filename?: string | undefined;
  readonly options: Partial<ImportQuery>;
  readonly dryRun: boolean;
}

/** The metadata fields of an upload, from the query string or the form. */
export function metadataFrom(q: Record<string, unknown>): ImportMetadata {
  const str = (k: string): string | undefined =>
    typeof q[k] === 'string' && (q[k] as string).trim() !== '' ? (q[k] as string).trim() : undefined;
  const num = (k: string): number | undefined =>
    str(k) === undefined && typeof q[k] !== 'number' ? undefined : Number(q[k]);
  const meta: { -readonly [K in keyof ImportMetadata]: ImportMetadata[K] } = {};
  if (str('coordinator') !== undefined) meta.coordinator = str('coordinator');
  if (str('policy') !== undefined) meta.policy = str('policy');
  if (str('titleKk') !== undefined || str('titleRu') !== undefined)
    meta.title = { kk: str('titleKk') ?? null, ru: str('titleRu') ?? null };
  if (str('actNumber') !== undefined || str('actDate') !== undefined) {
    meta.approvedBy = {
      issuer: str('actIssuer') ?? 'Қазақстан Республикасының Үкіметі',
      number: str('actNumber') ?? '',
      date: str('actDate') ?? '',
    };
  }
  const from = num('yearsFrom');
  const to = num('yearsTo');
  if (from !== undefined && to !== undefined && Number.isInteger(from) && Number.isInteger(to))
    meta.years = { from, to };
  // Repeated query parameters arrive as arrays; a form field holds one entry per line.
  const list = (k: string): string[] =>
    (Array.isArray(q[k]) ? (q[k] as string[]) : typeof q[k] === 'string' ? (q[k] as string).split('\n') : [])
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const map = list('map');
  if (map.length > 0)
    meta.map = Object.fromEntries(
      map.map((pair) => [pair.slice(0, pair.indexOf(':')).trim(), pair.slice(pair.indexOf(':') + 1).trim()]),
    );
  if (list('ignore').length > 0) meta.ignore = list('ignore');
  return meta;
}

/**
 * Form fields, validated and coerced by the very schema the same fields have as query parameters (a form field is no back door:
 * yearsFrom=-3 is refused either way), and refused when PostgreSQL could not store their text; 400 names the field.
 */
export function validImportFields(request: FastifyRequest, raw: Record<string, string>): Partial<ImportQuery> {
  const problems = unstorableInRequest({ form: raw });
  if (problems.length > 0)
    throw new HttpError(400, 'invalid_request', `${problems.join('; ')} (PostgreSQL cannot store it)`);
  // A form field holds a list one entry per line, where the query string repeats the parameter.
  const fields: Record<string, unknown> = { ...raw };
  for (const key of ['map', 'ignore']) {
    if (typeof fields[key] === 'string')
      fields[key] = (fields[key] as string)
        .split('\n')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
  const validate = request.compileValidationSchema(ImportQuery, 'querystring');
  if (!validate(fields)) {
    const messages = (validate.errors ?? []).map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      const field = extra ?? e.instancePath.replace(/^\//, '');
      return `form field ${field}: ${extra === undefined ? e.message : 'is not a field of the import'}`;
    });
    throw new HttpError(400, 'invalid_request', messages.join('; '));
  }
  return fields as Partial<ImportQuery>;
}

export interface ScheduleView {
  exists: boolean;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
}

export type PlanService = ReturnType<typeof createPlanService>;

export function createPlanService(deps: {
  db: Kysely<Database>;
  lifecycle: PlanLifecycle;
  engine: CycleEngine;
  log?: { error(obj: object, msg: string): void };
  /** The most measures and parties an imported plan may have, and periods a backfill may open (api/limits.ts). */
  limits?: Pick<Limits, 'planMaxMeasures' | 'planMaxParties' | 'backfillMaxPeriods'>;
}) {
  const { db, lifecycle, engine } = deps;
  const limits = deps.limits ?? DEFAULT_LIMITS;

  /** A plan over the size limits is refused whole (a dry run too), naming the count and the limit; nothing is stored. */
  function requireWithinSize(plan: { measures: readonly { executors: readonly { code: string }[] }[] } | null): void {
    if (plan === null) return;
    const measures = plan.measures.length;
    if (measures > limits.planMaxMeasures)
      throw new HttpError(
        413,
        'plan_too_large',
        `The plan has ${measures} measures; at most ${limits.planMaxMeasures} are accepted in one plan (measures)`,
      );
    const parties = new Set(plan.measures.flatMap((m) => m.executors.map((e) => e.code))).size;
    if (parties > limits.planMaxParties)
      throw new HttpError(
        413,
        'plan_too_large',
        `The plan names ${parties} parties (executor agencies); at most ${limits.planMaxParties} are accepted in one plan (parties)`,
      );
  }

  /** A plan the caller may see (404 otherwise: no hint that it exists), and may manage when asked (403). */
  async function load(p: Principal, id: string, manage: boolean): Promise<StoredPlan> {
    const plan = await getPlan(db, id);
    const scope = await scopeOf(db, p);
    if (plan === undefined || !canSee(p, scope, plan)) throw new HttpError(404, 'not_found', `No plan ${id}`);
    if (manage && !canManage(p, scope, plan))
      throw new HttpError(403, 'forbidden', "Only the plan's coordinator or an admin may do this");
    return plan;
  }

  function requireImporter(p: Principal): void {
    if (p.role !== 'admin' && p.role !== 'coordinator')
      throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin, coordinator');
  }

  function requireAdmin(p: Principal): void {
    if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
  }

  return {
    load,

    /**
     * One page of the plans the caller may see, newest first, in summary (never the documents): the scoping is SQL
     * (listScopeOf), the cursor the previous page's last (created_at, id).
     */
    async list(p: Principal, q: { status?: StoredPlan['status']; limit: number; cursor?: string | undefined }) {
      let after: readonly [string, string] | undefined;
      if (q.cursor !== undefined) {
        const [at, id] = decodeCursor(q.cursor, 2) as [string, string];
        if (Number.isNaN(new Date(at).getTime()) || !UUID.test(id))
          throw new HttpError(400, 'invalid_request', 'query/cursor is not a cursor this API gave');
        after = [at, id];
      }
      const rows = await listPlanPage(db, {
        scope: listScopeOf(p),
        limit: q.limit + 1,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(after === undefined ? {} : { after }),
      });
      return pageOf(rows, q.limit, (r) => r.key);
    },

    /** What this caller may do with the plan (the pages show only the forms it may use). */
    async rights(p: Principal, plan: StoredPlan): Promise<{ manage: boolean; confirm: boolean; backfill: boolean }> {
      const scope = await scopeOf(db, p);
      const manage = canManage(p, scope, plan);
      return { manage, confirm: canConfirm(p, scope, plan), backfill: manage && p.role === 'admin' };
    },

    /** Imports a file: a dry run stores nothing; otherwise a plan without errors becomes a draft (with its audit event). */
    async importFile(p: Principal, r: ImportRequest): Promise<ImportOutcome> {
      requireImporter(p);
      const meta = metadataFrom(r.options as Record<string, unknown>);
      const columnsText = r.options.columns;
      const parsedColumns =
        columnsText === undefined || columnsText.trim() === '' ? undefined : parseColumnMapping(columnsText);
      if (parsedColumns !== undefined && 'error' in parsedColumns)
        throw new HttpError(400, 'invalid_request', `columns: ${parsedColumns.error}`);
      const format = r.options.format as UploadFormat | undefined;
      const directory = await listAgencies(db);
      const imported = await importUpload(
        {
          data: r.bytes,
          ...(r.filename === undefined ? {} : { filename: r.filename }),
          ...(format === undefined ? {} : { format }),
        },
        { directory, ...(parsedColumns === undefined ? {} : { columns: parsedColumns.mapping }) },
      );
      const result = applyMetadata(imported, meta, directory);
      requireWithinSize(result.plan);
      const used = format ?? 'detected';
      const findings: ImportFindings = { format: used, storable: !hasErrors(result), ...importSummary(result) };
      // The codes the reviewer still has to answer: executors the directory does not know, not yet mapped or ignored.
      const known = new Set(directory.map((a) => a.code));
      // And the bodies footnotes send information to that nobody knows (footnote_unknown_recipient), answered alike.
      const footnoteBodies = result.diagnostics.flatMap((d) =>
        d.code === 'footnote_unknown_recipient'
          ? [/sends the information to "([^"]+)"/.exec(d.message)?.[1] ?? '']
          : [],
      );
      const unknownCodes = [
        ...new Set([
          ...(result.plan?.measures ?? []).flatMap((m) => m.executors.map((e) => e.code)).filter((c) => !known.has(c)),
          ...footnoteBodies.filter((b) => b !== ''),
        ]),
      ];
      if (r.dryRun) return { kind: 'dry_run', findings, unknownCodes };
      if (result.plan === null || hasErrors(result))
        return {
          kind: 'refused',
          wrongType: result.diagnostics.some((d) => d.code === 'wrong_file_type'),
          findings,
          unknownCodes,
        };
      const actor = actorOf(p);
      const plan = result.plan;
      const id = await db.transaction().execute(async (trx) => {
        const planId = await createDraft(trx, {
          plan,
          diagnostics: result.diagnostics,
          sourceFormat: used,
          sourceName: r.filename ?? null,
          createdBy: actor,
        });
        await appendEvent(trx, {
          idempotencyKey: `plan.imported:${planId}`,
          type: 'plan.imported',
          actor,
          subjectType: 'plan',
          subjectId: planId,
          payload: {
            format: used,
            filename: r.filename ?? null,
            measures: plan.measures.length,
            diagnostics: result.diagnostics.length,
          },
        });
        return planId;
      });
      return { kind: 'stored', id, findings };
    },

    async versions(p: Principal, id: string) {
      await load(p, id, false);
      return listPlanVersions(db, id);
    },

    async confirm(p: Principal, id: string): Promise<{ confirmed: StoredPlan; openedCycle: ConfirmedOpening | null }> {
      const plan = await load(p, id, true);
      if (!canConfirm(p, await scopeOf(db, p), plan)) {
        throw new HttpError(
          403,
          'forbidden',
          `Only an admin or the plan's named coordinator (${plan.plan.coordinator || 'none named'}) may confirm it`,
        );
      }
      const actor = actorOf(p);
      // All or nothing. The schedule is created (idempotently) inside the transaction, before the commit: a failure to create it
      // rolls the confirmation back. A failed commit after it deletes it again. A crash between the two leaves a schedule of a
      // draft, whose opener refuses a draft plan without a retry; confirming again adopts it, discarding deletes it.
      // A PlanStateError (not_draft, has_errors, unschedulable…) is answered by api/errors.ts.
      let scheduled = false;
      let confirmed: StoredPlan;
      try {
        confirmed = await db.transaction().execute(async (trx) => {
          const stored = await confirmPlanCommand(trx, { id, actor });
          await lifecycle.scheduling(stored);
          scheduled = true;
          return stored;
        });
      } catch (err) {
        if (scheduled)
          await lifecycle
            .unscheduled(id)
            .catch((e: unknown) =>
              deps.log?.error(
                { err: e, planId: id },
                'could not delete the schedule of a plan whose confirmation failed',
              ),
            );
        throw err;
      }
      const openedCycle = await lifecycle.confirmed(confirmed, actor);
      return { confirmed, openedCycle };
    },

    async discard(p: Principal, id: string): Promise<void> {
      await load(p, id, true);
      await db.transaction().execute((trx) => discardPlanCommand(trx, { id, actor: actorOf(p) }));
      // A confirmation that crashed before its commit may have left the draft a schedule.
      await lifecycle.unscheduled(id);
    },

    async amend(
      p: Principal,
      id: string,
      body: { act: ActRef; summary: string; changes: readonly AmendmentOp[]; expectedVersion?: number | undefined },
    ) {
      const s = await load(p, id, true);
      const result = applyAmendment(s.plan, body, await listAgencies(db));
      if (!result.ok)
        throw new HttpError(
          400,
          'invalid_amendment',
          result.errors
            .map((e) => `body/${e.field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}: ${e.message}`)
            .join('; '),
        );
      const actor = actorOf(p);
      const { act, summary, expectedVersion } = body;
      const amended = await db.transaction().execute((trx) =>
        amendPlanCommand(trx, {
          id: s.id,
          plan: result.plan,
          act,
          summary,
          applied: result.applied,
          actor,
          ...(expectedVersion === undefined ? {} : { expectedVersion }),
        }),
      );
      // After commit; the signals' ids derive from the plan version, so telling the cycles twice changes nothing.
      await lifecycle.amended(amended, result.applied, actor);
      return { plan: amended, applied: result.applied };
    },

    async repeal(p: Principal, id: string, body: { act: ActRef; date: string; reason: string }): Promise<StoredPlan> {
      const s = await load(p, id, true);
      const result = applyRepeal(s.plan, body.act, body.date);
      if (!result.ok)
        throw new HttpError(
          400,
          'invalid_request',
          result.errors.map((e) => `body/${e.field}: ${e.message}`).join('; '),
        );
      const actor = actorOf(p);
      const { act, date, reason } = body;
      const repealed = await db
        .transaction()
        .execute((trx) => repealPlanCommand(trx, { id: s.id, plan: result.plan, act, date, reason, actor }));
      // After commit, idempotent: a deleted schedule and a closed cycle stay so.
      await lifecycle.repealed(repealed, reason, actor);
      return repealed;
    },

    async schedule(p: Principal, id: string): Promise<ScheduleView> {
      await load(p, id, true);
      return engine.scheduleState(id);
    },

    /** Pauses or resumes the opening of new cycles; `eventKey` makes the audit event's key unique per request. */
    async setPaused(
      p: Principal,
      id: string,
      action: 'pause' | 'unpause',
      note: string | undefined,
      eventKey: string,
    ): Promise<ScheduleView> {
      await load(p, id, true);
      const actor = actorOf(p);
      await engine[action](id, note ?? `${action}d by ${actor}`);
      await appendEvent(db, {
        idempotencyKey: `schedule.${action}:${id}:${eventKey}:${Date.now()}`,
        type: `schedule.${action}d`,
        actor,
        subjectType: 'plan',
        subjectId: id,
        payload: { note: note ?? null },
      });
      return engine.scheduleState(id);
    },

    /** Opens missed periods' cycles (admins): per period opened, already_open, or not_opened with the reason. */
    async backfill(
      p: Principal,
      id: string,
      from: string,
      to: string,
      eventKey: string,
      mode?: OpeningMode,
    ): Promise<{ periods: (string | null)[]; results: OpeningAnswer[] }> {
      requireAdmin(p);
      const plan = await load(p, id, true);
      const span = periodsBetween(plan.plan.policy.period, parsePeriodKey(from), parsePeriodKey(to)).length;
      if (span > limits.backfillMaxPeriods)
        throw new HttpError(
          400,
          'backfill_too_long',
          `to: the range ${from}–${to} spans ${span} periods; at most ${limits.backfillMaxPeriods} are opened in one backfill`,
        );
      const actor = actorOf(p);
      const results = await engine.backfill(plan, from, to, actor, mode);
      const periods = results.map((r) => r.period);
      await appendEvent(db, {
        idempotencyKey: `schedule.backfill:${plan.id}:${eventKey}:${Date.now()}`,
        type: 'schedule.backfilled',
        actor,
        subjectType: 'plan',
        subjectId: plan.id,
        payload: { periods, results },
      });
      return { periods, results };
    },

    async openCycle(p: Principal, id: string, period: string, mode?: OpeningMode): Promise<OpeningAnswer> {
      requireAdmin(p);
      const plan = await load(p, id, true);
      return engine.openCycle(plan, period, actorOf(p), mode);
    },
  };
}
