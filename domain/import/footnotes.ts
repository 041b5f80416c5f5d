// Footnotes under a plan's table that set a measure's reporting: a deadline cell ending in "*" or "**" points to the note of that marker, which says to whom and by when information is given.
import { parseDeadline, type DeadlineRule } from '../deadline-language.js';
import type { FootnoteReporting, Recipient } from '../plan.js';
import { readRecipient } from './completion.js';
import { FOOTNOTE_LINE } from './decree-table.js';
import { findNamedAgency } from './decree.js';
import type { Resolver } from './resolve.js';
import { cellText, normalizeDashes } from './text.js';

export interface Footnote {
  readonly marker: string;
  readonly text: string;
  readonly line: number;
}

/** A marker at the very end of a cell ("2021 жылғы желтоқсан**", "ежегодно, к 10 января *"), or undefined. */
export function trailingMarker(raw: string): string | undefined {
  return /(?:^|[^*])(\*{1,3}|[¹²³])\s*$/u.exec(raw.replace(/<[^>]*>/g, '').trimEnd())?.[1];
}

/** The footnotes of lines [from, to): each marker's first note; a note may run on over the lines after it until a blank line or the next note. */
export function readFootnotes(lines: readonly string[], from: number, to: number): Map<string, Footnote> {
  const notes = new Map<string, Footnote>();
  let open: { marker: string; parts: string[]; line: number } | undefined;
  const close = (): void => {
    if (open !== undefined && !notes.has(open.marker))
      notes.set(open.marker, { marker: open.marker, text: open.parts.join(' '), line: open.line });
    open = undefined;
  };
  for (let i = from; i < to; i++) {
    const raw = (lines[i] as string).trim();
    const m = raw.includes('\t') || /^\*\*[^*]+\*\*$/.test(raw) ? null : FOOTNOTE_LINE.exec(raw);
    if (m !== null) {
      close();
      open = { marker: m[1] as string, parts: [cellText(m[2] as string)], line: i + 1 };
    } else if (open !== undefined && raw !== '' && !raw.includes('\t') && open.parts.join(' ').length < 600) {
      open.parts.push(cellText(raw));
    } else {
      close();
    }
  }
  close();
  return notes;
}

const KK_MONTHS = 'қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан';
const RU_MONTHS = 'январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр';
const DAY_MONTH = new RegExp(`(?<![\\p{L}\\d])[0-3]?\\d\\s*-?\\s*(?:${KK_MONTHS}|${RU_MONTHS})\\p{L}*`, 'giu');
const NEXT_MONTH =
  /(?:келесі\s+айдың|есепті\s+(?:тоқсаннан|айдан|кезеңнен|жартыжылдықтан|жылдан)\s+кейінгі\s+айдың)\s+\d{1,2}\S*|\d{1,2}(?:-го)?\s+числа\s+месяца,?\s+следующего\s+за\s+отч[её]тным(?:\s+(?:кварталом|периодом|месяцем|полугодием|годом))?/iu;
const FREQUENCY =
  /жыл\s+сайын|ежегодно|тоқсан\s+сайын|ежеквартально|ай\s+сайын|ежемесячно|жартыжылдық\s+сайын|ежеполугодно/iu;
const GOVERNMENT = /Үкіметі(?:не|нің)|Правительств[оау]/u;

/** The dates a footnote gives, read by the deadline language: its day-and-month phrases, or a frequency and a day of the next month. */
function footnoteRule(text: string): DeadlineRule {
  const normalized = normalizeDashes(text);
  const dates = [...normalized.matchAll(DAY_MONTH)].map((m) => m[0]);
  if (dates.length > 0) return parseDeadline(dates.join(', '));
  const next = NEXT_MONTH.exec(normalized);
  const frequency = FREQUENCY.exec(normalized);
  if (next !== null && frequency !== null) return parseDeadline(`${frequency[0]} ${next[0]}`);
  return { kind: 'unparsed', reason: 'the footnote gives no date' };
}

