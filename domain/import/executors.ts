// The "Жауапты орындаушылар" cell: codes, group executors, "(келісім бойынша)" marks, sub-units in brackets and the typing noise of real tables.
import type { IsoDate } from '../dates.js';
import type { MeasureExecutor } from '../plan.js';
import { expandGroup, findGroups, type GroupMatch } from './groups.js';
import type { Resolver } from './resolve.js';
import { cellText, normalizeDashes } from './text.js';

/** Something in the cell that names no known agency; it is kept as an executor (code as printed) so a reviewer sees and fixes it. */
export interface ExecutorProblem {
  readonly kind: 'unknown_abbreviation' | 'unknown_executor' | 'group_without_date';
  readonly text: string;
  /** Index into `executors`. */
  readonly index: number;
}

/** A sub-unit in brackets after a known agency ("ДСМ (РНПЦПН)"): the obligation is the agency's. */
export interface ExecutorDetail {
  readonly code: string;
  readonly detail: string;
}

export interface ParsedExecutors {
  readonly executors: MeasureExecutor[];
  readonly problems: ExecutorProblem[];
  readonly details: ExecutorDetail[];
  /** Indexes into `executors` marked by agreement from the directory, not by "(келісім бойынша)" in the cell: inferred, to be confirmed. */
  readonly byAgreementInferred: number[];
}

interface Item {
  readonly code: string;
  byAgreement: boolean;
  readonly group?: string;
  readonly unknown?: ExecutorProblem['kind'];
  /** Items that came from one listed entry share it: all members of a group listed first lead. */
  readonly entry: number;
}

const BY_AGREEMENT = /\(?\s*(?:келісім\s+бойынша|по\s+согласованию)\s*\)?/iu;
// "X бірлесіп" / "совместно с X": a co-executor named with the word for "jointly"; the word itself is noise.
const JOINTLY = /(?<![\p{L}])(?:бірлесіп|бірлесе\s+отырып|совместно\s+с)(?![\p{L}])/giu;
const DETAIL = /^(.+?)\s*\(\s*([^()]+?)\s*\)$/u;
// A group stands in the list as a private-use character and its index: text never contains U+E000.
const PLACEHOLDER = /^\uE000(\d+)\uE000$/;
const MAX_SPAN = 6;

/** Splits at commas and semicolons that are not inside brackets or quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === '«') quoted = true;
    else if (ch === '»') quoted = false;
    if ((ch === ',' || ch === ';') && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function looksLikeAbbreviation(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  return compact.length <= 12 && /^[\p{Lu}\d.\-"«»]+$/u.test(compact) && /\p{Lu}.*\p{Lu}/u.test(compact);
}

interface Resolution {
  readonly codes: { code: string; unknown?: ExecutorProblem['kind'] }[];
}

/**
 * One listed entry without its marks. Tried whole first; when the whole names nothing, it may be
 * several codes missing their commas ("ДСМ облыс…", "«Өрлеу» ҰЕҰ ЮНИСЕФ"): the longest run of
 * words that resolves is taken from the left, and the words between known codes are reported.
 * An entry in which no run resolves is reported whole.
 */
