// Every query the README documents for the Temporal UI runs through the real dev server's list API and finds the workflows it promises.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { seedReferenceData } from '../../db/seed.js';
import { createMailer } from '../../platform/mailer.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { reportingCycleWorkflow } from '../../workflows/reporting-cycle.js';
import { cycleWorkflowId, obligationWorkflowId, type PartySpec } from '../../domain/cycle-model.js';
import { SearchAttributeKeys, acceptUpdate, closeCycleSignal, submitUpdate } from '../../workflows/shared.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestSink, waitFor } from '../helpers/mail.js';
import { BGM, IIM, smallPlanSpec } from '../fixtures/small-plan.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
/** A past year: every deadline has passed when the obligations plan, so each goes overdue at once and no notice is due. */
const YEAR = 2018;
const PERIOD = String(YEAR);
const planId = `plan-sa-${randomUUID().slice(0, 8)}`;
const taskQueue = `search-attributes-${randomUUID()}`;

let tdb: TestDatabase;
let sink: SmtpSink;
let mailer: ReturnType<typeof createMailer>;
let native: NativeConnection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;

const cycle = cycleWorkflowId(planId, PERIOD);
const obl = (agency: string, stage = 'executors'): string => obligationWorkflowId(planId, PERIOD, agency, stage);
const ALL_OBLIGATIONS = [obl('ІІМ'), obl('БҒМ'), obl('ҰҚК'), obl('АҚДМ', 'summary'), obl('ПМК', 'pm-office')];