/** Whom a footnote gives the information to: a body Merzim knows, one it names that the directory does not know, or nobody named. */
export type FootnoteRecipientReading =
  | { readonly kind: 'recipient'; readonly recipient: Recipient }
  /** A body the note names ("ХЗК-ға", "Су ресурстары министрлігіне") that is neither in the glossary nor in the directory: the reviewer answers it. */
  | { readonly kind: 'unknown'; readonly name: string }
  /** The note names no body ("ақпарат жылына екі рет беріледі"): the information goes to the plan's coordinator. */
  | { readonly kind: 'none' };

// A body named in words the directory does not know: a Kazakh dative ("… министрлігіне") or a Russian "в …" phrase.
const KK_BODY_NOUN =
  '(?:министрлігі|комитеті|агенттігі|әкімдігі|қызметі|департаменті|басқармасы|орталығы|палатасы|қоры)';
const KK_BODY = new RegExp(`((?:[\\p{L}-]+\\s+){1,5}${KK_BODY_NOUN})(?:не|на)(?![\\p{L}])`, 'u');
const RU_STOP = '(?:к|до|не|два|раза|ежегодно|ежеквартально|в|год|по|за|раз)';
const RU_BODY = new RegExp(
  `(?:^|\\s)(?:в|во)\\s+((?:Министерство|Комитет|Агентство|Службу|Департамент|Управление|акимат|Фонд|Палату|Центр)(?:\\s+(?!${RU_STOP}(?![\\p{L}]))[\\p{L}-]+){0,6})`,
  'u',
);
const FILLER = /^(?:Қазақстан|Республикасы(?:ның)?|ҚР|Ақпарат|Мәліметтер|Есеп)$/u;

/** The words of a body's name as the note prints them, from its first capitalised word that is not the country's name or "Ақпарат". */
function bodyName(words: string): string {
  const parts = words.trim().split(/\s+/u);
  const start = parts.findIndex((w) => /^\p{Lu}/u.test(w) && !FILLER.test(w));
  return parts
    .slice(start < 0 ? 0 : start)
    .join(' ')
    .replace(/\s+(?:Республики\s+Казахстан|РК)$/u, '');
}

/**
 * Reads whom a footnote sends the information to: the Presidential Administration, the PM Office, the Government, a code
 * or a full name of the glossary or the directory; a body it names that neither knows is 'unknown' (never a guess).
 */
export function readFootnoteRecipient(text: string, resolver: Resolver): FootnoteRecipientReading {
  const reading = readRecipient(text, resolver);
  if (reading.kind === 'recipient') return reading;
  if (GOVERNMENT.test(text)) return { kind: 'recipient', recipient: { role: 'government' } };
  const named = findNamedAgency(text, resolver.directory);
  if (named !== undefined) return { kind: 'recipient', recipient: { agency: named.code } };
  // The completion form's reader takes a code case-insensitively ("в Агентство"): a code is what is printed in capitals.
  if (reading.kind === 'unknown' && /^[\p{Lu}\p{N}]+$/u.test(reading.code))
    return { kind: 'unknown', name: reading.code };
  const normalized = normalizeDashes(cellText(text));
  const body = KK_BODY.exec(normalized)?.[1] ?? RU_BODY.exec(normalized)?.[1];
  if (body !== undefined) {
    const name = bodyName(body);
    const resolved = resolver.resolve(name);
    if (resolved !== null) return { kind: 'recipient', recipient: { agency: resolved.code } };
    return { kind: 'unknown', name };
  }
  return { kind: 'none' };
}

/** The reporting a footnote sets: its recipient and dates, read the same way as the table's own cells; `unknown` names a body the note gives it to that nobody knows. */
export function reportingOf(note: Footnote, resolver: Resolver): { reporting: FootnoteReporting; unknown?: string } {
  const recipient = readFootnoteRecipient(note.text, resolver);
  const reporting: FootnoteReporting = {
    marker: note.marker,
    text: note.text,
    recipient: recipient.kind === 'recipient' ? recipient.recipient : null,
    rule: footnoteRule(note.text),
  };
  return recipient.kind === 'unknown' ? { reporting, unknown: recipient.name } : { reporting };
}
