// Admin: the users — list, create (one-time password shown once), disable and enable, reset a password. The same account
// service as the JSON API (api/services/accounts.ts).
import type { PublicUser } from '../../../db/repositories/users.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';

const ROLES = ['reporter', 'coordinator', 'pm_office', 'admin'] as const;

export function adminUsersPage(
  ctx: PageContext,
  users: readonly PublicUser[],
  flash?: { kind: 'ok' | 'error'; text: string },
): Html {
  const { t } = ctx;
  const action = (u: PublicUser, what: 'disable' | 'enable' | 'reset', label: string) =>
    html`<form class="row-action" method="post" action="/app/admin/users/${u.id}/${what}">${csrfField(ctx)}<button type="submit" class="secondary" aria-label="${label}: ${u.username}">${label}</button></form>`;
  return layout(ctx, {
    title: t.t('users.title'),
    flash,
    body: html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('users.username')}</th><th scope="col">${t.t('users.displayName')}</th><th scope="col">${t.t('users.role')}</th><th scope="col">${t.t('users.agency')}</th><th scope="col">${t.t('users.status')}</th><th scope="col">${t.t('users.actions')}</th></tr></thead>
<tbody>${users.map(
      (
        u,
      ) => html`<tr><td>${u.username}</td><td>${u.display_name}</td><td>${t.t(`role.${u.role}`)}</td><td>${u.agency_code ?? '—'}</td>
<td>${u.disabled_at === null ? html`<span class="badge s-submitted">${t.t('users.active')}</span>` : html`<span class="badge s-closed">${t.t('users.disabled')}</span>`}${u.must_change_password ? html` <span class="muted">(${t.t('users.mustChange')})</span>` : ''}</td>
<td>${u.disabled_at === null ? action(u, 'disable', t.t('users.disable')) : action(u, 'enable', t.t('users.enable'))} ${action(u, 'reset', t.t('users.reset'))}</td></tr>`,
    )}</tbody>
</table></div>
<h2>${t.t('users.new')}</h2>
<form class="stack" method="post" action="/app/admin/users">
  ${csrfField(ctx)}
  <div><label for="new-username">${t.t('users.username')}</label>
  <input type="text" id="new-username" name="username" required pattern="[a-z0-9._\\-]{3,60}" maxlength="60" aria-describedby="new-username-hint">
  <p class="muted" id="new-username-hint">${t.t('users.usernameHint')}</p></div>
  <div><label for="new-name">${t.t('users.displayName')}</label>
  <input type="text" id="new-name" name="displayName" required maxlength="200"></div>
  <div><label for="new-role">${t.t('users.role')}</label>
  <select id="new-role" name="role">${ROLES.map((r) => html`<option value="${r}">${t.t(`role.${r}`)}</option>`)}</select></div>
  <div><label for="new-agency">${t.t('users.agency')}</label>
  <input type="text" id="new-agency" name="agencyCode" maxlength="40" aria-describedby="new-agency-hint">
  <p class="muted" id="new-agency-hint">${t.t('users.agencyHint')}</p></div>
  <div><button type="submit" class="primary">${t.t('users.create')}</button></div>
</form>`,
  });
}
