// Merzim's own plan format (YAML or JSON, see docs/plan-format.md): what an admin edits and what a plan exports to; export then import gives the same plan.
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import { findAgency } from '../agencies.js';
import { isIsoDate } from '../dates.js';
import { parseDeadline, type DeadlineRule } from '../deadline-language.js';
import {
  DEFAULT_ESCALATION,
  DEFAULT_REMINDERS,
  type ActRef,
  type Agency,
  type BilingualName,
  type Diagnostic,
  type EscalationStep,
  type FootnoteReporting,
  type Indicator,
  type Measure,
  type MeasureExecutor,
  type MeasureExtra,
  type Plan,
  type PlanIndicator,
  type Recipient,
  type ReminderSettings,
} from '../plan.js';
import { ANNUAL_CASCADE_580, STANDARD_POLICIES, validatePolicy, type ReportingPolicy } from '../policies.js';
import { checkDeadlineRule } from './deadline-rule-schema.js';
import { emptyFileResult, isBlank, type ImportResult } from './result.js';

/** The value of the `format` key: bump when a change makes old files mean something else. */
export const CANONICAL_FORMAT = 'merzim-plan/1';

export type CanonicalSyntax = 'yaml' | 'json';

// ---- Export ----

/** Structural equality of plain data (what YAML and JSON carry). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function exportPolicy(policy: ReportingPolicy): string | ReportingPolicy {
  const standard = STANDARD_POLICIES[policy.id];
  return standard !== undefined && deepEqual(standard, policy) ? policy.id : policy;
}

function exportMeasure(m: Measure): Record<string, unknown> {
  // The text is the source of truth: the rule is written only when it is a hand-set override the text does not give.
  const derived = parseDeadline(m.deadline.text);
  return {
    number: m.number,
    section: m.section,
    title: m.title,
    completionForm: m.completionForm,
    recipient: m.recipient,
    executors: m.executors,
    deadline: deepEqual(derived, m.deadline.rule)
      ? { text: m.deadline.text }
      : { text: m.deadline.text, rule: m.deadline.rule },
    indicators: m.indicators,
    cost: m.cost,
    fundingSource: m.fundingSource,
    ...(m.source !== undefined && { source: m.source }),
    ...(m.extra !== undefined && { extra: m.extra }),
    ...(m.inferred !== undefined && m.inferred.length > 0 && { inferred: m.inferred }),
    ...(m.reporting !== undefined && { reporting: m.reporting }),
  };
}

/** The plan as a canonical document, keys in a fixed order so that exports diff well. */
export function exportCanonical(plan: Plan, syntax: CanonicalSyntax): string {
  const doc = {
    format: CANONICAL_FORMAT,
    title: plan.title,
    approvedBy: plan.approvedBy,
    amendments: plan.amendments,
    repeal: plan.repeal,
    years: plan.years,
    coordinator: plan.coordinator,
    policy: exportPolicy(plan.policy),
    shift: plan.shift,
    reminders: plan.reminders,
    escalation: plan.escalation,
    sections: plan.sections,
    abbreviations: plan.abbreviations,
    ...(plan.indicators !== undefined && plan.indicators.length > 0 && { indicators: plan.indicators }),
    measures: plan.measures.map(exportMeasure),
  };
  if (syntax === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // No anchors for repeated objects, no folding of long titles: a file people read and edit.
  const yaml = new Document(doc, { aliasDuplicateObjects: false });
  // Short collections on one line each: an executor, a recipient, the reminder offsets, who an escalation step notifies.
  visit(yaml, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if ((key === 'offsets' || key === 'notify' || key === 'recipient') && (isSeq(pair.value) || isMap(pair.value)))
        pair.value.flow = true;
      if (key === 'executors' && isSeq(pair.value))
        for (const item of pair.value.items) if (isMap(item)) item.flow = true;
    },
  });
  return yaml.toString({ lineWidth: 0 });
}

// ---- Import ----