/** The queries of the README's table, in order (between the search-attribute-queries markers). */
function documentedQueries(): string[] {
  const text = readFileSync(README, 'utf8');
  const section = /<!-- search-attribute-queries[^>]*-->([\s\S]*?)<!-- \/search-attribute-queries -->/.exec(text)?.[1];
  if (section === undefined) throw new Error('README: no search-attribute-queries section');
  return [...section.matchAll(/^\|[^|]*\|\s*`([^`]+)`\s*\|$/gm)].map((m) => m[1]!);
}

/** The query as run here: placeholders filled, and scoped to this test's plan (the dev server is shared with other tests). */
function scoped(template: string): string {
  const query = template.replaceAll('<plan>', planId).replaceAll('<period>', PERIOD);
  return template.includes('<plan>') ? query : `${query} AND PlanId = '${planId}'`;
}

async function list(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
  return ids.sort();
}

/** Lists until the answer is `expected` (visibility follows the workflows a moment later), or fails showing the last answer. */
async function expectListed(query: string, expected: readonly string[]): Promise<void> {
  let last: string[] = [];
  const want = [...expected].sort();
  await waitFor(
    async () => {
      last = await list(query);
      return JSON.stringify(last) === JSON.stringify(want) ? true : undefined;
    },
    20_000,
    query,
  ).catch(() => undefined);
  expect({ query, found: last }).toEqual({ query, found: want });
}

const report = (p: PartySpec) => ({
  submittedBy: `reporter@${p.agencyCode}`,
  items: p.measures.map((m) => ({ measure: m.number, status: 'done' as const, text: 'Орындалды. Выполнено.' })),
});

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  tdb = await createTestDatabase();
  await seedReferenceData(tdb.db);
  sink = await startTestSink(tdb.db);
  mailer = createMailer(sink.url);
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowsPath,
    activities: createActivities({ db: tdb.db, mailer, mailFrom: 'Merzim <merzim@test>' }),
  });
  workerRun = worker.run();
  // Started as the opener starts it: the attributes it is listed by are there from the first moment.
  await client.workflow.start(reportingCycleWorkflow, {
    workflowId: cycle,
    taskQueue,
    args: [{ spec: smallPlanSpec({ planId, year: YEAR, stages: 'cascade' }) }],
    typedSearchAttributes: [
      { key: SearchAttributeKeys.PlanId, value: planId },
      { key: SearchAttributeKeys.Period, value: PERIOD },
      { key: SearchAttributeKeys.CycleStatus, value: 'open' },
    ],
  });
  // Every obligation goes overdue; then ІІМ reports (waiting for review) and БҒМ reports and is accepted.
  await waitFor(
    async () =>
      (await client.workflow.count(`ObligationStatus = 'overdue' AND PlanId = '${planId}'`)).count === 5
        ? true
        : undefined,
    60_000,
    'five overdue obligations',
  );
  await client.workflow.getHandle(obl('ІІМ')).executeUpdate(submitUpdate, { args: [report(IIM)] });
  await client.workflow.getHandle(obl('БҒМ')).executeUpdate(submitUpdate, { args: [report(BGM)] });
  await client.workflow
    .getHandle(obl('БҒМ'))
    .executeUpdate(acceptUpdate, { args: [{ acceptedBy: 'coordinator@АҚДМ' }] });
}, 120_000);

afterAll(async () => {
  await client?.workflow
    .getHandle(cycle)
    .terminate('test over')
    .catch(() => undefined);
  worker?.shutdown();
  await workerRun;
  await native?.close();
  await client?.connection.close();
  mailer?.close();
  await sink?.close();
  await tdb?.drop();
});

describe('search attributes on the real dev server', () => {
  it('answers every query the README documents with the workflows it promises', async () => {
    const expected: Record<string, readonly string[]> = {
      "PlanId = '<plan>'": [cycle, ...ALL_OBLIGATIONS],
      "WorkflowType = 'reportingCycleWorkflow' AND PlanId = '<plan>'": [cycle],
      "PlanId = '<plan>' AND Period = '<period>'": [cycle, ...ALL_OBLIGATIONS],
      "AgencyCode = 'ІІМ'": [obl('ІІМ')],
      "AgencyCode = 'ҰҚК' AND ObligationStatus IN ('pending', 'overdue', 'returned')": [obl('ҰҚК')],
      "WorkflowType = 'obligationWorkflow' AND Stage = 'executors'": [obl('ІІМ'), obl('БҒМ'), obl('ҰҚК')],
      "WorkflowType = 'reportingCycleWorkflow' AND Stage = 'executors'": [cycle],
      "ObligationStatus = 'overdue'": [obl('ҰҚК'), obl('АҚДМ', 'summary'), obl('ПМК', 'pm-office')],
      "ObligationStatus = 'submitted'": [obl('ІІМ')],
      "CycleStatus = 'open'": [cycle],
    };
    const documented = documentedQueries();
    expect(documented.sort()).toEqual(Object.keys(expected).sort());
    for (const template of documented) await expectListed(scoped(template), expected[template]!);
    expect((await client.workflow.count(scoped("ObligationStatus = 'overdue'"))).count).toBe(3);
  });

  it('sets no Status on new runs: the old name cannot be queried at all', async () => {
    const refused = await client.workflow.count("Status = 'overdue'").then(
      () => undefined,
      (err: unknown) => err as Error & { cause?: Error & { details?: string } },
    );
    expect(refused?.message).toBe('Failed to count workflows');
    expect(refused?.cause?.details ?? refused?.cause?.message).toMatch(/invalid search attribute: status/i);
    const described = await client.workflow.getHandle(obl('ІІМ')).describe();
    expect(described.typedSearchAttributes.get(SearchAttributeKeys.Status)).toBeUndefined();
    expect(described.typedSearchAttributes.get(SearchAttributeKeys.ObligationStatus)).toBe('submitted');
  });

  it('follows a closed cycle: CycleStatus closed, its open obligations closed, the accepted one left as it was', async () => {
    await client.workflow.getHandle(cycle).signal(closeCycleSignal, { reason: 'repealed', actor: 'admin@test' });
    await client.workflow.getHandle(cycle).result();
    await expectListed(scoped("CycleStatus = 'closed'"), [cycle]);
    await expectListed(
      scoped("ObligationStatus = 'closed'"),
      ALL_OBLIGATIONS.filter((id) => id !== obl('БҒМ')),
    );
    await expectListed(scoped("ObligationStatus = 'accepted'"), [obl('БҒМ')]);
  });
});
