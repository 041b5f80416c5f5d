// The admin's history tools over HTTP: the replay check. Admins only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '../auth.js';
import { errors } from '../schemas/common.js';
import { ReplayReport, ReplayRequest } from '../schemas/history.js';
import type { HistoryService } from '../services/history.js';

export const historyRoutes: FastifyPluginAsyncTypebox<{ history: HistoryService }> = async (app, { history }) => {
  const adminOnly = requireRole('admin');

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