interface Issue {
  readonly severity: Diagnostic['severity'];
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const NOTIFY = ['party', 'coordinator', 'coordinator_head', 'pm_office', 'presidential_administration'] as const;
const ROLES = ['coordinator', 'pm_office', 'presidential_administration', 'government'] as const;

class Reader {
  readonly issues: Issue[] = [];

  private readonly codes: ReadonlySet<string>;

  constructor(
    private readonly directory: readonly Agency[],
    localCodes: ReadonlySet<string>,
  ) {
    this.codes = new Set([...directory.map((a) => a.code), ...localCodes]);
  }

  error(path: string, message: string, code = 'invalid_field'): void {
    this.issues.push({ severity: 'error', code, path, message: `${path}: ${message}` });
  }

  note(severity: 'warning' | 'info', code: string, path: string, message: string): void {
    this.issues.push({ severity, code, path, message: `${path}: ${message}` });
  }

  object(value: unknown, path: string, keys: readonly string[]): Json | undefined {
    if (value === undefined) {
      this.error(path, 'is required', 'missing_field');
      return undefined;
    }
    if (!isRecord(value)) {
      this.error(path, `must be an object with ${keys.join(', ')}`);
      return undefined;
    }
    for (const key of Object.keys(value))
      if (!keys.includes(key)) this.error(`${path}.${key}`, 'unknown field', 'unknown_field');
    return value;
  }

  list(value: unknown, path: string): unknown[] {
    if (Array.isArray(value)) return value;
    if (value === undefined) this.error(path, 'is required', 'missing_field');
    else this.error(path, 'must be a list');
    return [];
  }

  text(value: unknown, path: string, nonBlank = false): string {
    if (typeof value === 'string' && (!nonBlank || value.trim() !== '')) return value;
    if (value === undefined) this.error(path, 'is required', 'missing_field');
    else this.error(path, nonBlank ? 'must be a non-empty string' : 'must be a string');
    return '';
  }

  /** A number printed as a number in hand-written YAML ("number: 12") is the same as "12". */
  label(value: unknown, path: string): string {
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    return this.text(value, path, true);
  }

  textOrNull(value: unknown, path: string): string | null {
    if (value === null) return null;
    return this.text(value, path);
  }

  bilingual(value: unknown, path: string, required: boolean): BilingualName {
    const o = this.object(value, path, ['kk', 'ru']);
    if (o === undefined) return { kk: null, ru: null };
    const name = { kk: this.textOrNull(o.kk ?? null, `${path}.kk`), ru: this.textOrNull(o.ru ?? null, `${path}.ru`) };
    if (required && (name.kk ?? '').trim() === '' && (name.ru ?? '').trim() === '')
      this.error(path, 'needs a Kazakh or a Russian text');
    return name;
  }

  date(value: unknown, path: string): string {
    if (isIsoDate(value)) return value;
    this.error(
      path,
      `must be a date YYYY-MM-DD that exists, got ${JSON.stringify(value)}`,
      typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'impossible_date' : 'invalid_field',
    );
    return typeof value === 'string' ? value : '';
  }

  agency(value: unknown, path: string): string {
    const code = this.text(value, path, true);
    if (code === '' || this.codes.has(code)) return code;
    const near = findAgency(code, this.directory);
    this.error(
      path,
      `unknown agency ${JSON.stringify(code)}${near === undefined ? '' : ` (did you mean ${JSON.stringify(near.code)}?)`}`,
      'unknown_agency',
    );
    return code;
  }

  act(value: unknown, path: string): ActRef {
    const o = this.object(value, path, ['issuer', 'number', 'date', 'title']);
    if (o === undefined) return { issuer: '', number: '', date: '' };
    return {
      issuer: this.text(o.issuer, `${path}.issuer`, true),
      number: this.label(o.number, `${path}.number`),
      date: this.date(o.date, `${path}.date`),
      ...(o.title !== undefined && { title: this.bilingual(o.title, `${path}.title`, true) }),
    };
  }

