// How a plan's new version reaches a running cycle: the amendment signals, party by party, derived purely from the versions.
import type { CycleSpec, PlanAmendment } from './cycle-model.js';
import type { AppliedChange } from './plan-amend.js';
import type { Plan } from './plan.js';

/**
 * Turns the plan's new version into what a running cycle understands, party by party: who is added, removed, replaced by a
 * successor, and whose deadline moved. Ids are derived from the plan version, so a repeated delivery is ignored by the cycle.
 */
export function amendmentSignals(
  plan: { readonly id: string; readonly version: number; readonly plan: Pick<Plan, 'amendments'> },
  running: { obligations: readonly { stageId: string; agencyCode: string; dueDate: string; status: string }[] },
  next: CycleSpec,
  applied: readonly AppliedChange[],
  actor: string,
): PlanAmendment[] {
  const last = plan.plan.amendments[plan.plan.amendments.length - 1];
  const act = last === undefined ? undefined : `${last.act.issuer} No. ${last.act.number} of ${last.act.date}`;
  const base = (n: number) => ({
    amendmentId: `plan:${plan.id}:v${plan.version}:${n}`,
    actor,
    ...(act === undefined ? {} : { act }),
  });
  const signals: PlanAmendment[] = [];
  const live = running.obligations.filter((o) => o.status !== 'closed' && o.status !== 'accepted');
  const replaced = new Map(
    applied.filter((c) => c.op === 'replace_executor' || c.op === 'replace_coordinator').map((c) => [c.from!, c.to!]),
  );
  // A successor coordinator first: the obligations it receives are re-addressed; its own stage passes by replaceParty below.
  const successor = applied.find((c) => c.op === 'replace_coordinator');
  if (successor !== undefined && next.coordinator.agencyCode === successor.to)
    signals.push({ kind: 'replaceCoordinator', ...base(signals.length), successor: next.coordinator });
  for (const stage of next.stages) {
    const wanted = new Map(stage.parties.map((p) => [p.agencyCode, p]));
    const present = live.filter((o) => o.stageId === stage.id);
    for (const o of present) {
      if (wanted.has(o.agencyCode)) continue;
      const successor = replaced.get(o.agencyCode);
      const party = successor === undefined ? undefined : wanted.get(successor);
      if (party !== undefined && !present.some((p) => p.agencyCode === successor)) {
        signals.push({
          kind: 'replaceParty',
          ...base(signals.length),
          stageId: stage.id,
          agencyCode: o.agencyCode,
          successor: party,
        });
      } else {
        signals.push({
          kind: 'removeParty',
          ...base(signals.length),
          stageId: stage.id,
          agencyCode: o.agencyCode,
          reason: 'no longer an executor under the amended plan',
        });
      }
    }
    for (const [code, party] of wanted) {
      const existing = present.find((o) => o.agencyCode === code);
      const byReplacement = [...replaced.entries()].some(
        ([from, to]) => to === code && present.some((o) => o.agencyCode === from),
      );
      if (
        existing === undefined &&
        !byReplacement &&
        !running.obligations.some((o) => o.stageId === stage.id && o.agencyCode === code)
      ) {
        signals.push({ kind: 'addParty', ...base(signals.length), stageId: stage.id, party });
      } else if (existing !== undefined && existing.dueDate !== stage.dueDate) {
        signals.push({
          kind: 'moveDeadline',
          ...base(signals.length),
          stageId: stage.id,
          agencyCode: code,
          newDueDate: stage.dueDate,
        });
      }
    }
  }
  return signals;
}
