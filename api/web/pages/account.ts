// My account: one's sessions (each browser signed in) beside one's API tokens, each revocable, and the way to change the password.
import type { listActiveTokensOfUser } from '../../../db/repositories/tokens.js';
import { html, type Html } from '../html.js';
import { csrfField, layout, type PageContext } from '../layout.js';

type OwnToken = Awaited<ReturnType<typeof listActiveTokensOfUser>>[number];

export function accountPage(
  ctx: PageContext,
  tokens: readonly OwnToken[],
  flash?: { kind: 'ok' | 'error'; text: string },
  digests?: boolean,
): Html {
  const { t } = ctx;
  const current = ctx.principal?.tokenId;
  const when = (d: Date | null) => (d === null ? '—' : t.dateTime(d));
  return layout(ctx, {
    title: t.t('account.title'),
    flash,
    body: html`<p class="muted">${t.t('account.intro')}</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.t('account.name')}</th><th scope="col">${t.t('account.kind')}</th><th scope="col">${t.t('account.created')}</th><th scope="col">${t.t('account.lastUsed')}</th><th scope="col">${t.t('account.expires')}</th><th scope="col">${t.t('users.actions')}</th></tr></thead>
<tbody>${tokens.map(
      (
        k,
      ) => html`<tr><td>${k.name}${k.id === current ? html` <span class="badge s-submitted">${t.t('account.current')}</span>` : ''}</td>
<td>${k.kind === 'session' ? t.t('account.kindSession') : t.t('account.kindApi')}</td><td>${when(k.created_at)}</td><td>${when(k.last_used_at)}</td><td>${when(k.expires_at)}</td>
<td><form class="row-action" method="post" action="/app/account/tokens/${k.id}/revoke">${csrfField(ctx)}<button type="submit" class="secondary" aria-label="${t.t('account.revoke')}: ${k.name}">${t.t('account.revoke')}</button></form></td></tr>`,
    )}</tbody>
</table></div>
${
  digests === undefined
    ? ''
    : html`<h2>${t.t('account.digests')}</h2>
<form class="stack" method="post" action="/app/account/digests">${csrfField(ctx)}
<div><input type="checkbox" id="digests" name="digests" value="on"${digests ? html` checked` : ''} aria-describedby="digests-help"> <label for="digests">${t.t('account.digestsLabel')}</label></div>
<p class="muted" id="digests-help">${t.t('account.digestsHelp')}</p>
<div><button type="submit" class="secondary">${t.t('account.save')}</button></div></form>`
}
<h2>${t.t('account.changePassword')}</h2>
<p>${t.t('account.passwordNote')} <a href="/app/password">${t.t('account.changePassword')}</a></p>`,
  });
}
