// The full report an agency submits (seed 004's interim programme report): period, per measure owed its status, narratives and
// indicator values against the plan's targets, events held, risks, numbered annexes, signatory. Pure: its validation naming
// each field's path, its canonical JSON and SHA-256 content hash, and a field-by-field diff of two versions.
import { isIsoDate, type IsoDate } from './dates.js';
import { sha256Hex } from './sha256.js';
import { findUnstorableText } from './storable-text.js';

export const REPORT_MEASURE_STATUSES = ['done', 'in_progress', 'not_done', 'not_yet_due'] as const;
export type ReportMeasureStatus = (typeof REPORT_MEASURE_STATUSES)[number];

/** An indicator's value achieved, against the plan's indicator `indicator` (its index in the measure's indicators). */
export interface IndicatorValue {
  readonly indicator: number;
  /** A finite non-negative number in the indicator's unit. */
  readonly value: number;
  /** The unit the value is in; when given, it must be the plan's unit for the indicator. */
  readonly unit?: string;
}

export interface ReportMeasure {
  /** A measure number the party owes. */
  readonly measure: string;
  readonly status: ReportMeasureStatus;
  /** What was done, in Kazakh, Russian or both (at least one). */
  readonly narrative: { readonly kk?: string; readonly ru?: string };
  readonly indicators: readonly IndicatorValue[];
}

/** A row of the table of events held. */
export interface ReportEvent {
  readonly name: string;
  readonly date: IsoDate;
  readonly place: string;
  readonly participants: number;
  /** Who took part (youth, teachers, imams…). */
  readonly categories: string;
  readonly experts: string;
  /** The annex that proves it. */
  readonly annex?: number;
}

export interface ReportRisk {
  readonly risk: string;
  readonly mitigation: string;
}

/** A numbered annex of evidence: an uploaded file (its id) or a link (a video address), exactly one of the two. */
export interface ReportAnnex {
  readonly number: number;
  readonly title: string;
  readonly fileId?: string;
  readonly url?: string;
}

export interface ReportContent {
  /** The cycle's period key ("2019", "2019-H1"): the report covers the obligation's period. */
  readonly period: string;
  readonly measures: readonly ReportMeasure[];
  readonly events: readonly ReportEvent[];
  readonly risks: readonly ReportRisk[];
  readonly annexes: readonly ReportAnnex[];
  readonly signatory: { readonly name: string; readonly position: string };
  readonly signedOn: IsoDate;
}

/** What the report is checked against: the obligation's period and the measures owed with the plan's indicators. */
export interface ReportContext {
  readonly period: string;
  readonly measures: readonly {
    readonly number: string;
    readonly indicators: readonly { readonly unit: string | null }[];
  }[];
  /** Whether every measure owed must be covered (a full report); legacy item lists may cover a subset. */
  readonly requireAll: boolean;
}

