// The reporting-cycle model shared by every layer: parties, stages, specs, statuses, reports, amendments, views and the
// business-keyed ids. Plain types and pure helpers only — no Temporal import, no I/O.
import type { ShiftDirection } from './calendar.js';
import type { IsoDate } from './dates.js';
import type { EscalationStep, ReminderSettings } from './plan.js';

export type Lang = 'kk' | 'ru';

/** Text in both official languages; the recipient's language comes first, the other below it. */
export interface BilingualText {
  readonly kk: string;
  readonly ru: string;
}

/** `cycle:<planId>:<period>`: derived from the business key, so a retried start never opens a second cycle. */
export function cycleWorkflowId(planId: string, period: string): string {
  return `cycle:${planId}:${period}`;
}

/** `obligation:<planId>:<period>:<agencyCode>:<stageId>`: one report owed by one party in one stage of one cycle. */
export function obligationWorkflowId(planId: string, period: string, agencyCode: string, stageId: string): string {
  return `obligation:${planId}:${period}:${agencyCode}:${stageId}`;
}

/** The levels of the reporting chain, bottom to top: executors report to the coordinator, who reports to the PM Office, … */
export type ChainRole = 'executors' | 'coordinator' | 'pm_office' | 'presidential_administration';
export type ReportingRole = Exclude<ChainRole, 'presidential_administration'>;
export type ReceivingRole = Exclude<ChainRole, 'executors'>;

/** A party of a cycle, fully resolved from the agencies directory: nothing in a workflow looks anything up. */
export interface PartySpec {
  readonly agencyCode: string;
  readonly name: BilingualText;
  /** The language its e-mails are written in first. */
  readonly lang: Lang;
  /** Reports "by agreement": reminded, escalated to the coordinator only, never further up the Government chain. */
  readonly byAgreement: boolean;
  /** reporter: whoever prepares the report (reminders, notices); head: escalations to the head of the body. */
  readonly emails: { readonly reporter: readonly string[]; readonly head: readonly string[] };
  /**
   * What it owes in the stage: the measures its report must cover (its submission is checked against these numbers). The
   * title is absent in a spec that keeps its texts out of history (CycleSpec.texts, domain/cycle-texts.ts): read it by hash.
   */
  readonly measures: readonly { readonly number: string; readonly title?: BilingualText }[];
  /**
   * Which rule made it a party when not the plan's own code: a group re-expanded for the cycle ('group "…" as of
   * 2024-01-10'), a successor ('successor of БҒМ on …'). Absent: named by the plan.
   */
  readonly via?: readonly string[];
}

export interface StageSpec {
  /** Stable within the policy (executors, summary, pm-office); part of obligation ids. */
  readonly id: string;
  readonly from: ReportingRole;
  readonly to: ReceivingRole;
  /** The due date as the policy or plan writes it. */
  readonly dueDate: IsoDate;
  /** End of the due day in Asia/Almaty after the plan's shift off non-working days (informative: each obligation recomputes it from the current calendar). */
  readonly dueInstant: string;
  readonly parties: readonly PartySpec[];
  /**
   * A specific agency that receives this stage's reports in the place of the chain's party at `to` (a measure whose
   * completion form names it: "ҰҚК-ге ақпарат"). Its obligations name it as the receiver, and the escalation steps the
   * ladder addresses to the receiver (coordinator, coordinator_head) reach it; the steps above it are the chain's, and a
   * by-agreement party is still never escalated past it. Absent: the chain's party at `to` (every policy stage).
   */
  readonly recipient?: PartySpec;
  /**
   * The footnote that set this stage (CYCLE_SPEC_VERSION 3): a measure whose deadline ends in a marker ("*", "**") owes
   * the information its note asks for, to the note's recipient by the note's dates, in a stage `measure-<n>-note-<k>` of
   * its own. Informative (previews, pages): the workflows read only id, from, to, recipient and the parties.
   */
  readonly footnote?: { readonly measure: string; readonly marker: string; readonly text: string };
}

/** A measure of the plan that no stage of the cycle asks a report on, and why: said, never silently dropped. */
export interface NotOwedMeasure {
  readonly number: string;
  /** The deadline as the plan writes it. */
  readonly deadline: string;
  /** as_needed: no calendar deadline ("қажеттілігіне қарай"); unparsed: a deadline Merzim could not read; no_executor: nobody to report. */
  readonly reason: 'as_needed' | 'unparsed' | 'no_executor';
  readonly note: string;
}

