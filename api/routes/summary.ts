// A cycle's consolidated summary (жиынтық ақпарат) as JSON, or as the DOCX or XLSX a ministry sends, in Kazakh or Russian:
// built from the read model by the summary service, which decides who may see it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principalOf } from '../auth.js';
import { errors } from '../schemas/common.js';
import { WorkflowIdParams } from '../schemas/cycles.js';
import { ConsolidatedSummary, SummaryFile, SummaryQuery } from '../schemas/summary.js';
import type { SummaryService } from '../services/summary.js';
import { summaryDocx } from '../summary/docx.js';
import { summaryXlsx } from '../summary/xlsx.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An ASCII file name (a period key and a language are all it holds), so Content-Disposition needs no encoding. */
const fileName = (period: string, lang: string, ext: string): string =>
  `merzim-summary-${period.replace(/[^0-9A-Za-z-]/g, '')}-${lang}.${ext}`;

export const summaryRoutes: FastifyPluginAsyncTypebox<{ summaries: SummaryService }> = async (app, { summaries }) => {
  app.get(
    '/api/v1/cycles/:id/summary',
    {
      schema: {
        tags: ['cycles'],
        summary:
          "The cycle's consolidated summary from the accepted reports (JSON, DOCX or XLSX; kk or ru): the plan's coordinator, the PM Office, admins",
        params: WorkflowIdParams,
        querystring: SummaryQuery,
        response: {
          200: { content: { 'application/json': { schema: ConsolidatedSummary }, ...SummaryFile } },
          ...errors(403, 404),
        },
      },
    },
    async (request, reply) => {
      const { format = 'json', lang = 'kk', stage } = request.query;
      const summary = await summaries.preview(
        principalOf(request),
        request.params.id,
        stage === undefined ? {} : { stage },
        new Date(),
      );
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(summary);
      const [type, body] =
        format === 'docx' ? [DOCX, await summaryDocx(summary, lang)] : [XLSX, await summaryXlsx(summary, lang)];
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="${fileName(summary.period, lang, format)}"`)
        .header('x-content-type-options', 'nosniff')
        .send(body);
    },
  );
};
