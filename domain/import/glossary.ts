// The glossary at the end of a plan ("Аббревиатуралардың толық жазылуы", "Расшифровка аббревиатур"): code → full name, with the line it is on.
import type { BilingualName } from '../plan.js';
import { cellText, langOf } from './text.js';

export interface GlossaryEntry {
  /** As printed: "АҚДМ", 'СБҚ "Сырбар"', "Ы. Алтынсарин атындағы ҰБА". */
  readonly code: string;
  readonly name: string;
  readonly lang: 'kk' | 'ru';
  readonly line: number;
}

const HEADING =
  /аббревиатуралард[ыа]ң\s+(?:толық\s+)?(?:жазылуы|мағынасы|ашылуы)|расшифровк[аи]\s+(?:аббревиатур|сокращений)|список\s+(?:аббревиатур|сокращений)|қысқартулард[ыа]ң\s+(?:толық\s+)?(?:жазылуы|мағынасы)/i;

/** Whether a line opens the glossary. */
export function isGlossaryHeading(line: string): boolean {
  return line.length < 300 && HEADING.test(cellText(line));
}

// "CODE – name": the separator is a dash with spaces around it, so "Нұр-Сұлтан" inside a name never splits.
const ENTRY = /^(.{1,80}?)\s+[–—-]\s+(.+)$/u;
// The publisher's footer ends the document: "© 2012. Қазақстан Республикасы Әділет министрлігінің ...".
const FOOTER = /^©/;

function entryOf(text: string, line: number, lang: 'kk' | 'ru'): GlossaryEntry | null {
  const m = ENTRY.exec(text);
  if (m === null) return null;
  const code = (m[1] as string).trim().replace(/[:;,.]+$/, '');
  const name = (m[2] as string).trim().replace(/[;,.]+$/, '');
  if (code === '' || name === '') return null;
  return { code, name, lang: langOf(name, lang), line };
}

/**
 * Reads glossary entries from `lines[start..end)` (0-based indexes; `line` in the result is 1-based).
 * An entry is "CODE – name" on one line, or CODE and name in two tab-separated cells (a dash cell
 * between them is allowed); several "CODE – name" joined with ";" on one line are split.
 */
export function parseGlossary(
  lines: readonly string[],
  start: number,
  end: number,
  lang: 'kk' | 'ru',
): GlossaryEntry[] {
  const entries: GlossaryEntry[] = [];
  for (let i = start; i < end; i++) {
    const raw = lines[i] as string;
    if (FOOTER.test(raw.trim())) break;
    const cells = raw
      .split('\t')
      .map(cellText)
      .filter((c) => c !== '' && !/^[–—-]$/.test(c));
    if (cells.length === 2) {
      entries.push({
        code: (cells[0] as string).replace(/[:;,.]+$/, ''),
        name: cells[1] as string,
        lang: langOf(cells[1] as string, lang),
        line: i + 1,
      });
      continue;
    }
    const text = cellText(raw);
    if (text === '' || isGlossaryHeading(text)) continue;
    for (const part of text.split(/;\s+(?=\S{1,20}\s+[–—-]\s)/u)) {
      const entry = entryOf(part, i + 1, lang);
      if (entry !== null) entries.push(entry);
    }
  }
  return entries;
}

/** The glossary as the plan model keeps it: code → { kk, ru } in the language each entry is written in. */
export function glossaryRecord(entries: readonly GlossaryEntry[]): Record<string, BilingualName> {
  const record: Record<string, BilingualName> = {};
  for (const entry of entries)
    record[entry.code] = entry.lang === 'kk' ? { kk: entry.name, ru: null } : { kk: null, ru: entry.name };
  return record;
}
