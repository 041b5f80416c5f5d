// The plan model shared by the importer, the database, the API and the reporting cycles: acts, agencies, measures, diagnostics.
import type { IsoDate } from './dates.js';
import type { DeadlineRule } from './deadline-language.js';
import type { DayCountUnit, ShiftDirection } from './calendar.js';
import type { ReportingPolicy } from './policies.js';

/** Kazakh and Russian texts; a plan published in one language may lack the other (null, never a guess). */
export interface BilingualName {
  readonly kk: string | null;
  readonly ru: string | null;
}

export type AgencyKind =
  | 'ministry'
  | 'central_body'
  | 'presidential_body'
  | 'regional_akimat'
  | 'city_akimat'
  | 'ngo_international'
  | 'pm_office'
  | 'presidential_administration'
  | 'other';

export type ContactRole = 'reporter' | 'head' | 'coordinator' | 'general';

export interface AgencyContact {
  readonly role: ContactRole;
  readonly email: string;
  readonly name?: string;
}

/** An executor, coordinator or recipient of reports; `code` is the abbreviation plans use (АҚДМ, ҰҚК, …). */
export interface Agency {
  readonly code: string;
  readonly name: BilingualName;
  readonly kind: AgencyKind;
  /** Reports "by agreement" (келісім бойынша / по согласованию): reminded, never escalated past the coordinator. */
  readonly byAgreement: boolean;
  /** Renames and merges: obligations follow the successor from `date`. */
  readonly successor?: { readonly code: string; readonly date: IsoDate; readonly act?: string };
  readonly contacts: readonly AgencyContact[];
  readonly lang: 'kk' | 'ru';
  /** Other spellings seen in plans ("Б F M" for БҒМ, Russian abbreviations like МИОР). */
  readonly aliases?: readonly string[];
  /** The day the body came into being (Абай, Жетісу, Ұлытау regions: 2022-06-08); absent = long before any plan. A group executor ("облыстардың әкімдіктері") expands only to bodies that existed on the plan's date. */
  readonly since?: IsoDate;
  /** What an admin should know: earlier names, splits a single successor cannot express, an unverified detail. */
  readonly note?: string;
}

/** A legal act: the decree that approves a plan, one that amends it, one that repeals it. */
export interface ActRef {
  readonly issuer: string;
  readonly number: string;
  readonly date: IsoDate;
  readonly title?: BilingualName;
}

export interface Amendment {
  readonly act: ActRef;
  readonly summary: string;
}

export interface Repeal {
  readonly date: IsoDate;
  readonly act: ActRef;
}

export interface MeasureExecutor {
  /** Agency code after resolution against the plan's glossary and the directory. */
  readonly code: string;
  readonly byAgreement: boolean;
  /** The first executor listed leads. */
  readonly lead: boolean;
  /** The cell text it came from when it was a group ("облыстардың, Астана және Алматы қалаларының әкімдіктері"). */
  readonly group?: string;
}

export interface Indicator {
  readonly name: BilingualName;
  readonly unit: string | null;
  /** Yearly targets, keyed by year ("2019": 10). */
  readonly targets: Readonly<Record<string, number | string>>;
}

/** Where a recipient named by a completion form sits: a role in the chain or a specific agency. */
export type Recipient =
  | { readonly role: 'coordinator' | 'pm_office' | 'presidential_administration' | 'government' }
  | { readonly agency: string };

export interface Measure {
  /** As printed: "1", "12.", "2.3". */
  readonly number: string;
  /** Index into Plan.sections, or null before the first heading. */
  readonly section: number | null;
  readonly title: BilingualName;
  readonly completionForm: BilingualName;
  /** Who receives this measure's report when the completion form names it ("АҚДМ-ға ақпарат" → АҚДМ); null → the plan's coordinator. */
  readonly recipient: Recipient | null;
  readonly executors: readonly MeasureExecutor[];
  readonly deadline: { readonly text: string; readonly rule: DeadlineRule };
  readonly indicators: readonly Indicator[];
  readonly cost: { readonly text: string; readonly amount?: number; readonly currency?: 'KZT' } | null;
  readonly fundingSource: string | null;
  /** Where in the source it came from, for diagnostics and review. */
  readonly source?: { readonly line?: number; readonly row?: number };
  /** The source's columns beyond the ones above (unit, budget programme, expenses per year, …), kept as printed. */
  readonly extra?: MeasureExtra;
  /** Paths of values Merzim inferred rather than read ("executors[1].byAgreement"), for the reviewer to confirm. */
  readonly inferred?: readonly string[];
  /** The reporting rule a footnote marker at the end of the deadline cell points to. */
  readonly reporting?: FootnoteReporting;
}

