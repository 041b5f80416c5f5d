// A reporting cycle's state: its stages as amendments leave them, its obligations, and what each amendment does — plain deterministic code.
// reportingCycleWorkflow (reporting-cycle.ts) wires signals, child starts, activities and patches to it; nothing here issues a Temporal command.
import type { ChildWorkflowHandle } from '@temporalio/workflow';
import {
  obligationWorkflowId,
  type AmendmentRecord,
  type ChangeDeadlineInput,
  type CloseCycleInput,
  type CloseObligationInput,
  type CycleSpec,
  type CycleStatus,
  type CycleStatusView,
  type ObligationSummary,
  type PartySpec,
  type PlanAmendment,
  type ReaddressInput,
  type StageSpec,
} from '../domain/cycle-model.js';
import { validatePartySpec } from '../domain/cycle-validation.js';
import { isIsoDate, type IsoDate } from '../domain/dates.js';
import type { obligationWorkflow } from './obligation.js';

/** One obligation the cycle started, as the cycle knows it. */
export interface Entry {
  readonly stageId: string;
  readonly party: PartySpec;
  summary: ObligationSummary;
  handle?: ChildWorkflowHandle<typeof obligationWorkflow>;
  /** The child's run has ended: its summary is final. */
  finished: boolean;
  /** The child failed (a bug, not a business outcome): the cycle stays open until it is re-added or the cycle is closed. */
  failed: boolean;
  /**
   * Started by an earlier run of this cycle (before a continue-as-new): this run has no handle on its result, so its final
   * status (accepted, closed) arrives as its last obligationChanged signal, and signals reach it by workflow id.
   */
  carried?: true;
}

/**
 * What a cycle carries into its next run when it continues as new (CYCLE_CONTINUE_AS_NEW_PATCH): the stages as amendments
 * left them, every obligation's last summary, the amendments applied and still queued, a close request, the read model's
 * revision and the next digest. Parties the spec already names are carried by agency code only.
 */
export interface CycleCarry {
  readonly stages: readonly {
    readonly id: string;
    readonly dueDate: IsoDate;
    readonly parties: readonly { readonly code: string; readonly dueDate: IsoDate; readonly party?: PartySpec }[];
  }[];
  readonly entries: readonly {
    readonly stageId: string;
    readonly summary: ObligationSummary;
    readonly finished: boolean;
    readonly failed: boolean;
    /** Only when the stage no longer names the agency (removed or replaced). */
    readonly party?: PartySpec;
  }[];
  readonly amendments: readonly AmendmentRecord[];
  readonly queue: readonly PlanAmendment[];
  readonly closing: CloseCycleInput | null;
  readonly currentStage: string | null;
  /** Only when an amendment replaced the spec's coordinator. */
  readonly coordinator?: PartySpec;
  readonly revision: number;
  readonly openedAt: string;
  /** The next digest instant (ms), when the cycle sends digests. */
  readonly nextDigest: number;
  /** How many runs came before this one. */
  readonly runs: number;
}

/** A stage as amendments leave it: who owes it now and by when (per party, since one party's deadline can move alone). */
export interface StageState {
  readonly spec: StageSpec;
  dueDate: IsoDate;
  readonly parties: Map<string, { party: PartySpec; dueDate: IsoDate }>;
}

/**
 * What the workflow does, in order, to carry out an applied amendment. Signals name the obligation by stage and agency: the
 * workflow sends one only if that obligation is still open when the step comes (it may end while an earlier step is awaited).
 */
export type AmendmentStep =
  | {
      readonly kind: 'changeDeadline';
      readonly stageId: string;
      readonly agencyCode: string;
      readonly signal: ChangeDeadlineInput;
    }
  | {
      readonly kind: 'close';
      readonly stageId: string;
      readonly agencyCode: string;
      readonly signal: CloseObligationInput;
    }
  | { readonly kind: 'start'; readonly stage: StageState; readonly party: PartySpec; readonly dueDate: IsoDate }
  | {
      readonly kind: 'readdress';
      readonly stageId: string;
      readonly agencyCode: string;
      readonly signal: ReaddressInput;
    };