export const REPORT_LIMITS = {
  text: 20_000,
  shortText: 1_000,
  measures: 1_000,
  events: 500,
  risks: 200,
  annexes: 500,
  url: 2_000,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isText(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A link an annex may carry: http or https only, with a host (no javascript:, data:, file:). */
export function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > REPORT_LIMITS.url) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Every problem of a report against what is owed, each as "path: message"; an empty list means it can be submitted. */
export function validateReportContent(content: unknown, ctx: ReportContext): string[] {
  if (!isObject(content)) return ['content: must be an object'];
  const unstorable = findUnstorableText(content, 'content');
  if (unstorable.length > 0) return unstorable;
  const problems: string[] = [];
  const c = content;
  const required = (path: string, v: unknown, max: number = REPORT_LIMITS.shortText) => {
    if (!isText(v)) problems.push(`${path}: required`);
    else if (v.length > max) problems.push(`${path}: at most ${max} characters`);
  };
  const optionalText = (path: string, v: unknown, max: number) => {
    if (v === undefined) return;
    if (typeof v !== 'string') problems.push(`${path}: must be text`);
    else if (v.length > max) problems.push(`${path}: at most ${max} characters`);
  };
  const list = (path: string, v: unknown, max: number): unknown[] | undefined => {
    if (!Array.isArray(v)) {
      problems.push(`${path}: must be a list`);
      return undefined;
    }
    if (v.length > max) problems.push(`${path}: at most ${max} entries`);
    return v;
  };

  if (c.period !== ctx.period)
    problems.push(`period: the report covers the obligation's period "${ctx.period}", not ${JSON.stringify(c.period)}`);

  const owed = new Map(ctx.measures.map((m) => [m.number, m]));
  const seen = new Set<string>();
  const measures = list('measures', c.measures, REPORT_LIMITS.measures);
  if (measures !== undefined && measures.length === 0) problems.push('measures: a report covers at least one measure');
  measures?.forEach((raw, i) => {
    const path = `measures[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    const number = raw.measure;
    const plan = typeof number === 'string' ? owed.get(number) : undefined;
    if (!isText(number)) problems.push(`${path}.measure: must name a measure number`);
    else if (plan === undefined)
      problems.push(`${path}.measure: "${number}" is not a measure this agency owes (${[...owed.keys()].join(', ')})`);
    else if (seen.has(number)) problems.push(`${path}.measure: "${number}" appears twice`);
    else seen.add(number);
    if (!REPORT_MEASURE_STATUSES.includes(raw.status as ReportMeasureStatus))
      problems.push(`${path}.status: must be one of ${REPORT_MEASURE_STATUSES.join(', ')}`);
    const narrative = raw.narrative;
    if (!isObject(narrative)) problems.push(`${path}.narrative: must be an object with kk and/or ru`);
    else {
      optionalText(`${path}.narrative.kk`, narrative.kk, REPORT_LIMITS.text);
      optionalText(`${path}.narrative.ru`, narrative.ru, REPORT_LIMITS.text);
      if (!isText(narrative.kk) && !isText(narrative.ru))
        problems.push(`${path}.narrative: say what was done, in Kazakh or Russian (or both)`);
    }
    const indicators = list(`${path}.indicators`, raw.indicators, 100);
    const indexes = new Set<number>();
    indicators?.forEach((iv, j) => {
      const ip = `${path}.indicators[${j}]`;
      if (!isObject(iv)) {
        problems.push(`${ip}: must be an object`);
        return;
      }
      const index = iv.indicator;
      const planned = plan !== undefined && typeof index === 'number' ? plan.indicators[index] : undefined;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0)
        problems.push(`${ip}.indicator: must be the index of one of the measure's indicators`);
      else if (plan !== undefined && planned === undefined)
        problems.push(
          plan.indicators.length === 0
            ? `${ip}.indicator: measure "${plan.number}" has no indicators in the plan`
            : `${ip}.indicator: measure "${plan.number}" has indicators 0–${plan.indicators.length - 1}`,
        );
      else if (indexes.has(index)) problems.push(`${ip}.indicator: indicator ${index} appears twice`);
      else indexes.add(index);
      const value = iv.value;
      if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${ip}.value: must be a number`);
      else if (value < 0) problems.push(`${ip}.value: must not be negative`);
      if (iv.unit !== undefined) {
        if (typeof iv.unit !== 'string') problems.push(`${ip}.unit: must be text`);
        else if (planned !== undefined && planned.unit !== null && iv.unit.trim() !== planned.unit.trim())
          problems.push(`${ip}.unit: the plan counts this indicator in "${planned.unit}", not "${iv.unit}"`);
      }
    });
  });
  if (ctx.requireAll && measures !== undefined) {
    const missing = ctx.measures.map((m) => m.number).filter((n) => !seen.has(n));
    if (missing.length > 0)
      problems.push(`measures: the report must cover every measure owed; missing ${missing.join(', ')}`);
  }

  const annexNumbers = new Set<number>();
  const annexes = list('annexes', c.annexes, REPORT_LIMITS.annexes);
  annexes?.forEach((raw, i) => {
    const path = `annexes[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    const n = raw.number;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      problems.push(`${path}.number: must be a whole number from 1`);
    else if (annexNumbers.has(n)) problems.push(`${path}.number: annex ${n} appears twice`);
    else annexNumbers.add(n);
    required(`${path}.title`, raw.title);
    const hasFile = raw.fileId !== undefined;
    const hasUrl = raw.url !== undefined;
    if (hasFile === hasUrl) problems.push(`${path}: give exactly one of fileId (an uploaded file) or url (a link)`);
    else if (hasFile && (typeof raw.fileId !== 'string' || !UUID.test(raw.fileId)))
      problems.push(`${path}.fileId: not a file id`);
    else if (hasUrl && !isHttpUrl(raw.url)) problems.push(`${path}.url: must be an http:// or https:// address`);
  });

  const events = list('events', c.events, REPORT_LIMITS.events);
  events?.forEach((raw, i) => {
    const path = `events[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    required(`${path}.name`, raw.name);
    if (!isIsoDate(raw.date)) problems.push(`${path}.date: not a date (YYYY-MM-DD)`);
    required(`${path}.place`, raw.place);
    const p = raw.participants;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0)
      problems.push(`${path}.participants: must be a whole number, not negative`);
    optionalText(`${path}.categories`, raw.categories ?? '', REPORT_LIMITS.shortText);
    optionalText(`${path}.experts`, raw.experts ?? '', REPORT_LIMITS.shortText);
    if (raw.annex !== undefined && (typeof raw.annex !== 'number' || !annexNumbers.has(raw.annex)))
      problems.push(`${path}.annex: must be the number of one of the report's annexes`);
  });

  const risks = list('risks', c.risks, REPORT_LIMITS.risks);
  risks?.forEach((raw, i) => {
    const path = `risks[${i}]`;
    if (!isObject(raw)) {
      problems.push(`${path}: must be an object`);
      return;
    }
    required(`${path}.risk`, raw.risk, REPORT_LIMITS.text);
    required(`${path}.mitigation`, raw.mitigation, REPORT_LIMITS.text);
  });

  if (!isObject(c.signatory)) problems.push('signatory: name and position of who signs');
  else {
    required('signatory.name', c.signatory.name);
    required('signatory.position', c.signatory.position);
  }
  if (!isIsoDate(c.signedOn)) problems.push('signedOn: not a date (YYYY-MM-DD)');
  return problems;
}

/**
 * The content with only the fields of the model, in a fixed order (unknown keys dropped, measures and annexes in their
 * given order): what is stored, hashed and compared. Call on validated content.
 */
export function normalizeReport(c: ReportContent): ReportContent {
  const text = (s: string | undefined) => (s === undefined ? undefined : s.trim());
  return {
    period: c.period,
    measures: c.measures.map((m) => ({
      measure: m.measure,
      status: m.status,
      narrative: {
        ...(isText(m.narrative.kk) ? { kk: text(m.narrative.kk)! } : {}),
        ...(isText(m.narrative.ru) ? { ru: text(m.narrative.ru)! } : {}),
      },
      indicators: m.indicators.map((iv) => ({
        indicator: iv.indicator,
        value: iv.value,
        ...(iv.unit === undefined ? {} : { unit: iv.unit.trim() }),
      })),
    })),
    events: c.events.map((e) => ({
      name: e.name.trim(),
      date: e.date,
      place: e.place.trim(),
      participants: e.participants,
      categories: (e.categories ?? '').trim(),
      experts: (e.experts ?? '').trim(),
      ...(e.annex === undefined ? {} : { annex: e.annex }),
    })),
    risks: c.risks.map((r) => ({ risk: r.risk.trim(), mitigation: r.mitigation.trim() })),
    annexes: c.annexes.map((a) => ({
      number: a.number,
      title: a.title.trim(),
      ...(a.fileId === undefined ? {} : { fileId: a.fileId.toLowerCase() }),
      ...(a.url === undefined ? {} : { url: a.url }),
    })),
    signatory: { name: c.signatory.name.trim(), position: c.signatory.position.trim() },
    signedOn: c.signedOn,
  };
}

/** JSON with object keys sorted at every level and no whitespace: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the canonical JSON: what the workflow's history records instead of the report itself. */
export function reportContentHash(c: ReportContent): string {
  return sha256Hex(canonicalJson(c));
}

/** The statuses per measure: all the obligation workflow needs of a report (never its narratives or files). */
export function measureStatuses(c: ReportContent): { measure: string; status: ReportMeasureStatus }[] {
  return c.measures.map((m) => ({ measure: m.measure, status: m.status }));
}

/** A report from the legacy `items` list (status and one narrative per measure), in the language the agency writes in. */
export function reportFromItems(
  items: readonly { measure: string; status: string; text: string }[],
  period: string,
  lang: 'kk' | 'ru',
  signedOn: IsoDate,
  signatory: string,
): ReportContent {
  return {
    period,
    measures: items.map((i) => ({
      measure: i.measure,
      status: i.status as ReportMeasureStatus,
      narrative: { [lang]: i.text },
      indicators: [],
    })),
    events: [],
    risks: [],
    annexes: [],
    signatory: { name: signatory, position: '—' },
    signedOn,
  };
}

/** An empty report for a form to start from. */
export function emptyReport(period: string, measures: readonly string[]): ReportContent {
  return {
    period,
    measures: measures.map((measure) => ({ measure, status: 'in_progress', narrative: {}, indicators: [] })),
    events: [],
    risks: [],
    annexes: [],
    signatory: { name: '', position: '' },
    signedOn: '',
  };
}

/** One field that differs between two versions: its path and both values (null where a side lacks it). */
export interface ReportChange {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

type Keyed = { key: string; value: unknown };

/** Lists matched by a natural key where there is one (a measure by number, an annex by number), else by position. */
function keyedEntries(path: string, list: readonly unknown[]): Keyed[] {
  return list.map((v, i) => {
    const o = v as Record<string, unknown> | null;
    if (path === 'measures' && o !== null && typeof o.measure === 'string')
      return { key: `measures[measure=${o.measure}]`, value: v };
    if (path === 'annexes' && o !== null && typeof o.number === 'number')
      return { key: `annexes[number=${o.number}]`, value: v };
    return { key: `${path}[${i}]`, value: v };
  });
}

/** Every field that differs between `a` and `b`, in document order; the empty list when they are the same. */
export function diffReports(a: ReportContent, b: ReportContent): ReportChange[] {
  const changes: ReportChange[] = [];
  const walk = (path: string, x: unknown, y: unknown): void => {
    if (Array.isArray(x) && Array.isArray(y)) {
      const left = keyedEntries(path, x);
      const right = keyedEntries(path, y);
      const rightByKey = new Map(right.map((e) => [e.key, e.value]));
      const leftKeys = new Set(left.map((e) => e.key));
      for (const e of left) walk(e.key, e.value, rightByKey.has(e.key) ? rightByKey.get(e.key) : undefined);
      for (const e of right) if (!leftKeys.has(e.key)) walk(e.key, undefined, e.value);
      return;
    }
    if (isObject(x) && isObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) walk(path === '' ? k : `${path}.${k}`, x[k], y[k]);
      return;
    }
    if (canonicalJson(x ?? null) !== canonicalJson(y ?? null)) changes.push({ path, from: x ?? null, to: y ?? null });
  };
  // Normalised first, so fields come in the model's order whatever order storage (jsonb) gave the keys.
  walk('', normalizeReport(a), normalizeReport(b));
  return changes;
}

/** The planned value of each of a measure's indicators for the year a period falls in (null where the plan sets none). */
export function plannedValues(
  indicators: readonly { readonly targets: Readonly<Record<string, number | string>> }[],
  period: string,
): (number | null)[] {
  const year = period.slice(0, 4);
  return indicators.map((i) => {
    const t = i.targets[year];
    const n = typeof t === 'number' ? t : typeof t === 'string' ? Number(t.replace(',', '.').replace(/\s/g, '')) : NaN;
    return Number.isFinite(n) ? n : null;
  });
}
