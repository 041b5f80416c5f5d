// The coordinator board's data, shared by board.bench.ts (sequential, server time) and board-load.bench.ts (50 clients over
// HTTP): a cycle of 5,000 obligations (100 agencies × 50 stages) written straight into the read model (the board reads only
// it; the cycles benchmark measures the workflows that write it), 300 escalations, a coordinator and a session for them.
import type { Kysely } from 'kysely';
import { newToken } from '../../api/web/session.js';
import type { Database } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { upsertCycle } from '../../db/repositories/cycles.js';
import { appendEvent } from '../../db/repositories/events.js';
import { createDraft } from '../../db/repositories/plans.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { createUser } from '../../db/repositories/users.js';
import { seedReferenceData } from '../../db/seed.js';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { addDays } from '../../domain/dates.js';
import { DEFAULT_ESCALATION, DEFAULT_REMINDERS } from '../../domain/plan.js';
import { testPlan } from '../helpers/plans.js';

export const AGENCIES = 100;
export const STAGES = 50;
const STATUSES = [
  'pending',
  'pending',
  'overdue',
  'submitted',
  'submitted',
  'returned',
  'accepted',
  'accepted',
] as const;

export interface BoardFixture {
  readonly planId: string;
  readonly cycleId: string;
  readonly obligations: number;
  readonly escalations: number;
  readonly userId: string;
  /** A browser session's secret for the coordinator (the board page's cookie). */
  readonly sessionSecret: string;
}

export async function seedBoardCycle(db: Kysely<Database>): Promise<BoardFixture> {
  await migrateToLatest(db);
  await seedReferenceData(db);
  await seedAgencies(db, AGENCIES_SEED);
  const planId = await createDraft(db, {
    plan: testPlan(),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'bench',
  });
  const party = (code: string, i: number) => ({
    agencyCode: code,
    name: { kk: `Орган ${i} (${code})`, ru: `Орган ${i} (${code})` },
    lang: 'kk' as const,
    byAgreement: false,
    emails: { reporter: [`r${i}@example.kz`], head: [] },
    measures: [{ number: String(i % 60), title: { kk: `Іс-шара ${i}`, ru: `Мероприятие ${i}` } }],
  });
  const codes = Array.from({ length: AGENCIES }, (_, i) => AGENCIES_SEED[i]?.code ?? `A${i}`);
  const parties = codes.map(party);
  const cycleId = `cycle:${planId}:2026`;
  const stages = Array.from({ length: STAGES }, (_, s) => ({
    id: `measure-${s + 1}-due-1`,
    from: 'executors' as const,
    to: 'coordinator' as const,
    dueDate: addDays('2026-02-01', s * 6),
    dueInstant: '2026-02-01T18:59:59.999Z',
    parties,
  }));
  const spec = {
    version: 2,
    planId,
    planTitle: { kk: 'Бенчмарк жоспары', ru: 'План для замера' },
    period: '2026',
    policyId: 'annual-cascade-580',
    shift: 'next',
    coordinator: party('АҚДМ', 1000),
    pmOffice: party('ПМК', 1001),
    presidentialAdministration: party('ПӘ', 1002),
    stages,
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
  };
  await upsertCycle(db, {
    workflowId: cycleId,
    runId: 'bench',
    revision: 1,
    planId,
    period: '2026',
    policyId: 'annual-cascade-580',
    status: 'open',
    stage: stages[0]!.id,
    closedReason: null,
    spec,
    openedAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
  });
  const rows = stages.flatMap((stage, s) =>
    codes.map((code, a) => {
      const status = STATUSES[(s * 7 + a) % STATUSES.length]!;
      return {
        workflow_id: `obligation:${planId}:2026:${code}:${stage.id}`,
        run_id: 'bench',
        revision: 1,
        cycle_workflow_id: cycleId,
        plan_id: planId,
        period: '2026',
        stage_id: stage.id,
        agency_code: code,
        status,
        due_date: stage.dueDate,
        effective_due_date: stage.dueDate,
        due_at: `${stage.dueDate}T18:59:59.999Z`,
        report_version: status === 'pending' || status === 'overdue' ? 0 : 1,
        report: null,
        submitted_at: null,
        working_days_late: status === 'submitted' && a % 3 === 0 ? 2 : status === 'submitted' ? 0 : null,
        accepted_at: null,
        closed_reason: null,
        opened_at: '2026-01-01T00:00:00Z',
        finished_at: null,
      };
    }),
  );
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('obligations')
      .values(rows.slice(i, i + 500))
      .execute();
  const overdue = rows.filter((r) => r.status === 'overdue');
  for (const [i, r] of overdue.slice(0, 300).entries()) {
    await appendEvent(db, {
      idempotencyKey: `bench-esc-${i}`,
      type: 'escalation.sent',
      actor: 'system',
      subjectType: 'obligation',
      subjectId: r.workflow_id,
      payload: { to: ['head@example.kz'], notice: { kind: 'escalation', audience: 'coordinator_head' } },
    });
  }
  const user = await createUser(db, {
    username: 'bench.coordinator',
    displayName: 'Bench',
    role: 'coordinator',
    agencyCode: 'АҚДМ',
    password: 'bench-password-1',
  });
  const { secret } = await createApiToken(db, {
    name: 'session:bench',
    role: 'coordinator',
    agencyCode: 'АҚДМ',
    userId: user.id,
    kind: 'session',
    expiresAt: new Date(Date.now() + 3600_000),
    csrfToken: newToken(),
  });

  return {
    planId,
    cycleId,
    obligations: rows.length,
    escalations: Math.min(300, overdue.length),
    userId: user.id,
    sessionSecret: secret,
  };
}
