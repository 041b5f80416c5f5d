// reportingCycleWorkflow: one plan × period — opens an obligation per party per stage, applies plan amendments, closes on repeal.
// Running cycles replay this code (test/replay/histories): a change to the commands it issues goes behind patched().
import {
  ApplicationFailure, CancellationScope, ParentClosePolicy, allHandlersFinished, condition, isCancellation, log, patched, proxyActivities,
  proxyLocalActivities, setHandler, startChild, upsertSearchAttributes, workflowInfo, type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { isIsoDate, type IsoDate } from '../domain/dates.js';
import { validateCycleSpec, validatePartySpec } from '../domain/cycle-validation.js';
import { obligationWorkflow } from './obligation.js';
import { DB_RETRY, FailureType, SearchAttributeKeys, amendPlanSignal, closeCycleSignal, closeObligationSignal, changeDeadlineSignal, cycleStatusQuery, obligationChangedSignal, type ObligationInput, type ReportingCycleInput, type ReportingCycleResult } from './shared.js';
import { obligationWorkflowId, stageChain, type AmendmentRecord, type CloseCycleInput, type CycleStatus, type CycleStatusView, type ObligationSummary, type PartySpec, type PlanAmendment, type StageSpec } from '../domain/cycle-model.js';

/**
 * A stage with its own recipient (a measure whose completion form names an agency, StageSpec.recipient) hands its
 * obligations a chain with that agency as the receiver. Cycles that started obligations before this did so with the
 * plan's chain: replaying them keeps it. Asked only for such stages, so every other cycle's history is unchanged.
 */
export const STAGE_RECIPIENT_PATCH = 'stage-recipient-receives-obligations';

/**
 * Cycles opened since this patch start their obligations in batches (one workflow task issues up to OPEN_BATCH child starts
 * instead of one, so a 500-party cycle opens in a few round trips) and write events and the read model through local
 * activities. Cycles opened earlier replay their one-by-one starts and scheduled activities.
 */
export const CYCLE_BATCHED_OPEN_PATCH = 'cycle-batched-open-local-db';

/** Child starts per workflow task: bounded so one task's commands (each with its party's input) stay far below message limits. */
export const OPEN_BATCH = 100;

const scheduled = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', localRetryThreshold: '1 minute', retry: DB_RETRY });

interface Entry {
  readonly stageId: string;
  readonly party: PartySpec;
  summary: ObligationSummary;
  handle?: ChildWorkflowHandle<typeof obligationWorkflow>;
  /** The child's run has ended: its summary is final. */
  finished: boolean;
  /** The child failed (a bug, not a business outcome): the cycle stays open until it is re-added or the cycle is closed. */
  failed: boolean;
}

/** A stage as amendments leave it: who owes it now and by when (per party, since one party's deadline can move alone). */
interface StageState {
  readonly spec: StageSpec;
  dueDate: IsoDate;
  readonly parties: Map<string, { party: PartySpec; dueDate: IsoDate }>;
}

/** One reporting cycle of a plan for one period; completes when every obligation is accepted or closed. */
export async function reportingCycleWorkflow(input: ReportingCycleInput): Promise<ReportingCycleResult> {
  // Asked first, once: the marker lands in the first workflow task, and the answer holds for the whole run.
  const batched = patched(CYCLE_BATCHED_OPEN_PATCH);
  const acts = batched ? local : scheduled;
  const { spec } = input;
  const problems = validateCycleSpec(spec);
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `spec: ${problems.join('; ')}`, nonRetryable: true, details: [problems] });
  }
  const info = workflowInfo();
  const cycleId = info.workflowId;
  const openedAt = new Date().toISOString();

  const stages: StageState[] = spec.stages.map((s) => ({
    spec: s, dueDate: s.dueDate, parties: new Map(s.parties.map((p) => [p.agencyCode, { party: p, dueDate: s.dueDate }])),
  }));
  const entries = new Map<string, Entry>();
  const amendments: AmendmentRecord[] = [];
  const queue: PlanAmendment[] = [];
  let closing: CloseCycleInput | null = null;
  let status: CycleStatus = 'open';
  let closedReason: string | null = null;
  let currentStage: string | null = stages[0]!.spec.id;
  let revision = 0;
  let eventSeq = 0;
  let wake = 0;

  const open = (e: Entry): boolean => !e.finished && !e.failed;
  const openEntry = (stageId: string, agencyCode: string): Entry | undefined => {
    const e = entries.get(obligationWorkflowId(spec.planId, spec.period, agencyCode, stageId));
    return e !== undefined && open(e) ? e : undefined;
  };
  const firstOpenStage = (): string | null => stages.find((s) => [...entries.values()].some((e) => e.stageId === s.spec.id && open(e)))?.spec.id ?? null;
  const view = (): CycleStatusView => ({
    cycleId, planId: spec.planId, period: spec.period, status, stage: currentStage, closedReason,
    obligations: [...entries.values()].map((e) => e.summary), amendments: [...amendments],
  });

  setHandler(cycleStatusQuery, view);
  setHandler(amendPlanSignal, (amendment) => {
    queue.push(amendment);
    wake++;
  });
  setHandler(closeCycleSignal, (request) => {
    closing ??= request;
    wake++;
  });
  setHandler(obligationChangedSignal, (summary) => {
    const entry = entries.get(summary.obligationId);
    // The child's result is authoritative once it has ended; a signal of an earlier run of a re-added party is stale.
    if (entry !== undefined && !entry.finished) entry.summary = summary;
    wake++;
  });

  async function record(type: string, actor: string, payload: Record<string, unknown>): Promise<void> {
    await acts.recordEvent({ idempotencyKey: `${cycleId}/${info.runId}/${++eventSeq}`, type, actor, subjectType: 'cycle', subjectId: cycleId, payload });
  }

  async function save(): Promise<void> {
    await acts.saveCycle({
      workflowId: cycleId, runId: info.runId, revision: ++revision, planId: spec.planId, period: spec.period, policyId: spec.policyId,
      // The spec (up to ~1 MB for a large plan) is written once; later revisions leave it as it is.
      status, stage: currentStage, closedReason, ...(revision === 1 ? { spec } : {}), openedAt, finishedAt: status === 'open' ? null : new Date().toISOString(),
    });
  }

  function obligationInput(stage: StageState, party: PartySpec, dueDate: IsoDate): ObligationInput {
    // The chain is who receives and who is escalated to: their names and addresses, not the measures they report on themselves
    // (up to ~20 KB each on a large plan, which would be copied into every obligation's input).
    const member = (p: PartySpec): PartySpec => (batched ? { ...p, measures: [] } : p);
    const chain = { coordinator: member(spec.coordinator), pmOffice: member(spec.pmOffice), presidentialAdministration: member(spec.presidentialAdministration) };
    return {
      planId: spec.planId, planTitle: spec.planTitle, period: spec.period, policyId: spec.policyId,
      stage: { id: stage.spec.id, from: stage.spec.from, to: stage.spec.to }, party, dueDate, shift: spec.shift,
      reminders: spec.reminders, escalation: spec.escalation,
      chain: stage.spec.recipient !== undefined && patched(STAGE_RECIPIENT_PATCH) ? stageChain(chain, stage.spec) : chain,
    };
  }

  async function startObligation(stage: StageState, party: PartySpec, dueDate: IsoDate): Promise<void> {
    const workflowId = obligationWorkflowId(spec.planId, spec.period, party.agencyCode, stage.spec.id);
    const entry: Entry = {
      stageId: stage.spec.id, party, finished: false, failed: false,
      summary: {
        obligationId: workflowId, stageId: stage.spec.id, agencyCode: party.agencyCode, status: 'pending', dueDate,
        effectiveDueDate: null, dueInstant: null, reportVersion: 0, workingDaysLate: null, closedReason: null,
      },
    };
    entries.set(workflowId, entry);
    entry.handle = await startChild(obligationWorkflow, {
      workflowId,
      args: [obligationInput(stage, party, dueDate)],
      // Obligations end before their cycle; if the cycle is terminated or cancelled by hand, its children are asked to close
      // (recording why) rather than killed mid-step (TERMINATE) or left reminding for a cycle that is gone (ABANDON).
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: [
        { key: SearchAttributeKeys.PlanId, value: spec.planId },
        { key: SearchAttributeKeys.Period, value: spec.period },
        { key: SearchAttributeKeys.Stage, value: stage.spec.id },
        { key: SearchAttributeKeys.AgencyCode, value: party.agencyCode },
        { key: SearchAttributeKeys.Status, value: 'pending' },
      ],
    });
    entry.handle.result().then(
      (result) => {
        entry.summary = result.summary;
        entry.finished = true;
        wake++;
      },
      (err: unknown) => {
        entry.failed = true;
        wake++;
        log.error('obligation failed', { workflowId, error: String(err) });
      },
    );
  }

  async function signalChild(entry: Entry, send: (handle: ChildWorkflowHandle<typeof obligationWorkflow>) => Promise<void>, what: string): Promise<void> {
    try {
      await send(entry.handle!);
    } catch (err) {
      if (isCancellation(err)) throw err;
      // It ended between our look and the signal: its result tells the rest.
      log.warn(`could not ${what}`, { obligationId: entry.summary.obligationId, error: String(err) });
    }
  }

  // A party removed and added again reuses its workflow id, which is possible only once the earlier run has ended.
  const stillClosing = (stage: StageState, agencyCode: string): boolean => openEntry(stage.spec.id, agencyCode) !== undefined;

  /** Applies one amendment, or says why it does not apply; returns the note for the record. */
  async function amend(a: PlanAmendment): Promise<string | null> {
    const stage = stages.find((s) => s.spec.id === a.stageId);
    if (stage === undefined) return `no stage "${a.stageId}" in this cycle`;
    switch (a.kind) {
      case 'moveDeadline': {
        if (!isIsoDate(a.newDueDate)) return `newDueDate: not a date (YYYY-MM-DD): "${String(a.newDueDate)}"`;
        const codes = a.agencyCode === undefined ? [...stage.parties.keys()] : [a.agencyCode];
        if (a.agencyCode !== undefined && !stage.parties.has(a.agencyCode)) return `"${a.agencyCode}" owes nothing in stage ${a.stageId}`;
        if (a.agencyCode === undefined) stage.dueDate = a.newDueDate;
        for (const code of codes) {
          stage.parties.get(code)!.dueDate = a.newDueDate;
          const entry = openEntry(stage.spec.id, code);
          if (entry === undefined) continue;
          await signalChild(entry, (h) => h.signal(changeDeadlineSignal, { amendmentId: a.amendmentId, newDueDate: a.newDueDate, reason: a.act ?? 'plan amended', actor: a.actor }), 'move a deadline');
        }
        return null;
      }
      case 'addParty': {
        const problems = validatePartySpec(a.party, 'party');
        if (problems.length > 0) return problems.join('; ');
        if (stage.parties.has(a.party.agencyCode)) return `"${a.party.agencyCode}" already owes stage ${a.stageId}`;
        if (stillClosing(stage, a.party.agencyCode)) return `the removed obligation of "${a.party.agencyCode}" is still closing: amend again in a moment`;
        stage.parties.set(a.party.agencyCode, { party: a.party, dueDate: stage.dueDate });
        await startObligation(stage, a.party, stage.dueDate);
        return null;
      }
      case 'removeParty': {
        if (!stage.parties.has(a.agencyCode)) return `"${a.agencyCode}" owes nothing in stage ${a.stageId}`;
        stage.parties.delete(a.agencyCode);
        const entry = openEntry(stage.spec.id, a.agencyCode);
        if (entry !== undefined) await signalChild(entry, (h) => h.signal(closeObligationSignal, { reason: `removed from the plan: ${a.reason}`, actor: a.actor }), 'close an obligation');
        return null;
      }
      case 'replaceParty': {
        const previous = stage.parties.get(a.agencyCode);
        if (previous === undefined) return `"${a.agencyCode}" owes nothing in stage ${a.stageId}`;
        const problems = validatePartySpec(a.successor, 'successor');
        if (problems.length > 0) return problems.join('; ');
        if (stage.parties.has(a.successor.agencyCode)) return `successor "${a.successor.agencyCode}" already owes stage ${a.stageId}`;
        if (stillClosing(stage, a.successor.agencyCode)) return `the removed obligation of "${a.successor.agencyCode}" is still closing: amend again in a moment`;
        const entry = entries.get(obligationWorkflowId(spec.planId, spec.period, a.agencyCode, stage.spec.id));
        // A report already accepted was delivered: the successor owes nothing more for this period.
        if (entry?.summary.status === 'accepted') return `"${a.agencyCode}" has already reported for ${spec.period}; nothing passes to "${a.successor.agencyCode}"`;
        stage.parties.delete(a.agencyCode);
        stage.parties.set(a.successor.agencyCode, { party: a.successor, dueDate: previous.dueDate });
        if (entry !== undefined && open(entry)) {
          await signalChild(entry, (h) => h.signal(closeObligationSignal, { reason: `replaced by ${a.successor.agencyCode}`, actor: a.actor }), 'close an obligation');
        }
        await startObligation(stage, a.successor, previous.dueDate);
        return null;
      }
    }
  }

  async function applyAmendment(a: PlanAmendment): Promise<void> {
    // A repeated signal (a retried API call) is a no-op.
    if (amendments.some((r) => r.amendmentId === a.amendmentId)) return;
    const note = await amend(a);
    amendments.push({ amendmentId: a.amendmentId, kind: a.kind, applied: note === null, note });
    await record(note === null ? 'plan.amended' : 'plan.amendment_ignored', a.actor, { amendment: a, note });
    await save();
  }

  function refreshStage(): void {
    const stage = firstOpenStage();
    if (stage === null || stage === currentStage) return;
    currentStage = stage;
    upsertSearchAttributes([{ key: SearchAttributeKeys.Stage, value: stage }]);
  }

  async function finish(final: Exclude<CycleStatus, 'open'>, reason: string | null): Promise<ReportingCycleResult> {
    status = final;
    closedReason = reason;
    upsertSearchAttributes([{ key: SearchAttributeKeys.Status, value: final }]);
    await save();
    return { status: final, closedReason, obligations: view().obligations };
  }

  upsertSearchAttributes([
    { key: SearchAttributeKeys.PlanId, value: spec.planId },
    { key: SearchAttributeKeys.Period, value: spec.period },
    { key: SearchAttributeKeys.Stage, value: currentStage },
    { key: SearchAttributeKeys.Status, value: status },
  ]);
  let result: ReportingCycleResult;
  try {
    await record('cycle.opened', 'system', { planId: spec.planId, period: spec.period, policyId: spec.policyId, stages: spec.stages.map((s) => ({ id: s.id, dueDate: s.dueDate, parties: s.parties.map((p) => p.agencyCode) })) });
    await save();
    // Every stage opens with the cycle: the coordinator can consolidate as reports arrive, and each deadline is fixed by the policy.
    const owed = stages.flatMap((stage) => [...stage.parties.values()].map(({ party, dueDate }) => ({ stage, party, dueDate })));
    if (batched) {
      for (let i = 0; i < owed.length; i += OPEN_BATCH) {
        await Promise.all(owed.slice(i, i + OPEN_BATCH).map((o) => startObligation(o.stage, o.party, o.dueDate)));
      }
    } else {
      for (const o of owed) await startObligation(o.stage, o.party, o.dueDate);
    }

    for (;;) {
      if (closing !== null) break;
      const next = queue.shift();
      if (next !== undefined) {
        await applyAmendment(next);
        continue;
      }
      if ([...entries.values()].every((e) => e.finished)) break;
      const before: string | null = currentStage;
      refreshStage();
      if (currentStage !== before) await save();
      const seen = wake;
      await condition(() => wake !== seen);
    }

    if (closing !== null) {
      const request: CloseCycleInput = closing;
      for (const entry of entries.values()) {
        if (open(entry)) await signalChild(entry, (h) => h.signal(closeObligationSignal, { reason: `cycle closed: ${request.reason}`, actor: request.actor }), 'close an obligation');
      }
      await condition(() => [...entries.values()].every((e) => e.finished || e.failed));
      for (let late = queue.shift(); late !== undefined; late = queue.shift()) {
        amendments.push({ amendmentId: late.amendmentId, kind: late.kind, applied: false, note: 'the cycle is closing' });
        await record('plan.amendment_ignored', late.actor, { amendment: late, note: 'the cycle is closing' });
      }
      await record('cycle.closed', request.actor, { reason: request.reason, act: request.act ?? null });
      result = await finish('closed', request.reason);
    } else {
      await record('cycle.completed', 'system', { obligations: [...entries.values()].map((e) => ({ id: e.summary.obligationId, status: e.summary.status })) });
      result = await finish('completed', null);
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled by hand: record it; the children are asked to close by their ParentClosePolicy.
    await CancellationScope.nonCancellable(async () => {
      await record('cycle.closed', 'system', { reason: 'cycle cancelled' });
      await finish('closed', 'cycle cancelled');
    });
    throw err;
  }
  await condition(allHandlersFinished);
  return result;
}
