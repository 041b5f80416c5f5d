// Puts an imported plan together from what a source gave, with an error for each required part it did not give — never a guess in its place.
import type { IsoDate } from '../dates.js';
import {
  DEFAULT_ESCALATION,
  DEFAULT_REMINDERS,
  type ActRef,
  type Amendment,
  type BilingualName,
  type Measure,
  type Plan,
  type Repeal,
} from '../plan.js';
import type { ReportingPolicy } from '../policies.js';
import type { Diagnostics } from './result.js';

export interface PlanParts {
  readonly lang: 'kk' | 'ru';
  readonly title?: { readonly text: string; readonly line?: number; readonly row?: number };
  readonly approvedBy?: ActRef;
  readonly amendments: readonly Amendment[];
  readonly repeal: Repeal | null;
  readonly years?: { readonly from: number; readonly to: number };
  readonly coordinator?: string;
  readonly policy: ReportingPolicy;
  readonly sections: Plan['sections'];
  readonly measures: readonly Measure[];
  readonly abbreviations: Readonly<Record<string, BilingualName>>;
  readonly indicators?: Plan['indicators'];
}

/** What stands in for a part the source did not give; a plan holding one always carries the error that says so. */
const MISSING_ACT: ActRef = { issuer: '', number: '', date: '' };

/**
 * The plan, with `missing_title`, `missing_act`, `missing_years` and `missing_coordinator` errors
 * for what is absent. The stand-ins (empty strings, years 0–0) make the plan a complete value a
 * reviewer can export, fix and import again; hasErrors() keeps it from being stored meanwhile.
 */
export function assemblePlan(parts: PlanParts, diagnostics: Diagnostics): Plan {
  if (parts.title === undefined)
    diagnostics.error('missing_title', 'the source names no plan title', { field: 'title' });
  if (parts.approvedBy === undefined) {
    diagnostics.error(
      'missing_act',
      'the source names no act approving the plan (issuer, number, date): add it before storing',
      { field: 'approvedBy' },
    );
  }
  if (parts.years === undefined)
    diagnostics.error('missing_years', 'the source names no years the plan covers ("2017 – 2020 жылдарға арналған")', {
      field: 'years',
    });
  if (parts.coordinator === undefined) {
    diagnostics.error(
      'missing_coordinator',
      "the source names no coordinating body that receives the executors' reports: choose it before storing",
      { field: 'coordinator' },
    );
  }
  const title = parts.title?.text ?? '';
  return {
    title: parts.lang === 'kk' ? { kk: title, ru: null } : { kk: null, ru: title },
    approvedBy: parts.approvedBy ?? MISSING_ACT,
    amendments: parts.amendments,
    repeal: parts.repeal,
    years: parts.years ?? { from: 0, to: 0 },
    coordinator: parts.coordinator ?? '',
    policy: parts.policy,
    shift: parts.policy.shift ?? 'next',
    reminders: DEFAULT_REMINDERS,
    escalation: DEFAULT_ESCALATION,
    sections: parts.sections,
    measures: parts.measures,
    abbreviations: parts.abbreviations,
    ...(parts.indicators !== undefined && parts.indicators.length > 0 && { indicators: parts.indicators }),
  };
}

/**
 * The day group executors are expanded on: the date of the text's current edition (an amendment
 * that restated the plan) or of the approving act; failing both, 1 January of the plan's first year.
 */
export function planDate(
  parts: Pick<PlanParts, 'approvedBy' | 'amendments' | 'years'>,
  restatedBy: readonly Amendment[],
  diagnostics: Diagnostics,
): IsoDate | undefined {
  const edition = restatedBy.reduce<Amendment | undefined>(
    (latest, a) => (latest === undefined || a.act.date > latest.act.date ? a : latest),
    undefined,
  );
  if (edition !== undefined) {
    diagnostics.info(
      'plan_date',
      `group executors are expanded to the akimats of ${edition.act.date}, the date of the plan's current edition (act № ${edition.act.number})`,
      { field: 'measures' },
    );
    return edition.act.date;
  }
  if (parts.approvedBy !== undefined) return parts.approvedBy.date;
  if (parts.years !== undefined) {
    const date = `${String(parts.years.from).padStart(4, '0')}-01-01`;
    diagnostics.info(
      'plan_date_assumed',
      `the source gives no date: group executors are expanded to the akimats of ${date}, the start of the plan's first year`,
      { field: 'measures' },
    );
    return date;
  }
  return undefined;
}
