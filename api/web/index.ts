// The web interface, served by the API process: server-rendered pages over the same services and authorisation as the
// JSON API (api/services/), browser sessions in the API's session store, CSRF tokens on every form, a strict CSP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database, ObligationRow } from '../../db/database.js';
import { listAgencies } from '../../db/repositories/agencies.js';
import { calendarFingerprint, loadWorkingCalendar } from '../../db/repositories/calendar.js';
import { getDraft } from '../../db/repositories/drafts.js';
import { getVersion, listVersions } from '../../db/repositories/report-versions.js';
import { MIN_PASSWORD_LENGTH, setUiLang } from '../../db/repositories/users.js';
import { PasswordPolicyError } from '../../platform/password-policy.js';
import type { WorkingCalendar } from '../../domain/calendar.js';
import { isPeriodKey } from '../../domain/periods.js';
import { KZ_TIME_ZONE, localDateOf, localToInstant } from '../../domain/tz.js';
import { type Principal } from '../auth.js';
import { HttpError, httpFailureOf } from '../errors.js';
import type { EvidenceService } from '../services/evidence.js';
import type { ObligationService, PickerCycle } from '../services/obligations.js';
import { discardRestOf, readEvidencePart, sendEvidence } from '../routes/evidence.js';
import type { ReportService } from '../services/reports.js';
import type { AccountService } from '../services/accounts.js';
import type { HistoryService } from '../services/history.js';
import type { OutboxService } from '../services/outbox.js';
import type { PlanService } from '../services/plans.js';
import type { AgencyService, CalendarService } from '../services/calendar.js';
import type { FeedService } from '../services/feeds.js';
import type { SummaryService } from '../services/summary.js';
import { registerSummaryPages } from './summary-routes.js';
import { baseUrl } from '../routes/feeds.js';
import { outboxPage } from './pages/admin.js';
import { registerAdminPages } from './admin-routes.js';
import { cycleTimelineData, onTimeRateData, overdueByDay } from '../services/chart-data.js';
import { cycleTimelineChart, onTimeRateChart, overdueChart } from './charts.js';
import { onTimeText, overdueText, timelineText } from './chart-text.js';
import { accountPage } from './pages/account.js';
import { adminUsersPage } from './pages/admin-users.js';
import { historyPage } from './pages/history.js';
import { EMPTY_REPLAY_FORM, replayPage } from './pages/replay.js';
import { html, raw, type Html } from './html.js';
import { isUiLang, translator, type MessageKey } from './i18n/index.js';
import { layout, type PageContext } from './layout.js';
import {
  boardBody,
  boardPage,
  chartFigures,
  prepareBoard,
  timelinePage,
  BOARD_STATES,
  type PageChart,
} from './pages/board.js';
import { matchesTag } from '../etag.js';
import { keepBody, keepFrame, pageTag, plainPage, splicedGzip, type KeptBody, type KeptFrame } from './kept-body.js';
import { evidenceWidget } from './pages/evidence-widget.js';
import { inboxPage } from './pages/inbox.js';
import { measuresOwed, obligationPage, versionPage } from './pages/obligation.js';
import { pmPage } from './pages/pm.js';
import { diffTable, formContent, formStateOf, parseRemarks, reportView, type FormState } from './pages/report-form.js';
import { errorPage, passwordPage, signInPage } from './pages/signin.js';
import {
  LANG_COOKIE,
  closeSession,
  csrfTokenFor,
  csrfValid,
  languageOf,
  openSession,
  readSession,
  setCookie,
  type WebSession,
} from './session.js';
import { obligationHref, pick, pickName, specOf, temporalWorkflowUrl, workingDaysLeft } from './view.js';
import type { BoardState } from './view.js';

export interface WebOptions {
  readonly db: Kysely<Database>;
  readonly obligations: ObligationService;
  readonly reports: ReportService;
  readonly outbox: OutboxService;
  readonly evidence: EvidenceService;
  readonly plans: PlanService;
  readonly calendar: CalendarService;
  readonly agencies: AgencyService;
  readonly feeds: FeedService;
  /** MERZIM_PUBLIC_URL: the base of the feed URLs the inbox shows; absent: from the request. */
  readonly publicUrl?: string;
  readonly accounts: AccountService;
  readonly history?: HistoryService;
  /** The consolidated summary and its submission upward (pages/summary.ts). */
  readonly summaries?: SummaryService;
  /** The Temporal web UI, for links from obligations to their workflows; none when not known. */
  readonly temporalUiUrl?: string;
  readonly temporalNamespace?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    webSession?: WebSession;
  }
}

/** Pages send no inline script or style; scripts, styles and forms only from this origin. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const require = createRequire(import.meta.url);
const ASSETS: Readonly<Record<string, { body: Buffer; type: string }>> = {
  'app.css': { body: readFileSync(new URL('./assets/app.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'favicon.svg': { body: readFileSync(new URL('./assets/favicon.svg', import.meta.url)), type: 'image/svg+xml' },
  'evidence-upload.js': {
    body: readFileSync(new URL('./assets/evidence-upload.js', import.meta.url)),
    type: 'text/javascript; charset=utf-8',
  },
  'htmx.min.js': {
    body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')),
    type: 'text/javascript; charset=utf-8',
  },
};

const gzipAsync = promisify(gzipCallback);
/** Level 4: about half the CPU of the default for a few per cent more bytes, on pages made per request. */
const gzip = (payload: string | Buffer) => gzipAsync(payload, { level: 4 });

const OPEN: readonly ObligationRow['status'][] = ['pending', 'overdue', 'returned'];
/** The evidence upload's path: a multipart form whose CSRF field is read (first) from the stream, not from a parsed body. */
const EVIDENCE_UPLOAD = /^\/app\/obligations\/[^/]+\/evidence$/;