/** An amendment applied (note null, the steps to take) or not (the note says why, nothing to do). */
export type AmendmentOutcome =
  | { readonly note: null; readonly steps: readonly AmendmentStep[] }
  | { readonly note: string; readonly steps: readonly [] };

const refused = (note: string): AmendmentOutcome => ({ note, steps: [] });

/** One reporting cycle's state; the workflow owns the Temporal side (children, signals, search attributes, activities). */
export class CycleState {
  readonly stages: StageState[];
  readonly entries = new Map<string, Entry>();
  readonly amendments: AmendmentRecord[] = [];
  private readonly queue: PlanAmendment[] = [];
  closing: CloseCycleInput | null = null;
  status: CycleStatus = 'open';
  closedReason: string | null = null;
  currentStage: string | null;
  /** The chain's coordinator: the spec's, until an amendment replaces it by its successor. */
  coordinator: PartySpec;
  /** Bumped by every message and child outcome, so the main loop's wait ends when something changed. */
  wake = 0;
  private revision = 0;
  private eventSeq = 0;

  constructor(
    readonly spec: CycleSpec,
    readonly cycleId: string,
    readonly runId: string,
  ) {
    this.stages = spec.stages.map((s) => ({
      spec: s,
      dueDate: s.dueDate,
      parties: new Map(s.parties.map((p) => [p.agencyCode, { party: p, dueDate: s.dueDate }])),
    }));
    this.currentStage = this.stages[0]!.spec.id;
    this.coordinator = spec.coordinator;
  }

  /** A spec keeping its texts by hash (version 4) takes parties whose measures are numbers only; any other needs titles. */
  private get titles(): { titlesByHash: boolean } {
    return { titlesByHash: this.spec.texts !== undefined };
  }

  static isOpen(e: Entry): boolean {
    return !e.finished && !e.failed;
  }

  /** The obligation of `agencyCode` in `stageId`, if its run is still going. */
  openEntry(stageId: string, agencyCode: string): Entry | undefined {
    const e = this.entries.get(obligationWorkflowId(this.spec.planId, this.spec.period, agencyCode, stageId));
    return e !== undefined && CycleState.isOpen(e) ? e : undefined;
  }

  /** The earliest stage with an open obligation; null when none is open. */
  firstOpenStage(): string | null {
    return (
      this.stages.find((s) => [...this.entries.values()].some((e) => e.stageId === s.spec.id && CycleState.isOpen(e)))
        ?.spec.id ?? null
    );
  }

  /** What the status query answers. */
  view(): CycleStatusView {
    return {
      cycleId: this.cycleId,
      planId: this.spec.planId,
      period: this.spec.period,
      status: this.status,
      stage: this.currentStage,
      closedReason: this.closedReason,
      obligations: [...this.entries.values()].map((e) => e.summary),
      amendments: [...this.amendments],
    };
  }

  /** Event idempotency keys are deterministic per run, so a retried activity or a replay records the same row once. */
  nextEventKey(): string {
    return `${this.cycleId}/${this.runId}/${++this.eventSeq}`;
  }

  /** The read model row as of `now`; each call is a new revision, and only the first carries the spec (up to ~1 MB). */
  cycleRow(openedAt: string, now: string) {
    const revision = ++this.revision;
    return {
      workflowId: this.cycleId,
      runId: this.runId,
      revision,
      planId: this.spec.planId,
      period: this.spec.period,
      policyId: this.spec.policyId,
      status: this.status,
      stage: this.currentStage,
      closedReason: this.closedReason,
      ...(revision === 1 ? { spec: this.spec } : {}),
      openedAt,
      finishedAt: this.status === 'open' ? null : now,
    };
  }

  /** Every party of every stage, as the cycle opens: all stages open at once. */
  owed(): { stage: StageState; party: PartySpec; dueDate: IsoDate }[] {
    return this.stages.flatMap((stage) =>
      [...stage.parties.values()].map(({ party, dueDate }) => ({ stage, party, dueDate })),
    );
  }

