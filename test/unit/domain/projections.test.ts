// The pure fold of the events log into the read models' rows (domain/projections.ts): the live upserts' revision rule, the spec
// kept from a run's first save, the outbox's first claim and its delivery, and canonical comparison.
import { describe, expect, it } from 'vitest';
import { canonicalJson, diffImages, foldProjections, type ProjectionEvent } from '../../../domain/projections.js';

const OB = 'obligation:p1:2026:БҒМ:executors';
const CY = 'cycle:p1:2026';
const ev = (type: string, workflowId: string, payload: object, runId = 'r1'): ProjectionEvent => ({
  type,
  workflowId,
  runId,
  actor: 'system',
  occurredAt: '2026-12-02T00:00:00.000Z',
  payload,
});
const obligation = (revision: number, status: string, runId = 'r1') => ({
  workflowId: OB,
  runId,
  revision,
  cycleWorkflowId: CY,
  planId: 'p1',
  period: '2026',
  stageId: 'executors',
  agencyCode: 'БҒМ',
  status,
  dueDate: '2027-01-10',
  effectiveDueDate: '2027-01-11',
  dueAt: '2027-01-11T23:59:59.999+05:00',
  reportVersion: revision - 1,
  report: revision > 1 ? { versionId: 'v', statuses: ['done'] } : null,
  submittedAt: null,
  workingDaysLate: null,
  acceptedAt: null,
  closedReason: null,
  openedAt: '2026-12-01T00:00:05Z',
  finishedAt: null,
});

describe('foldProjections', () => {
  it('keeps the greatest revision of a run, whatever the order, and a new run over an old one', () => {
    const rows = foldProjections([
      ev('obligation.saved', OB, obligation(1, 'pending')),
      ev('obligation.saved', OB, obligation(3, 'accepted')),
      ev('obligation.saved', OB, obligation(2, 'submitted')), // a retried, older write: the live upsert kept revision 3
      ev('reminder.sent', OB, {}),
    ]);
    expect(rows.obligations).toHaveLength(1);
    expect(rows.obligations[0]).toMatchObject({
      status: 'accepted',
      revision: 3,
      agency_code: 'БҒМ',
      due_at: '2027-01-11T18:59:59.999Z',
      opened_at: '2026-12-01T00:00:05.000Z',
    });
    const next = foldProjections([
      ev('obligation.saved', OB, obligation(5, 'accepted')),
      ev('obligation.saved', OB, obligation(1, 'pending', 'r2'), 'r2'),
    ]);
    expect(next.obligations[0]).toMatchObject({ run_id: 'r2', revision: 1, status: 'pending' });
  });

  it("keeps a cycle's spec from its run's first save", () => {
    const base = { workflowId: CY, runId: 'r1', planId: 'p1', period: '2026', policyId: 'x', stage: 'executors' };
    const rows = foldProjections([
      ev('cycle.saved', CY, {
        ...base,
        revision: 1,
        status: 'open',
        spec: { stages: [1] },
        openedAt: '2026-12-01T00:00:00Z',
      }),
      ev('cycle.saved', CY, {
        ...base,
        revision: 2,
        status: 'completed',
        closedReason: null,
        openedAt: '2026-12-01T00:00:00Z',
        finishedAt: '2027-02-01T00:00:00Z',
      }),
    ]);
    expect(rows.cycles[0]).toMatchObject({
      status: 'completed',
      spec: { stages: [1] },
      finished_at: '2027-02-01T00:00:00.000Z',
    });
  });

  it("makes the outbox's row from its first claim and marks it sent on delivery", () => {
    const queued = {
      id: '7',
      dedupeKey: 'k1',
      createdAt: '2026-12-02T00:00:01.5Z',
      to: ['a@gov.kz'],
      subject: 'S',
      bodyText: 'B',
      lang: 'kk',
      messageId: '<m@merzim>',
      workflowId: OB,
      runId: 'r1',
    };
    const rows = foldProjections([
      ev('notification.queued', OB, queued),
      ev('notification.queued', OB, { ...queued, subject: 'later claim' }),
      ev('notification.delivered', OB, { dedupeKey: 'k1', sentAt: '2026-12-02T00:00:02Z' }),
    ]);
    expect(rows.notifications).toEqual([
      {
        id: '7',
        dedupe_key: 'k1',
        created_at: '2026-12-02T00:00:01.500Z',
        to_addresses: ['a@gov.kz'],
        subject: 'S',
        body_text: 'B',
        lang: 'kk',
        status: 'sent',
        message_id: '<m@merzim>',
        sent_at: '2026-12-02T00:00:02.000Z',
        workflow_id: OB,
        run_id: 'r1',
      },
    ]);
  });

  it('names the field a projection event lacks', () => {
    expect(() =>
      foldProjections([ev('obligation.saved', OB, { ...obligation(1, 'pending'), dueAt: undefined })]),
    ).toThrow('payload.dueAt');
    expect(() => foldProjections([ev('notification.delivered', OB, { dedupeKey: 'k', sentAt: 'x' })])).toThrow(
      'delivered before it was queued',
    );
  });

  it('compares JSON whatever the key order, and lists each differing column', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
    expect(diffImages({ a: 1, b: { x: 1, y: 2 }, c: null }, { a: 2, b: { y: 2, x: 1 }, c: null })).toEqual([
      { column: 'a', live: 1, rebuilt: 2 },
    ]);
  });
});
