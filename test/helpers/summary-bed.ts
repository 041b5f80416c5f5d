// The bed of the consolidated-summary tests (summary-api, summary-submit): the API stack (test/helpers/api-stack.ts) with
// the plan's people as API tokens and a draft plan whose measure 1 two executors owe the coordinator — БҒМ (lead) and ІІМ —
// with an indicator target for this year; and the steps that open its cycle and bring БҒМ's report to accepted through the
// obligation's Updates, which both files need before they test the summary.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createDraft } from '../../db/repositories/plans.js';
import { cycleWorkflowId } from '../../domain/cycle-model.js';
import type { TestDatabase } from './database.js';
import { waitFor } from './mail.js';
import { caller, startApiTestStack, type ApiTestStack } from './api-stack.js';
import { testPlan } from './plans.js';

/** The period of the bed's cycle: this year. */
export const SUMMARY_YEAR = new Date().getUTCFullYear();
/** What БҒМ reports on measure 1. */
export const BGM_NARRATIVE = 'Курс 120 мектепте енгізілді';

export interface SummaryBed {
  readonly stack: ApiTestStack;
  readonly tdb: TestDatabase;
  readonly app: FastifyInstance;
  readonly call: ReturnType<typeof caller>;
  readonly planId: string;
  /** admin; coordinator (АҚДМ, the plan's); otherCoordinator (ІІМ); pm (ПМК, the PM Office); bgm (БҒМ's reporter). */
  readonly tokens: Record<string, string>;
  /** The workflow id of an agency's obligation in a stage of the bed's cycle. */
  obligationId(agency: string, stage: string): string;
  /** The cycle's workflow id. */
  cycleId(): string;
  /** An obligation's status in the read model (undefined before it opens). */
  statusOf(id: string): Promise<string | undefined>;
  waitStatus(id: string, status: string): Promise<void>;
  /** The coordinator confirms the plan; its schedule opens the cycle: waits for БҒМ's obligation and `also`. */
  openCycle(also?: readonly string[]): Promise<void>;
  /** БҒМ submits measure 1 as done with BGM_NARRATIVE (200). */
  submitBgm(): Promise<void>;
  /** The coordinator accepts БҒМ's report (200), and the read model shows it accepted. */
  acceptBgm(): Promise<void>;
  close(): Promise<void>;
}

export async function startSummaryBed(name: string): Promise<SummaryBed> {
  const stack = await startApiTestStack(name);
  const { tdb, app } = stack;
  const call = caller(app);
  const tokens: Record<string, string> = {
    admin: await stack.token('admin', 'admin'),
    coordinator: await stack.token('akdm', 'coordinator', 'АҚДМ'),
    otherCoordinator: await stack.token('iim-coord', 'coordinator', 'ІІМ'),
    pm: await stack.token('pm', 'pm_office', 'ПМК'),
    bgm: await stack.token('bgm', 'reporter', 'БҒМ'),
  };
  const plan = testPlan({ years: { from: SUMMARY_YEAR, to: SUMMARY_YEAR + 1 } });
  const planId = await createDraft(tdb.db, {
    plan: {
      ...plan,
      measures: plan.measures.map((m) =>
        m.number === '1'
          ? {
              ...m,
              // Two executors that report to the coordinator (АҚДМ, the plan's other executor, reports to itself in no stage).
              executors: [
                { code: 'БҒМ', byAgreement: false, lead: true },
                { code: 'ІІМ', byAgreement: false, lead: false },
              ],
              indicators: [
                {
                  name: { kk: 'Курс енгізілген мектептер', ru: 'Школы с курсом' },
                  unit: 'мектеп',
                  targets: { [SUMMARY_YEAR]: 200 },
                },
              ],
            }
          : m,
      ),
    },
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  stack.plans.push(planId);

  const obligationId = (agency: string, stage: string): string =>
    `obligation:${planId}:${SUMMARY_YEAR}:${agency}:${stage}`;
  const obligationUrl = (agency: string, action: string): string =>
    `/api/v1/obligations/${encodeURIComponent(obligationId(agency, 'executors'))}/${action}`;
  const statusOf = async (id: string): Promise<string | undefined> =>
    (await tdb.db.selectFrom('obligations').select('status').where('workflow_id', '=', id).executeTakeFirst())?.status;
  const waitStatus = async (id: string, status: string): Promise<void> => {
    await waitFor(async () => ((await statusOf(id)) === status ? true : undefined), 60_000, `${id} ${status}`);
  };

  return {
    stack,
    tdb,
    app,
    call,
    planId,
    tokens,
    obligationId,
    cycleId: () => cycleWorkflowId(planId, String(SUMMARY_YEAR)),
    statusOf,
    waitStatus,
    async openCycle(also = []) {
      expect((await call('POST', `/api/v1/plans/${planId}/confirm`, tokens.coordinator!)).statusCode).toBe(200);
      for (const id of [obligationId('БҒМ', 'executors'), ...also])
        await waitFor(async () => ((await statusOf(id)) === undefined ? undefined : true), 60_000, id);
    },
    async submitBgm() {
      const submitted = await call('POST', obligationUrl('БҒМ', 'submit'), tokens.bgm!, {
        items: [{ measure: '1', status: 'done', text: BGM_NARRATIVE }],
      });
      expect(submitted.statusCode, submitted.body).toBe(200);
    },
    async acceptBgm() {
      const accepted = await call('POST', obligationUrl('БҒМ', 'accept'), tokens.coordinator!, {});
      expect(accepted.statusCode, accepted.body).toBe(200);
      await waitStatus(obligationId('БҒМ', 'executors'), 'accepted');
    },
    close: () => stack.close(),
  };
}
