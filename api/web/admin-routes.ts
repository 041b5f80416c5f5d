// The admin section's pages: plans (list, import with its review, a plan's life and schedule), the working-day calendar,
// the agencies directory and the embedded SMTP sink. Each calls the same service as the JSON route that does the same thing,
// so a role the API refuses is refused here too (403 or 404, said as a page).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_UPLOAD_BYTES } from '../plan-import.js';
import { simpleParser } from 'mailparser';
import { deleteUpload, getUpload, saveUpload, setUploadFields } from '../../db/repositories/uploads.js';
import { listCycles } from '../../db/repositories/cycles.js';
import { CALENDAR_ENTRY_KINDS, type CalendarEntry, type CalendarEntryKind } from '../../domain/calendar.js';
import type { Agency, AgencyContact } from '../../domain/plan.js';
import { actorOf, type Principal } from '../auth.js';
import { DEFAULT_PAGE_SIZE } from '../pagination.js';
import { HttpError } from '../errors.js';
import { onTimeRateData } from '../services/chart-data.js';
import { validImportFields } from '../services/plans.js';
import { onTimeRateChart } from './charts.js';
import { onTimeText } from './chart-text.js';
import type { Html } from './html.js';
import type { WebOptions } from './index.js';
import type { PageContext } from './layout.js';
import {
  AGENCY_KINDS,
  agenciesPage,
  agencyPage,
  calendarPage,
  sinkMessagePage,
  sinkPage,
} from './pages/admin-directory.js';
import { importReviewPage, planHref, planPage, plansPage } from './pages/admin-plans.js';
import { errorPage } from './pages/signin.js';
import { pickName, temporalWorkflowUrl } from './view.js';
import { csrfValid } from './session.js';

export interface PageTools {
  context(request: FastifyRequest, reply: FastifyReply): Promise<PageContext>;
  send(reply: FastifyReply, page: Html, status?: number): FastifyReply;
  principal(request: FastifyRequest): Principal;
  body(request: FastifyRequest): Record<string, string>;
}

type Flash = { kind: 'ok' | 'error'; text: string } | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The import form's fields a reviewer may fill in (the rest of ImportQuery is the API's). */
const IMPORT_FIELDS = [
  'format',
  'titleKk',
  'titleRu',
  'coordinator',
  'actNumber',
  'actDate',
  'yearsFrom',
  'yearsTo',
  'columns',
  'map',
  'ignore',
] as const;

function requireRole(p: Principal, ...roles: Principal['role'][]): void {
  if (!roles.includes(p.role))
    throw new HttpError(403, 'forbidden', `This requires one of the roles: ${roles.join(', ')}`);
}

