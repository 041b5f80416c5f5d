// Amendments and repeal of a confirmed plan as data: validated operations that produce the next version and say what changed.
import { isIsoDate } from './dates.js';
import { parseDeadline } from './deadline-language.js';
import type { ActRef, Agency, Measure, Plan } from './plan.js';

export type AmendmentOp =
  | { readonly op: 'set_deadline'; readonly measure: string; readonly text: string }
  | { readonly op: 'add_executor'; readonly measure: string; readonly code: string; readonly byAgreement?: boolean }
  | { readonly op: 'remove_executor'; readonly measure: string; readonly code: string }
  /** A rename or merge: `from` is replaced by `to` in the given measure, or in every measure when none is given. */
  | { readonly op: 'replace_executor'; readonly from: string; readonly to: string; readonly measure?: string }
  /** A reorganisation: the coordinating body is replaced by its successor; running cycles re-address what it receives. */
  | { readonly op: 'replace_coordinator'; readonly to: string };

export interface AmendmentRequest {
  readonly act: ActRef;
  readonly summary: string;
  readonly changes: readonly AmendmentOp[];
}

/** What running cycles must hear about: per measure, what moved. */
export interface AppliedChange {
  readonly op: AmendmentOp['op'];
  readonly measure: string;
  readonly from?: string;
  readonly to?: string;
  readonly code?: string;
}

export type AmendmentResult =
  | { readonly ok: true; readonly plan: Plan; readonly applied: readonly AppliedChange[] }
  | { readonly ok: false; readonly errors: readonly { readonly field: string; readonly message: string }[] };

export function applyAmendment(plan: Plan, req: AmendmentRequest, directory: readonly Agency[]): AmendmentResult {
  const errors: { field: string; message: string }[] = [];
  const known = new Set(directory.map((a) => a.code));
  if (req.act.number.trim() === '') errors.push({ field: 'act.number', message: 'the amending act needs a number' });
  if (!isIsoDate(req.act.date))
    errors.push({ field: 'act.date', message: `not a date (YYYY-MM-DD): "${req.act.date}"` });
  if (req.act.issuer.trim() === '') errors.push({ field: 'act.issuer', message: 'the amending act needs an issuer' });
  if (req.changes.length === 0) errors.push({ field: 'changes', message: 'an amendment changes at least one thing' });

  const measures: Measure[] = plan.measures.map((m) => ({ ...m, executors: [...m.executors] }));
  let coordinator = plan.coordinator;
  const applied: AppliedChange[] = [];
  const indexOf = (number: string, field: string): number | undefined => {
    const i = measures.findIndex((m) => m.number.replace(/\.$/, '') === number.replace(/\.$/, ''));
    if (i < 0) errors.push({ field, message: `no measure "${number}" in this plan` });
    return i < 0 ? undefined : i;
  };

  req.changes.forEach((change, n) => {
    const at = `changes[${n}]`;
    switch (change.op) {
      case 'set_deadline': {
        const i = indexOf(change.measure, `${at}.measure`);
        if (i === undefined) return;
        const rule = parseDeadline(change.text);
        if (rule.kind === 'unparsed') {
          errors.push({ field: `${at}.text`, message: `deadline not understood: ${rule.reason}` });
          return;
        }
        applied.push({
          op: change.op,
          measure: measures[i]!.number,
          from: measures[i]!.deadline.text,
          to: change.text,
        });
        measures[i] = { ...measures[i]!, deadline: { text: change.text, rule } };
        return;
      }
      case 'add_executor': {
        const i = indexOf(change.measure, `${at}.measure`);
        if (i === undefined) return;
        if (!known.has(change.code))
          return void errors.push({ field: `${at}.code`, message: `unknown agency "${change.code}"` });
        if (measures[i]!.executors.some((e) => e.code === change.code)) {
          return void errors.push({
            field: `${at}.code`,
            message: `"${change.code}" already executes measure ${change.measure}`,
          });
        }
        const byAgreement = change.byAgreement ?? directory.find((a) => a.code === change.code)!.byAgreement;
        measures[i] = {
          ...measures[i]!,
          executors: [
            ...measures[i]!.executors,
            { code: change.code, byAgreement, lead: measures[i]!.executors.length === 0 },
          ],
        };
        applied.push({ op: change.op, measure: measures[i]!.number, code: change.code });
        return;
      }
      case 'remove_executor': {
        const i = indexOf(change.measure, `${at}.measure`);
        if (i === undefined) return;
        const rest = measures[i]!.executors.filter((e) => e.code !== change.code);
        if (rest.length === measures[i]!.executors.length)
          return void errors.push({
            field: `${at}.code`,
            message: `"${change.code}" does not execute measure ${change.measure}`,
          });
        if (rest.length === 0)
          return void errors.push({
            field: `${at}.code`,
            message: `measure ${change.measure} would have no executor left`,
          });
        // The lead left: the next one listed leads.
        if (!rest.some((e) => e.lead)) rest[0] = { ...rest[0]!, lead: true };
        measures[i] = { ...measures[i]!, executors: rest };
        applied.push({ op: change.op, measure: measures[i]!.number, code: change.code });
        return;
      }
      case 'replace_coordinator': {
        if (!known.has(change.to))
          return void errors.push({ field: `${at}.to`, message: `unknown agency "${change.to}"` });
        if (change.to === coordinator)
          return void errors.push({ field: `${at}.to`, message: `"${change.to}" is already the coordinator` });
        applied.push({ op: change.op, measure: '', from: coordinator, to: change.to });
        coordinator = change.to;
        return;
      }
      case 'replace_executor': {
        if (!known.has(change.to))
          return void errors.push({ field: `${at}.to`, message: `unknown agency "${change.to}"` });
        const targets =
          change.measure === undefined
            ? measures.map((_, i) => i)
            : [indexOf(change.measure, `${at}.measure`)].filter((i): i is number => i !== undefined);
        let replaced = 0;
        for (const i of targets) {
          const m = measures[i]!;
          if (!m.executors.some((e) => e.code === change.from)) continue;
          const alreadyThere = m.executors.some((e) => e.code === change.to);
          const executors = m.executors.flatMap((e) =>
            e.code !== change.from ? [e] : alreadyThere ? [] : [{ ...e, code: change.to }],
          );
          if (alreadyThere && !executors.some((e) => e.lead)) executors[0] = { ...executors[0]!, lead: true };
          measures[i] = { ...m, executors };
          applied.push({ op: change.op, measure: m.number, from: change.from, to: change.to });
          replaced++;
        }
        if (replaced === 0)
          errors.push({
            field: `${at}.from`,
            message: `"${change.from}" executes no measure${change.measure === undefined ? '' : ` ${change.measure}`}`,
          });
        return;
      }
    }
  });

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: { ...plan, coordinator, measures, amendments: [...plan.amendments, { act: req.act, summary: req.summary }] },
    applied,
  };
}

export function applyRepeal(plan: Plan, act: ActRef, date: string): AmendmentResult {
  const errors: { field: string; message: string }[] = [];
  if (!isIsoDate(date)) errors.push({ field: 'date', message: `not a date (YYYY-MM-DD): "${date}"` });
  if (act.number.trim() === '') errors.push({ field: 'act.number', message: 'the repealing act needs a number' });
  if (!isIsoDate(act.date)) errors.push({ field: 'act.date', message: `not a date (YYYY-MM-DD): "${act.date}"` });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, plan: { ...plan, repeal: { date, act } }, applied: [] };
}