  unit(value: unknown, path: string): 'calendar' | 'working' {
    if (value === 'calendar' || value === 'working') return value;
    this.error(path, 'must be calendar or working');
    return 'working';
  }
}

function readPolicy(r: Reader, value: unknown): ReportingPolicy {
  if (value === undefined) {
    r.note('info', 'policy_default', 'policy', `no policy given: ${ANNUAL_CASCADE_580.id} is used`);
    return ANNUAL_CASCADE_580;
  }
  if (typeof value === 'string') {
    const standard = STANDARD_POLICIES[value];
    if (standard !== undefined) return standard;
    r.error(
      'policy',
      `unknown policy ${JSON.stringify(value)}: one of ${Object.keys(STANDARD_POLICIES).join(', ')}, or a policy object`,
    );
    return ANNUAL_CASCADE_580;
  }
  const result = validatePolicy(value);
  if (result.ok) return result.policy;
  for (const e of result.errors) r.error(e.path === '' ? 'policy' : `policy.${e.path}`, e.message);
  return ANNUAL_CASCADE_580;
}

function readReminders(r: Reader, value: unknown): ReminderSettings {
  if (value === undefined) return DEFAULT_REMINDERS;
  const o = r.object(value, 'reminders', ['offsets', 'unit', 'noticeTime']);
  if (o === undefined) return DEFAULT_REMINDERS;
  const offsets = r.list(o.offsets, 'reminders.offsets').map((v, i) => {
    if (!isInt(v, 0, 366)) r.error(`reminders.offsets[${i}]`, 'must be an integer 0..366');
    return v as number;
  });
  const settings = { offsets, unit: r.unit(o.unit, 'reminders.unit') };
  if (o.noticeTime === undefined) return settings;
  if (typeof o.noticeTime !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(o.noticeTime)) {
    r.error('reminders.noticeTime', 'must be a local time HH:MM or HH:MM:SS (Asia/Almaty)');
    return settings;
  }
  return { ...settings, noticeTime: o.noticeTime };
}

function readEscalation(r: Reader, value: unknown): readonly EscalationStep[] {
  if (value === undefined) return DEFAULT_ESCALATION;
  return r.list(value, 'escalation').map((step, i) => {
    const path = `escalation[${i}]`;
    const o = r.object(step, path, ['after', 'unit', 'notify']) ?? {};
    if (!isInt(o.after, 0, 366)) r.error(`${path}.after`, 'must be an integer 0..366');
    const notify = r.list(o.notify, `${path}.notify`).map((n, k) => {
      if (!NOTIFY.includes(n as (typeof NOTIFY)[number]))
        r.error(`${path}.notify[${k}]`, `must be one of ${NOTIFY.join(', ')}`);
      return n as (typeof NOTIFY)[number];
    });
    if (notify.length === 0) r.error(`${path}.notify`, 'must name at least one party');
    return { after: o.after as number, unit: r.unit(o.unit, `${path}.unit`), notify };
  });
}

function readRecipient(r: Reader, value: unknown, path: string): Recipient | null {
  if (value === null || value === undefined) return null;
  if (isRecord(value) && 'role' in value) {
    r.object(value, path, ['role']);
    if (!ROLES.includes(value.role as (typeof ROLES)[number]))
      r.error(`${path}.role`, `must be one of ${ROLES.join(', ')}`);
    return { role: value.role as (typeof ROLES)[number] };
  }
  const o = r.object(value, path, ['agency']);
  return { agency: r.agency(o?.agency, `${path}.agency`) };
}

function readExecutors(r: Reader, value: unknown, path: string): MeasureExecutor[] {
  const seen = new Set<string>();
  const executors = r.list(value, path).map((item, j) => {
    const p = `${path}[${j}]`;
    const o = r.object(item, p, ['code', 'byAgreement', 'lead', 'group']) ?? {};
    const code = r.agency(o.code, `${p}.code`);
    if (seen.has(code)) r.error(`${p}.code`, `${JSON.stringify(code)} is listed twice`);
    seen.add(code);
    for (const key of ['byAgreement', 'lead'] as const)
      if (typeof o[key] !== 'boolean') r.error(`${p}.${key}`, 'must be true or false');
    return {
      code,
      byAgreement: o.byAgreement === true,
      lead: o.lead === true,
      ...(o.group !== undefined && { group: r.text(o.group, `${p}.group`, true) }),
    };
  });
  if (executors.length === 0) r.error(path, 'must name at least one executor', 'missing_executors');
  return executors;
}

/**
 * The deadline: the text is the source of truth and the rule is derived from it. A rule given
 * alongside must agree with the text — unless the text is not understood or says "as needed", in
 * which case the given rule is a reviewer's override and is kept.
 */
function readDeadline(r: Reader, value: unknown, path: string): Measure['deadline'] {
  const o = r.object(value, path, ['text', 'rule']) ?? {};
  const text = r.text(o.text, `${path}.text`);
  const derived = parseDeadline(text);
  if (o.rule === undefined) {
    if (derived.kind === 'unparsed') {
      if (derived.reason.startsWith('no such date'))
        r.error(path, `the deadline "${text}" is impossible (${derived.reason})`, 'deadline_impossible_date');
      else
        r.note(
          'warning',
          'deadline_unparsed',
          path,
          `the deadline "${text}" is not understood (${derived.reason}); add a rule to set it`,
        );
    } else if (derived.kind === 'as_needed') {
      r.note('info', 'deadline_as_needed', path, `"${text}" has no calendar deadline; it is not scheduled`);
    }
    return { text, rule: derived };
  }
  const errors = checkDeadlineRule(o.rule, `${path}.rule`);
  for (const e of errors) r.error(e.path, e.message);
  if (errors.length > 0) return { text, rule: derived };
  const rule = o.rule as DeadlineRule;
  if (deepEqual(rule, derived)) return { text, rule };
  if (derived.kind !== 'unparsed' && derived.kind !== 'as_needed') {
    r.error(
      `${path}.rule`,
      `does not match the text "${text}", which reads as ${JSON.stringify(derived)}: change the text, or remove the rule to derive it`,
      'deadline_rule_mismatch',
    );
  } else {
    r.note(
      'info',
      'deadline_override',
      `${path}.rule`,
      `set by hand for "${text}", which by itself is ${derived.kind === 'as_needed' ? '"as needed"' : 'not understood'}`,
    );
  }
  return { text, rule };
}

function readIndicators(r: Reader, value: unknown, path: string): Indicator[] {
  if (value === undefined) return [];
  return r.list(value, path).map((item, k) => {
    const p = `${path}[${k}]`;
    const o = r.object(item, p, ['name', 'unit', 'targets']) ?? {};
    const targets = o.targets === undefined ? {} : isRecord(o.targets) ? o.targets : {};
    if (o.targets !== undefined && !isRecord(o.targets))
      r.error(`${p}.targets`, 'must be an object { "<year>": value }');
    for (const [year, target] of Object.entries(targets)) {
      if (!(typeof target === 'string' || (typeof target === 'number' && Number.isFinite(target))))
        r.error(`${p}.targets.${year}`, 'must be a number or a text');
    }
    return {
      name: r.bilingual(o.name, `${p}.name`, true),
      unit: r.textOrNull(o.unit ?? null, `${p}.unit`),
      targets: targets as Indicator['targets'],
    };
  });
}

function readCost(r: Reader, value: unknown, path: string): Measure['cost'] {
  if (value === null || value === undefined) return null;
  const o = r.object(value, path, ['text', 'amount', 'currency']) ?? {};
  if (o.amount !== undefined && !(typeof o.amount === 'number' && Number.isFinite(o.amount) && o.amount >= 0))
    r.error(`${path}.amount`, 'must be a number ≥ 0 (tenge)');
  if (o.currency !== undefined && o.currency !== 'KZT') r.error(`${path}.currency`, 'must be KZT');
  return {
    text: r.text(o.text, `${path}.text`),
    ...(o.amount !== undefined && { amount: o.amount as number }),
    ...(o.currency !== undefined && { currency: 'KZT' as const }),
  };
}

const MEASURE_KEYS = [
  'number',
  'section',
  'title',
  'completionForm',
  'recipient',
  'executors',
  'deadline',
  'indicators',
  'cost',
  'fundingSource',
  'source',
  'extra',
  'inferred',
  'reporting',
];

function readMeasure(r: Reader, value: unknown, i: number, sections: number): Measure {
  const path = `measures[${i}]`;
  const o = r.object(value, path, MEASURE_KEYS) ?? {};
  const section = o.section ?? null;
  if (section !== null && !isInt(section, 0, sections - 1))
    r.error(
      `${path}.section`,
      sections === 0 ? 'must be null: the plan has no sections' : `must be null or a section index 0..${sections - 1}`,
    );
  let source: Measure['source'];
  if (o.source !== undefined) {
    const s = r.object(o.source, `${path}.source`, ['line', 'row']) ?? {};
    for (const key of ['line', 'row'] as const)
      if (s[key] !== undefined && !isInt(s[key], 1, Number.MAX_SAFE_INTEGER))
        r.error(`${path}.source.${key}`, 'must be a positive integer');
    source = {
      ...(s.line !== undefined && { line: s.line as number }),
      ...(s.row !== undefined && { row: s.row as number }),
    };
  }
  return {
    number: r.label(o.number, `${path}.number`),
    section: section as number | null,
    title: r.bilingual(o.title, `${path}.title`, true),
    completionForm:
      o.completionForm === undefined
        ? { kk: null, ru: null }
        : r.bilingual(o.completionForm, `${path}.completionForm`, false),
    recipient: readRecipient(r, o.recipient, `${path}.recipient`),
    executors: readExecutors(r, o.executors, `${path}.executors`),
    deadline: readDeadline(r, o.deadline, `${path}.deadline`),
    indicators: readIndicators(r, o.indicators, `${path}.indicators`),
    cost: readCost(r, o.cost, `${path}.cost`),
    fundingSource: o.fundingSource === undefined ? null : r.textOrNull(o.fundingSource, `${path}.fundingSource`),
    ...(source !== undefined && { source }),
    ...(o.extra !== undefined && { extra: readExtra(r, o.extra, `${path}.extra`) }),
    ...(o.inferred !== undefined && {
      inferred: r.list(o.inferred, `${path}.inferred`).map((v, k) => r.text(v, `${path}.inferred[${k}]`, true)),
    }),
    ...(o.reporting !== undefined && { reporting: readReporting(r, o.reporting, `${path}.reporting`) }),
  };
}

function readTextRecord(r: Reader, value: unknown, path: string): Record<string, string> {
  const o = r.object(value, path, Object.keys(isRecord(value) ? value : {})) ?? {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(o)) out[key] = r.text(v, `${path}.${key}`);
  return out;
}

function readExtra(r: Reader, value: unknown, path: string): MeasureExtra {
  const o = r.object(value, path, ['unit', 'budgetCode', 'expenses', 'columns']) ?? {};
  return {
    ...(o.unit !== undefined && { unit: r.text(o.unit, `${path}.unit`) }),
    ...(o.budgetCode !== undefined && { budgetCode: r.text(o.budgetCode, `${path}.budgetCode`) }),
    ...(o.expenses !== undefined && { expenses: readTextRecord(r, o.expenses, `${path}.expenses`) }),
    ...(o.columns !== undefined && { columns: readTextRecord(r, o.columns, `${path}.columns`) }),
  };
}

function readReporting(r: Reader, value: unknown, path: string): FootnoteReporting {
  const o = r.object(value, path, ['marker', 'text', 'recipient', 'rule']) ?? {};
  const errors = checkDeadlineRule(o.rule, `${path}.rule`);
  for (const e of errors) r.error(e.path, e.message);
  return {
    marker: r.text(o.marker, `${path}.marker`, true),
    text: r.text(o.text, `${path}.text`, true),
    recipient: readRecipient(r, o.recipient, `${path}.recipient`),
    rule: errors.length > 0 ? { kind: 'unparsed', reason: 'invalid rule' } : (o.rule as DeadlineRule),
  };
}

function readPlanIndicators(r: Reader, value: unknown, sections: number): PlanIndicator[] {
  return r.list(value, 'indicators').map((item, k) => {
    const p = `indicators[${k}]`;
    const o = r.object(item, p, ['name', 'unit', 'source', 'targets', 'section']) ?? {};
    const section = o.section ?? null;
    if (section !== null && !isInt(section, 0, sections - 1))
      r.error(`${p}.section`, 'must be null or a section index');
    const targets = isRecord(o.targets) ? o.targets : {};
    if (!isRecord(o.targets)) r.error(`${p}.targets`, 'must be an object { "<year>": value }');
    for (const [year, target] of Object.entries(targets)) {
      if (!(typeof target === 'string' || (typeof target === 'number' && Number.isFinite(target))))
        r.error(`${p}.targets.${year}`, 'must be a number or a text');
    }
    return {
      name: r.bilingual(o.name, `${p}.name`, true),
      unit: r.textOrNull(o.unit ?? null, `${p}.unit`),
      source: r.textOrNull(o.source ?? null, `${p}.source`),
      targets: targets as PlanIndicator['targets'],
      section: section as number | null,
    };
  });
}

const ROOT_KEYS = [
  'format',
  'title',
  'approvedBy',
  'amendments',
  'repeal',
  'years',
  'coordinator',
  'policy',
  'shift',
  'reminders',
  'escalation',
  'sections',
  'abbreviations',
  'indicators',
  'measures',
];

function readPlan(r: Reader, doc: Json): Plan {
  if (doc.format !== undefined && doc.format !== CANONICAL_FORMAT)
    r.error('format', `must be ${JSON.stringify(CANONICAL_FORMAT)}`);
  const abbreviations: Record<string, BilingualName> = {};
  if (doc.abbreviations !== undefined) {
    const o =
      r.object(doc.abbreviations, 'abbreviations', Object.keys(isRecord(doc.abbreviations) ? doc.abbreviations : {})) ??
      {};
    for (const [code, name] of Object.entries(o))
      abbreviations[code] = r.bilingual(name, `abbreviations.${code}`, true);
  }
  const years = r.object(doc.years, 'years', ['from', 'to']) ?? {};
  for (const key of ['from', 'to'] as const)
    if (!isInt(years[key], 1900, 2200)) r.error(`years.${key}`, 'must be a year 1900..2200');
  if (isInt(years.from, 1900, 2200) && isInt(years.to, 1900, 2200) && years.from > years.to)
    r.error('years', 'runs backwards (from > to)');
  const sections =
    doc.sections === undefined
      ? []
      : r.list(doc.sections, 'sections').map((s, i) => {
          const o = r.object(s, `sections[${i}]`, ['number', 'title']) ?? {};
          return {
            number: o.number === null || o.number === undefined ? null : r.label(o.number, `sections[${i}].number`),
            title: r.bilingual(o.title, `sections[${i}].title`, true),
          };
        });
  const shift = doc.shift ?? 'next';
  if (shift !== 'next' && shift !== 'previous' && shift !== 'none') r.error('shift', 'must be next, previous or none');
  const repeal =
    doc.repeal === undefined || doc.repeal === null
      ? null
      : (() => {
          const o = r.object(doc.repeal, 'repeal', ['date', 'act']) ?? {};
          return { date: r.date(o.date, 'repeal.date'), act: r.act(o.act, 'repeal.act') };
        })();
  const measures = r.list(doc.measures, 'measures').map((m, i) => readMeasure(r, m, i, sections.length));
  if (measures.length === 0) r.error('measures', 'must list at least one measure', 'no_measures');
  return {
    title: r.bilingual(doc.title, 'title', true),
    approvedBy: r.act(doc.approvedBy, 'approvedBy'),
    amendments:
      doc.amendments === undefined
        ? []
        : r.list(doc.amendments, 'amendments').map((a, i) => {
            const o = r.object(a, `amendments[${i}]`, ['act', 'summary']) ?? {};
            return {
              act: r.act(o.act, `amendments[${i}].act`),
              summary: r.text(o.summary, `amendments[${i}].summary`),
            };
          }),
    repeal,
    years: { from: years.from as number, to: years.to as number },
    coordinator: r.agency(doc.coordinator, 'coordinator'),
    policy: readPolicy(r, doc.policy),
    shift: shift as Plan['shift'],
    reminders: readReminders(r, doc.reminders),
    escalation: readEscalation(r, doc.escalation),
    sections,
    measures,
    abbreviations,
    ...(doc.indicators !== undefined && { indicators: readPlanIndicators(r, doc.indicators, sections.length) }),
  };
}

// ---- Locating errors in the source ----

function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}

