// The evidence files of a report, as a block the report form includes: the files uploaded (name, type, size, SHA-256, a download
// link; withdraw while the report is a draft) and, for the agency that reports, an upload form. The form is a plain multipart
// POST that works without script; /assets/evidence-upload.js, when it runs, sends it with XMLHttpRequest to show progress and
// swaps in the block the server answers with.
import type { EvidenceFile } from '../../../db/repositories/evidence.js';
import { html, type Html } from '../html.js';
import { csrfField, type PageContext } from '../layout.js';
import { obligationHref } from '../view.js';

export interface EvidenceWidgetData {
  readonly obligationId: string;
  readonly files: readonly EvidenceFile[];
  readonly canUpload: boolean;
  readonly limits: { readonly maxFileBytes: number; readonly maxReportBytes: number };
  readonly flash?: { readonly kind: 'ok' | 'error'; readonly text: string } | undefined;
}

const TYPE_LABEL: Readonly<Record<string, string>> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
  'application/vnd.oasis.opendocument.text': 'ODT',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'video/mp4': 'MP4',
};

/** The accept attribute: a hint to the file picker only (the server decides from the bytes). */
const ACCEPT = '.pdf,.docx,.xlsx,.odt,.jpg,.jpeg,.png,.mp4';

export function sizeText(ctx: PageContext, bytes: number): string {
  const { t } = ctx;
  if (bytes < 1024 * 1024) return t.t('evidence.kb', { n: bytes === 0 ? 0 : Math.max(1, Math.round(bytes / 1024)) });
  return t.t('evidence.mb', { n: Math.round((bytes / 1024 / 1024) * 10) / 10 });
}

export function evidenceWidget(ctx: PageContext, d: EvidenceWidgetData): Html {
  const { t } = ctx;
  const base = `${obligationHref(d.obligationId)}/evidence`;
  const total = d.files.reduce((n, f) => n + f.sizeBytes, 0);
  return html`<section class="evidence" id="evidence" aria-labelledby="evidence-h">
<h2 id="evidence-h">${t.t('evidence.title')}</h2>
${d.flash === undefined ? '' : html`<p class="flash ${d.flash.kind}" role="${d.flash.kind === 'error' ? 'alert' : 'status'}">${d.flash.text}</p>`}
${
  d.files.length === 0
    ? html`<p class="muted">${t.t('evidence.none')}</p>`
    : html`<div class="table-wrap"><table class="evidence-files">
<thead><tr><th scope="col">№</th><th scope="col">${t.t('evidence.file')}</th><th scope="col">${t.t('evidence.type')}</th><th scope="col">${t.t('evidence.size')}</th><th scope="col">SHA-256</th>${d.canUpload ? html`<th scope="col"><span class="visually-hidden">${t.t('evidence.withdraw')}</span></th>` : ''}</tr></thead>
<tbody>${d.files.map(
        (f, i) =>
          html`<tr><td>${i + 1}</td><td><a href="/app/evidence/${f.id}" download>${f.fileName}</a><br><span class="muted">${t.dateTime(f.uploadedAt)}</span></td><td>${TYPE_LABEL[f.mediaType] ?? f.mediaType}</td><td>${sizeText(ctx, f.sizeBytes)}</td><td><code class="hash" title="${f.sha256}">${f.sha256.slice(0, 12)}…</code></td>${
            d.canUpload
              ? html`<td><form method="post" action="${base}/${f.id}/withdraw">${csrfField(ctx)}<button type="submit" class="link">${t.t('evidence.withdraw')}<span class="visually-hidden"> ${f.fileName}</span></button></form></td>`
              : ''
          }</tr>`,
      )}</tbody>
</table></div>`
}
${d.files.length === 0 && !d.canUpload ? '' : html`<p class="muted">${t.t('evidence.total', { total: sizeText(ctx, total), max: sizeText(ctx, d.limits.maxReportBytes) })}</p>`}
${
  d.canUpload
    ? html`<form method="post" action="${base}" enctype="multipart/form-data" class="stack evidence-upload" data-evidence-upload data-failed="${t.t('evidence.failed')}">
  ${csrfField(ctx)}
  <div><label for="evidence-file">${t.t('evidence.choose')}</label>
  <input type="file" id="evidence-file" name="file" required accept="${ACCEPT}" aria-describedby="evidence-hint">
  <p id="evidence-hint" class="muted">${t.t('evidence.hint', { max: sizeText(ctx, d.limits.maxFileBytes) })}</p></div>
  <progress max="100" value="0" hidden aria-label="${t.t('evidence.progress')}"></progress>
  <p class="upload-status" role="status" aria-live="polite"></p>
  <div><button type="submit" class="secondary">${t.t('evidence.upload')}</button></div>
</form>
<script src="/assets/evidence-upload.js" defer></script>`
    : ''
}
</section>`;
}