function resolveEntry(text: string, resolver: Resolver): Resolution {
  const whole = resolver.resolve(text);
  if (whole !== null) return { codes: [{ code: whole.code }] };
  const words = text.split(/\s+/).filter((w) => w !== '');
  const codes: Resolution['codes'] = [];
  let unknown: string[] = [];
  let known = 0;
  const flushUnknown = (): void => {
    if (unknown.length === 0) return;
    const printed = unknown.join(' ');
    codes.push({
      code: printed,
      unknown: looksLikeAbbreviation(printed) ? 'unknown_abbreviation' : 'unknown_executor',
    });
    unknown = [];
  };
  for (let i = 0; i < words.length;) {
    let matched = 0;
    // Codes and names start with a capital or a quote; a lower-case word is never taken for a code ("по" is not "ПО").
    const canStart = /^[\p{Lu}«"]/u.test(words[i] as string);
    for (let span = canStart ? Math.min(MAX_SPAN, words.length - i) : 0; span >= 1 && matched === 0; span--) {
      const resolved = resolver.resolve(words.slice(i, i + span).join(' '));
      if (resolved !== null) {
        flushUnknown();
        codes.push({ code: resolved.code });
        matched = span;
        known++;
      }
    }
    if (matched === 0) unknown.push(words[i] as string);
    i += matched === 0 ? 1 : matched;
  }
  flushUnknown();
  if (known === 0)
    return {
      codes: [{ code: text, unknown: looksLikeAbbreviation(text) ? 'unknown_abbreviation' : 'unknown_executor' }],
    };
  return { codes };
}

/**
 * Reads an executors cell. Groups are found first (they contain commas of their own) and expanded
 * to the akimats that existed on `date`; the rest is split at commas. The first listed entry leads
 * (every member of a group listed first leads); an executor is by agreement when the plan marks it
 * or the directory says so; a code listed twice is kept once.
 */
export function parseExecutors(cell: string, resolver: Resolver, date: IsoDate | undefined): ParsedExecutors {
  const text = normalizeDashes(cellText(cell));
  const groups: GroupMatch[] = findGroups(text);
  let rest = '';
  let from = 0;
  groups.forEach((group, i) => {
    rest += `${text.slice(from, group.start)},\uE000${i}\uE000,`;
    from = group.end;
  });
  rest += text.slice(from);

  const items: Item[] = [];
  const details: ExecutorDetail[] = [];
  let entry = 0;
  let previousUnresolved = false;
  const entries = splitList(rest);
  // A comma inside a name ("Философия, саясаттану және дінтану институты"): a lower-case part continues a name that named nothing.
  const joined: string[] = [];
  for (const part of entries) {
    const last = joined.length - 1;
    if (last >= 0 && previousUnresolved && /^\p{Ll}/u.test(part) && !PLACEHOLDER.test(part)) {
      joined[last] = `${joined[last] as string}, ${part}`;
      continue;
    }
    joined.push(part);
    // Only a name can hold a comma: an unknown abbreviation ("ПМ") ends its entry like any code.
    previousUnresolved =
      !PLACEHOLDER.test(part) &&
      !BY_AGREEMENT.test(part) &&
      !looksLikeAbbreviation(part) &&
      resolver.resolve(part.replace(JOINTLY, ' ').trim()) === null;
  }

  // Codes the cell itself marks "(келісім бойынша)"; any other by-agreement executor is the directory's word.
  const markedCodes = new Set<string>();
  for (const part of joined) {
    const placeholder = PLACEHOLDER.exec(part);
    if (placeholder !== null) {
      const group = groups[Number(placeholder[1])] as GroupMatch;
      if (date === undefined) {
        items.push({ code: group.text, byAgreement: false, group: group.text, unknown: 'group_without_date', entry });
      } else {
        for (const agency of expandGroup(group, date, resolver.directory)) {
          items.push({ code: agency.code, byAgreement: agency.byAgreement, group: group.text, entry });
        }
      }
      entry++;
      continue;
    }
    const marked = BY_AGREEMENT.test(part);
    let body = part.replace(BY_AGREEMENT, ' ').replace(JOINTLY, ' ').replace(/\s+/g, ' ').trim();
    // A dangling mark ("ҰҚК" then "(келісім бойынша)" after a line break and a comma) belongs to the entry before it.
    if (body === '') {
      const previous = items[items.length - 1];
      if (marked && previous !== undefined) {
        previous.byAgreement = true;
        markedCodes.add(previous.code);
      }
      continue;
    }
    const detail = DETAIL.exec(body);
    if (detail !== null) {
      body = detail[1] as string;
      const owner = resolver.resolve(body);
      if (owner !== null) details.push({ code: owner.code, detail: detail[2] as string });
    }
    const resolution = resolveEntry(body, resolver);
    resolution.codes.forEach((resolved, i) => {
      const isLast = i === resolution.codes.length - 1;
      const agency = resolved.unknown === undefined ? resolver.resolve(resolved.code) : null;
      if (marked && isLast) markedCodes.add(resolved.code);
      items.push({
        code: resolved.code,
        // The mark follows the last code of an entry that lost its commas ("«Өрлеу» ҰЕҰ ЮНИСЕФ (келісім бойынша)").
        byAgreement: (marked && isLast) || (agency?.agency?.byAgreement ?? false),
        ...(resolved.unknown && { unknown: resolved.unknown }),
        entry,
      });
    });
    entry++;
  }

  const executors: MeasureExecutor[] = [];
  const problems: ExecutorProblem[] = [];
  const position = new Map<string, number>();
  for (const item of items) {
    const seen = position.get(item.code);
    if (seen !== undefined) {
      // Listed twice ("ПМ, МОН, … Шымкент ПМ"): once, by agreement if either mention says so.
      if (item.byAgreement && !(executors[seen] as MeasureExecutor).byAgreement)
        executors[seen] = { ...(executors[seen] as MeasureExecutor), byAgreement: true };
      continue;
    }
    position.set(item.code, executors.length);
    if (item.unknown !== undefined) problems.push({ kind: item.unknown, text: item.code, index: executors.length });
    executors.push({
      code: item.code,
      byAgreement: item.byAgreement,
      lead: item.entry === 0,
      ...(item.group !== undefined && { group: item.group }),
    });
  }
  const byAgreementInferred = executors.flatMap((e, k) => (e.byAgreement && !markedCodes.has(e.code) ? [k] : []));
  return { executors, problems, details, byAgreementInferred };
}
