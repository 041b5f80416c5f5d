// The metadata a coordinator adds to a bare table on upload (title, act, years, coordinator, policy, answers to unknown codes),
// and the pure rule that fills it into an import result.
import { findAgency } from '../agencies.js';
import { isIsoDate } from '../dates.js';
import { STANDARD_POLICIES } from '../policies.js';
import type { ActRef, Agency, BilingualName, Diagnostic } from '../plan.js';
import type { ImportResult } from './result.js';

/** What a decree's bare table does not say and the coordinator fills in on upload. */
export interface ImportMetadata {
  readonly title?: BilingualName;
  readonly approvedBy?: ActRef;
  readonly years?: { readonly from: number; readonly to: number };
  readonly coordinator?: string;
  readonly policy?: string;
  /** The reviewer's answer to an unknown executor code: the agency it means ("ПМ" → some code)… */
  readonly map?: Readonly<Record<string, string>>;
  /** …or that it is no agency of the directory (an NGO, "religious associations"): no obligation, recorded as such. */
  readonly ignore?: readonly string[];
}

/** Fills in what the coordinator supplied; the matching missing_* errors go, and a bad value becomes an error naming its field. */
export function applyMetadata(result: ImportResult, meta: ImportMetadata, directory: readonly Agency[]): ImportResult {
  if (result.plan === null) return result;
  let plan = result.plan;
  const resolved = new Set<string>();
  const problems: Diagnostic[] = [];
  if (meta.title !== undefined) {
    plan = { ...plan, title: meta.title };
    resolved.add('missing_title');
  }
  if (meta.approvedBy !== undefined) {
    if (!isIsoDate(meta.approvedBy.date))
      problems.push({
        severity: 'error',
        code: 'invalid_metadata',
        message: `not a date (YYYY-MM-DD): "${meta.approvedBy.date}"`,
        field: 'approvedBy.date',
      });
    else {
      plan = { ...plan, approvedBy: meta.approvedBy };
      resolved.add('missing_act');
    }
  }
  if (meta.years !== undefined) {
    if (meta.years.from > meta.years.to)
      problems.push({
        severity: 'error',
        code: 'invalid_metadata',
        message: `years.from ${meta.years.from} is after years.to ${meta.years.to}`,
        field: 'years',
      });
    else {
      plan = { ...plan, years: meta.years };
      resolved.add('missing_years');
    }
  }
  if (meta.coordinator !== undefined) {
    const agency = findAgency(meta.coordinator, directory);
    if (agency === undefined)
      problems.push({
        severity: 'error',
        code: 'unknown_abbreviation',
        message: `unknown agency "${meta.coordinator}"`,
        field: 'coordinator',
      });
    else {
      plan = { ...plan, coordinator: agency.code };
      resolved.add('missing_coordinator');
    }
  }
  if (meta.policy !== undefined) {
    const policy = STANDARD_POLICIES[meta.policy];
    if (policy === undefined)
      problems.push({
        severity: 'error',
        code: 'invalid_metadata',
        message: `unknown policy "${meta.policy}" (one of ${Object.keys(STANDARD_POLICIES).join(', ')})`,
        field: 'policy',
      });
    else plan = { ...plan, policy };
  }
  const executorAnswers = resolveUnknownExecutors(plan, result, meta, directory);
  plan = executorAnswers.plan;
  return {
    ...result,
    plan,
    diagnostics: [
      ...result.diagnostics.filter(
        (d) => !resolved.has(d.code) && !(d.field !== undefined && executorAnswers.answered.has(d.field)),
      ),
      ...executorAnswers.diagnostics,
      ...problems,
    ],
  };
}

