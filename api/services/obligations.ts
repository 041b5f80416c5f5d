// Cycles and obligations as the caller may see and change them: one service behind the JSON routes and the web pages, so
// scoping and authorisation are decided in one place (a reporter never sees another agency's obligation; only the stage's
// recipient reviews; reports go through the workflow's Updates (submitting and returning: api/services/reports.ts), whose validators answer before anything is recorded).
// A refusal (a validator's typed ApplicationFailure, an obligation that has ended) is thrown as it comes: api/errors.ts is
// the one place that turns it into a status and code, for the JSON routes and the pages alike.
import type { Client } from '@temporalio/client';
import { sql, type Kysely } from 'kysely';
import { PREPARED } from '../../db/prepared.js';
import type { CycleRow, Database, ObligationRow } from '../../db/database.js';
import {
  countObligationsByStatus,
  getCycle,
  getObligation,
  listCycles,
  listObligations,
  listObligationsPage,
  whereObligations,
  type CycleListItem,
  type ObligationFilter,
} from '../../db/repositories/cycles.js';
import type { BilingualText, ObligationSummary, ReviewComment } from '../../domain/cycle-model.js';
import { acceptUpdate, extendUpdate } from '../../workflows/shared.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import { decodeCursor, pageOf } from '../pagination.js';
import { coordinatedPlans, scopeOf } from '../plan-access.js';

export type CycleStatusFilter = CycleRow['status'];
export type ObligationStatusFilter = ObligationRow['status'];

export interface ObligationQuery {
  readonly planId?: string;
  readonly period?: string;
  readonly agency?: string;
  readonly status?: ObligationStatusFilter;
  readonly stage?: string;
  readonly cycleId?: string;
  readonly limit?: number;
}

/** Who reports in a stage and to whom (a named recipient agency when the completion form names one). */
export interface StageRoute {
  readonly from: string;
  readonly to: string;
  readonly recipient: string | null;
}

/** The last time the report was returned: the reviewer's comment and the new date. */
export interface ReturnNote {
  readonly comment: string;
  readonly by: string;
  readonly at: Date;
  readonly newDueDate: string | null;
  /** Remarks per measure and field (none in returns made before them). */
  readonly comments: readonly ReviewComment[];
}

export interface TimelineEntry {
  readonly at: Date;
  readonly type: string;
  readonly actor: string;
  readonly subjectId: string | null;
  readonly payload: Record<string, unknown>;
}

export type ObligationService = ReturnType<typeof createObligationService>;

/** A cycle without its spec (which can reach a megabyte): what lists and access checks need. */
export type CycleHead = Omit<CycleRow, 'spec'>;

/** A stage as the board shows it, read out of the spec inside PostgreSQL. */
export interface StageInfo {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly dueDate: string;
}

/** What one cell of the board needs. */
export type BoardObligation = Pick<
  ObligationRow,
  'workflow_id' | 'agency_code' | 'stage_id' | 'status' | 'working_days_late'
>;

/** A cycle in the board's picker, with its plan's title: [workflow id, plan id, period, status, title kk, title ru]. */
export type PickerCycle = [string, string, string, CycleRow['status'], string, string];

/** What the board page reads per request (boardView): the picker as JSON text, the chosen cycle, its stages and stamp. */
export interface BoardView {
  /** A JSON array of PickerCycle, in the picker's order. */
  readonly picker: string;
  readonly cycle: CycleHead | undefined;
  readonly stages: readonly StageInfo[];
  /** Changes whenever what the board shows of the cycle does (empty without a cycle). */
  readonly stamp: string;
}

type BoardViewRow = { [K in keyof CycleHead]: CycleHead[K] | null } & {
  readonly picker: string | null;
  readonly newest: string | null;
  readonly xmin: string;
  readonly directory: string;
  readonly escalated: string;
};

const CYCLE_HEAD = [
  'workflow_id',
  'run_id',
  'revision',
  'plan_id',
  'period',
  'policy_id',
  'status',
  'stage',
  'closed_reason',
  'opened_at',
  'finished_at',
  'updated_at',
] as const;