/** The non-empty import fields of a form, as strings (an empty field is no answer). */
function importFields(raw: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of IMPORT_FIELDS) {
    const v = raw[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}

export function registerAdminPages(app: FastifyInstance, opts: WebOptions, tools: PageTools): void {
  const { context, send, principal, body } = tools;
  const { db, plans, calendar, agencies } = opts;
  const temporalUrl = (id: string) => temporalWorkflowUrl(opts.temporalUiUrl, opts.temporalNamespace, id);
  const msg = (request: FastifyRequest) => (request.query as { msg?: string }).msg;

  async function agencyNames(lang: 'kk' | 'ru' | 'en', p: Principal): Promise<Map<string, string>> {
    return new Map((await agencies.list(p)).map((a) => [a.code, pickName(a.name, lang) || a.code]));
  }

  // ——— Plans ————————————————————————————————————————————————————————————————————————

  app.get('/app/admin/plans', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    requireRole(p, 'admin', 'coordinator');
    const ctx = await context(request, reply);
    // Newest first, a page at a time, as GET /api/v1/plans; a cursor that is not one this list gave answers 400.
    const { cursor } = request.query as { cursor?: unknown };
    const page = await plans.list(p, {
      limit: DEFAULT_PAGE_SIZE,
      ...(typeof cursor === 'string' && cursor !== '' ? { cursor } : {}),
    });
    const flash: Flash = msg(request) === 'discarded' ? { kind: 'ok', text: ctx.t.t('plan.discarded') } : undefined;
    return send(
      reply,
      plansPage(ctx, {
        plans: page.items,
        nextCursor: page.nextCursor,
        canImport: true,
        names: await agencyNames(ctx.t.lang, p),
        flash,
      }),
    );
  });

  // The upload is multipart: its CSRF token is a form field, checked here before anything is kept (index.ts defers it).
  app.post('/app/admin/plans/import', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const ctx = await context(request, reply);
    if (!request.isMultipart()) throw new HttpError(415, 'wrong_file_type', 'send the form as multipart/form-data');
    const fields: Record<string, string> = {};
    let bytes: Buffer | undefined;
    let filename: string | undefined;
    for await (const part of request.parts({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw new HttpError(400, 'invalid_request', 'file: unexpected file field');
        bytes = await part.toBuffer();
        if (part.file.truncated) throw new HttpError(413, 'too_large', 'file: larger than 50 MB');
        filename = part.filename === '' ? undefined : part.filename;
      } else fields[part.fieldname] = String(part.value);
    }
    if (!csrfValid(request, request.webSession, fields._csrf))
      return send(reply, errorPage(ctx, ctx.t.t('error.title'), ctx.t.t('error.csrf')), 403);
    requireRole(p, 'admin', 'coordinator');
    if (bytes === undefined || bytes.length === 0)
      throw new HttpError(400, 'invalid_request', ctx.t.t('import.noFile'));
    const given = importFields(fields);
    validImportFields(request, given);
    const id = await saveUpload(db, { createdBy: actorOf(p), filename: filename ?? null, bytes, fields: given });
    return reply.redirect(`/app/admin/imports/${id}`, 303);
  });

  async function upload(request: FastifyRequest, p: Principal, id: string) {
    requireRole(p, 'admin', 'coordinator');
    const found = UUID.test(id) ? await getUpload(db, id, actorOf(p)) : undefined;
    if (found === undefined) throw new HttpError(404, 'not_found', 'No such upload (it may have expired)');
    return found;
  }

  async function review(request: FastifyRequest, reply: FastifyReply, id: string, flash?: Flash, status = 200) {
    const p = principal(request);
    const u = await upload(request, p, id);
    const ctx = await context(request, reply);
    const outcome = await plans.importFile(p, {
      bytes: u.bytes,
      filename: u.filename ?? undefined,
      options: {
        ...validImportFields(request, { ...u.fields }),
        ...(u.filename === null ? {} : { filename: u.filename }),
      },
      dryRun: true,
    });
    if (outcome.kind === 'stored') throw new Error('a dry run stored a plan');
    return send(
      reply,
      importReviewPage(ctx, {
        uploadId: u.id,
        filename: u.filename,
        findings: outcome.findings,
        unknownCodes: outcome.unknownCodes,
        given: u.fields,
        agencies: await agencies.list(p),
        flash,
      }),
      status,
    );
  }

  app.get<{ Params: { id: string } }>('/app/admin/imports/:id', { schema: { hide: true } }, async (request, reply) =>
    review(request, reply, request.params.id),
  );

  // The reviewer's answers: unknown codes mapped or ignored, metadata, columns; kept with the upload, then checked again.
  app.post<{ Params: { id: string } }>('/app/admin/imports/:id', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const u = await upload(request, p, request.params.id);
    const b = body(request);
    const map: string[] = [];
    const ignore: string[] = [];
    for (const [key, code] of Object.entries(b)) {
      const m = /^code\.(\d+)$/.exec(key);
      if (m === null) continue;
      const answer = (b[`answer.${m[1]}`] ?? '').trim();
      if (answer === '-') ignore.push(code);
      else if (answer !== '') map.push(`${code}:${answer}`);
    }
    const given = importFields({ ...b, format: u.fields.format, map: map.join('\n'), ignore: ignore.join('\n') });
    validImportFields(request, given);
    await setUploadFields(db, u.id, given);
    return reply.redirect(`/app/admin/imports/${u.id}`, 303);
  });

  app.post<{ Params: { id: string } }>(
    '/app/admin/imports/:id/store',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      const u = await upload(request, p, request.params.id);
      const outcome = await plans.importFile(p, {
        bytes: u.bytes,
        filename: u.filename ?? undefined,
        options: validImportFields(request, { ...u.fields }),
        dryRun: false,
      });
      if (outcome.kind !== 'stored') {
        const t = (await context(request, reply)).t;
        return review(request, reply, u.id, { kind: 'error', text: t.t('imp.notStorable') }, 422);
      }
      await deleteUpload(db, u.id);
      return reply.redirect(`${planHref(outcome.id)}?msg=imported`, 303);
    },
  );

  async function renderPlan(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { flash?: Flash; backfill?: Awaited<ReturnType<typeof plans.backfill>>['results']; status?: number } = {},
  ) {
    const p = principal(request);
    requireRole(p, 'admin', 'coordinator', 'pm_office');
    const plan = await plans.load(p, id, false);
    const ctx = await context(request, reply);
    const rights = await plans.rights(p, plan);
    const cycles = plan.status === 'draft' || plan.status === 'discarded' ? [] : await listCycles(db, { planId: id });
    const names = await agencyNames(ctx.t.lang, p);
    const chartData =
      cycles.length === 0 ? undefined : await onTimeRateData(db, { planId: id, now: new Date(), names });
    const chart =
      chartData === undefined || chartData.periods.length === 0
        ? undefined
        : onTimeRateChart(chartData, onTimeText(ctx.t.lang));
    const t = ctx.t;
    const flashes: Record<string, string> = {
      imported: t.t('imp.stored'),
      confirmed: t.t('plan.confirmed'),
      paused: t.t('plan.paused'),
      resumed: t.t('plan.resumed'),
      amended: t.t('plan.amended', { n: plan.version }),
      repealed: t.t('plan.repealed'),
    };
    const m = msg(request);
    const flash =
      extra.flash ?? (m !== undefined && m in flashes ? { kind: 'ok' as const, text: flashes[m]! } : undefined);
    return send(
      reply,
      planPage(ctx, {
        plan,
        versions: await plans.versions(p, id),
        rights,
        schedule: rights.manage && plan.status !== 'draft' ? await plans.schedule(p, id) : null,
        cycles: [...cycles].sort((a, b) => b.period.localeCompare(a.period)),
        names,
        temporalUrl,
        chart,
        backfill: extra.backfill,
        flash,
      }),
      extra.status ?? 200,
    );
  }

  app.get<{ Params: { id: string } }>('/app/admin/plans/:id', { schema: { hide: true } }, async (request, reply) => {
    if (!UUID.test(request.params.id)) throw new HttpError(404, 'not_found', 'No such plan');
    return renderPlan(request, reply, request.params.id);
  });

  /** A plan's form: the service does it; a refusal of the input is said on the plan's page, anything else as an error page. */
  function planAction(
    what: string,
    run: (p: Principal, id: string, b: Record<string, string>, request: FastifyRequest) => Promise<string | Flash>,
  ) {
    app.post<{ Params: { id: string } }>(
      `/app/admin/plans/:id/${what}`,
      { schema: { hide: true } },
      async (request, reply) => {
        const id = request.params.id;
        if (!UUID.test(id)) throw new HttpError(404, 'not_found', 'No such plan');
        const p = principal(request);
        const result = await run(p, id, body(request), request);
        if (typeof result === 'string') return reply.redirect(result, 303);
        return renderPlan(request, reply, id, { flash: result });
      },
    );
  }

  const act = (b: Record<string, string>) => {
    if (!ISO_DATE.test(b.actDate ?? '')) throw new HttpError(400, 'invalid_request', 'actDate: a date (YYYY-MM-DD)');
    return { issuer: (b.actIssuer ?? '').trim(), number: (b.actNumber ?? '').trim(), date: b.actDate! };
  };

  planAction('confirm', async (p, id) => {
    await plans.confirm(p, id);
    return `${planHref(id)}?msg=confirmed`;
  });
  planAction('discard', async (p, id) => {
    await plans.discard(p, id);
    return '/app/admin/plans?msg=discarded';
  });
  for (const action of ['pause', 'unpause'] as const) {
    planAction(action, async (p, id, b, request) => {
      const note = (b.note ?? '').trim().slice(0, 500);
      await plans.setPaused(p, id, action, note === '' ? undefined : note, request.id);
      return `${planHref(id)}?msg=${action === 'pause' ? 'paused' : 'resumed'}`;
    });
  }
  app.post<{ Params: { id: string } }>(
    '/app/admin/plans/:id/backfill',
    { schema: { hide: true } },
    async (request, reply) => {
      const id = request.params.id;
      if (!UUID.test(id)) throw new HttpError(404, 'not_found', 'No such plan');
      const b = body(request);
      const key = /^\d{4}(-(H[12]|Q[1-4]|\d{2}))?$/;
      if (!key.test(b.from ?? '') || !key.test(b.to ?? ''))
        throw new HttpError(400, 'invalid_request', 'from, to: period keys such as 2026, 2026-H1, 2026-Q1, 2026-05');
      const mode = b.mode === 'record-only' ? 'record-only' : b.mode === 'catch-up' ? 'catch-up' : undefined;
      const { results } = await plans.backfill(principal(request), id, b.from!, b.to!, request.id, mode);
      return renderPlan(request, reply, id, { backfill: results });
    },
  );
  planAction('amend', async (p, id, b) => {
    const measure = (b.measure ?? '').trim();
    const text = (b.deadline ?? '').trim();
    const summary = (b.summary ?? '').trim();
    if (measure === '' || text === '' || summary === '')
      throw new HttpError(400, 'invalid_request', 'measure, deadline, summary: required');
    await plans.amend(p, id, { act: act(b), summary, changes: [{ op: 'set_deadline', measure, text }] });
    return `${planHref(id)}?msg=amended`;
  });
  planAction('repeal', async (p, id, b) => {
    const reason = (b.reason ?? '').trim();
    if (reason === '' || !ISO_DATE.test(b.date ?? ''))
      throw new HttpError(400, 'invalid_request', 'date: a date (YYYY-MM-DD); reason: required');
    await plans.repeal(p, id, { act: act(b), date: b.date!, reason: reason.slice(0, 2000) });
    return `${planHref(id)}?msg=repealed`;
  });

  // ——— Working-day calendar ————————————————————————————————————————————————————————

  app.get<{ Querystring: { year?: string; msg?: string; date?: string } }>(
    '/app/admin/calendar',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      requireRole(p, 'admin');
      const ctx = await context(request, reply);
      const raw = Number(request.query.year ?? new Date().getUTCFullYear());
      const year = Number.isInteger(raw) && raw >= 2000 && raw <= 2100 ? raw : new Date().getUTCFullYear();
      const data = await calendar.year(p, year);
      const date =
        request.query.date !== undefined && ISO_DATE.test(request.query.date) ? ctx.t.date(request.query.date) : '';
      const flashes: Record<string, string> = {
        saved: ctx.t.t('cal.saved', { date }),
        removed: ctx.t.t('cal.removed', { date }),
        year: ctx.t.t('cal.yearSaved'),
      };
      const m = request.query.msg;
      return send(
        reply,
        calendarPage(ctx, {
          ...data,
          flash: m !== undefined && m in flashes ? { kind: 'ok', text: flashes[m]! } : undefined,
        }),
      );
    },
  );

  app.post('/app/admin/calendar/entries', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const b = body(request);
    const kind = b.kind as CalendarEntryKind;
    if (!ISO_DATE.test(b.date ?? '')) throw new HttpError(400, 'invalid_request', 'date: a date (YYYY-MM-DD)');
    if (!CALENDAR_ENTRY_KINDS.includes(kind))
      throw new HttpError(400, 'invalid_request', `kind: one of ${CALENDAR_ENTRY_KINDS.join(', ')}`);
    for (const f of ['nameKk', 'nameRu', 'nameEn', 'source'] as const)
      if ((b[f] ?? '').trim() === '' || (b[f] ?? '').length > (f === 'source' ? 1000 : 300))
        throw new HttpError(
          400,
          'invalid_request',
          `${f}: required, at most ${f === 'source' ? 1000 : 300} characters`,
        );
    const related = (b.relatedDate ?? '').trim();
    if (related !== '' && !ISO_DATE.test(related))
      throw new HttpError(400, 'invalid_request', 'relatedDate: a date (YYYY-MM-DD)');
    const entry: CalendarEntry = {
      date: b.date!,
      kind,
      nameKk: b.nameKk!.trim(),
      nameRu: b.nameRu!.trim(),
      nameEn: b.nameEn!.trim(),
      source: b.source!.trim(),
      ...(related === '' ? {} : { relatedDate: related }),
    };
    await calendar.saveEntry(p, entry, request.id);
    return reply.redirect(`/app/admin/calendar?year=${entry.date.slice(0, 4)}&msg=saved&date=${entry.date}`, 303);
  });

  app.post<{ Params: { date: string; kind: string } }>(
    '/app/admin/calendar/entries/:date/:kind/remove',
    { schema: { hide: true } },
    async (request, reply) => {
      const { date, kind } = request.params;
      if (!ISO_DATE.test(date) || !CALENDAR_ENTRY_KINDS.includes(kind as CalendarEntryKind))
        throw new HttpError(404, 'not_found', 'No such entry');
      await calendar.removeEntry(principal(request), date, kind as CalendarEntryKind, request.id);
      return reply.redirect(`/app/admin/calendar?year=${date.slice(0, 4)}&msg=removed&date=${date}`, 303);
    },
  );

  app.post<{ Params: { year: string } }>(
    '/app/admin/calendar/years/:year',
    { schema: { hide: true } },
    async (request, reply) => {
      const year = Number(request.params.year);
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new HttpError(404, 'not_found', 'No such year');
      const b = body(request);
      if (b.status !== 'official' && b.status !== 'provisional')
        throw new HttpError(400, 'invalid_request', 'status: official or provisional');
      const note = (b.note ?? '').trim();
      if (note.length > 2000) throw new HttpError(400, 'invalid_request', 'note: at most 2000 characters');
      await calendar.setYear(
        principal(request),
        year,
        { status: b.status, ...(note === '' ? {} : { note }) },
        request.id,
      );
      return reply.redirect(`/app/admin/calendar?year=${year}&msg=year`, 303);
    },
  );

  // ——— Agencies ——————————————————————————————————————————————————————————————————————

  app.get('/app/admin/agencies', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    requireRole(p, 'admin');
    return send(reply, agenciesPage(await context(request, reply), await agencies.list(p)));
  });

  app.get<{ Params: { code: string } }>(
    '/app/admin/agencies/:code',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      requireRole(p, 'admin');
      const a = await agencies.get(p, request.params.code);
      const ctx = await context(request, reply);
      const flash: Flash = msg(request) === 'saved' ? { kind: 'ok', text: ctx.t.t('ag.saved') } : undefined;
      return send(reply, agencyPage(ctx, a, flash));
    },
  );

  app.post<{ Params: { code: string } }>(
    '/app/admin/agencies/:code',
    { schema: { hide: true } },
    async (request, reply) => {
      const p = principal(request);
      requireRole(p, 'admin');
      const current = await agencies.get(p, request.params.code);
      const b = body(request);
      const lines = (text: string | undefined) =>
        (text ?? '')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '');
      const contacts: AgencyContact[] = lines(b.contacts).map((line, i) => {
        const [role, email, ...name] = line.split(/\s+/);
        if (
          !['reporter', 'head', 'coordinator', 'general'].includes(role ?? '') ||
          !/^[^@\s]+@[^@\s]+$/.test(email ?? '')
        )
          throw new HttpError(
            400,
            'invalid_request',
            `contacts, line ${i + 1}: "role e-mail name", role one of reporter, head, coordinator, general`,
          );
        return {
          role: role as AgencyContact['role'],
          email: email!,
          ...(name.length === 0 ? {} : { name: name.join(' ') }),
        };
      });
      const kind = AGENCY_KINDS.find((k) => k === b.kind);
      if (kind === undefined) throw new HttpError(400, 'invalid_request', `kind: one of ${AGENCY_KINDS.join(', ')}`);
      if (b.lang !== 'kk' && b.lang !== 'ru') throw new HttpError(400, 'invalid_request', 'lang: kk or ru');
      const nameKk = (b.nameKk ?? '').trim();
      const nameRu = (b.nameRu ?? '').trim();
      if (nameKk === '' && nameRu === '') throw new HttpError(400, 'invalid_request', 'nameKk, nameRu: at least one');
      const aliases = lines(b.aliases);
      const note = (b.note ?? '').trim();
      const { aliases: _a, note: _n, ...rest } = current;
      const agency: Agency = {
        ...rest,
        name: { kk: nameKk === '' ? null : nameKk, ru: nameRu === '' ? null : nameRu },
        kind,
        lang: b.lang,
        byAgreement: b.byAgreement === 'true',
        contacts,
        ...(aliases.length === 0 ? {} : { aliases }),
        ...(note === '' ? {} : { note }),
      };
      await agencies.save(p, current.code, agency, request.id);
      return reply.redirect(`/app/admin/agencies/${encodeURIComponent(current.code)}?msg=saved`, 303);
    },
  );

  // ——— The embedded SMTP sink ——————————————————————————————————————————————————————————

  app.get<{ Querystring: { to?: string } }>('/app/admin/sink', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    requireRole(p, 'admin');
    const to = (request.query.to ?? '').trim();
    const messages = opts.outbox.sinkEnabled
      ? await opts.outbox.sinkMessages(p, { limit: 200, ...(to === '' ? {} : { to }) })
      : null;
    return send(reply, sinkPage(await context(request, reply), { messages, to: to === '' ? undefined : to }));
  });

  app.get<{ Params: { id: string } }>('/app/admin/sink/:id', { schema: { hide: true } }, async (request, reply) => {
    const p = principal(request);
    const raw = await opts.outbox.sinkMessageRaw(p, request.params.id);
    const mail = await simpleParser(raw, { skipHtmlToText: false });
    const addresses = (a: typeof mail.to): string =>
      a === undefined ? '' : (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
    return send(
      reply,
      sinkMessagePage(await context(request, reply), {
        id: request.params.id,
        subject: mail.subject ?? '',
        from: mail.from?.text ?? '',
        to: addresses(mail.to),
        date: mail.date ?? null,
        text: mail.text ?? '',
        attachments: mail.attachments.map((a) => ({
          filename: a.filename ?? '—',
          contentType: a.contentType,
          size: a.size,
        })),
      }),
    );
  });

  app.get<{ Params: { id: string } }>('/app/admin/sink/:id/raw', { schema: { hide: true } }, async (request, reply) => {
    const raw = await opts.outbox.sinkMessageRaw(principal(request), request.params.id);
    // Shown as text, never rendered: the message is whatever arrived.
    return reply.type('text/plain; charset=utf-8').send(raw);
  });
}
