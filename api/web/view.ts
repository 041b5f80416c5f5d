// What the pages show that is derived, not stored: names in the reader's language, the working days left, board colours.
import type { CycleRow, ObligationRow } from '../../db/database.js';
import type { WorkingCalendar } from '../../domain/calendar.js';
import { addDays } from '../../domain/dates.js';
import type { BilingualText, CycleSpec, PartySpec, StageSpec } from '../../domain/cycle-model.js';
import { html, type Html } from './html.js';
import type { Translator, UiLang } from './i18n/index.js';

/** Kazakh for Kazakh readers; Russian for Russian and English ones (the plans exist in the two official languages). */
export function pick(text: BilingualText | undefined, lang: UiLang): string {
  if (text === undefined) return '';
  return lang === 'kk' ? text.kk || text.ru : text.ru || text.kk;
}

/** A name as plans and the directory store it (either language may be missing): the reader's language first, then the other. */
export function pickName(
  name: { readonly kk: string | null; readonly ru: string | null } | undefined,
  lang: UiLang,
): string {
  if (name === undefined) return '';
  return (lang === 'kk' ? (name.kk ?? name.ru) : (name.ru ?? name.kk)) ?? '';
}

/** A workflow's page in the Temporal web UI; null when no UI is known. */
export function temporalWorkflowUrl(
  ui: string | undefined,
  namespace: string | undefined,
  workflowId: string,
): string | null {
  if (ui === undefined) return null;
  return `${ui.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace ?? 'default')}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The stored cycle spec (written by the cycle's first projection); null-safe for cycles stored before a field existed. */
export function specOf(c: CycleRow | undefined): Partial<CycleSpec> {
  return (c?.spec ?? {}) as Partial<CycleSpec>;
}

export function stageOfSpec(spec: Partial<CycleSpec>, stageId: string): StageSpec | undefined {
  return spec.stages?.find((s) => s.id === stageId);
}

export function partyOf(spec: Partial<CycleSpec>, stageId: string, agencyCode: string): PartySpec | undefined {
  return stageOfSpec(spec, stageId)?.parties.find((p) => p.agencyCode === agencyCode);
}

/** Agency code → name in the reader's language, from every party the cycle names. */
export function agencyNames(spec: Partial<CycleSpec>, lang: UiLang): Map<string, string> {
  const names = new Map<string, string>();
  const add = (p: PartySpec | undefined) => {
    if (p !== undefined && !names.has(p.agencyCode)) names.set(p.agencyCode, pick(p.name, lang));
  };
  add(spec.coordinator);
  add(spec.pmOffice);
  add(spec.presidentialAdministration);
  for (const s of spec.stages ?? []) {
    add(s.recipient);
    for (const p of s.parties) add(p);
  }
  return names;
}

/** Whom a stage reports to, by name when the cycle names the agency. */
export function receiverName(spec: Partial<CycleSpec>, stageId: string, t: Translator): string {
  const stage = stageOfSpec(spec, stageId);
  if (stage === undefined) return t.t('chain.coordinator');
  if (stage.recipient !== undefined) return pick(stage.recipient.name, t.lang);
  const party =
    stage.to === 'coordinator'
      ? spec.coordinator
      : stage.to === 'pm_office'
        ? spec.pmOffice
        : spec.presidentialAdministration;
  return party === undefined ? t.tryT(`chain.${stage.to}`) : pick(party.name, t.lang);
}

/**
 * Working days from `today` to the due date: positive = working days left after today up to and including the due day,
 * 0 = due today, negative = working days the deadline has been missed by.
 */
export function workingDaysLeft(cal: WorkingCalendar, today: string, due: string): number {
  if (due === today) return 0;
  let n = 0;
  if (due > today) {
    for (let d = addDays(today, 1); d <= due; d = addDays(d, 1)) if (cal.isWorkingDay(d)) n++;
    return n;
  }
  for (let d = addDays(due, 1); d <= today; d = addDays(d, 1)) if (cal.isWorkingDay(d)) n++;
  return -n;
}

export function timeLeftText(t: Translator, days: number): string {
  if (days > 0) return t.t('days.left', { n: days });
  if (days === 0) return t.t('days.today');
  return t.t('days.overdue', { n: -days });
}

export function statusBadge(t: Translator, status: ObligationRow['status']): Html {
  return html`<span class="badge s-${status}">${t.tryT(`status.${status}`)}</span>`;
}

/** The board's colour of an obligation: on time, late, overdue, escalated, returned, accepted (and pending, closed). */
export type BoardState = 'pending' | 'ontime' | 'late' | 'overdue' | 'escalated' | 'returned' | 'accepted' | 'closed';

export function boardState(
  o: Pick<ObligationRow, 'workflow_id' | 'status' | 'working_days_late'>,
  escalated: ReadonlySet<string>,
): BoardState {
  switch (o.status) {
    case 'submitted':
      return (o.working_days_late ?? 0) > 0 ? 'late' : 'ontime';
    case 'overdue':
      return escalated.has(o.workflow_id) ? 'escalated' : 'overdue';
    default:
      return o.status;
  }
}

export const BOARD_STATE_LABEL: Readonly<Record<BoardState, Parameters<Translator['t']>[0]>> = {
  pending: 'status.pending',
  ontime: 'board.onTime',
  late: 'board.late',
  overdue: 'status.overdue',
  escalated: 'board.escalated',
  returned: 'status.returned',
  accepted: 'status.accepted',
  closed: 'status.closed',
};

/** The obligation's page. */
export function obligationHref(id: string): string {
  return `/app/obligations/${encodeURIComponent(id)}`;
}

/** The admin's history of a workflow (the history API is for admins only, so only they are given the link). */
export function historyHref(workflowId: string): string {
  return `/app/admin/history?workflow=${encodeURIComponent(workflowId)}`;
}
