// The admin's history tools over HTTP: a workflow's history told for a person beside its events and e-mails, the raw history,
// and the replay check. Admins only.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../auth.js';
import { Binary, errors, OpenObject } from '../schemas/common.js';
import {
  CycleAsOf,
  CycleAsOfParams,
  CycleAsOfQuery,
  EventExportQuery,
  EventPage,
  EventSearchQuery,
  ReplayReport,
  ReplayRequest,
  RunQuery,
  WorkflowHistory,
  WorkflowParams,
} from '../schemas/history.js';
import { eventJson, type HistoryService } from '../services/history.js';

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
        querystring: RunQuery,
        response: { 200: WorkflowHistory, ...errors(404) },
      },
    },
    async (request) => {
      const { workflowId } = request.params;
      const { runId } = request.query;
      const view = await history.workflow(principalOf(request), workflowId, runId);
      return {
        ...view,
        rawUrl: `/api/v1/history/${encodeURIComponent(workflowId)}/raw?runId=${encodeURIComponent(view.runId)}`,
        events: view.events.map((e) => {
          const { workflowId: _workflowId, ...rest } = eventJson(e);
          return rest;
        }),
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
        querystring: RunQuery,
        response: { 200: OpenObject('{workflowId, runId, history}'), ...errors(404) },
      },
    },
    async (request, reply) => {
      const { workflowId } = request.params;
      const body = await history.rawHistory(principalOf(request), workflowId, request.query.runId);
      const file = workflowId.replace(/[^\w.-]+/g, '_');
      return reply
        .type('application/json')
        .header('content-disposition', `attachment; filename="${file}.history.json"`)
        .send(body as unknown as object); // already JSON: a string with a JSON content type is sent as it is
    },
  );

  app.get(
    '/api/v1/history/cycles/:cycleId/as-of',
    {
      schema: {
        tags: ['history'],
        summary:
          "A cycle's obligations as they stood at an instant, rebuilt from the events log: who had reported, who was overdue",
        params: CycleAsOfParams,
        querystring: CycleAsOfQuery,
        response: { 200: CycleAsOf, ...errors(404) },
      },
    },
    async (request) => history.cycleAsOf(principalOf(request), request.params.cycleId, new Date(request.query.at)),
  );

  app.get(
    '/api/v1/events',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['history'],
        summary: 'Searches the events log by plan, period, agency, type, actor and time; a page in id order',
        querystring: EventSearchQuery,
        response: { 200: EventPage, ...errors() },
      },
    },
    async (request) => history.searchEvents(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/events/export',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['history'],
        summary: 'Every event matching the filters, streamed as CSV or JSON Lines (constant memory)',
        querystring: EventExportQuery,
        response: {
          200: {
            content: {
              'text/csv': { schema: Binary('One row per event; cells starting with = + - @ get an apostrophe') },
              'application/jsonl': { schema: Binary('One JSON object per line') },
            },
          },
          ...errors(),
        },
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const lines = history.exportEvents(principalOf(request), filter, format);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8')
        .header('content-disposition', `attachment; filename="merzim-events.${format}"`)
        .send(Readable.from(lines) as unknown as string); // streamed: each line as the rows are read
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