interface Located {
  readonly doc: Document.Parsed;
  readonly counter: LineCounter;
}

/** The 1-based line of each issue's path in the text (the nearest ancestor that exists). */
function lineFinder({ doc, counter }: Located): (path: string) => number | undefined {
  return (path) => {
    const segments = pathSegments(path);
    for (let n = segments.length; n >= 1; n--) {
      const node = doc.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

function syntaxError(message: string, line: number | undefined): ImportResult {
  return {
    plan: null,
    abbreviations: {},
    diagnostics: [{ severity: 'error', code: 'syntax_error', message, ...(line !== undefined && { line }) }],
  };
}

/**
 * Reads a canonical plan. Every problem is a diagnostic naming its path (and line), e.g.
 * `measures[3].executors[0].code: unknown agency "XYZ"`; the plan comes back whenever the document
 * has the shape of one, so a reviewer sees all problems at once — hasErrors() decides storing.
 */
export function parseCanonical(
  text: string,
  syntax: CanonicalSyntax,
  opts: { readonly directory: readonly Agency[] },
): ImportResult {
  if (isBlank(text)) return emptyFileResult();
  let doc: unknown;
  // YAML keeps its parse to find the lines of problems; JSON (a subset of YAML) is parsed that way only when there are problems.
  let located: Located | undefined;
  if (syntax === 'json') {
    try {
      doc = JSON.parse(text.replace(/^\ufeff/, ''));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const position = /position (\d+)/.exec(message);
      const line = position === null ? undefined : text.slice(0, Number(position[1])).split('\n').length;
      return syntaxError(`not valid JSON: ${message}`, line);
    }
  } else {
    const counter = new LineCounter();
    const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: counter });
    const first = parsed.errors[0];
    if (first !== undefined)
      return syntaxError(`not valid YAML: ${first.message.split('\n')[0] ?? ''}`, counter.linePos(first.pos[0]).line);
    doc = parsed.toJS({ maxAliasCount: 1000 });
    located = { doc: parsed, counter };
  }
  if (!isRecord(doc))
    return syntaxError("the document must be an object with the plan's fields (see docs/plan-format.md)", 1);

  const localCodes = new Set(isRecord(doc.abbreviations) ? Object.keys(doc.abbreviations) : []);
  const reader = new Reader(opts.directory, localCodes);
  for (const key of Object.keys(doc)) if (!ROOT_KEYS.includes(key)) reader.error(key, 'unknown field', 'unknown_field');
  const plan = readPlan(reader, doc);
  const locate =
    reader.issues.length === 0
      ? () => undefined
      : lineFinder(
          located ??
            (() => {
              const counter = new LineCounter();
              return { doc: parseDocument(text, { lineCounter: counter }), counter };
            })(),
        );
  const diagnostics: Diagnostic[] = reader.issues.map((issue) => {
    const line = locate(issue.path);
    return {
      severity: issue.severity,
      code: issue.code,
      message: issue.message,
      ...(line !== undefined && { line }),
      field: issue.path,
    };
  });
  return { plan, abbreviations: plan.abbreviations, diagnostics };
}