  /** Registers the obligation about to be started for `party` in `stage` (a re-added party replaces its ended entry). */
  addEntry(stage: StageState, party: PartySpec, dueDate: IsoDate): Entry {
    const workflowId = obligationWorkflowId(this.spec.planId, this.spec.period, party.agencyCode, stage.spec.id);
    const entry: Entry = {
      stageId: stage.spec.id,
      party,
      finished: false,
      failed: false,
      summary: {
        obligationId: workflowId,
        stageId: stage.spec.id,
        agencyCode: party.agencyCode,
        status: 'pending',
        dueDate,
        effectiveDueDate: null,
        dueInstant: null,
        reportVersion: 0,
        workingDaysLate: null,
        closedReason: null,
      },
    };
    this.entries.set(workflowId, entry);
    return entry;
  }

  // ——— Continue-as-new ————————————————————————————————————————————————————————————

  /** Amendments received and not yet applied. */
  get queued(): number {
    return this.queue.length;
  }

  /** The state the next run needs (see CycleCarry); `extra` is the workflow's own part. */
  carry(extra: { openedAt: string; nextDigest: number; runs: number }): CycleCarry {
    const named = (stageId: string, code: string): boolean =>
      this.spec.stages.some((st) => st.id === stageId && st.parties.some((p) => p.agencyCode === code));
    return {
      stages: this.stages.map((st) => ({
        id: st.spec.id,
        dueDate: st.dueDate,
        parties: [...st.parties.entries()].map(([code, { party, dueDate }]) => ({
          code,
          dueDate,
          ...(named(st.spec.id, code) && this.spec.stages.find((x) => x.id === st.spec.id)!.parties.includes(party)
            ? {}
            : { party }),
        })),
      })),
      entries: [...this.entries.values()].map((e) => ({
        stageId: e.stageId,
        summary: e.summary,
        finished: e.finished,
        failed: e.failed,
        ...(this.stages.find((st) => st.spec.id === e.stageId)?.parties.get(e.summary.agencyCode)?.party === e.party
          ? {}
          : { party: e.party }),
      })),
      amendments: [...this.amendments],
      queue: [...this.queue],
      closing: this.closing,
      currentStage: this.currentStage,
      ...(this.coordinator === this.spec.coordinator ? {} : { coordinator: this.coordinator }),
      revision: this.revision,
      ...extra,
    };
  }

  /** Takes up the state an earlier run carried (the spec is the same); its obligations are addressed by workflow id. */
  restore(c: CycleCarry): void {
    for (const saved of c.stages) {
      const stage = this.stages.find((st) => st.spec.id === saved.id);
      if (stage === undefined) continue;
      stage.dueDate = saved.dueDate;
      const fromSpec = new Map(stage.spec.parties.map((p) => [p.agencyCode, p]));
      stage.parties.clear();
      for (const p of saved.parties) {
        const party = p.party ?? fromSpec.get(p.code);
        if (party !== undefined) stage.parties.set(p.code, { party, dueDate: p.dueDate });
      }
    }
    this.entries.clear();
    for (const e of c.entries) {
      const party =
        e.party ??
        this.stages.find((st) => st.spec.id === e.stageId)?.parties.get(e.summary.agencyCode)?.party ??
        this.spec.stages.find((st) => st.id === e.stageId)?.parties.find((p) => p.agencyCode === e.summary.agencyCode);
      if (party === undefined) continue;
      this.entries.set(e.summary.obligationId, {
        stageId: e.stageId,
        party,
        summary: e.summary,
        finished: e.finished,
        failed: e.failed,
        carried: true,
      });
    }
    this.amendments.splice(0, this.amendments.length, ...c.amendments);
    this.queue.splice(0, this.queue.length, ...c.queue);
    this.closing = c.closing;
    this.currentStage = c.currentStage;
    if (c.coordinator !== undefined) this.coordinator = c.coordinator;
    this.revision = c.revision;
  }

  // ——— Messages and child outcomes ——————————————————————————————————————————————

  enqueueAmendment(amendment: PlanAmendment): void {
    this.queue.push(amendment);
    this.wake++;
  }

