// A workflow's history for an admin, on the real stack: an obligation opened by its plan's schedule, a report submitted through
// the API, then its timeline (the opening activity, timers and what ran when they fired, the Update with who sent it, patches)
// beside its events, the raw history that replays clean through the replay check, and the page; admins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../db/repositories/tokens.js';
import { bearer } from '../helpers/app.js';
import { waitFor } from '../helpers/mail.js';
import { startWebStack, type WebStack } from '../helpers/web.js';

let stack: WebStack;
let admin: string;
let coordinator: string;
let reporter: string;

beforeAll(async () => {
  stack = await startWebStack();
  admin = (await createApiToken(stack.tdb.db, { name: 'h-admin', role: 'admin' })).secret;
  coordinator = (await createApiToken(stack.tdb.db, { name: 'h-akdm', role: 'coordinator', agencyCode: 'АҚДМ' }))
    .secret;
  reporter = (await createApiToken(stack.tdb.db, { name: 'h-bgm', role: 'reporter', agencyCode: 'БҒМ' })).secret;
});

afterAll(async () => {
  await stack?.close();
});

const get = (url: string, token: string) => stack.app.inject({ method: 'GET', url, headers: bearer(token) });

describe('workflow history for admins', () => {
  it('tells an obligation’s history for a person, beside its events, after a report was submitted', async () => {
    const id = stack.obligationId('БҒМ');
    const submitted = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/obligations/${encodeURIComponent(id)}/submit`,
      headers: bearer(reporter),
      payload: { items: [{ measure: '1', status: 'done', text: 'Орындалды.' }] },
    });
    expect(submitted.statusCode).toBe(200);
    const res = await get(`/api/v1/history/${encodeURIComponent(id)}`, admin);
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h).toMatchObject({ workflowId: id, workflowType: 'obligationWorkflow', status: 'RUNNING' });
    expect(h.temporalUrl).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(id)}/${h.runId}/history`,
    );
    expect(h.rawUrl).toBe(`/api/v1/history/${encodeURIComponent(id)}/raw?runId=${encodeURIComponent(h.runId)}`);
    // One run: an obligation does not continue as new.
    expect(h.runs.map((r: { runId: string }) => r.runId)).toEqual([h.runId]);
    const kinds = h.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe('started');
    expect(kinds).toContain('patch');
    // Timers: the cycle sends the reminders (patch cycle-batched-reminders), but an obligation still sleeps until its
    // deadline's escalation step — ІІМ's, which has not reported (БҒМ's report may arrive before its loop sets one).
    const pending = stack.obligationId('ІІМ', 'measure-2-due-1');
    const timed = await waitFor(
      async () => {
        const t = (await get(`/api/v1/history/${encodeURIComponent(pending)}`, admin)).json() as {
          timeline: { kind: string }[];
        };
        return t.timeline.some((e) => e.kind === 'timer') ? t : undefined;
      },
      20_000,
      'a timer in the history of an obligation that has not reported',
    );
    expect(timed.timeline.map((e) => e.kind)).toContain('timer');
    // Opened by its cycle (patch cycle-opens-obligations): the obligation ran no activity to open; the cycle's history shows
    // the batch planned and the openings recorded, each a local activity that went through at once.
    expect(h.timeline.filter((e: { kind: string; name?: string }) => e.name === 'openObligation')).toEqual([]);
    const cycle = (
      await get(`/api/v1/history/${encodeURIComponent(`cycle:${stack.planId}:${id.split(':')[2]}`)}`, admin)
    ).json() as {
      timeline: { kind: string; name?: string; outcome?: string; attempts?: number }[];
    };
    for (const name of ['planObligationTimelines', 'recordObligationsOpened'])
      expect(cycle.timeline).toContainEqual(
        expect.objectContaining({ kind: 'activity', name, outcome: 'ok', attempts: 1 }),
      );
    const update = h.timeline.find((e: { kind: string }) => e.kind === 'update');
    expect(update).toMatchObject({ name: 'submit', by: expect.stringContaining('h-bgm'), outcome: 'ok' });
    // The Update carries the version's id and hash, never the report's text (that stays in report_versions).
    expect(update.detail).not.toContain('Орындалды.');
    expect(update.detail).toContain('versionId');
    // Event ids rise; every entry is an instant.
    const ids = h.timeline.map((e: { eventId: number }) => e.eventId);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    // The events log rows of the same workflow, with their place in the chain.
    expect(h.events.length).toBeGreaterThan(0);
    expect(h.events.map((e: { seq: string }) => e.seq)).toEqual(h.events.map((_: unknown, i: number) => String(i + 1)));
    expect(h.events.map((e: { type: string }) => e.type)).toContain('report.submitted');
  });

  it('downloads the raw history as JSON, which the replay check reads back and replays clean', async () => {
    // ІІМ's own stage (the coordinator АҚДМ owes no report to itself).
    const id = stack.obligationId('ІІМ', 'measure-2-due-1');
    const raw = await get(`/api/v1/history/${encodeURIComponent(id)}/raw`, admin);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-disposition']).toMatch(/^attachment; filename=".+\.history\.json"$/);
    const file = raw.json();
    expect(file.workflowId).toBe(id);
    expect(file.history.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    const replayed = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/replay',
      headers: bearer(admin),
      payload: { history: { workflowId: file.workflowId, history: file.history } },
    });
    expect(replayed.json()).toMatchObject({ total: 1, ok: 1, failed: 0, workflows: [{ workflowId: id, ok: true }] });
  }, 180_000);

  it('is for admins only, and says which workflow does not exist', async () => {
    const id = encodeURIComponent(stack.obligationId('БҒМ'));
    expect((await get(`/api/v1/history/${id}`, coordinator)).statusCode).toBe(403);
    expect((await get(`/api/v1/history/${id}/raw`, reporter)).statusCode).toBe(403);
    const missing = await get('/api/v1/history/obligation%3Anone', admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('workflowId: no workflow obligation:none');
  });
});
