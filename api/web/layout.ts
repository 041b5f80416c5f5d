// The frame of every page: language, navigation by role, the language switch, sign-out, and the main landmark.
import type { Principal } from '../auth.js';
import { html, type Html } from './html.js';
import { UI_LANGS, type MessageKey, type Translator } from './i18n/index.js';

export interface PageContext {
  readonly t: Translator;
  readonly principal: Principal | undefined;
  readonly displayName: string | null;
  readonly csrf: string;
  /** The path and query of this page, where the language switch comes back to. */
  readonly path: string;
}

interface NavItem {
  readonly href: string;
  readonly label: MessageKey;
}

/** Navigation by role: each role sees the pages its work happens on. */
export function navFor(p: Principal | undefined): NavItem[] {
  if (p === undefined || p.mustChangePassword) return [];
  const inbox = { href: '/app/inbox', label: 'nav.inbox' } as const;
  const board = { href: '/app/board', label: 'nav.board' } as const;
  const pm = { href: '/app/pm', label: 'nav.pm' } as const;
  const outbox = { href: '/app/admin/outbox', label: 'nav.outbox' } as const;
  const plans = { href: '/app/admin/plans', label: 'nav.plans' } as const;
  const calendar = { href: '/app/admin/calendar', label: 'nav.calendar' } as const;
  const agencies = { href: '/app/admin/agencies', label: 'nav.agencies' } as const;
  const sink = { href: '/app/admin/sink', label: 'nav.sink' } as const;
  const users = { href: '/app/admin/users', label: 'nav.users' } as const;
  const account = { href: '/app/account', label: 'nav.account' } as const;
  const history = { href: '/app/admin/history', label: 'nav.history' } as const;
  const replay = { href: '/app/admin/replay', label: 'nav.replay' } as const;
  switch (p.role) {
    case 'reporter':
      return [inbox, account];
    case 'coordinator':
      return [board, inbox, plans, account];
    case 'pm_office':
      return [pm, board, inbox, account];
    case 'admin':
      return [board, pm, inbox, plans, calendar, agencies, outbox, sink, history, replay, users, account];
  }
}

/** A hidden field with the form's CSRF token. */
export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function layout(
  ctx: PageContext,
  page: { title: string; body: Html; flash?: { kind: 'ok' | 'error'; text: string } | undefined },
): Html {
  const { t } = ctx;
  const current = ctx.path.split('?')[0]!;
  const nav = navFor(ctx.principal);
  return html`<!doctype html>
<html lang="${t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<title>${page.title} · ${t.t('app.name')}</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/htmx.min.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t.t('nav.skip')}</a>
<header class="top">
  <div class="brand"><a href="/app">${t.t('app.name')}</a><span class="tagline">${t.t('app.tagline')}</span></div>
  ${nav.length === 0 ? '' : html`<nav aria-label="${t.t('nav.main')}"><ul>${nav.map((n) => html`<li><a href="${n.href}"${current.startsWith(n.href) ? html` aria-current="page"` : ''}>${t.t(n.label)}</a></li>`)}</ul></nav>`}
  <div class="tools">
    <form class="lang" method="post" action="/app/lang" aria-label="${t.t('nav.language')}">
      ${csrfField(ctx)}<input type="hidden" name="next" value="${ctx.path}">
      ${UI_LANGS.map((l) => html`<button type="submit" name="lang" value="${l}" lang="${l}"${l === t.lang ? html` aria-pressed="true"` : html` aria-pressed="false"`}>${t.t(`lang.${l}`)}</button>`)}
    </form>
    ${
      ctx.principal === undefined
        ? ''
        : html`<div class="who"><span>${t.t('nav.signedInAs', { name: ctx.displayName ?? ctx.principal.name })} · ${t.t(`role.${ctx.principal.role}`)}</span>
      <form method="post" action="/app/sign-out">${csrfField(ctx)}<button type="submit" class="link">${t.t('nav.signOut')}</button></form></div>`
    }
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${page.title}</h1>
${page.flash === undefined ? '' : html`<p class="flash ${page.flash.kind}" role="${page.flash.kind === 'error' ? 'alert' : 'status'}">${page.flash.text}</p>`}
${page.body}
</main>
</body>
</html>`;
}
