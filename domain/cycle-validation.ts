// Pure checks of what enters a reporting cycle (spec, party, report), shared by the workflows' validators and the API; each problem names its field.
import { isIsoDate } from './dates.js';
import { isPeriodKey } from './periods.js';
import type { CycleSpec, PartySpec, ReportSubmission, ReviewComment } from './cycle-model.js';
import { findUnstorableText } from './storable-text.js';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const STAGE_FROM = ['executors', 'coordinator', 'pm_office'];
const STAGE_TO = ['coordinator', 'pm_office', 'presidential_administration'];
const MEASURE_STATUSES = ['done', 'in_progress', 'not_done'];

function text(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function bilingual(value: unknown): boolean {
  const v = value as { kk?: unknown; ru?: unknown } | null;
  return typeof v === 'object' && v !== null && text(v.kk) && text(v.ru);
}

/** Problems of one party, each as "path: message"; an empty list means usable. */
export function validatePartySpec(party: PartySpec, path: string, opts: { titlesByHash?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (!text(party?.agencyCode)) return [`${path}.agencyCode: must be a non-empty string`];
  if (!bilingual(party.name)) problems.push(`${path}.name: needs both kk and ru`);
  if (party.lang !== 'kk' && party.lang !== 'ru') problems.push(`${path}.lang: must be 'kk' or 'ru'`);
  if (typeof party.byAgreement !== 'boolean') problems.push(`${path}.byAgreement: must be a boolean`);
  for (const kind of ['reporter', 'head'] as const) {
    const list = party.emails?.[kind];
    if (!Array.isArray(list)) problems.push(`${path}.emails.${kind}: must be a list of addresses`);
    else
      list.forEach((e, i) => {
        if (typeof e !== 'string' || !EMAIL.test(e))
          problems.push(`${path}.emails.${kind}[${i}]: not an e-mail address`);
      });
  }
  if (!Array.isArray(party.measures)) return [...problems, `${path}.measures: must be a list`];
  const numbers = new Set<string>();
  party.measures.forEach((m, i) => {
    if (!text(m?.number)) problems.push(`${path}.measures[${i}].number: must be a non-empty string`);
    else if (numbers.has(m.number)) problems.push(`${path}.measures[${i}].number: duplicate "${m.number}"`);
    else numbers.add(m.number);
    // A spec keeping its texts in `cycle_texts` (CycleSpec.texts) leaves titles out; one that is given must be whole.
    if (!(opts.titlesByHash === true && m?.title === undefined) && !bilingual(m?.title))
      problems.push(`${path}.measures[${i}].title: needs both kk and ru`);
  });
  return problems;
}

/** Problems of a cycle spec, each as "path: message"; an empty list means the cycle can start. */
export function validateCycleSpec(spec: CycleSpec): string[] {
  const problems: string[] = [];
  if (!text(spec?.planId)) return ['planId: must be a non-empty string'];
  if (!isPeriodKey(spec.period))
    problems.push(`period: not a period key (YYYY, YYYY-H1, YYYY-Q3, YYYY-MM): "${String(spec.period)}"`);
  if (!text(spec.policyId)) problems.push('policyId: must be a non-empty string');
  if (!bilingual(spec.planTitle)) problems.push('planTitle: needs both kk and ru');
  if (spec.shift !== 'next' && spec.shift !== 'previous' && spec.shift !== 'none')
    problems.push("shift: must be 'next', 'previous' or 'none'");
  const titlesByHash = spec.texts !== undefined;
  if (titlesByHash && !/^[0-9a-f]{64}$/.test(String(spec.texts?.hash)))
    problems.push('texts.hash: must be the SHA-256 (hex) of the cycle_texts row');
  problems.push(
    ...validatePartySpec(spec.coordinator, 'coordinator', { titlesByHash }),
    ...validatePartySpec(spec.pmOffice, 'pmOffice', { titlesByHash }),
    ...validatePartySpec(spec.presidentialAdministration, 'presidentialAdministration', { titlesByHash }),
  );
  const offsets = spec.reminders?.offsets;
  if (!Array.isArray(offsets) || offsets.some((o) => !Number.isInteger(o) || o < 0))
    problems.push('reminders.offsets: must be non-negative integers');
  if (spec.reminders?.unit !== 'working' && spec.reminders?.unit !== 'calendar')
    problems.push("reminders.unit: must be 'working' or 'calendar'");
  // Checked here too, not only when a timeline is planned: a bad time must stop the cycle from opening, not each obligation.
  const noticeTime: unknown = spec.reminders?.noticeTime;
  if (
    noticeTime !== undefined &&
    (typeof noticeTime !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(noticeTime))
  ) {
    problems.push(`reminders.noticeTime: must be a local time HH:MM or HH:MM:SS, got ${JSON.stringify(noticeTime)}`);
  }
  if (!Array.isArray(spec.escalation)) problems.push('escalation: must be a list of steps');
  else
    spec.escalation.forEach((step, i) => {
      if (!Number.isInteger(step.after) || step.after < 0)
        problems.push(`escalation[${i}].after: must be a non-negative integer`);
      if (step.unit !== 'working' && step.unit !== 'calendar')
        problems.push(`escalation[${i}].unit: must be 'working' or 'calendar'`);
    });
  if (!Array.isArray(spec.stages) || spec.stages.length === 0) return [...problems, 'stages: must be a non-empty list'];
  const stageIds = new Set<string>();
  spec.stages.forEach((stage, i) => {
    const path = `stages[${i}]`;
    if (!text(stage.id)) problems.push(`${path}.id: must be a non-empty string`);
    // Part of obligation workflow ids, whose parts ':' separates.
    else if (stage.id.includes(':')) problems.push(`${path}.id: must not contain ':' ("${stage.id}")`);
    else if (stageIds.has(stage.id)) problems.push(`${path}.id: duplicate "${stage.id}"`);
    else stageIds.add(stage.id);
    if (!STAGE_FROM.includes(stage.from)) problems.push(`${path}.from: must be one of ${STAGE_FROM.join(', ')}`);
    if (!STAGE_TO.includes(stage.to)) problems.push(`${path}.to: must be one of ${STAGE_TO.join(', ')}`);
    if (!isIsoDate(stage.dueDate))
      problems.push(`${path}.dueDate: not a date (YYYY-MM-DD): "${String(stage.dueDate)}"`);
    if (stage.recipient !== undefined)
      problems.push(...validatePartySpec(stage.recipient, `${path}.recipient`, { titlesByHash }));
    if (!Array.isArray(stage.parties) || stage.parties.length === 0) {
      problems.push(`${path}.parties: must be a non-empty list`);
      return;
    }
    const codes = new Set<string>();
    stage.parties.forEach((party: PartySpec, j: number) => {
      problems.push(...validatePartySpec(party, `${path}.parties[${j}]`, { titlesByHash }));
      if (codes.has(party?.agencyCode))
        problems.push(`${path}.parties[${j}].agencyCode: "${party.agencyCode}" owes this stage twice`);
      codes.add(party?.agencyCode);
    });
  });
  return problems;
}

/** Problems of a submission against what the party owes; an empty list means it can be accepted into history. */
export function validateReport(report: ReportSubmission, party: PartySpec): string[] {
  if (!text(report?.submittedBy)) return ['submittedBy: must name who submits'];
  if (!Array.isArray(report.items) || report.items.length === 0) return ['items: a report covers at least one measure'];
  // PostgreSQL refuses NUL and lone surrogates: such a report would be accepted into history and then never recorded.
  const unstorable = findUnstorableText(report);
  if (unstorable.length > 0) return unstorable;
  const owed = new Set(party.measures.map((m) => m.number));
  const seen = new Set<string>();
  const problems: string[] = [];
  report.items.forEach((item, i) => {
    const path = `items[${i}]`;
    if (!text(item?.measure)) problems.push(`${path}.measure: must name a measure number`);
    else if (!owed.has(item.measure))
      problems.push(
        `${path}.measure: "${item.measure}" is not a measure ${party.agencyCode} reports on (${[...owed].join(', ')})`,
      );
    else if (seen.has(item.measure)) problems.push(`${path}.measure: "${item.measure}" appears twice`);
    else seen.add(item.measure);
    if (!MEASURE_STATUSES.includes(item?.status))
      problems.push(`${path}.status: must be one of ${MEASURE_STATUSES.join(', ')}`);
    if (!text(item?.text)) problems.push(`${path}.text: must say what was done`);
  });
  return problems;
}

const REPORTED_STATUSES = [...MEASURE_STATUSES, 'not_yet_due'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Problems of a versioned submission (the id and hash of a stored version, statuses per measure) against what the party owes. */
export function validateVersionedSubmission(report: ReportSubmission, party: PartySpec): string[] {
  if (!text(report?.submittedBy)) return ['submittedBy: must name who submits'];
  const unstorable = findUnstorableText(report);
  if (unstorable.length > 0) return unstorable;
  const problems: string[] = [];
  if (typeof report.versionId !== 'string' || !UUID.test(report.versionId))
    problems.push('versionId: must be the id of a stored report version');
  if (typeof report.contentHash !== 'string' || !/^[0-9a-f]{64}$/.test(report.contentHash))
    problems.push('contentHash: must be a SHA-256 in hex');
  if (!Array.isArray(report.statuses) || report.statuses.length === 0)
    return [...problems, 'statuses: a report covers at least one measure'];
  const owed = new Set(party.measures.map((m) => m.number));
  const seen = new Set<string>();
  report.statuses.forEach((s, i) => {
    const path = `statuses[${i}]`;
    if (!text(s?.measure)) problems.push(`${path}.measure: must name a measure number`);
    else if (!owed.has(s.measure))
      problems.push(
        `${path}.measure: "${s.measure}" is not a measure ${party.agencyCode} reports on (${[...owed].join(', ')})`,
      );
    else if (seen.has(s.measure)) problems.push(`${path}.measure: "${s.measure}" appears twice`);
    else seen.add(s.measure);
    if (!REPORTED_STATUSES.includes(s?.status))
      problems.push(`${path}.status: must be one of ${REPORTED_STATUSES.join(', ')}`);
  });
  return problems;
}

/** Problems of a reviewer's per-measure comments against what the party owes; absent comments are fine. */
export function validateReviewComments(comments: readonly ReviewComment[] | undefined, party: PartySpec): string[] {
  if (comments === undefined) return [];
  if (!Array.isArray(comments)) return ['comments: must be a list'];
  if (comments.length > 500) return ['comments: at most 500'];
  const owed = new Set(party.measures.map((m) => m.number));
  const problems: string[] = [];
  comments.forEach((c, i) => {
    const path = `comments[${i}]`;
    if (c?.measure !== undefined && !owed.has(c.measure))
      problems.push(`${path}.measure: "${String(c.measure)}" is not a measure ${party.agencyCode} reports on`);
    if (c?.field !== undefined && (typeof c.field !== 'string' || c.field.length > 200))
      problems.push(`${path}.field: must be a field path of at most 200 characters`);
    if (!text(c?.text)) problems.push(`${path}.text: say what must be fixed`);
    else if (c.text.length > 5000) problems.push(`${path}.text: at most 5000 characters`);
  });
  return problems;
}
