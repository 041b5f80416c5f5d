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

function footnoteRecipient(text: string, resolver: Resolver): Recipient | null {
  const reading = readRecipient(text, resolver);
  if (reading.kind === 'recipient') return reading.recipient;
  if (GOVERNMENT.test(text)) return { role: 'government' };
  const named = findNamedAgency(text, resolver.directory);
  return named === undefined ? null : { agency: named.code };
}

/** The reporting a footnote sets: its recipient and dates, read the same way as the table's own cells. */
export function reportingOf(note: Footnote, resolver: Resolver): FootnoteReporting {
  return {
    marker: note.marker,
    text: note.text,
    recipient: footnoteRecipient(note.text, resolver),
    rule: footnoteRule(note.text),
  };
}