/** Applies map/ignore to executor codes (and completion-form and footnote recipients) the directory does not know; returns the fields it answered. */
function resolveUnknownExecutors(
  plan: NonNullable<ImportResult['plan']>,
  result: ImportResult,
  meta: ImportMetadata,
  directory: readonly Agency[],
) {
  const answered = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const map = meta.map ?? {};
  const ignore = new Set(meta.ignore ?? []);
  for (const [from, to] of Object.entries(map)) {
    if (findAgency(to, directory) === undefined)
      diagnostics.push({
        severity: 'error',
        code: 'invalid_metadata',
        message: `map: "${from}" → unknown agency "${to}"`,
        field: `map.${from}`,
      });
  }
  if (Object.keys(map).length === 0 && ignore.size === 0) return { plan, answered, diagnostics };
  const known = (code: string): boolean => directory.some((a) => a.code === code);
  const measures = plan.measures.map((m, i) => {
    const executors: (typeof m.executors)[number][] = [];
    m.executors.forEach((e, j) => {
      const field = `measures[${i}].executors[${j}]`;
      if (known(e.code)) return void executors.push(e);
      const target = map[e.code] === undefined ? undefined : findAgency(map[e.code]!, directory);
      if (target !== undefined) {
        answered.add(field);
        diagnostics.push({
          severity: 'info',
          code: 'executor_mapped',
          message: `measure ${m.number}: "${e.code}" read as ${target.code}, as the reviewer said`,
          field,
        });
        if (!executors.some((x) => x.code === target.code))
          executors.push({ ...e, code: target.code, byAgreement: e.byAgreement || target.byAgreement });
      } else if (ignore.has(e.code)) {
        answered.add(field);
        diagnostics.push({
          severity: 'info',
          code: 'executor_ignored',
          message: `measure ${m.number}: "${e.code}" is no agency of the directory: it owes no report, as the reviewer said`,
          field,
        });
      } else executors.push(e);
    });
    if (executors.length > 0 && !executors.some((e) => e.lead)) executors[0] = { ...executors[0]!, lead: true };
    return { ...m, executors };
  });
  // A completion form naming an unknown recipient ("ИМ ақпарат") left the recipient empty and said whom it named.
  const formCode = (message: string): string | undefined => /sends the report to "([^"]+)"/.exec(message)?.[1];
  for (const d of result.diagnostics) {
    const at = d.field === undefined ? null : /^measures\[(\d+)\]\.completionForm$/.exec(d.field);
    const code = formCode(d.message);
    if (at === null || code === undefined || d.code !== 'unknown_abbreviation') continue;
    const target = map[code] === undefined ? undefined : findAgency(map[code]!, directory);
    if (target === undefined && !ignore.has(code)) continue;
    answered.add(d.field!);
    const i = Number(at[1]);
    // Mapped: the report goes to that agency; ignored: to the plan's coordinator, as when a form names nobody.
    if (target !== undefined && measures[i] !== undefined)
      measures[i] = { ...measures[i]!, recipient: { agency: target.code } };
  }
  // A footnote giving the information to a body nobody knows ("ХЗК-ға жылына екі рет…") left its recipient empty and said whom it named.
  const noteBody = (message: string): string | undefined => /sends the information to "([^"]+)"/.exec(message)?.[1];
  for (const d of result.diagnostics) {
    const at = d.field === undefined ? null : /^measures\[(\d+)\]\.reporting$/.exec(d.field);
    const name = noteBody(d.message);
    if (at === null || name === undefined || d.code !== 'footnote_unknown_recipient') continue;
    const target = map[name] === undefined ? undefined : findAgency(map[name]!, directory);
    const i = Number(at[1]);
    const m = measures[i];
    if ((target === undefined && !ignore.has(name)) || m?.reporting === undefined) continue;
    answered.add(d.field!);
    // Mapped: the information goes to that agency; ignored: to the plan's coordinator, as when the note names nobody.
    measures[i] = {
      ...m,
      reporting: { ...m.reporting, recipient: target === undefined ? null : { agency: target.code } },
    };
    diagnostics.push({
      severity: 'info',
      code: target === undefined ? 'footnote_recipient_ignored' : 'footnote_recipient_mapped',
      message:
        target === undefined
          ? `measure ${m.number}: footnote ${m.reporting.marker} "${m.reporting.text.slice(0, 200)}" — "${name}" is no agency of the directory: the plan's coordinator receives the information, as the reviewer said`
          : `measure ${m.number}: footnote ${m.reporting.marker} "${m.reporting.text.slice(0, 200)}" — "${name}" read as ${target.code}, as the reviewer said`,
      field: d.field!,
    });
  }
  measures.forEach((m, i) => {
    if (m.executors.length === 0)
      diagnostics.push({
        severity: 'error',
        code: 'missing_executors',
        message: `measure ${m.number} has no executor left that owes a report`,
        field: `measures[${i}].executors`,
      });
  });
  return { plan: { ...plan, measures }, answered, diagnostics };
}