/**
 * The shape of CycleSpec that cycleSpecFromPlan builds today. 1 (the field absent): specs before `notOwed` and measure stages;
 * 2: with them; 3: with the stages a measure's footnote sets (StageSpec.footnote); 4 (CYCLE_SPEC_TEXTS_VERSION, built from a
 * 3 by separateCycleTexts): measure titles by hash in `cycle_texts`. Running cycles keep the spec they were opened with, so
 * code reading a stored spec checks this.
 */
export const CYCLE_SPEC_VERSION = 3;

/** Everything a reporting cycle needs, resolved from the plan by an activity before the cycle starts. */
export interface CycleSpec {
  /** CYCLE_SPEC_VERSION when built; absent in specs built before the field existed. */
  readonly version?: number;
  readonly planId: string;
  readonly planTitle: BilingualText;
  /** "2019", "2019-H1", "2019-Q3". */
  readonly period: string;
  readonly policyId: string;
  /** What a due date on a non-working day does (the plan's setting). */
  readonly shift: ShiftDirection;
  readonly coordinator: PartySpec;
  readonly pmOffice: PartySpec;
  readonly presidentialAdministration: PartySpec;
  readonly stages: readonly StageSpec[];
  readonly reminders: ReminderSettings;
  readonly escalation: readonly EscalationStep[];
  /** The plan's policy opts in to escalation e-mails to the Presidential Administration (absent: never; see ReportingPolicy). */
  readonly escalateToPresidentialAdministration?: boolean;
  /** Measures of the plan this cycle asks no report on (as needed, unreadable deadline, no executor); absent in specs built before it existed. */
  readonly notOwed?: readonly NotOwedMeasure[];
  /**
   * Version 4 (CYCLE_SPEC_TEXTS_VERSION): the measures' titles are not in the parties but in the immutable `cycle_texts` row
   * of this SHA-256 (domain/cycle-texts.ts), so the spec and every obligation's input stay small. Absent: titles inline.
   */
  readonly texts?: { readonly hash: string };
}

/** The upper levels of the chain, which escalations reach. */
export type CycleChain = Pick<CycleSpec, 'coordinator' | 'pmOffice' | 'presidentialAdministration'>;

/**
 * The chain as an obligation of `stage` sees it: a stage with its own recipient puts that agency in the place of the
 * chain's party at `stage.to`, so the receiver, the overdue notices and the ladder's receiver steps reach it. Pure.
 */
export function stageChain(chain: CycleChain, stage: Pick<StageSpec, 'to' | 'recipient'>): CycleChain {
  if (stage.recipient === undefined) return chain;
  switch (stage.to) {
    case 'coordinator':
      return { ...chain, coordinator: stage.recipient };
    case 'pm_office':
      return { ...chain, pmOffice: stage.recipient };
    case 'presidential_administration':
      return { ...chain, presidentialAdministration: stage.recipient };
  }
}

export type ObligationStatus = 'pending' | 'overdue' | 'submitted' | 'returned' | 'accepted' | 'closed';
export type CycleStatus = 'open' | 'completed' | 'closed';

/** Who reached what with the report and when it is due; what the cycle shows per obligation. */
export interface ObligationSummary {
  readonly obligationId: string;
  readonly stageId: string;
  readonly agencyCode: string;
  readonly status: ObligationStatus;
  readonly dueDate: IsoDate;
  /** After the shift off non-working days; null until the obligation has planned (or re-planned) its timeline. */
  readonly effectiveDueDate: IsoDate | null;
  /** ISO instant the report falls due; null with effectiveDueDate. */
  readonly dueInstant: string | null;
  readonly reportVersion: number;
  /** Working days late of the latest submission; null before any, 0 when on time. */
  readonly workingDaysLate: number | null;
  readonly closedReason: string | null;
}

export type MeasureStatus = 'done' | 'in_progress' | 'not_done';

export interface ReportItem {
  /** A measure number of the party's PartySpec.measures. */
  readonly measure: string;
  readonly status: MeasureStatus;
  /** What was done: the narrative the decree asks for. */
  readonly text: string;
}

/** A measure's status in a full report (domain/report.ts): the legacy three and "not yet due". */
export type ReportedMeasureStatus = MeasureStatus | 'not_yet_due';

/**
 * A submission. Legacy: one item per measure owed, narratives included (a subset may be sent; unknown numbers are refused).
 * Since the versioned report: the id and content hash of the version stored in PostgreSQL (report_versions) and the
 * per-measure statuses — never the narratives or files, which stay in PostgreSQL and the file store.
 */
export interface ReportSubmission {
  readonly submittedBy: string;
  readonly items?: readonly ReportItem[];
  readonly versionId?: string;
  /** The version number the stored row has: must be the obligation's next, so PostgreSQL and the history never disagree. */
  readonly version?: number;
  /** SHA-256 (hex) of the version's canonical JSON. */
  readonly contentHash?: string;
  readonly statuses?: readonly { readonly measure: string; readonly status: ReportedMeasureStatus }[];
}