export function createObligationService(deps: { db: Kysely<Database>; temporal: Client }) {
  const { db, temporal } = deps;

  /**
   * The plans whose cycles the caller may list; undefined = all. Reporters are narrowed by agency instead. Read once per
   * request: a principal is made per request, so what is kept for it lives as long as the request.
   */
  const planIdsOf = new WeakMap<Principal, Promise<readonly string[]>>();
  async function visiblePlanIds(p: Principal): Promise<readonly string[] | undefined> {
    if (p.role === 'admin' || p.role === 'pm_office' || p.role === 'reporter') return undefined;
    let ids = planIdsOf.get(p);
    if (ids === undefined) {
      ids = scopeOf(db, p).then((s) => [...s.coordinated]);
      planIdsOf.set(p, ids);
      ids.catch(() => planIdsOf.delete(p));
    }
    return ids;
  }

  /** The filter of an obligation query within the caller's scope (403 for a reporter asking for another agency). */
  async function obligationFilter(p: Principal, q: ObligationQuery): Promise<ObligationFilter> {
    if (p.role === 'reporter' && q.agency !== undefined && q.agency !== p.agencyCode)
      throw new HttpError(403, 'forbidden', 'A reporter sees its own agency only');
    const planIds = await visiblePlanIds(p);
    return {
      ...(q.cycleId === undefined ? {} : { cycleWorkflowId: q.cycleId }),
      ...(q.planId === undefined ? {} : { planId: q.planId }),
      ...(q.period === undefined ? {} : { period: q.period }),
      ...(q.stage === undefined ? {} : { stageId: q.stage }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(p.role === 'reporter'
        ? { agencyCode: p.agencyCode ?? '' }
        : q.agency === undefined
          ? {}
          : { agencyCode: q.agency }),
      ...(planIds === undefined ? {} : { planIds }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    };
  }

  /**
   * The counts by status of the obligations under a filter (whatever its status), and a stamp of them that changes whenever one
   * is added or updated (a projection moves revision and updated_at; obligations are never deleted): one grouped query.
   */
  async function countsUnder(filter: ObligationFilter): Promise<{ counts: Record<string, number>; stamp: string }> {
    const { status: _all, limit: _page, ...counted } = filter;

    const rows = await whereObligations(db.selectFrom('obligations'), counted)
      .select([
        'status',
        sql<string>`count(*)`.as('n'),
        sql<string>`coalesce(sum(revision), 0) || ':' || coalesce(max(updated_at)::text, '')`.as('stamp'),
      ])
      .groupBy('status')
      .orderBy('status')
      .execute();
    return {
      counts: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
      stamp: rows.map((r) => `${r.status}=${r.n}:${r.stamp}`).join(','),
    };
  }

  /**
   * The stamp of a plan's obligations of one period (see obligationStamp): the newest `changed_xid` among them, when every
   * transaction up to it has finished; undefined while an older writer is still open (the caller then counts).
   */
  async function periodStamp(planId: string, period: string): Promise<string | undefined> {
    return safeStamp((await sql<NewestRow>`SELECT ${newestColumns(planId, period)}`.execute(db)).rows[0]!);
  }

  /** The columns periodStamp reads (`newest`, `xmin`), for a statement that reads other things beside them. */
  const newestColumns = (planId: string, period: string) =>
    sql`(SELECT changed_xid FROM obligations WHERE plan_id = ${planId} AND period = ${period}
          ORDER BY changed_xid DESC LIMIT 1)::text AS newest,
        pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`;

  interface NewestRow {
    readonly newest: string | null;
    readonly xmin: string;
  }

  const safeStamp = (row: NewestRow): string | undefined =>
    row.newest === null || BigInt(row.xmin) > BigInt(row.newest) ? `xid:${row.newest ?? 'none'}` : undefined;

  /** A cycle's counts by status per scope (all, or one agency's) and stamp: a few hundred at most, oldest out first. */
  const keptCycleCounts = new Map<string, Promise<Record<string, number>>>();

  async function stageOf(o: ObligationRow): Promise<StageRoute> {
    const cycle = o.cycle_workflow_id === null ? undefined : await getCycle(db, o.cycle_workflow_id);
    const stages = cycle?.spec?.stages;
    const stage = stages?.find((s) => s.id === o.stage_id);
    return {
      from: stage?.from ?? 'executors',
      to: stage?.to ?? 'coordinator',
      recipient: stage?.recipient?.agencyCode ?? null,
    };
  }

  /** The obligation if the caller may see it (404 otherwise, so nothing leaks about other agencies). */
  async function visibleObligation(p: Principal, id: string): Promise<ObligationRow> {
    const o = await getObligation(db, id);
    if (o === undefined) throw new HttpError(404, 'not_found', `No obligation ${id}`);
    if (p.role === 'admin' || p.role === 'pm_office') return o;
    if (p.role === 'reporter' && p.agencyCode === o.agency_code) return o;
    if (
      p.role === 'coordinator' &&
      ((await scopeOf(db, p)).coordinated.has(o.plan_id) || p.agencyCode === o.agency_code)
    )
      return o;
    if (p.role === 'coordinator' && p.agencyCode !== null && (await stageOf(o)).recipient === p.agencyCode) return o;
    throw new HttpError(404, 'not_found', `No obligation ${id}`);
  }

  /** Whether the caller reviews this report: whoever the stage reports to — the plan's coordinator, the PM Office — or an admin. */
  async function reviewRefusal(p: Principal, o: ObligationRow): Promise<string | null> {
    if (p.role === 'admin') return null;
    const { to, recipient } = await stageOf(o);
    // A report addressed to a named agency ("ҰҚК-ге ақпарат") is reviewed by that agency's coordinator-role users.
    if (recipient !== null) {
      return p.role === 'coordinator' && p.agencyCode === recipient
        ? null
        : `Only the recipient of this report (${recipient}) or an admin may review it`;
    }
    if (to === 'pm_office' && p.role === 'pm_office') return null;
    if (to === 'coordinator' && p.role === 'coordinator' && (await scopeOf(db, p)).coordinated.has(o.plan_id))
      return null;
    return `Only the recipient of this report (${to}) or an admin may review it`;
  }

  async function reportRefusal(p: Principal, o: ObligationRow): Promise<string | null> {
    if (p.role === 'admin') return null;
    if ((p.role === 'reporter' || p.role === 'coordinator') && p.agencyCode === o.agency_code) return null;
    if (p.role === 'pm_office' && (await stageOf(o)).from === 'pm_office') return null;
    return `Only ${o.agency_code} submits this report`;
  }

  async function assertReviewer(p: Principal, o: ObligationRow): Promise<void> {
    const refusal = await reviewRefusal(p, o);
    if (refusal !== null) throw new HttpError(403, 'forbidden', refusal);
  }

  // A run's spec is written once, with its first revision (amendments are signals, not new specs): its stages can be kept per run.
  const stageCache = new Map<string, readonly StageInfo[]>();
  async function stagesOf(cycle: CycleHead): Promise<readonly StageInfo[]> {
    const key = `${cycle.workflow_id}/${cycle.run_id}`;
    const cached = stageCache.get(key);
    if (cached !== undefined) return cached;
    const { rows } = await sql<StageInfo>`
      SELECT s->>'id' AS id, s->>'from' AS "from", s->>'to' AS "to", s->>'dueDate' AS "dueDate"
      FROM cycles, jsonb_array_elements(spec->'stages') WITH ORDINALITY AS x(s, n) WHERE workflow_id = ${cycle.workflow_id} ORDER BY n`.execute(
      db,
    );
    if (stageCache.size >= 500) stageCache.clear();
    stageCache.set(key, rows);
    return rows;
  }

  /**
   * The escalations recorded about a cycle's obligations (a reporter: its agency's), by their subjects' ids: every obligation
   * of a cycle is `obligation:<plan>:<period>:<agency>:<stage>`, so they are one range of events_escalation_subject_idx.
   */
  function escalationsOf(p: Principal, cycle: Pick<CycleHead, 'plan_id' | 'period'>) {
    const prefix = `obligation:${cycle.plan_id}:${cycle.period}:${p.role === 'reporter' ? `${p.agencyCode ?? ''}:` : ''}`;
    // The prefix ends with ":"; ";" is the next byte, so [prefix, end) is exactly the ids that begin with it.
    const end = `${prefix.slice(0, -1)};`;
    // The index's own predicate, written as literals so that the planner matches it whatever the statement's parameters.
    return db
      .selectFrom('events')
      .where(sql<boolean>`type = 'escalation.sent' AND subject_type = 'obligation'`)
      .where(sql<boolean>`(subject_id COLLATE "C") >= ${prefix}`)
      .where(sql<boolean>`(subject_id COLLATE "C") < ${end}`);
  }

  const service = {
    visiblePlanIds,
    stageOf,
    visibleObligation,
    reviewRefusal,
    reportRefusal,

    /** Cycles the caller may see, with obligation counts by status (a reporter's counts are its agency's only). */
    async listCycles(
      p: Principal,
      q: { planId?: string; period?: string; status?: CycleStatusFilter },
    ): Promise<CycleListItem[]> {
      const planIds = await visiblePlanIds(p);
      return listCycles(
        db,
        { ...q, ...(planIds === undefined ? {} : { planIds }) },
        p.role === 'reporter' ? (p.agencyCode ?? '') : undefined,
      );
    },

    /** One page of the cycles listCycles gives, by (plan, period). */
    async pageCycles(
      p: Principal,
      q: { planId?: string; period?: string; status?: CycleStatusFilter; limit: number; cursor?: string },
    ) {
      const { limit, cursor, ...filters } = q;
      const planIds = await visiblePlanIds(p);
      const after = cursor === undefined ? undefined : decodeCursor(cursor, 2);
      const rows = await listCycles(
        db,
        {
          ...filters,
          ...(planIds === undefined ? {} : { planIds }),
          limit: limit + 1,
          ...(after === undefined ? {} : { after: { planId: after[0]!, period: after[1]! } }),
        },
        p.role === 'reporter' ? (p.agencyCode ?? '') : undefined,
      );
      return pageOf(rows, limit, (c) => [c.plan_id, c.period]);
    },

    /** Titles and coordinators of plans whose cycles the caller was already allowed to list (cycle lists carry no spec). */
    async planInfo(
      planIds: readonly string[],
    ): Promise<Map<string, { title: BilingualText; coordinator: BilingualText | null }>> {
      const out = new Map<string, { title: BilingualText; coordinator: BilingualText | null }>();
      if (planIds.length === 0) return out;
      const rows = await db
        .selectFrom('plans as p')
        .leftJoin('agencies as a', 'a.code', 'p.coordinator_code')
        .select(['p.id', 'p.title_kk', 'p.title_ru', 'p.coordinator_code', 'a.name_kk', 'a.name_ru'])
        .where('p.id', 'in', [...new Set(planIds)])
        .execute();
      for (const r of rows) {
        const code = r.coordinator_code;
        out.set(r.id, {
          title: { kk: r.title_kk ?? r.title_ru ?? r.id, ru: r.title_ru ?? r.title_kk ?? r.id },
          coordinator:
            code === null ? null : { kk: r.name_kk ?? r.name_ru ?? code, ru: r.name_ru ?? r.name_kk ?? code },
        });
      }
      return out;
    },

    /** One cycle the caller may see, without its obligations (404 when it may not; a reporter's only if its agency owes in it). */
    async visibleCycle(p: Principal, id: string): Promise<CycleHead> {
      const c = await db.selectFrom('cycles').select(CYCLE_HEAD).where('workflow_id', '=', id).executeTakeFirst();
      const planIds = await visiblePlanIds(p);
      if (c === undefined || (planIds !== undefined && !planIds.includes(c.plan_id)))
        throw new HttpError(404, 'not_found', `No cycle ${id}`);
      if (
        p.role === 'reporter' &&
        (await listObligations(db, { cycleWorkflowId: id, agencyCode: p.agencyCode ?? '', limit: 1 })).length === 0
      )
        throw new HttpError(404, 'not_found', `No cycle ${id}`);
      return c;
    },

    /** The stages of a cycle the caller may see, in the spec's order. */
    async stages(p: Principal, id: string): Promise<readonly StageInfo[]> {
      const cycle = await service.visibleCycle(p, id);
      return stagesOf(cycle);
    },

    /** The board of a cycle the caller may see: its head, stages, and per obligation only what a cell shows (a reporter: its own). */
    async board(
      p: Principal,
      id: string,
    ): Promise<{ cycle: CycleHead; stages: readonly StageInfo[]; obligations: BoardObligation[] }> {
      const cycle = await service.visibleCycle(p, id);
      let q = db
        .selectFrom('obligations')
        .select(['workflow_id', 'agency_code', 'stage_id', 'status', 'working_days_late'])
        .where('cycle_workflow_id', '=', id);
      if (p.role === 'reporter') q = q.where('agency_code', '=', p.agencyCode ?? '');
      const [stages, obligations] = await Promise.all([
        stagesOf(cycle),
        q.orderBy('agency_code').orderBy('stage_id').execute(),
      ]);
      return { cycle, stages, obligations };
    },

    /**
     * What the board page reads on every request, in one statement: the picker (the cycles the caller may see, open first,
     * the newest period first, with their plans' titles — as JSON text, parsed only by a request that renders), the chosen
     * cycle (the one asked for if the caller may see it, else the picker's first; none when it may not see it or sees
     * none) and the parts of its stamp: the newest `changed_xid` of the plan's obligations across its periods (the on-time
     * chart covers them all) with the snapshot's xmin, the directory's last edit (the names shown) and the count and last id
     * of the escalations about the cycle's obligations in the caller's scope. The stamp changes whenever anything the board
     * shows does; its obligations' part falls back on a count of the plan's rows while an older writer is still open (see
     * obligationStamp). The stages are read once per run (stagesOf).
     */
    async boardView(p: Principal, wanted: string | undefined): Promise<BoardView> {
      const reporter = p.role === 'reporter' ? (p.agencyCode ?? '') : undefined;
      // The caller's cycles, as listCycles decides them: a reporter's where its agency owes, a coordinator's plans.
      const scope =
        reporter !== undefined
          ? sql`EXISTS (SELECT 1 FROM obligations o WHERE o.cycle_workflow_id = c.workflow_id AND o.agency_code = ${reporter})`
          : p.role === 'coordinator'
            ? sql`c.plan_id IN (SELECT s.plan_id::text FROM (${coordinatedPlans(db, p)}) AS s)`
            : sql`true`;
      // The escalations' range of events_escalation_subject_idx (see escalationsOf): the ids that begin with
      // "obligation:<plan>:<period>[:<agency>]:" are those from it to the same ending in ";" (the byte after ":").
      const stem = sql`'obligation:' || ch.plan_id || ':' || ch.period ${reporter === undefined ? sql`` : sql`|| ':' || ${reporter}`}`;
      // Prepared (planning it costs more than running it); one shape per role and whether a cycle is asked for.
      const { rows } = await sql<BoardViewRow>`${sql.raw(PREPARED)}
        WITH RECURSIVE visible AS (
          SELECT c.workflow_id, c.run_id, c.revision, c.plan_id, c.period, c.policy_id, c.status, c.stage, c.closed_reason,
                 c.opened_at, c.finished_at, c.updated_at,
                 row_number() OVER (ORDER BY c.status = 'open' DESC, c.period COLLATE "C" DESC, c.workflow_id COLLATE "C") AS n
          FROM cycles c WHERE ${scope}
        ), chosen AS (
          SELECT * FROM visible WHERE ${wanted === undefined ? sql`n = 1` : sql`workflow_id = ${wanted}`}
        ), periods AS (
          -- The plan's periods that have obligations, one index step each.
          SELECT min(o.period) AS period FROM obligations o WHERE o.plan_id = (SELECT plan_id FROM chosen)
          UNION ALL
          SELECT (SELECT min(o.period) FROM obligations o WHERE o.plan_id = (SELECT plan_id FROM chosen) AND o.period > r.period)
          FROM periods r WHERE r.period IS NOT NULL
        )
        SELECT
          (SELECT json_agg(json_build_array(v.workflow_id, v.plan_id, v.period, v.status,
                    coalesce(pl.title_kk, pl.title_ru, v.plan_id), coalesce(pl.title_ru, pl.title_kk, v.plan_id)) ORDER BY v.n)
             FROM visible v LEFT JOIN plans pl ON pl.id::text = v.plan_id)::text AS picker,
          ch.workflow_id, ch.run_id, ch.revision, ch.plan_id, ch.period, ch.policy_id, ch.status, ch.stage, ch.closed_reason,
          ch.opened_at, ch.finished_at, ch.updated_at,
          (SELECT newest FROM (
             SELECT (SELECT o.changed_xid FROM obligations o WHERE o.plan_id = ch.plan_id AND o.period = r.period
                     ORDER BY o.changed_xid DESC LIMIT 1) AS newest
             FROM periods r WHERE r.period IS NOT NULL) x
           ORDER BY newest DESC NULLS LAST LIMIT 1)::text AS newest,
          pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
          (SELECT coalesce(max(updated_at)::text, '') FROM agencies) AS directory,
          (SELECT count(*) || ':' || coalesce(max(e.id), 0) FROM events e
            WHERE e.type = 'escalation.sent' AND e.subject_type = 'obligation'
              AND (e.subject_id COLLATE "C") >= (${stem} || ':')
              AND (e.subject_id COLLATE "C") < (${stem} || ';')) AS escalated
        FROM (SELECT 1) AS one LEFT JOIN chosen ch ON true`.execute(db);
      const row = rows[0]!;
      if (row.workflow_id === null) {
        if (wanted !== undefined) throw new HttpError(404, 'not_found', `No cycle ${wanted}`);
        return { picker: row.picker ?? '[]', cycle: undefined, stages: [], stamp: '' };
      }
      const { picker, newest, xmin, directory, escalated, ...head } = row;
      const cycle = head as CycleHead;
      // The obligations' part: the plan's newest change when it is safe, else a count of the plan's rows.
      const obligations =
        safeStamp({ newest, xmin }) ??
        (
          await db
            .selectFrom('obligations')
            .select(
              sql<string>`count(*) || ':' || coalesce(sum(revision), 0) || ':' || coalesce(max(updated_at)::text, '')`.as(
                'stamp',
              ),
            )
            .where('plan_id', '=', cycle.plan_id)
            .executeTakeFirstOrThrow()
        ).stamp;
      return {
        picker: picker ?? '[]',
        cycle,
        stages: await stagesOf(cycle),
        stamp: `${cycle.run_id}:${cycle.revision}:${cycle.updated_at.toISOString()}/${obligations}/${directory}/${escalated}`,
      };
    },

    /** Agency code → name in both languages, from the directory. */
    async agencyNames(codes: readonly string[]): Promise<Map<string, BilingualText>> {
      const out = new Map<string, BilingualText>();
      if (codes.length === 0) return out;
      for (const r of await db
        .selectFrom('agencies')
        .select(['code', 'name_kk', 'name_ru'])
        .where('code', 'in', [...new Set(codes)])
        .execute()) {
        out.set(r.code, { kk: r.name_kk ?? r.name_ru ?? r.code, ru: r.name_ru ?? r.name_kk ?? r.code });
      }
      return out;
    },

    /**
     * One cycle the caller may see with its obligation counts by status (404 when it may not; a reporter's counts are its
     * agency's). Its obligations are a list of their own (GET /api/v1/obligations?planId&period, a page at a time); with
     * `include`, the first page of them (or the page after `cursor`) comes along, in that list's order and with its cursor.
     */
    async cycle(p: Principal, id: string, include?: { readonly limit: number; readonly cursor?: string }) {
      const cycle = await service.visibleCycle(p, id);
      const scope = { cycleWorkflowId: id, ...(p.role === 'reporter' ? { agencyCode: p.agencyCode ?? '' } : {}) };
      // Counted once per state of the cycle's obligations (its plan and period's stamp) and scope; counted each time while
      // an older writer is still open.
      const counting = async (): Promise<Record<string, number>> => {
        const stamp = await periodStamp(cycle.plan_id, cycle.period);
        if (stamp === undefined) return countObligationsByStatus(db, scope);
        const key = JSON.stringify([scope, stamp]);
        let kept = keptCycleCounts.get(key);
        if (kept === undefined) {
          kept = countObligationsByStatus(db, scope);
          if (keptCycleCounts.size >= 256) keptCycleCounts.delete(keptCycleCounts.keys().next().value!);
          keptCycleCounts.set(key, kept);
          kept.catch(() => {
            if (keptCycleCounts.get(key) === kept) keptCycleCounts.delete(key);
          });
        }
        return kept;
      };
      const [counts, page] = await Promise.all([
        counting(),
        include === undefined
          ? undefined
          : service.pageObligations(p, {
              cycleId: id,
              limit: include.limit,
              ...(include.cursor === undefined ? {} : { cursor: include.cursor }),
            }),
      ]);
      return { cycle, counts, page };
    },

    /** A visible cycle with its spec (titles, stages, parties) and, per obligation the caller may see, its agency. */
    async cycleWithOwners(p: Principal, id: string): Promise<{ cycle: CycleRow; owners: Map<string, string> }> {
      await service.visibleCycle(p, id);
      let q = db.selectFrom('obligations').select(['workflow_id', 'agency_code']).where('cycle_workflow_id', '=', id);
      if (p.role === 'reporter') q = q.where('agency_code', '=', p.agencyCode ?? '');
      const [cycle, rows] = await Promise.all([getCycle(db, id), q.execute()]);
      if (cycle === undefined) throw new HttpError(404, 'not_found', `No cycle ${id}`);
      return { cycle, owners: new Map(rows.map((r) => [r.workflow_id, r.agency_code])) };
    },

    /** Obligations under filters, scoped: a reporter sees its own agency only, a coordinator its plans. */
    async listObligations(p: Principal, q: ObligationQuery) {
      const filter = await obligationFilter(p, q);
      return { counts: await countObligationsByStatus(db, filter), items: await listObligations(db, filter) };
    },

    /** One page of obligations under filters, scoped as listObligations, with the counts of all of them. */
    async pageObligations(p: Principal, q: ObligationQuery & { readonly limit: number; readonly cursor?: string }) {
      const { filter, counts } = await service.obligationCounts(p, q);
      return { counts, ...(await service.obligationPage(filter, q)) };
    },

    /**
     * The caller's filter of an obligation query (its scope included), the counts by status under it, and a stamp of those
     * obligations that changes whenever one is added or updated (a projection moves revision and updated_at; obligations are
     * never deleted): one grouped query, what a page's ETag and the kept page are keyed by.
     */
    async obligationCounts(
      p: Principal,
      q: ObligationQuery,
    ): Promise<{ filter: ObligationFilter; counts: Record<string, number>; stamp: string }> {
      const filter = await obligationFilter(p, q);
      return { filter, ...(await countsUnder(filter)) };
    },

    /**
     * The caller's filter and a stamp of the obligations under it, for keeping a page between changes. For one cycle's
     * obligations (plan and period given) the stamp is the newest `changed_xid` of that plan and period — one step down an
     * index — when it is safe: every transaction up to that id has finished (the snapshot's xmin is above it), so any write
     * to these obligations not yet visible belongs to a later transaction and will raise the newest id when it commits.
     * Obligations are never deleted nor moved to another plan or period (their id names both). Otherwise (an older writer
     * still open, or no plan and period) the counts query's stamp, and its counts. The counts are under the filter whatever
     * its status; the caller's scope is in the filter, which the page's key must include.
     */
    async obligationStamp(
      p: Principal,
      q: ObligationQuery,
    ): Promise<{ filter: ObligationFilter; stamp: string; counts?: Record<string, number> }> {
      const filter = await obligationFilter(p, q);
      const stamp =
        filter.planId === undefined || filter.period === undefined
          ? undefined
          : await periodStamp(filter.planId, filter.period);
      return stamp === undefined ? { filter, ...(await countsUnder(filter)) } : { filter, stamp };
    },

    /** The counts by status under a filter obligationStamp gave (whatever its status). */
    async obligationCountsUnder(filter: ObligationFilter): Promise<Record<string, number>> {
      return (await countsUnder(filter)).counts;
    },

    /** The page of obligations under a filter obligationCounts gave, after the cursor. */
    async obligationPage(filter: ObligationFilter, q: { readonly limit: number; readonly cursor?: string }) {
      let after: ObligationFilter['after'];
      if (q.cursor !== undefined) {
        const [dueAt, workflowId] = decodeCursor(q.cursor, 2) as [string, string];
        const at = new Date(dueAt);
        if (Number.isNaN(at.getTime()))
          throw new HttpError(400, 'invalid_request', 'query/cursor is not a cursor this API gave');
        after = { dueAt: at, workflowId };
      }
      const rows = await listObligationsPage(db, {
        ...filter,
        limit: q.limit + 1,
        ...(after === undefined ? {} : { after }),
      });
      return pageOf(rows, q.limit, (o) => [o.due_at.toISOString(), o.workflow_id]);
    },

    async accept(p: Principal, id: string, comment?: string): Promise<ObligationSummary> {
      const o = await visibleObligation(p, id);
      await assertReviewer(p, o);
      return temporal.workflow.getHandle(o.workflow_id).executeUpdate(acceptUpdate, {
        args: [{ acceptedBy: actorOf(p), ...(comment === undefined ? {} : { comment }) }],
      });
    },

    async extend(p: Principal, id: string, reason: string, newDueDate: string): Promise<ObligationSummary> {
      const o = await visibleObligation(p, id);
      await assertReviewer(p, o);
      return temporal.workflow
        .getHandle(o.workflow_id)
        .executeUpdate(extendUpdate, { args: [{ extendedBy: actorOf(p), reason, newDueDate }] });
    },

    /** The reviewer's last return of a visible obligation's report, from the audit log. */
    async lastReturn(p: Principal, id: string): Promise<ReturnNote | null> {
      const o = await visibleObligation(p, id);
      const row = await db
        .selectFrom('events')
        .select(['occurred_at', 'actor', 'payload'])
        .where('subject_id', '=', o.workflow_id)
        .where('type', '=', 'report.returned')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row === undefined) return null;
      const payload = row.payload as { comment?: string; newDueDate?: string; comments?: ReviewComment[] };
      return {
        comment: payload.comment ?? '',
        by: row.actor,
        at: row.occurred_at,
        newDueDate: payload.newDueDate ?? null,
        comments: payload.comments ?? [],
      };
    },

    /** A visible cycle's audit trail: its own events and its obligations', oldest first (reporters: their own agency's obligations only). */
    async timeline(p: Principal, cycleId: string, types?: readonly string[], limit = 2000): Promise<TimelineEntry[]> {
      const cycle = await service.visibleCycle(p, cycleId);
      let owned = db.selectFrom('obligations').select('workflow_id').where('cycle_workflow_id', '=', cycle.workflow_id);
      if (p.role === 'reporter') owned = owned.where('agency_code', '=', p.agencyCode ?? '');
      // Both branches match the (subject_type, subject_id) index.
      let q = db
        .selectFrom('events')
        .select(['occurred_at', 'type', 'actor', 'subject_id', 'payload'])
        .where((eb) =>
          eb.or([
            ...(p.role === 'reporter'
              ? []
              : [eb.and([eb('subject_type', '=', 'cycle'), eb('subject_id', '=', cycle.workflow_id)])]),
            eb.and([eb('subject_type', '=', 'obligation'), eb('subject_id', 'in', owned)]),
          ]),
        )
        .orderBy('occurred_at')
        .orderBy('id')
        .limit(limit);
      if (types !== undefined)
        q = types.length === 0 ? q.where(sql<boolean>`false`) : q.where('type', 'in', [...types]);
      return (await q.execute()).map((r) => ({
        at: r.occurred_at,
        type: r.type,
        actor: r.actor,
        subjectId: r.subject_id,
        payload: r.payload as Record<string, unknown>,
      }));
    },

    /** Escalations of a visible cycle, oldest first: who was told, when, about which obligation (reporters: their own). */
    async escalations(p: Principal, cycleId: string): Promise<TimelineEntry[]> {
      const cycle = await service.visibleCycle(p, cycleId);
      return (
        await escalationsOf(p, cycle)
          .select(['occurred_at', 'type', 'actor', 'subject_id', 'payload'])
          .orderBy('occurred_at')
          .orderBy('id')
          .limit(2000)
          .execute()
      ).map((r) => ({
        at: r.occurred_at,
        type: r.type,
        actor: r.actor,
        subjectId: r.subject_id,
        payload: r.payload as Record<string, unknown>,
      }));
    },

    /** Escalations that reached the PM Office, across the cycles the caller may see. */
    async pmOfficeEscalations(
      p: Principal,
      limit = 200,
    ): Promise<(TimelineEntry & { agencyCode: string; planId: string; cycleId: string | null })[]> {
      const planIds = await visiblePlanIds(p);
      let q = db
        .selectFrom('events as e')
        .innerJoin('obligations as o', 'o.workflow_id', 'e.subject_id')
        .select([
          'e.occurred_at',
          'e.type',
          'e.actor',
          'e.subject_id',
          'e.payload',
          'o.agency_code',
          'o.plan_id',
          'o.cycle_workflow_id',
        ])
        .where('e.type', '=', 'escalation.sent')
        .where(sql<boolean>`e.payload->'notice'->>'audience' = 'pm_office'`)
        .orderBy('e.occurred_at', 'desc')
        .limit(limit);
      if (p.role === 'reporter') q = q.where('o.agency_code', '=', p.agencyCode ?? '');
      if (planIds !== undefined)
        q = planIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('o.plan_id', 'in', [...planIds]);
      return (await q.execute()).map((r) => ({
        at: r.occurred_at,
        type: r.type,
        actor: r.actor,
        subjectId: r.subject_id,
        payload: r.payload as Record<string, unknown>,
        agencyCode: r.agency_code,
        planId: r.plan_id,
        cycleId: r.cycle_workflow_id,
      }));
    },

    /** The cycles of obligations the caller was already allowed to see (for their plan titles, stages and measures). */
    async cyclesOf(rows: readonly ObligationRow[]): Promise<Map<string, CycleRow>> {
      const ids = [...new Set(rows.map((r) => r.cycle_workflow_id).filter((id): id is string => id !== null))];
      const out = new Map<string, CycleRow>();
      if (ids.length === 0) return out;
      for (const c of await db.selectFrom('cycles').selectAll().where('workflow_id', 'in', ids).execute())
        out.set(c.workflow_id, c);
      return out;
    },
  };
  return service;
}