  nextAmendment(): PlanAmendment | undefined {
    return this.queue.shift();
  }

  /** The first close request wins; later ones are no-ops. */
  requestClose(request: CloseCycleInput): void {
    this.closing ??= request;
    this.wake++;
  }

  obligationChanged(summary: ObligationSummary): void {
    const entry = this.entries.get(summary.obligationId);
    // The child's result is authoritative once it has ended; a signal of an earlier run of a re-added party is stale.
    if (entry !== undefined && !entry.finished) {
      entry.summary = summary;
      // A carried obligation's last word: its result goes to the run that started it, not to this one.
      if (entry.carried === true && (summary.status === 'accepted' || summary.status === 'closed'))
        entry.finished = true;
    }
    this.wake++;
  }

  childFinished(entry: Entry, summary: ObligationSummary): void {
    entry.summary = summary;
    entry.finished = true;
    this.wake++;
  }

  childFailed(entry: Entry): void {
    entry.failed = true;
    this.wake++;
  }

  allFinished(): boolean {
    return [...this.entries.values()].every((e) => e.finished);
  }

  /** Every obligation has finished or failed: nothing more will come from them. */
  allEnded(): boolean {
    return [...this.entries.values()].every((e) => e.finished || e.failed);
  }

  /** Moves the current stage to the earliest open one; returns it when it changed (the search attribute follows), else null. */
  refreshStage(): string | null {
    const stage = this.firstOpenStage();
    if (stage === null || stage === this.currentStage) return null;
    this.currentStage = stage;
    return stage;
  }

  finish(final: Exclude<CycleStatus, 'open'>, reason: string | null): void {
    this.status = final;
    this.closedReason = reason;
  }

  // ——— Amendments ————————————————————————————————————————————————————————————

  /** A repeated signal (a retried API call) is a no-op. */
  isDuplicate(a: PlanAmendment): boolean {
    return this.amendments.some((r) => r.amendmentId === a.amendmentId);
  }

  noteAmendment(a: PlanAmendment, note: string | null): void {
    this.amendments.push({ amendmentId: a.amendmentId, kind: a.kind, applied: note === null, note });
  }

  // A party removed and added again reuses its workflow id, which is possible only once the earlier run has ended.
  private stillClosing(stage: StageState, agencyCode: string): boolean {
    return this.openEntry(stage.spec.id, agencyCode) !== undefined;
  }

  /**
   * The coordinator replaced by its successor: every stage it receives (not a stage with a recipient of its own) is
   * re-addressed, party by party; the workflow signals those still open. Its own stage passes by a replaceParty amendment.
   */
  private replaceCoordinator(a: Extract<PlanAmendment, { kind: 'replaceCoordinator' }>): AmendmentOutcome {
    const problems = validatePartySpec(a.successor, 'successor', this.titles);
    if (problems.length > 0) return refused(problems.join('; '));
    if (a.successor.agencyCode === this.coordinator.agencyCode)
      return refused(`"${a.successor.agencyCode}" is already the coordinator`);
    const from = this.coordinator.agencyCode;
    this.coordinator = a.successor;
    const signal: ReaddressInput = {
      amendmentId: a.amendmentId,
      coordinator: a.successor,
      reason: `${from} replaced by ${a.successor.agencyCode}${a.act === undefined ? '' : ` (${a.act})`}`,
      actor: a.actor,
    };
    return {
      note: null,
      steps: this.stages
        .filter((s) => s.spec.to === 'coordinator' && s.spec.recipient === undefined)
        .flatMap((s) =>
          [...s.parties.keys()].map((agencyCode) => ({
            kind: 'readdress' as const,
            stageId: s.spec.id,
            agencyCode,
            signal,
          })),
        ),
    };
  }