/** Only a path inside the web interface is a place to come back to (never another site). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/app(\/|\?|$)/.test(next) && !next.startsWith('//') ? next : '/app';
}

type Flash = { kind: 'ok' | 'error'; text: string } | undefined;

export const webRoutes: FastifyPluginAsync<WebOptions> = async (app, opts) => {
  const { db, obligations: service, evidence, reports, accounts } = opts;
  // Two forms are multipart, each with its own limits where it reads the parts: evidence uploads (streamed by the service; the
  // CSRF token is the form's first field, checked there) and the plan import page (its CSRF token checked by the handler,
  // before anything is kept).
  await app.register(multipart);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1_048_576 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    // A page that sets its own policy (the board: private, revalidated with its ETag) keeps it; every other one is not stored.
    if (request.url.startsWith('/app') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // A board of thousands of cells is mostly repeated markup: gzip makes it a small fraction on the wire (unless the route
    // already compressed it).
    const accepts = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (
      accepts &&
      !reply.hasHeader('content-encoding') &&
      (typeof payload === 'string' || Buffer.isBuffer(payload)) &&
      Buffer.byteLength(payload) > 2048
    ) {
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').removeHeader('content-length');
      return gzip(payload);
    }
    return payload;
  });

  app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, async (request, reply) => {
    const asset = ASSETS[request.params.name];
    if (asset === undefined) throw new HttpError(404, 'not_found', 'No such asset');
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/app'));
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/assets/favicon.svg', 301),
  );

  // The working calendar, rebuilt when an admin edits it (one light query per page that needs it).
  let calendarCache: { fingerprint: string; calendar: WorkingCalendar } | undefined;
  async function calendar(): Promise<WorkingCalendar> {
    const fingerprint = await calendarFingerprint(db);
    if (calendarCache?.fingerprint !== fingerprint)
      calendarCache = { fingerprint, calendar: await loadWorkingCalendar(db) };
    return calendarCache.calendar;
  }

  async function context(request: FastifyRequest, reply: FastifyReply): Promise<PageContext> {
    const session = request.webSession;
    return {
      t: translator(languageOf(request, session)),
      principal: session?.principal,
      displayName: session?.displayName ?? null,
      csrf: csrfTokenFor(request, reply, session),
      path: request.url,
    };
  }

  function send(reply: FastifyReply, page: Html, status = 200): FastifyReply {
    return reply.code(status).type('text/html; charset=utf-8').send(page.value);
  }

  const isHtmx = (request: FastifyRequest) => request.headers['hx-request'] === 'true';

  function redirect(request: FastifyRequest, reply: FastifyReply, to: string): FastifyReply {
    // htmx follows HX-Redirect with a full page load; a plain 303 would be swapped into the fragment.
    if (isHtmx(request)) return reply.code(200).header('hx-redirect', to).send('');
    return reply.redirect(to, 303);
  }

  // Every page: who is signed in; posts must carry the form's CSRF token; pages need a session; a pending one-time password comes first.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/app')) return;
    request.webSession = await readSession(db, request);
    const path = request.url.split('?')[0]!;
    const method = request.method;
    const multipartUpload = method === 'POST' && path === '/app/admin/plans/import' && request.isMultipart();
    if (
      method === 'POST' &&
      !(request.isMultipart() && EVIDENCE_UPLOAD.test(path)) &&
      !multipartUpload &&
      !csrfValid(request, request.webSession, (request.body as Record<string, unknown> | undefined)?._csrf)
    ) {
      const ctx = await context(request, reply);
      return send(reply, errorPage(ctx, ctx.t.t('error.title'), ctx.t.t('error.csrf')), 403);
    }
    const anonymous = path === '/app/sign-in' || path === '/app/lang';
    if (request.webSession === undefined && !anonymous) {
      const next = method === 'GET' ? request.url : '/app';
      return redirect(request, reply, `/app/sign-in?expired=1&next=${encodeURIComponent(next)}`);
    }
    if (
      request.webSession?.principal.mustChangePassword === true &&
      !['/app/password', '/app/sign-out', '/app/lang'].includes(path)
    ) {
      return redirect(request, reply, '/app/password');
    }
  });

  // Errors on pages are pages (in the reader's language), not JSON.
  app.setErrorHandler(async (err, request, reply) => {
    const ctx = await context(request, reply);
    const { t } = ctx;
    // The same failure → status map as the JSON API (api/errors.ts), said as a page.
    const known = httpFailureOf(err);
    if (known !== undefined) {
      if (known.status === 404) return send(reply, errorPage(ctx, t.t('error.title'), t.t('error.notFound')), 404);
      if (known.status === 403) return send(reply, errorPage(ctx, t.t('error.title'), t.t('error.forbidden')), 403);
      if (known.status === 409)
        return send(reply, errorPage(ctx, t.t('error.title'), t.t('error.conflict', { detail: known.message })), 409);
      if (known.status === 429) {
        const seconds = String(reply.getHeader('retry-after') ?? '60');
        return send(reply, errorPage(ctx, t.t('error.title'), t.t('error.rateLimited', { seconds })), 429);
      }
      return send(
        reply,
        errorPage(ctx, t.t('error.title'), t.t('error.invalid', { detail: known.message })),
        known.status,
      );
    }
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status < 500)
      return send(
        reply,
        errorPage(ctx, t.t('error.title'), t.t('error.invalid', { detail: (err as Error).message })),
        status,
      );
    request.log.error({ err }, 'page failed');
    return send(reply, errorPage(ctx, t.t('error.title'), t.t('error.generic')), 500);
  });

  const principal = (request: FastifyRequest): Principal => {
    if (request.webSession === undefined) throw new HttpError(401, 'unauthenticated', 'Sign in first');
    return request.webSession.principal;
  };
  const body = (request: FastifyRequest): Record<string, string> => (request.body ?? {}) as Record<string, string>;

  // ——— Sign-in, password, language, sign-out ——————————————————————————————————————

  app.get<{ Querystring: { expired?: string; next?: string; out?: string } }>(
    '/app/sign-in',
    { schema: { hide: true } },
    async (request, reply) => {
      if (request.webSession !== undefined) return reply.redirect('/app');
      const ctx = await context(request, reply);
      const info =
        request.query.expired === '1'
          ? ctx.t.t('signin.expired')
          : request.query.out === '1'
            ? ctx.t.t('signin.signedOut')
            : undefined;
      return send(
        reply,
        signInPage(ctx, {
          ...(info === undefined ? {} : { info }),
          ...(request.query.next === undefined ? {} : { next: safeNext(request.query.next) }),
        }),
      );
    },
  );

  app.post('/app/sign-in', { schema: { hide: true } }, async (request, reply) => {
    const { username = '', password = '', next } = body(request);
    const ctx = await context(request, reply);
    // The same limits, lockout and audit as the API's login (api/services/accounts.ts), kept in PostgreSQL.
    const result = await accounts.signIn({ username, password, address: request.ip, via: 'web' });
    if (!result.ok && result.reason === 'locked') {
      reply.header('retry-after', String(result.retryAfterSeconds));
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      return send(reply, signInPage(ctx, { error: ctx.t.t('signin.rateLimited', { minutes }), username }), 429);
    }
    if (!result.ok) return send(reply, signInPage(ctx, { error: ctx.t.t('signin.failed'), username }), 401);
    const user = result.user;
    await openSession(db, request, reply, user);
    // A language chosen before signing in becomes the user's, unless they already have one.
    const chosen = request.headers.cookie === undefined ? undefined : languageOf(request, undefined);
    if (user.ui_lang === null && chosen !== undefined && chosen !== 'kk') await setUiLang(db, user.id, chosen);
    return reply.redirect(user.must_change_password ? '/app/password' : safeNext(next), 303);
  });

  app.post('/app/sign-out', { schema: { hide: true } }, async (request, reply) => {
    await closeSession(db, request, reply, request.webSession);
    return reply.redirect('/app/sign-in?out=1', 303);
  });

  app.post('/app/lang', { schema: { hide: true } }, async (request, reply) => {
    const { lang, next } = body(request);
    if (!isUiLang(lang)) throw new HttpError(400, 'invalid_request', 'lang: one of kk, ru, en');
    const userId = request.webSession?.principal.userId;
    if (userId != null) await setUiLang(db, userId, lang);
    setCookie(request, reply, LANG_COOKIE, lang, 365 * 86400);
    return reply.redirect(safeNext(next), 303);
  });

  app.get('/app/password', { schema: { hide: true } }, async (request, reply) => {
    return send(reply, passwordPage(await context(request, reply), { forced: principal(request).mustChangePassword }));
  });

  app.post('/app/password', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const ctx = await context(request, reply);
    const { currentPassword = '', newPassword = '', repeatPassword = '' } = body(request);
    const refuse = (key: MessageKey) =>
      send(
        reply,
        passwordPage(ctx, { forced: p.mustChangePassword, error: ctx.t.t(key, { n: MIN_PASSWORD_LENGTH }) }),
        400,
      );
    if (p.userId === null || p.username === null)
      throw new HttpError(400, 'not_a_user', 'This session does not belong to a user');
    if (newPassword.length < MIN_PASSWORD_LENGTH || newPassword.length > 200) return refuse('password.tooShort');
    if (newPassword !== repeatPassword) return refuse('password.mismatch');
    if (newPassword === currentPassword) return refuse('password.same');
    // The same service as the JSON route: the policy, the password, the other sessions signed out and the audit event.
    try {
      await accounts.changePassword(p, currentPassword, newPassword);
    } catch (err) {
      if (err instanceof PasswordPolicyError)
        return refuse(err.problem === 'weak' ? 'password.weak' : 'password.tooShort');
      if (err instanceof HttpError && err.code === 'invalid_credentials') return refuse('password.wrong');
      throw err;
    }
    return reply.redirect('/app?msg=password', 303);
  });

  // ——— Home: each role's own page ————————————————————————————————————————————————

  app.get('/app', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const home = p.role === 'reporter' ? '/app/inbox' : p.role === 'pm_office' ? '/app/pm' : '/app/board';
    const msg = (request.query as { msg?: string }).msg;
    return reply.redirect(msg === 'password' ? `${home}?msg=password` : home, 303);
  });

  function flashFrom(request: FastifyRequest, ctx: PageContext, o?: ObligationRow, agencyName?: string): Flash {
    const msg = (request.query as { msg?: string }).msg;
    const { t } = ctx;
    switch (msg) {
      case 'password':
        return { kind: 'ok', text: t.t('password.done') };
      case 'submitted':
        return {
          kind: 'ok',
          text:
            (o?.working_days_late ?? 0) > 0
              ? t.t('report.submittedLate', { n: o?.report_version ?? 1, days: o?.working_days_late ?? 0 })
              : t.t('report.submitted', { n: o?.report_version ?? 1 }),
        };
      case 'accepted':
        return { kind: 'ok', text: t.t('review.accepted') };
      case 'returned':
        return { kind: 'ok', text: t.t('review.returned', { agency: agencyName ?? o?.agency_code ?? '' }) };
      case 'extended':
        return { kind: 'ok', text: t.t('review.extended') };
      case 'feedIssued':
        return { kind: 'ok', text: t.t('feed.issued') };
      case 'feedRevoked':
        return { kind: 'ok', text: t.t('feed.revoked') };
      default:
        return undefined;
    }
  }

  // ——— Agency inbox ————————————————————————————————————————————————————————————————

  app.get('/app/inbox', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const ctx = await context(request, reply);
    const rows = p.agencyCode === null ? [] : (await service.listObligations(p, { agency: p.agencyCode })).items;
    const cycles = await service.cyclesOf(rows);
    const today = localDateOf(Date.now());
    const cal = await calendar();
    const open = (o: ObligationRow) => OPEN.includes(o.status);
    const sorted = [...rows].sort(
      (a, b) =>
        Number(open(b)) - Number(open(a)) ||
        (a.effective_due_date ?? a.due_date).localeCompare(b.effective_due_date ?? b.due_date),
    );
    let agencyName = p.agencyCode ?? '—';
    for (const c of cycles.values()) {
      const spec = specOf(c);
      const party = spec.stages?.flatMap((s) => s.parties).find((x) => x.agencyCode === p.agencyCode);
      if (party !== undefined) {
        agencyName = pick(party.name, ctx.t.lang);
        break;
      }
    }
    const page = inboxPage(
      ctx,
      agencyName,
      sorted.map((o) => ({
        obligation: o,
        cycle: o.cycle_workflow_id === null ? undefined : cycles.get(o.cycle_workflow_id),
        daysLeft: open(o) ? workingDaysLeft(cal, today, o.effective_due_date ?? o.due_date) : null,
      })),
      flashFrom(request, ctx),
      p.agencyCode !== null && opts.feeds.mayManage(p, p.agencyCode)
        ? await opts.feeds.get(p, p.agencyCode, baseUrl(request, opts.publicUrl))
        : undefined,
    );
    return send(reply, page);
  });

  // The agency's calendar feed: issued (or reissued, the old URL then answering 404) and revoked from the inbox.
  app.post('/app/inbox/feed', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    if (p.agencyCode === null) throw new HttpError(403, 'forbidden', 'This user belongs to no agency');
    if (body(request).action === 'revoke') {
      await opts.feeds.revoke(p, p.agencyCode);
      return reply.redirect('/app/inbox?msg=feedRevoked', 303);
    }
    await opts.feeds.rotate(p, p.agencyCode, baseUrl(request, opts.publicUrl));
    return reply.redirect('/app/inbox?msg=feedIssued', 303);
  });

  // ——— One obligation: report, review ——————————————————————————————————————————————

  async function renderObligation(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { status?: number; flash?: Flash; posted?: FormState; evidenceFlash?: Flash } = {},
  ) {
    const p = principal(request);
    const o = await service.visibleObligation(p, id);
    const ctx = await context(request, reply);
    const cycle = (await service.cyclesOf([o])).get(o.cycle_workflow_id ?? '');
    // A stage of summaries carries a frozen summary, submitted from the summary page (pages/summary.ts), not a report form.
    const canReport =
      OPEN.includes(o.status) &&
      (await service.reportRefusal(p, o)) === null &&
      (await service.stageOf(o)).from === 'executors';
    const reviewer = (await service.reviewRefusal(p, o)) === null;
    const party = specOf(cycle)
      .stages?.find((s) => s.id === o.stage_id)
      ?.parties.find((x) => x.agencyCode === o.agency_code);
    const flash =
      extra.flash ?? flashFrom(request, ctx, o, party === undefined ? undefined : pick(party.name, ctx.t.lang));
    const versions = await listVersions(db, o.workflow_id);
    const last = versions.at(-1);
    return send(
      reply,
      obligationPage(ctx, {
        obligation: o,
        cycle,
        lastReturn: await service.lastReturn(p, id),
        draft: canReport ? await getDraft(db, o.workflow_id) : undefined,
        setting: await reports.settingOf(o),
        versions,
        latest: last === undefined ? undefined : await getVersion(db, o.workflow_id, last.version),
        canReport,
        canReview: reviewer && o.status === 'submitted',
        canExtend: reviewer && OPEN.includes(o.status),
        daysLeft: OPEN.includes(o.status)
          ? workingDaysLeft(await calendar(), localDateOf(Date.now()), o.effective_due_date ?? o.due_date)
          : null,
        temporalUrl: temporalWorkflowUrl(opts.temporalUiUrl, opts.temporalNamespace, o.workflow_id),
        ...(extra.posted === undefined ? {} : { posted: extra.posted }),
        ...(flash === undefined ? {} : { flash }),
        evidence: await evidenceBlock(ctx, p, o, canReport, extra.evidenceFlash),
      }),
      extra.status ?? 200,
    );
  }

  app.get<{ Params: { id: string } }>('/app/obligations/:id', { schema: { hide: true } }, async (request, reply) =>
    renderObligation(request, reply, request.params.id),
  );

  // ——— Evidence files of the report (the block the report form includes) ————————————————————

  async function evidenceBlock(ctx: PageContext, p: Principal, o: ObligationRow, canReport: boolean, flash?: Flash) {
    const { items } = await evidence.list(p, o.workflow_id);
    return evidenceWidget(ctx, {
      obligationId: o.workflow_id,
      files: items,
      canUpload: canReport,
      limits: evidence.limits,
      flash,
    });
  }

  app.post<{ Params: { id: string } }>(
    '/app/obligations/:id/evidence',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const id = request.params.id;
      const t = translator(languageOf(request, request.webSession));
      let flash: Flash;
      let status = 200;
      try {
        const file = await evidence.upload(p, id, () =>
          readEvidencePart(request, evidence.limits.maxFileBytes, (fields) => {
            if (!csrfValid(request, request.webSession, fields._csrf))
              throw new HttpError(403, 'forbidden', t.t('error.csrf'));
          }),
        );
        flash = { kind: 'ok', text: t.t('evidence.uploaded', { name: file.fileName }) };
      } catch (err) {
        discardRestOf(request, evidence.limits.maxFileBytes);
        const known = httpFailureOf(err);
        if (known === undefined || ![400, 409, 413, 415].includes(known.status)) throw err;
        flash = { kind: 'error', text: t.t('error.invalid', { detail: known.message }) };
        status = known.status;
      }
      // The script asked for the block alone (it swaps it in); a plain form gets the page.
      if (request.headers['x-merzim-upload'] === '1') {
        const ctx = await context(request, reply);
        const o = await service.visibleObligation(p, id);
        const canReport = OPEN.includes(o.status) && (await service.reportRefusal(p, o)) === null;
        return reply
          .code(status)
          .header('x-merzim-fragment', 'evidence')
          .type('text/html; charset=utf-8')
          .send((await evidenceBlock(ctx, p, o, canReport, flash)).value);
      }
      if (status === 200) return reply.redirect(`${obligationHref(id)}#evidence`, 303);
      return renderObligation(request, reply, id, { status, evidenceFlash: flash });
    },
  );

  // The download for a browser session (the JSON API takes bearer tokens only): the same service, rights and headers.
  app.get<{ Params: { fileId: string } }>(
    '/app/evidence/:fileId',
    { schema: { hide: true } },
    async (request, reply) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(request.params.fileId))
        throw new HttpError(404, 'not_found', 'No such file');
      return sendEvidence(reply, await evidence.download(principal(request), request.params.fileId));
    },
  );

  app.post<{ Params: { id: string; fileId: string } }>(
    '/app/obligations/:id/evidence/:fileId/withdraw',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      if (!/^[0-9a-f-]{36}$/i.test(request.params.fileId)) throw new HttpError(404, 'not_found', 'No such file');
      await evidence.withdraw(p, request.params.fileId);
      return reply.redirect(`${obligationHref(request.params.id)}#evidence`, 303);
    },
  );

  /** The report content the posted form says, against the measures owed and their indicators. */
  async function postedContent(request: FastifyRequest, id: string) {
    const o = await service.visibleObligation(principal(request), id);
    const cycle = (await service.cyclesOf([o])).get(o.cycle_workflow_id ?? '');
    const t = translator(languageOf(request, request.webSession));
    const setting = await reports.settingOf(o);
    return { o, t, content: formContent(body(request), measuresOwed(cycle, o, t.lang, setting), o.period) };
  }

  // Autosave (htmx, every change) and the "save" and "add a row" buttons (a plain post, then back to the page).
  app.post<{ Params: { id: string }; Querystring: { then?: string } }>(
    '/app/obligations/:id/draft',
    { schema: { hide: true } },
    async (request, reply) => {
      const { o, t, content } = await postedContent(request, request.params.id);
      const at = await reports.saveDraft(principal(request), o.workflow_id, content);
      if (request.query.then === 'page' && !isHtmx(request)) return reply.redirect(obligationHref(o.workflow_id), 303);
      return reply.type('text/html; charset=utf-8').send(html`${t.t('report.draftSaved', { time: t.time(at) })}`.value);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/app/obligations/:id/submit',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const id = request.params.id;
      const { t, content } = await postedContent(request, id);
      // A measure left without a status or a narrative is named in the reader's language before anything else is checked.
      const missing = (content as { measures: { measure: string; status: string; narrative: object }[] }).measures
        .filter((m) => m.status === '' || Object.keys(m.narrative).length === 0)
        .map((m) => m.measure.replace(/\.$/, ''));
      if (missing.length > 0) {
        return renderObligation(request, reply, id, {
          status: 422,
          posted: formStateOf(content),
          flash: { kind: 'error', text: missing.map((n) => t.t('report.missing', { n })).join(' ') },
        });
      }
      try {
        await reports.submit(p, id, { content });
      } catch (err) {
        const known = httpFailureOf(err);
        if (known !== undefined && (known.status === 422 || known.status === 400 || known.status === 409)) {
          return renderObligation(request, reply, id, {
            status: known.status,
            posted: formStateOf(content),
            flash: { kind: 'error', text: t.t('report.invalid', { detail: known.message }) },
          });
        }
        throw err;
      }
      return reply.redirect(`${obligationHref(id)}?msg=submitted`, 303);
    },
  );

  app.get<{ Params: { id: string; version: string } }>(
    '/app/obligations/:id/versions/:version',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const n = Number(request.params.version);
      if (!Number.isInteger(n) || n < 1) throw new HttpError(404, 'not_found', 'No such version');
      const v = await reports.version(p, request.params.id, n);
      const o = await service.visibleObligation(p, request.params.id);
      const cycle = (await service.cyclesOf([o])).get(o.cycle_workflow_id ?? '');
      const ctx = await context(request, reply);
      const measures = measuresOwed(cycle, o, ctx.t.lang, await reports.settingOf(o));
      return send(
        reply,
        versionPage(ctx, {
          obligationId: o.workflow_id,
          title: ctx.t.t('versions.version', { n }),
          body: html`<p class="muted">${ctx.t.t('versions.submitted', { date: ctx.t.dateTime(v.submittedAt), who: v.submittedBy.replace(/^(user|token):/, '') })}</p>
${reportView(ctx.t, v.content, measures, { year: o.period.slice(0, 4) })}
<p class="muted">${ctx.t.t('versions.hash')}: <code>${v.contentHash}</code></p>
${n > 1 ? html`<p><a href="${obligationHref(o.workflow_id)}/diff?from=${n - 1}&amp;to=${n}">${ctx.t.t('versions.compare')}: ${n - 1} → ${n}</a></p>` : ''}`,
        }),
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: { from?: string; to?: string } }>(
    '/app/obligations/:id/diff',
    { schema: { hide: true } },
    async (request, reply) => {
      const from = Number(request.query.from);
      const to = Number(request.query.to);
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1)
        throw new HttpError(404, 'not_found', 'No such version');
      const { changes } = await reports.diff(principal(request), request.params.id, from, to);
      const ctx = await context(request, reply);
      return send(
        reply,
        versionPage(ctx, {
          obligationId: request.params.id,
          title: ctx.t.t('versions.diffTitle', { from, to }),
          body: diffTable(ctx.t, changes),
        }),
      );
    },
  );

  for (const action of ['accept', 'return', 'extend'] as const) {
    app.post<{ Params: { id: string } }>(
      `/app/obligations/:id/${action}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const p = principal(request);
        const id = request.params.id;
        const b = body(request);
        const t = translator(languageOf(request, request.webSession));
        try {
          if (action === 'accept')
            await service.accept(
              p,
              id,
              b.comment === undefined || b.comment.trim() === '' ? undefined : b.comment.slice(0, 5000),
            );
          else {
            const text = (action === 'return' ? b.comment : b.reason) ?? '';
            const newDueDate = b.newDueDate ?? '';
            if (text.trim() === '' || text.length > 5000)
              throw new HttpError(
                400,
                'invalid_request',
                `${action === 'return' ? 'comment' : 'reason'}: required, at most 5000 characters`,
              );
            if (!/^\d{4}-\d{2}-\d{2}$/.test(newDueDate))
              throw new HttpError(400, 'invalid_request', 'newDueDate: a date (YYYY-MM-DD)');
            if (action === 'return') {
              const o = await service.visibleObligation(p, id);
              const cycle = (await service.cyclesOf([o])).get(o.cycle_workflow_id ?? '');
              const comments = parseRemarks(b, measuresOwed(cycle, o, t.lang));
              await reports.returnReport(p, id, { comment: text, newDueDate, comments });
            } else await service.extend(p, id, text, newDueDate);
          }
        } catch (err) {
          const known = httpFailureOf(err);
          if (known !== undefined && (known.status === 400 || known.status === 409 || known.status === 422)) {
            return renderObligation(request, reply, id, {
              status: known.status,
              flash: {
                kind: 'error',
                text: t.t(known.status === 409 ? 'error.conflict' : 'error.invalid', { detail: known.message }),
              },
            });
          }
          throw err;
        }
        return reply.redirect(
          `${obligationHref(id)}?msg=${action === 'accept' ? 'accepted' : action === 'return' ? 'returned' : 'extended'}`,
          303,
        );
      },
    );
  }

  // ——— Coordinator board, timeline, PM Office ——————————————————————————————————————

  /**
   * The board's date-time picker value (`YYYY-MM-DDTHH:MM`, Kazakhstan time) and its instant; undefined when none is given.
   * Anything else, or a time that is not on the calendar, is a 400 naming the field.
   */
  const asOfOf = (value: string | undefined): { local: string; at: Date } | undefined => {
    if (value === undefined || value === '') return undefined;
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(value);
    const [year, month, day, hour, minute] = (m ?? []).slice(1).map(Number);
    const valid =
      m !== null &&
      year! >= 2000 &&
      year! <= 2199 &&
      hour! <= 23 &&
      minute! <= 59 &&
      new Date(Date.UTC(year!, month! - 1, day!)).getUTCDate() === day &&
      month! >= 1 &&
      month! <= 12;
    if (!valid)
      throw new HttpError(400, 'invalid_request', 'at: a date and time YYYY-MM-DDTHH:MM (Almaty time) is expected');
    const at = new Date(
      localToInstant(
        { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: 59 },
        KZ_TIME_ZONE,
      ) + 999,
    );
    return { local: value.slice(0, 16), at };
  };

  /**
   * The board's body (everything inside the page's frame), kept compressed by everything it shows: the cycle and its stamp
   * (the cycle's row, its plan's obligations, directory, escalations), the picker's cycles and titles, language, role and
   * scope, filters, matrix page and the Almaty date (the overdue chart ends today). A few dozen at most, the oldest dropped
   * first.
   */
  const boardBodies = new Map<string, KeptBody>();

  /** The board's charts by cycle, stamp, language, scope and Almaty date: rendered once, whatever the filter or page. */
  const boardCharts = new Map<string, { charts: Html; names: ReadonlyMap<string, string> }>();

  /**
   * Readers' frames of the board (head and tail, deflated), by everything the layout reads: the session (its CSRF token is
   * in the frame's forms), the reader's name and role, language, path and flash. A reader asking again is sent the frame it
   * was sent, without rendering or compressing it; no two sessions ever share one.
   */
  const boardFrames = new Map<string, KeptFrame>();

  const remember = <V>(cache: Map<string, V>, key: string, value: V, size = 64): V => {
    if (cache.size >= size) cache.delete(cache.keys().next().value!);
    cache.set(key, value);
    return value;
  };

  /**
   * The Almaty date of now, read once a minute: UTC offsets are whole minutes, so every instant of one UTC minute falls on
   * the same local date (formatting a date in a time zone costs more than the rest of a kept board's request).
   */
  let todayOf = { minute: Number.NaN, date: '' };
  const almatyToday = (): string => {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute !== todayOf.minute) todayOf = { minute, date: localDateOf(minute * 60_000) };
    return todayOf.date;
  };

  app.get<{ Querystring: { cycle?: string; state?: string; agency?: string; at?: string; page?: string } }>(
    '/app/board',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const ctx = await context(request, reply);
      const wanted = request.query.cycle === undefined || request.query.cycle === '' ? undefined : request.query.cycle;
      // One statement: the picker, the chosen cycle (404 when the caller may not see it) and its stamp.
      const view = await service.boardView(p, wanted);
      // The picker's cycles (open first, the newest period first) and their plans' titles, for a request that renders.
      const pickerOf = () => {
        const listed = JSON.parse(view.picker) as PickerCycle[];
        return {
          cycles: listed.map(([workflow_id, plan_id, period, status]) => ({ workflow_id, plan_id, period, status })),
          titles: new Map(listed.map(([, planId, , , kk, ru]) => [planId, { kk, ru }])),
        };
      };
      const state = BOARD_STATES.find((s) => s === request.query.state) as BoardState | undefined;
      const agency =
        request.query.agency === undefined || request.query.agency === '' ? undefined : request.query.agency;
      const page = /^[1-9]\d{0,3}$/.test(request.query.page ?? '') ? Number(request.query.page) : 1;
      const asOf = asOfOf(request.query.at);
      const flash = flashFrom(request, ctx);
      const cycle = view.cycle;
      if (cycle === undefined)
        return send(
          reply,
          boardPage(ctx, {
            ...pickerOf(),
            cycle: undefined,
            stages: [],
            names: new Map(),
            obligations: [],
            escalations: [],
            filter: {},
            flash,
          }),
        );
      const stages = view.stages;
      const canAsOf = p.role !== 'reporter';
      const canHistory = p.role === 'admin' && opts.history !== undefined;
      const filter = { ...(state === undefined ? {} : { state }), ...(agency === undefined ? {} : { agency }) };
      const namesIn = async (codes: readonly string[]) =>
        new Map([...(await service.agencyNames(codes))].map(([code, name]) => [code, pick(name, ctx.t.lang)] as const));
      const temporalUrl = temporalWorkflowUrl(opts.temporalUiUrl, opts.temporalNamespace, cycle.workflow_id);
      if (asOf !== undefined) {
        // As of a past instant: the history service rebuilds it from the events log and refuses whom the as-of API refuses.
        if (opts.history === undefined) throw new HttpError(404, 'not_found', 'No such page');
        const past = await opts.history.cycleAsOf(p, cycle.workflow_id, asOf.at);
        const obligations = past.obligations.map((o) => ({
          workflow_id: o.obligationId,
          agency_code: o.agencyCode,
          stage_id: o.stageId,
          status: o.status,
          working_days_late: o.late === true ? 1 : 0,
        }));
        const escalated = new Set(past.obligations.filter((o) => o.escalationsSent > 0).map((o) => o.obligationId));
        const names = await namesIn(obligations.map((o) => o.agency_code));
        return send(
          reply,
          boardPage(
            ctx,
            {
              ...pickerOf(),
              cycle,
              stages,
              names,
              obligations: [],
              escalations: [],
              filter,
              temporalUrl,
              asOf,
              canAsOf,
              canHistory,
            },
            prepareBoard(ctx.t, {
              stages,
              names,
              obligations,
              escalations: [],
              escalated,
              filter,
              links: false,
              page,
            }),
          ),
        );
      }
      // The body is made once per state of the cycle and what this reader is shown of it, and kept compressed while the
      // cycle's stamp is unchanged: a board of thousands of obligations is then neither read, rendered nor compressed again;
      // a request sends the kept body in its reader's kept frame.
      const scopeKey = p.role === 'reporter' ? `reporter:${p.agencyCode ?? ''}` : p.role;
      const today = almatyToday();
      const key = JSON.stringify([
        cycle.workflow_id,
        view.stamp,
        ctx.t.lang,
        scopeKey,
        canAsOf,
        canHistory,
        temporalUrl,
        state ?? '',
        agency ?? '',
        page,
        today,
        view.picker,
      ]);
      let body = boardBodies.get(key);
      if (body === undefined) {
        const [{ obligations }, escalations] = await Promise.all([
          service.board(p, cycle.workflow_id),
          service.escalations(p, cycle.workflow_id),
        ]);
        // The charts (overdue over the days of this cycle; on-time rate per agency across the plan's cycles), whatever the
        // filter or page.
        const chartKey = [cycle.workflow_id, view.stamp, ctx.t.lang, scopeKey, today].join('|');
        let charted = boardCharts.get(chartKey);
        if (charted === undefined) {
          const names = await namesIn(obligations.map((o) => o.agency_code));
          const scope = p.role === 'reporter' ? { agencyCode: p.agencyCode ?? '' } : {};
          const now = new Date();
          const [overdue, onTime] = await Promise.all([
            overdueByDay(db, { cycleId: cycle.workflow_id, ...scope, now, finishedAt: cycle.finished_at }),
            onTimeRateData(db, { planId: cycle.plan_id, ...scope, now, names }),
          ]);
          charted = remember(boardCharts, chartKey, {
            names,
            charts: chartFigures(ctx.t, [
              { title: ctx.t.t('chart.overdue'), ...overdueChart(overdue, overdueText(ctx.t.lang)) },
              { title: ctx.t.t('chart.onTime'), ...onTimeRateChart(onTime, onTimeText(ctx.t.lang)) },
            ]),
          });
        }
        const names = charted.names;
        const data = {
          ...pickerOf(),
          cycle,
          stages,
          names,
          obligations: [],
          escalations: [...escalations].reverse(),
          filter,
          temporalUrl,
          canAsOf,
          canHistory,
        };
        const prepared = prepareBoard(ctx.t, { stages, names, obligations, escalations, filter, page });
        body = remember(boardBodies, key, await keepBody(boardBody(ctx, data, prepared, charted.charts).value, key));
      }
      const frameKey = JSON.stringify([
        p.tokenId,
        ctx.csrf,
        p.role,
        p.name,
        p.mustChangePassword,
        ctx.displayName,
        ctx.t.lang,
        ctx.path,
        flash?.kind ?? '',
        flash?.text ?? '',
      ]);
      let frame = boardFrames.get(frameKey);
      if (frame === undefined) {
        const marker = '\u0000board\u0000';
        const [head, tail] = layout(ctx, { title: ctx.t.t('board.title'), flash, body: raw(marker) }).value.split(
          marker,
        ) as [string, string];
        frame = remember(boardFrames, frameKey, keepFrame(head, tail), 512);
      }
      // Private to this reader, kept by the browser but asked about each time: an unchanged board is a 304 of a few bytes.
      const etag = pageTag(frame, body);
      reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'accept-encoding, cookie');
      if (matchesTag(request.headers['if-none-match'], etag)) return reply.code(304).send();
      reply.type('text/html; charset=utf-8');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')))
        return reply.header('content-encoding', 'gzip').send(splicedGzip(frame, body));
      return reply.send(plainPage(frame, body));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/app/cycles/:id/timeline',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const { cycle, owners } = await service.cycleWithOwners(p, request.params.id);
      const entries = await service.timeline(p, cycle.workflow_id);
      const ctx = await context(request, reply);
      // The cycle's pictures, scoped as the chart API scopes them (a reporter sees its own agency only).
      const scope = p.role === 'reporter' ? { agencyCode: p.agencyCode ?? '' } : {};
      const now = new Date();
      const [overdue, timeline] = await Promise.all([
        overdueByDay(db, { cycleId: cycle.workflow_id, ...scope, now, finishedAt: cycle.finished_at }),
        cycleTimelineData(db, { cycleId: cycle.workflow_id, ...scope, now }),
      ]);
      const charts = [
        { title: ctx.t.t('chart.overdue'), ...overdueChart(overdue, overdueText(ctx.t.lang)) },
        { title: ctx.t.t('chart.timeline'), ...cycleTimelineChart(timeline, timelineText(ctx.t.lang)) },
      ];
      return send(
        reply,
        timelinePage(
          ctx,
          cycle,
          owners,
          entries,
          temporalWorkflowUrl(opts.temporalUiUrl, opts.temporalNamespace, cycle.workflow_id),
          charts,
          p.role === 'admin' && opts.history !== undefined,
        ),
      );
    },
  );

  app.get('/app/admin/outbox', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const sent = await opts.outbox.notifications(p, { limit: 100 });
    const sink = opts.outbox.sinkEnabled ? await opts.outbox.sinkMessages(p, { limit: 100 }) : null;
    return send(reply, outboxPage(await context(request, reply), sent, sink));
  });

  registerAdminPages(app, opts, { context, send, principal, body });
  if (opts.summaries !== undefined)
    registerSummaryPages(
      app,
      { summaries: opts.summaries, obligations: service, reports },
      { context, send, principal, body },
    );

  // ——— My account; admin: users ——————————————————————————————————————————————————

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const idParam = (request: FastifyRequest): string => {
    const id = (request.params as { id?: string }).id ?? '';
    if (!UUID.test(id)) throw new HttpError(404, 'not_found', 'No such page');
    return id;
  };

  app.get('/app/account', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const ctx = await context(request, reply);
    const revoked = (request.query as { msg?: string }).msg === 'revoked';
    const flash = revoked ? { kind: 'ok' as const, text: ctx.t.t('account.revoked') } : undefined;
    const saved = (request.query as { msg?: string }).msg === 'digests' ? ctx.t.t('account.digestsSaved') : undefined;
    const note = flash ?? (saved === undefined ? undefined : { kind: 'ok' as const, text: saved });
    const digests = p.userId === null ? undefined : await accounts.digests(p);
    return send(reply, accountPage(ctx, await accounts.ownTokens(p), note, digests));
  });

  app.post('/app/account/digests', { schema: { hide: true } }, async (request, reply) => {
    await accounts.setDigests(principal(request), body(request).digests === 'on');
    return redirect(request, reply, '/app/account?msg=digests');
  });

  app.post('/app/account/tokens/:id/revoke', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const id = idParam(request);
    await accounts.revokeOwnToken(p, id);
    // Revoking this browser's own session is signing out.
    if (id === p.tokenId) {
      await closeSession(db, request, reply, undefined);
      return redirect(request, reply, '/app/sign-in?out=1');
    }
    return redirect(request, reply, '/app/account?msg=revoked');
  });

  app.get('/app/admin/users', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    return send(reply, adminUsersPage(await context(request, reply), (await accounts.users(p)).items));
  });

  app.post('/app/admin/users', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const { username = '', displayName = '', role = '', agencyCode = '' } = body(request);
    const ctx = await context(request, reply);
    const refuse = async (text: string) =>
      send(reply, adminUsersPage(ctx, (await accounts.users(p)).items, { kind: 'error', text }), 400);
    if (!/^[a-z0-9._-]{3,60}$/.test(username)) return refuse(`username: ${ctx.t.t('users.usernameHint')}`);
    if (displayName.trim() === '' || displayName.length > 200) return refuse(ctx.t.t('users.displayName'));
    if (!['reporter', 'coordinator', 'pm_office', 'admin'].includes(role)) return refuse(ctx.t.t('users.role'));
    if (agencyCode.length > 40) return refuse(ctx.t.t('users.agencyHint'));
    try {
      const created = await accounts.createUser(p, {
        username,
        displayName: displayName.trim(),
        role: role as 'reporter' | 'coordinator' | 'pm_office' | 'admin',
        agencyCode: agencyCode.trim() === '' ? null : agencyCode.trim(),
      });
      const text = ctx.t.t('users.created', { username, password: created.oneTimePassword });
      return send(reply, adminUsersPage(ctx, (await accounts.users(p)).items, { kind: 'ok', text }), 201);
    } catch (err) {
      const known = httpFailureOf(err);
      if (known !== undefined && known.status < 500) return refuse(known.message);
      throw err;
    }
  });

  app.post<{ Params: { id: string; action: string } }>(
    '/app/admin/users/:id/:action',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const id = idParam(request);
      const { action } = request.params;
      if (action !== 'disable' && action !== 'enable' && action !== 'reset')
        throw new HttpError(404, 'not_found', 'No such page');
      const ctx = await context(request, reply);
      let text: string;
      if (action === 'reset') {
        const r = await accounts.resetPassword(p, id);
        text = ctx.t.t('users.resetDone', { username: r.user.username, password: r.oneTimePassword });
      } else {
        const u = await accounts.setDisabled(p, id, action === 'disable');
        text = ctx.t.t(action === 'disable' ? 'users.disabledDone' : 'users.enabledDone', { username: u.username });
      }
      return send(reply, adminUsersPage(ctx, (await accounts.users(p)).items, { kind: 'ok', text }));
    },
  );
  const history = opts.history;
  if (history !== undefined) {
    /** `?run=` names one run of the workflow (a cycle that continued as new has several); absent or malformed: the latest. */
    const runOf = (q: { run?: string }): string | undefined =>
      typeof q.run === 'string' && /^[\w-]{1,100}$/.test(q.run) ? q.run : undefined;
    app.get<{ Querystring: { workflow?: string; run?: string } }>(
      '/app/admin/history',
      { schema: { hide: true } },
      async (request, reply) => {
        const p = principal(request);
        if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
        const workflowId = typeof request.query.workflow === 'string' ? request.query.workflow.trim() : '';
        let view;
        let notFound = false;
        if (workflowId !== '') {
          try {
            view = await history.workflow(p, workflowId, runOf(request.query));
          } catch (err) {
            if (!(err instanceof HttpError && err.statusCode === 404)) throw err;
            notFound = true;
          }
        }
        return send(
          reply,
          historyPage(await context(request, reply), { workflowId, view, notFound }),
          notFound ? 404 : 200,
        );
      },
    );
    app.get<{ Querystring: { workflow?: string; run?: string } }>(
      '/app/admin/history/raw',
      { schema: { hide: true } },
      async (request, reply) => {
        const workflowId = typeof request.query.workflow === 'string' ? request.query.workflow : '';
        const body = await history.rawHistory(principal(request), workflowId, runOf(request.query));
        return reply
          .type('application/json')
          .header('content-disposition', `attachment; filename="${workflowId.replace(/[^\w.-]+/g, '_')}.history.json"`)
          .send(body);
      },
    );
  }

  if (history !== undefined) {
    const adminOnly = (p: Principal) => {
      if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
    };
    app.get('/app/admin/replay', { schema: { hide: true } }, async (request, reply) => {
      adminOnly(principal(request));
      return send(reply, replayPage(await context(request, reply), { form: EMPTY_REPLAY_FORM }));
    });
    app.post('/app/admin/replay', { schema: { hide: true } }, async (request, reply) => {
      const p = principal(request);
      adminOnly(p);
      const ctx = await context(request, reply);
      const b = body(request);
      const kind = (['workflow', 'plan', 'open'] as const).find((k) => k === b.kind);
      const form = {
        kind: kind ?? 'workflow',
        workflowId: (b.workflowId ?? '').trim(),
        planId: (b.planId ?? '').trim(),
        period: (b.period ?? '').trim(),
      } as const;
      // Bad input: a 400 naming the field, on the form as it was filled in.
      const refuse = (field: string, key: MessageKey) =>
        send(reply, replayPage(ctx, { form, flash: { kind: 'error', text: `${field}: ${ctx.t.t(key)}` } }), 400);
      if (kind === undefined) return refuse('kind', 'replay.errorKind');
      if (kind === 'workflow' && (form.workflowId === '' || form.workflowId.length > 300))
        return refuse('workflowId', 'replay.errorWorkflow');
      if (kind === 'plan' && (form.planId === '' || form.planId.length > 200))
        return refuse('planId', 'replay.errorPlan');
      if (kind === 'plan' && form.period !== '' && !isPeriodKey(form.period))
        return refuse('period', 'replay.errorPeriod');
      const query =
        kind === 'workflow'
          ? { workflowId: form.workflowId }
          : kind === 'plan'
            ? { planId: form.planId, ...(form.period === '' ? {} : { period: form.period }) }
            : { open: true };
      const report = await history.replay(p, { ...query, limit: 1000 });
      return send(reply, replayPage(ctx, { form, report }));
    });
  }

  // Any other address under /app is a page that does not exist, said as a page.
  app.get('/app/*', { schema: { hide: true } }, async () => {
    throw new HttpError(404, 'not_found', 'No such page');
  });

  app.get('/app/pm', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    if (p.role !== 'pm_office' && p.role !== 'admin')
      throw new HttpError(403, 'forbidden', 'The PM Office view is for the PM Office and admins');
    const ctx = await context(request, reply);
    const all = await service.listCycles(p, {});
    // Each plan's current cycle: its open one, else its latest.
    const current = new Map<string, (typeof all)[number]>();
    for (const x of [...all].sort((a, b) => a.period.localeCompare(b.period))) {
      const seen = current.get(x.plan_id);
      if (seen === undefined || seen.status !== 'open' || x.status === 'open') current.set(x.plan_id, x);
    }
    const rows = [];
    for (const x of current.values()) {
      const stage =
        x.stage === null ? undefined : (await service.stages(p, x.workflow_id)).find((s) => s.id === x.stage);
      rows.push({ cycle: x, counts: x.counts, stage });
    }
    const reached = await service.pmOfficeEscalations(p);
    const info = await service.planInfo([...current.keys(), ...reached.map((e) => e.planId)]);
    const escalations = reached.map((e) => ({
      ...e,
      planTitle: pick(info.get(e.planId)?.title, ctx.t.lang) || e.planId,
    }));
    // Per plan: its current cycle's overdue days and its agencies' on-time rate across its cycles.
    const now = new Date();
    const charts = [];
    const names = new Map((await listAgencies(db)).map((a) => [a.code, pickName(a.name, ctx.t.lang) || a.code]));
    for (const { cycle } of rows) {
      const [overdue, onTime] = await Promise.all([
        overdueByDay(db, { cycleId: cycle.workflow_id, now, finishedAt: cycle.finished_at }),
        onTimeRateData(db, { planId: cycle.plan_id, now, names }),
      ]);
      charts.push({
        planId: cycle.plan_id,
        heading: `${pick(info.get(cycle.plan_id)?.title, ctx.t.lang) || cycle.plan_id} — ${cycle.period}`,
        charts: [
          { title: ctx.t.t('chart.overdue'), ...overdueChart(overdue, overdueText(ctx.t.lang)) },
          { title: ctx.t.t('chart.onTime'), ...onTimeRateChart(onTime, onTimeText(ctx.t.lang)) },
        ] satisfies PageChart[],
      });
    }
    return send(reply, pmPage(ctx, info, rows, escalations, flashFrom(request, ctx), charts));
  });
};
