// The importer's diagnostics in the reader's language: every code the importers give has a message in kk, ru and en; the
// review table shows the localised message (with the quoted values) and no English text on a Kazakh or Russian page.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, diagnosticText, diagnosticValues } from '../../../api/web/diagnostics.js';
import { en } from '../../../api/web/i18n/en.js';
import { translator } from '../../../api/web/i18n/index.js';
import { kk } from '../../../api/web/i18n/kk.js';
import { ru } from '../../../api/web/i18n/ru.js';
import { diagnosticsTable } from '../../../api/web/pages/admin-plans.js';
import type { Diagnostic } from '../../../domain/plan.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The codes the importers' sources give a diagnostic, read from the code (so a new code without a message fails here). */
function codesInSources(): Set<string> {
  const files = [
    ...readdirSync(join(ROOT, 'domain/import')).map((f) => join(ROOT, 'domain/import', f)),
    join(ROOT, 'api/import/index.ts'),
    join(ROOT, 'api/import/xlsx.ts'),
  ].filter((f) => f.endsWith('.ts'));
  const patterns = [
    /code: '([a-z]+(?:_[a-z]+)+)'/g,
    /\.(?:error|warning|info)\(\s*'([a-z]+(?:_[a-z]+)+)'/g,
    /\.add\(\s*'(?:error|warning|info)',\s*'([a-z_]+)'/g,
    /\.note\(\s*'(?:warning|info)',\s*'([a-z_]+)'/g,
    // canonical.ts: r.error(path, message, 'code')
    /\.error\(\s*[^;]*?,\s*'([a-z]+(?:_[a-z]+)+)',?\s*\)/g,
    // executors.ts: the kinds of an unknown executor
    /unknown: [^;]*?'([a-z]+(?:_[a-z]+)+)' : '([a-z]+(?:_[a-z]+)+)'/g,
  ];
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const p of patterns) for (const m of text.matchAll(p)) for (const c of m.slice(1)) if (c) found.add(c);
  }
  return found;
}

describe('import diagnostics in kk, ru and en', () => {
  it('every code has a message in every catalogue', () => {
    for (const code of DIAGNOSTIC_CODES)
      for (const [lang, catalogue] of Object.entries({ kk, ru, en })) {
        const text = (catalogue as Record<string, string>)[`diag.${code}`];
        expect(text, `${lang}: diag.${code}`).toBeTruthy();
      }
    // Kazakh and Russian messages are not the English one.
    for (const code of DIAGNOSTIC_CODES) {
      const key = `diag.${code}` as keyof typeof en;
      expect(kk[key], code).not.toBe(en[key]);
      expect(ru[key], code).not.toBe(en[key]);
    }
  });

  it('every code the importers give is listed', () => {
    const listed = new Set<string>(DIAGNOSTIC_CODES);
    const missing = [...codesInSources()].filter((c) => !listed.has(c));
    expect(missing).toEqual([]);
    expect(codesInSources().size).toBeGreaterThan(40);
  });

  it('quotes the values of the English message, and says an unknown code in the reader’s language', () => {
    const d = {
      code: 'deadline_unparsed',
      message: 'measure 3: the deadline "ай сайын, 5-ке дейін" is not understood (no day); set it by hand',
    };
    expect(diagnosticValues(d.message)).toEqual(['ай сайын, 5-ке дейін']);
    expect(diagnosticText(translator('ru'), d)).toBe(
      'Срок «ай сайын, 5-ке дейін» не распознан: задайте его вручную до начала циклов.',
    );
    expect(diagnosticText(translator('kk'), { code: 'missing_column', message: 'missing column' })).toBe(
      'Міндетті баған жоқ.',
    );
    expect(diagnosticText(translator('kk'), { code: 'brand_new', message: 'something new' })).toBe(
      'brand_new түріндегі ақау.',
    );
  });

  it('the review table in kk and ru holds no English word outside code and quoted values', () => {
    const diagnostics: Diagnostic[] = DIAGNOSTIC_CODES.map((code, i) => ({
      severity: i % 3 === 0 ? 'error' : i % 3 === 1 ? 'warning' : 'info',
      code,
      message: `measure ${i}: the English developer message about "Мән ${i}" for ${code}`,
      line: i + 1,
    }));
    for (const lang of ['kk', 'ru'] as const) {
      const page = diagnosticsTable(translator(lang), diagnostics).value;
      expect(page).not.toContain('English developer message');
      const visible = page
        .replace(/<code>[^<]*<\/code>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/«[^»]*»/g, '');
      expect(visible.match(/[A-Za-z]{4,}/g) ?? [], lang).toEqual([]);
      for (let i = 0; i < DIAGNOSTIC_CODES.length; i++) {
        const code = DIAGNOSTIC_CODES[i]!;
        const template = (lang === 'kk' ? kk : ru)[`diag.${code}`];
        if (template.includes('{value}')) expect(page, code).toContain(`«Мән ${i}»`);
      }
    }
  });
});