  /** Applies one amendment to the stages, or says why it does not apply; returns what the workflow must then do. */
  amend(a: PlanAmendment): AmendmentOutcome {
    if (a.kind === 'replaceCoordinator') return this.replaceCoordinator(a);
    const stage = this.stages.find((s) => s.spec.id === a.stageId);
    if (stage === undefined) return refused(`no stage "${a.stageId}" in this cycle`);
    switch (a.kind) {
      case 'moveDeadline': {
        if (!isIsoDate(a.newDueDate)) return refused(`newDueDate: not a date (YYYY-MM-DD): "${String(a.newDueDate)}"`);
        const codes = a.agencyCode === undefined ? [...stage.parties.keys()] : [a.agencyCode];
        if (a.agencyCode !== undefined && !stage.parties.has(a.agencyCode))
          return refused(`"${a.agencyCode}" owes nothing in stage ${a.stageId}`);
        if (a.agencyCode === undefined) stage.dueDate = a.newDueDate;
        const signal: ChangeDeadlineInput = {
          amendmentId: a.amendmentId,
          newDueDate: a.newDueDate,
          reason: a.act ?? 'plan amended',
          actor: a.actor,
        };
        for (const code of codes) stage.parties.get(code)!.dueDate = a.newDueDate;
        return {
          note: null,
          steps: codes.map((agencyCode) => ({ kind: 'changeDeadline', stageId: stage.spec.id, agencyCode, signal })),
        };
      }
      case 'addParty': {
        const problems = validatePartySpec(a.party, 'party', this.titles);
        if (problems.length > 0) return refused(problems.join('; '));
        if (stage.parties.has(a.party.agencyCode))
          return refused(`"${a.party.agencyCode}" already owes stage ${a.stageId}`);
        if (this.stillClosing(stage, a.party.agencyCode))
          return refused(`the removed obligation of "${a.party.agencyCode}" is still closing: amend again in a moment`);
        stage.parties.set(a.party.agencyCode, { party: a.party, dueDate: stage.dueDate });
        return { note: null, steps: [{ kind: 'start', stage, party: a.party, dueDate: stage.dueDate }] };
      }
      case 'removeParty': {
        if (!stage.parties.has(a.agencyCode)) return refused(`"${a.agencyCode}" owes nothing in stage ${a.stageId}`);
        stage.parties.delete(a.agencyCode);
        return {
          note: null,
          steps: [
            {
              kind: 'close',
              stageId: stage.spec.id,
              agencyCode: a.agencyCode,
              signal: { reason: `removed from the plan: ${a.reason}`, actor: a.actor },
            },
          ],
        };
      }
      case 'replaceParty': {
        const previous = stage.parties.get(a.agencyCode);
        if (previous === undefined) return refused(`"${a.agencyCode}" owes nothing in stage ${a.stageId}`);
        const problems = validatePartySpec(a.successor, 'successor', this.titles);
        if (problems.length > 0) return refused(problems.join('; '));
        if (stage.parties.has(a.successor.agencyCode))
          return refused(`successor "${a.successor.agencyCode}" already owes stage ${a.stageId}`);
        if (this.stillClosing(stage, a.successor.agencyCode))
          return refused(
            `the removed obligation of "${a.successor.agencyCode}" is still closing: amend again in a moment`,
          );
        const entry = this.entries.get(
          obligationWorkflowId(this.spec.planId, this.spec.period, a.agencyCode, stage.spec.id),
        );
        // A report already accepted was delivered: the successor owes nothing more for this period.
        if (entry?.summary.status === 'accepted')
          return refused(
            `"${a.agencyCode}" has already reported for ${this.spec.period}; nothing passes to "${a.successor.agencyCode}"`,
          );
        stage.parties.delete(a.agencyCode);
        stage.parties.set(a.successor.agencyCode, { party: a.successor, dueDate: previous.dueDate });
        return {
          note: null,
          steps: [
            {
              kind: 'close',
              stageId: stage.spec.id,
              agencyCode: a.agencyCode,
              signal: { reason: `replaced by ${a.successor.agencyCode}`, actor: a.actor },
            },
            { kind: 'start', stage, party: a.successor, dueDate: previous.dueDate },
          ],
        };
      }
    }
  }
}

/** `text` in pieces of at most `size` characters, never splitting a surrogate pair (each piece is stored as text). */
export function cutText(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - 1 > i && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}
