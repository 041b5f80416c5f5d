// The admin's history tools over HTTP: a workflow's history told for a person beside its events and e-mails, the raw history,
// and the replay check. Admins only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../auth.js';
import { errors, OpenObject } from '../schemas/common.js';
import { ReplayReport, ReplayRequest, WorkflowHistory, WorkflowParams } from '../schemas/history.js';
import type { HistoryService } from '../services/history.js';

export const historyRoutes: FastifyPluginAsyncTypebox<{ history: HistoryService }> = async (app, { history }) => {
  const adminOnly = requireRole('admin');

  app.get(
    '/api/v1/history/:workflowId',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['history'],
        summary:
          "A workflow's Temporal history for a person (timers, activities and their retries, Updates, signals, e-mails sent) beside its rows of the events log",
        params: WorkflowParams,
        response: { 200: WorkflowHistory, ...errors(404) },
      },
    },
    async (request) => {
      const { workflowId } = request.params;
      const view = await history.workflow(principalOf(request), workflowId);
      return {
        ...view,
        rawUrl: `/api/v1/history/${encodeURIComponent(workflowId)}/raw`,
        events: view.events.map((e) => ({
          id: e.id,
          occurredAt: e.occurred_at.toISOString(),
          type: e.type,
          actor: e.actor,
          runId: e.run_id,
          subject: e.subject_type === null ? null : `${e.subject_type}:${e.subject_id ?? ''}`,
          payload: e.payload,
          seq: e.stream_seq,
          hash: e.hash,
        })),
        mails: view.mails.map((m) => ({
          id: m.id,
          messageId: m.message_id,
          key: m.dedupe_key,
          to: m.to_addresses,
          subject: m.subject,
          status: m.status,
          sentAt: m.sent_at?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/v1/history/:workflowId/raw',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['history'],
        summary:
          "The workflow's raw history as Temporal's JSON, with its workflowId and runId (merzim replay --file reads it)",
        params: WorkflowParams,
        response: { 200: OpenObject('{workflowId, runId, history}'), ...errors(404) },
      },
    },
    async (request, reply) => {
      const { workflowId } = request.params;
      const body = await history.rawHistory(principalOf(request), workflowId);
      const file = workflowId.replace(/[^\w.-]+/g, '_');
      return reply
        .type('application/json')
        .header('content-disposition', `attachment; filename="${file}.history.json"`)
        .send(body as unknown as object); // already JSON: a string with a JSON content type is sent as it is
    },
  );

  app.post(
    '/api/v1/replay',
    {
      preHandler: adminOnly,
      // A history file may be large; nothing else is.
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['history'],
        summary:
          "Replays workflows' histories against this release's workflow code: per workflow ok, or the first diverging event",
        body: ReplayRequest,
        response: { 200: ReplayReport, ...errors() },
      },
    },
    async (request) => history.replay(principalOf(request), request.body),
  );
};
