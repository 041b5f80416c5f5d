// The summary builder's pages (pages/summary.ts): the same summary service as the JSON routes (api/routes/summary.ts), so
// whoever the API refuses is refused here too (403 or 404, said as a page); the review of a submitted summary goes through
// the obligation and report services as any report's does.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReviewComment } from '../../domain/cycle-model.js';
import { HttpError } from '../errors.js';
import type { ObligationService } from '../services/obligations.js';
import type { ReportService } from '../services/reports.js';
import type { SummaryService } from '../services/summary.js';
import { summaryDocx } from '../summary/docx.js';
import { summaryXlsx } from '../summary/xlsx.js';
import type { PageTools } from './admin-routes.js';
import { html } from './html.js';
import { summaryPage } from './pages/summary.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Query = { stage?: string; msg?: string; n?: string; format?: string; lang?: string };

const stageOf = (v: unknown): { stage?: string } =>
  typeof v === 'string' && v !== '' && v.length <= 100 ? { stage: v } : {};

export function registerSummaryPages(
  app: FastifyInstance,
  deps: { summaries: SummaryService; obligations: ObligationService; reports: ReportService },
  { context, send, principal, body }: PageTools,
): void {
  const { summaries, obligations, reports } = deps;
  const cycleOf = (request: FastifyRequest): string => (request.params as { id: string }).id;
  const back = (cycleId: string, stage: { stage?: string }, msg: string): string =>
    `/app/cycles/${encodeURIComponent(cycleId)}/summary?${new URLSearchParams({ ...stage, msg }).toString()}`;

  app.get('/app/cycles/:id/summary', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const query = request.query as Query;
    const stage = stageOf(query.stage);
    const cycleId = cycleOf(request);
    const about = await summaries.describe(p, cycleId, stage);
    const q = { stage: about.stageId };
    const summary = await summaries.preview(p, cycleId, q, new Date());
    const versions = await summaries.versions(p, cycleId, q).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404) return null;
      throw err;
    });
    let canReview = false;
    let lastReturn = null;
    if (versions !== null) {
      const carrier = await obligations.visibleObligation(p, versions.obligationId);
      canReview = carrier.status === 'submitted' && (await obligations.reviewRefusal(p, carrier)) === null;
      if (carrier.status === 'returned') lastReturn = await obligations.lastReturn(p, carrier.workflow_id);
    }
    const ctx = await context(request, reply);
    const { t } = ctx;
    const msg: Record<string, string> = {
      submitted: t.t('sum.submitted', { n: Number(query.n ?? 0) }),
      texts: t.t('sum.textsSaved'),
      mark: t.t('sum.markSaved'),
      accepted: t.t('sum.acceptedNote'),
      returned: t.t('sum.returnedNote'),
    };
    const flashText = query.msg === undefined ? undefined : msg[query.msg];
    return send(
      reply,
      summaryPage(ctx, {
        ...about,
        summary,
        versions,
        canReview,
        lastReturn,
        ...(flashText === undefined ? {} : { flash: { kind: 'ok' as const, text: flashText } }),
      }),
    );
  });

  /** The summary as built now, or one submitted version, as DOCX or XLSX. */
  async function file(reply: FastifyReply, query: Query, load: () => Promise<unknown>) {
    const format = query.format === 'xlsx' ? 'xlsx' : query.format === 'docx' ? 'docx' : undefined;
    const lang = query.lang === 'ru' ? 'ru' : query.lang === 'kk' || query.lang === undefined ? 'kk' : undefined;
    if (format === undefined) throw new HttpError(400, 'invalid_request', 'format: one of docx, xlsx');
    if (lang === undefined) throw new HttpError(400, 'invalid_request', 'lang: one of kk, ru');
    const { summary, name } = (await load()) as { summary: Parameters<typeof summaryDocx>[0]; name: string };
    const bytes = format === 'docx' ? await summaryDocx(summary, lang) : await summaryXlsx(summary, lang);
    return reply
      .type(format === 'docx' ? DOCX : XLSX)
      .header(
        'content-disposition',
        `attachment; filename="merzim-summary-${name.replace(/[^0-9A-Za-z-]/g, '')}-${lang}.${format}"`,
      )
      .send(bytes);
  }

  app.get('/app/cycles/:id/summary/file', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    return file(reply, query, async () => {
      const summary = await summaries.preview(principal(request), cycleOf(request), stageOf(query.stage), new Date());
      return { summary, name: summary.period };
    });
  });

  app.get('/app/cycles/:id/summary/versions/:n/file', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Query;
    const n = Number((request.params as { n: string }).n);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new HttpError(404, 'not_found', 'No such version');
    return file(reply, query, async () => {
      const v = await summaries.version(principal(request), cycleOf(request), n, stageOf(query.stage));
      return { summary: v.content.summary, name: `${v.content.summary.period}-v${v.version}` };
    });
  });

  app.post('/app/cycles/:id/summary/marks', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    await summaries.markMissing(principal(request), cycleOf(request), {
      agencyCode: String(b.agency ?? ''),
      reason: String(b.reason ?? ''),
      ...stage,
    });
    return reply.redirect(back(cycleOf(request), stage, 'mark'), 303);
  });

  app.post('/app/cycles/:id/summary/unmark', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    await summaries.unmarkMissing(principal(request), cycleOf(request), {
      agencyCode: String(b.agency ?? ''),
      ...stage,
    });
    return reply.redirect(back(cycleOf(request), stage, 'mark'), 303);
  });

  app.post('/app/cycles/:id/summary/texts', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    const text = (k: string): string | null => (typeof b[k] === 'string' ? b[k].slice(0, 20_000) : null);
    await summaries.saveTexts(principal(request), cycleOf(request), {
      preface: { kk: text('preface_kk'), ru: text('preface_ru') },
      conclusions: { kk: text('conclusions_kk'), ru: text('conclusions_ru') },
      ...stage,
    });
    if (request.headers['hx-request'] === 'true') {
      const { t } = await context(request, reply);
      return send(reply, html`${t.t('sum.autosaved', { time: t.dateTime(new Date()) })}`);
    }
    return reply.redirect(back(cycleOf(request), stage, 'texts'), 303);
  });

  app.post('/app/cycles/:id/summary/submit', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    const overrides = Object.entries(b)
      .filter(([k, v]) => k.startsWith('override:') && typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => ({ agencyCode: k.slice('override:'.length), reason: v.slice(0, 2000) }));
    const v = await summaries.submit(
      principal(request),
      cycleOf(request),
      { ...stage, ...(overrides.length === 0 ? {} : { overrides }) },
      new Date(),
    );
    return reply.redirect(`${back(cycleOf(request), stage, 'submitted')}&n=${v.version}`, 303);
  });

  /** The carrier obligation of the summary, for its review. */
  async function carrierId(request: FastifyRequest, stage: { stage?: string }): Promise<string> {
    return (await summaries.versions(principal(request), cycleOf(request), stage)).obligationId;
  }

  app.post('/app/cycles/:id/summary/accept', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    const comment = typeof b.comment === 'string' && b.comment.trim() !== '' ? b.comment.slice(0, 5000) : undefined;
    await obligations.accept(principal(request), await carrierId(request, stage), comment);
    return reply.redirect(back(cycleOf(request), stage, 'accepted'), 303);
  });

  app.post('/app/cycles/:id/summary/return', { schema: { hide: true } }, async (request, reply) => {
    const b = body(request);
    const stage = stageOf(b.stage);
    const comments: ReviewComment[] = Object.entries(b)
      .filter(([k, v]) => k.startsWith('remark:') && typeof v === 'string' && v.trim() !== '')
      .map(([k, v]) => ({ measure: k.slice('remark:'.length), text: v.trim().slice(0, 5000) }));
    await reports.returnReport(principal(request), await carrierId(request, stage), {
      comment: String(b.comment ?? '').slice(0, 5000),
      newDueDate: String(b.newDueDate ?? ''),
      ...(comments.length === 0 ? {} : { comments }),
    });
    return reply.redirect(back(cycleOf(request), stage, 'returned'), 303);
  });
}
