// The sign-in page and the password change a one-time password forces at first sign-in.
import { MIN_PASSWORD_LENGTH } from '../../../db/repositories/users.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';

export function signInPage(
  ctx: PageContext,
  opts: { error?: string; info?: string; username?: string; next?: string },
): Html {
  const { t } = ctx;
  const flash =
    opts.error !== undefined
      ? { kind: 'error' as const, text: opts.error }
      : opts.info !== undefined
        ? { kind: 'ok' as const, text: opts.info }
        : undefined;
  return layout(ctx, {
    title: t.t('signin.title'),
    flash,
    body: html`<form class="stack" method="post" action="/app/sign-in">
  ${csrfField(ctx)}
  ${opts.next === undefined ? '' : html`<input type="hidden" name="next" value="${opts.next}">`}
  <div><label for="username">${t.t('signin.username')}</label>
  <input type="text" id="username" name="username" autocomplete="username" required maxlength="100" value="${opts.username ?? ''}" autofocus></div>
  <div><label for="password">${t.t('signin.password')}</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="200"></div>
  <div><button type="submit" class="primary">${t.t('signin.submit')}</button></div>
</form>`,
  });
}

export function passwordPage(ctx: PageContext, opts: { error?: string; forced: boolean }): Html {
  const { t } = ctx;
  return layout(ctx, {
    title: t.t('password.title'),
    flash: opts.error === undefined ? undefined : { kind: 'error', text: opts.error },
    body: html`${opts.forced ? html`<p>${t.t('password.intro')}</p>` : ''}
<form class="stack" method="post" action="/app/password">
  ${csrfField(ctx)}
  <div><label for="current">${t.t('password.current')}</label>
  <input type="password" id="current" name="currentPassword" autocomplete="current-password" required maxlength="200"></div>
  <div><label for="new">${t.t('password.new', { n: MIN_PASSWORD_LENGTH })}</label>
  <input type="password" id="new" name="newPassword" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="200"></div>
  <div><label for="repeat">${t.t('password.repeat')}</label>
  <input type="password" id="repeat" name="repeatPassword" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="200"></div>
  <div><button type="submit" class="primary">${t.t('password.submit')}</button></div>
</form>`,
  });
}

export function errorPage(ctx: PageContext, title: string, message: string): Html {
  return layout(ctx, { title, body: html`<p>${message}</p><p><a href="/app">${ctx.t.t('error.back')}</a></p>` });
}