/** A reviewer's remark on one measure (and optionally one field of it), or on the report as a whole (no measure). */
export interface ReviewComment {
  readonly measure?: string;
  /** The field it is about, as the report names it ("narrative.kk", "indicators[0].value", "events", "annexes"). */
  readonly field?: string;
  readonly text: string;
}

export interface SubmitResult {
  readonly version: number;
  readonly late: boolean;
  readonly workingDaysLate: number;
}

export interface AcceptInput {
  readonly acceptedBy: string;
  readonly comment?: string;
}

export interface ReturnReportInput {
  readonly returnedBy: string;
  readonly comment: string;
  /** Remarks per measure and field, shown to the agency beside what it wrote; absent in returns sent before them. */
  readonly comments?: readonly ReviewComment[];
  /** The new due date as written (shifted off non-working days like any other). */
  readonly newDueDate: IsoDate;
}

export interface ExtendInput {
  readonly extendedBy: string;
  readonly reason: string;
  /** Must be later than the current due date. */
  readonly newDueDate: IsoDate;
}

/** Sent by the cycle when a plan amendment moves this obligation's deadline. */
export interface ChangeDeadlineInput {
  readonly amendmentId: string;
  readonly newDueDate: IsoDate;
  readonly reason: string;
  readonly actor: string;
}

/** Sent by the cycle when the coordinator an obligation reports to is replaced by its successor. */
export interface ReaddressInput {
  readonly amendmentId: string;
  /** The new receiver (the chain's coordinator from now on): reminders, notices and escalations name and reach it. */
  readonly coordinator: PartySpec;
  readonly reason: string;
  readonly actor: string;
}

export interface CloseObligationInput {
  readonly reason: string;
  readonly actor: string;
}

/** A change to a running cycle's plan; amendmentId makes a repeated signal a no-op. */
export type PlanAmendment =
  | {
      readonly kind: 'moveDeadline';
      readonly amendmentId: string;
      readonly actor: string;
      readonly act?: string;
      readonly stageId: string;
      readonly newDueDate: IsoDate;
      /** One party's deadline; absent: the whole stage's. */ readonly agencyCode?: string;
    }
  | {
      readonly kind: 'addParty';
      readonly amendmentId: string;
      readonly actor: string;
      readonly act?: string;
      readonly stageId: string;
      readonly party: PartySpec;
    }
  | {
      readonly kind: 'removeParty';
      readonly amendmentId: string;
      readonly actor: string;
      readonly act?: string;
      readonly stageId: string;
      readonly agencyCode: string;
      readonly reason: string;
    }
  | {
      /** The coordinator replaced by its successor (a reorganisation): the open obligations it receives are re-addressed. */
      readonly kind: 'replaceCoordinator';
      readonly amendmentId: string;
      readonly actor: string;
      readonly act?: string;
      readonly successor: PartySpec;
    }
  | {
      readonly kind: 'replaceParty';
      readonly amendmentId: string;
      readonly actor: string;
      readonly act?: string;
      readonly stageId: string;
      readonly agencyCode: string;
      readonly successor: PartySpec;
    };

export interface CloseCycleInput {
  /** Why, e.g. "repealed by Government decree No. 1014 of 15 Sep 2022". */
  readonly reason: string;
  readonly act?: string;
  readonly actor: string;
}

export interface AmendmentRecord {
  readonly amendmentId: string;
  readonly kind: PlanAmendment['kind'];
  readonly applied: boolean;
  /** Why it was not applied (unknown stage or agency, duplicate party…). */
  readonly note: string | null;
}

export interface CycleStatusView {
  readonly cycleId: string;
  readonly planId: string;
  readonly period: string;
  readonly status: CycleStatus;
  /** The earliest stage with an open obligation; null when none is open. */
  readonly stage: string | null;
  readonly closedReason: string | null;
  readonly obligations: readonly ObligationSummary[];
  readonly amendments: readonly AmendmentRecord[];
}

export interface ObligationView {
  readonly summary: ObligationSummary;
  readonly report:
    (ReportSubmission & { readonly version: number; readonly submittedAt: string; readonly late: boolean }) | null;
  readonly lastReturn: {
    readonly comment: string;
    readonly returnedBy: string;
    readonly at: string;
    readonly comments?: readonly ReviewComment[];
  } | null;
  /** Dedupe keys of the reminders and escalations sent, in order. */
  readonly sent: readonly string[];
}

/** `schedule:<planId>`: one Temporal Schedule per confirmed plan. */
export function planScheduleId(planId: string): string {
  return `schedule:${planId}`;
}
