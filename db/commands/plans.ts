// Plan commands: each writes a plan's state change and its audit event in the caller's transaction, so neither exists without the other.
// What Temporal must be told (schedule, signals) is the caller's, after commit and idempotent; see api/routes/plans.ts.
import type { Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { ActRef, Plan } from '../../domain/plan.js';
import type { AppliedChange } from '../../domain/plan-amend.js';
import { appendEvent } from '../repositories/events.js';
import {
  amendPlan,
  confirmPlan,
  discardDraft,
  PlanStateError,
  repealPlan,
  type StoredPlan,
} from '../repositories/plans.js';

type Trx = Transaction<Database>;

/** A reviewed draft becomes confirmed (version 1) and plan.confirmed is recorded. */
export async function confirmPlanCommand(
  trx: Trx,
  c: { id: string; actor: string; payload?: Record<string, unknown> },
): Promise<StoredPlan> {
  const confirmed = await confirmPlan(trx, c.id, c.actor);
  await appendEvent(trx, {
    idempotencyKey: `plan.confirmed:${confirmed.id}`,
    type: 'plan.confirmed',
    actor: c.actor,
    subjectType: 'plan',
    subjectId: confirmed.id,
    payload: { version: confirmed.version, ...c.payload },
  });
  return confirmed;
}

/** A draft is discarded and plan.discarded is recorded; PlanStateError('not_draft') for anything else. */
export async function discardPlanCommand(trx: Trx, c: { id: string; actor: string }): Promise<void> {
  if (!(await discardDraft(trx, c.id))) throw new PlanStateError('not_draft', 'Only a draft can be discarded');
  await appendEvent(trx, {
    idempotencyKey: `plan.discarded:${c.id}`,
    type: 'plan.discarded',
    actor: c.actor,
    subjectType: 'plan',
    subjectId: c.id,
  });
}

/** An amended plan becomes the next version and plan.amended is recorded with the act and what changed. */
export async function amendPlanCommand(
  trx: Trx,
  c: {
    id: string;
    plan: Plan;
    act: ActRef;
    summary: string;
    applied: readonly AppliedChange[];
    actor: string;
    expectedVersion?: number;
  },
): Promise<StoredPlan> {
  const amended = await amendPlan(
    trx,
    c.id,
    c.plan,
    { kind: 'amended', act: c.act, summary: c.summary, applied: c.applied },
    c.actor,
    c.expectedVersion,
  );
  await appendEvent(trx, {
    idempotencyKey: `plan.amended:${amended.id}:${amended.version}`,
    type: 'plan.amended',
    actor: c.actor,
    subjectType: 'plan',
    subjectId: amended.id,
    payload: { version: amended.version, act: c.act, applied: c.applied },
  });
  return amended;
}

/** A confirmed plan is repealed by an act and plan.repealed is recorded with it. */
export async function repealPlanCommand(
  trx: Trx,
  c: { id: string; plan: Plan; act: ActRef; date: string; reason: string; actor: string },
): Promise<StoredPlan> {
  const repealed = await repealPlan(trx, c.id, c.plan, c.reason, c.actor);
  await appendEvent(trx, {
    idempotencyKey: `plan.repealed:${repealed.id}`,
    type: 'plan.repealed',
    actor: c.actor,
    subjectType: 'plan',
    subjectId: repealed.id,
    payload: { act: c.act, date: c.date, reason: c.reason },
  });
  return repealed;
}