/** Columns a measure's row carries that Merzim does not act on; shown in review and exported, never mixed into the title or executors. */
export interface MeasureExtra {
  readonly unit?: string;
  readonly budgetCode?: string;
  /** Planned expenses by year ("2021": "12,5") or "total". */
  readonly expenses?: Readonly<Record<string, string>>;
  /** Any other column: its header → the cell. */
  readonly columns?: Readonly<Record<string, string>>;
}

/** A footnote under the table ("* ҚР Үкіметіне жылына екі рет, 10 шілдеге және 10 қаңтарға дейін ақпарат беріледі") that sets a measure's reporting. */
export interface FootnoteReporting {
  readonly marker: string;
  readonly text: string;
  /** Whom the information goes to; null when the footnote names no body Merzim knows. */
  readonly recipient: Recipient | null;
  readonly rule: DeadlineRule;
}

/** A target or result indicator of the plan, with a planned value per year. */
export interface PlanIndicator {
  readonly name: BilingualName;
  readonly unit: string | null;
  readonly source: string | null;
  readonly targets: Readonly<Record<string, number | string>>;
  /** Index into Plan.sections, or null. */
  readonly section: number | null;
}

export interface ReminderSettings {
  /** Before the deadline, e.g. [14, 7, 3, 1, 0]. */
  readonly offsets: readonly number[];
  readonly unit: DayCountUnit;
  /**
   * Local time ("HH:MM" or "HH:MM:SS", Asia/Almaty) at which reminders and later escalation notices go out; absent: 09:00,
   * the start of a working day. A plan whose people start at 10:00 sets it; the living demo sets it a minute ahead.
   */
  readonly noticeTime?: string;
}

export interface EscalationStep {
  /** Days after the deadline (0 = at the deadline). */
  readonly after: number;
  readonly unit: DayCountUnit;
  /** Who is told: the party itself, the coordinator, the coordinator's head, the PM Office, the Presidential Administration. */
  readonly notify: readonly (
    'party' | 'coordinator' | 'coordinator_head' | 'pm_office' | 'presidential_administration'
  )[];
}

export const DEFAULT_REMINDERS: ReminderSettings = { offsets: [14, 7, 3, 1, 0], unit: 'working' };

export const DEFAULT_ESCALATION: readonly EscalationStep[] = [
  { after: 0, unit: 'working', notify: ['party', 'coordinator'] },
  { after: 3, unit: 'working', notify: ['coordinator_head'] },
  { after: 7, unit: 'working', notify: ['pm_office'] },
];

export interface Plan {
  readonly title: BilingualName;
  readonly approvedBy: ActRef;
  readonly amendments: readonly Amendment[];
  readonly repeal: Repeal | null;
  readonly years: { readonly from: number; readonly to: number };
  /** Agency code of the coordinating body (АҚДМ, ҰҚК, …). */
  readonly coordinator: string;
  readonly policy: ReportingPolicy;
  /** What a deadline on a non-working day does (default 'next'). */
  readonly shift: ShiftDirection;
  readonly reminders: ReminderSettings;
  readonly escalation: readonly EscalationStep[];
  readonly sections: readonly { readonly number: string | null; readonly title: BilingualName }[];
  readonly measures: readonly Measure[];
  /** The plan's own glossary: code → full name. */
  readonly abbreviations: Readonly<Record<string, BilingualName>>;
  /** Target and result indicators the plan's tables set ("Нысаналы индикаторлар", "Показатели результатов"). */
  readonly indicators?: readonly PlanIndicator[];
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

/** One doubt about an import, shown to the coordinator before confirming; errors block confirmation. */
export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  /** Stable machine code, e.g. "unknown_abbreviation", "deadline_unparsed", "missing_column". */
  readonly code: string;
  readonly message: string;
  /** 1-based line of the source text (decree text, CSV), or row of a spreadsheet. */
  readonly line?: number;
  readonly row?: number;
  /** Field path, e.g. "measures[12].executors[2]" or a column name. */
  readonly field?: string;
}
