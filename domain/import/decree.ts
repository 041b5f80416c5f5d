// What the decree around a plan's table says: the approving act, amendments and repeal from the "Ескерту"/"Сноска" notes, the title and years, the coordinator, the reporting policy.
import { agencyNameKey } from '../agencies.js';
import { formatIsoDate, isValidCivilDate, type IsoDate } from '../dates.js';
import type { ActRef, Agency, Amendment, BilingualName, Repeal } from '../plan.js';
import { ANNUAL_CASCADE_580, SEMIANNUAL_POLICY, type ReportingPolicy } from '../policies.js';
import type { Diagnostics } from './result.js';
import { cellText, normalizeDashes } from './text.js';

const KK_MONTHS = [
  'қаңтар',
  'ақпан',
  'наурыз',
  'сәуір',
  'мамыр',
  'маусым',
  'шілде',
  'тамыз',
  'қыркүйек',
  'қазан',
  'қараша',
  'желтоқсан',
];
const RU_MONTHS = [
  'январ',
  'феврал',
  'март',
  'апрел',
  'ма[йя]',
  'июн',
  'июл',
  'август',
  'сентябр',
  'октябр',
  'ноябр',
  'декабр',
];
const KK_MONTH = `(${KK_MONTHS.join('|')})\\p{L}*`;
const RU_MONTH = `(${RU_MONTHS.join('|')})\\p{L}*`;

function monthOf(word: string): number {
  const w = word.toLowerCase();
  const kk = KK_MONTHS.findIndex((m) => w.startsWith(m));
  if (kk >= 0) return kk + 1;
  if (w.startsWith('март')) return 3;
  return RU_MONTHS.findIndex((m) => new RegExp(`^${m}`).test(w)) + 1;
}

function dateOf(year: string, month: number, day: string): IsoDate | undefined {
  const y = Number(year);
  const d = Number(day);
  return isValidCivilDate(y, month, d) ? formatIsoDate(y, month, d) : undefined;
}

/** The issuer as a stable id where the act names a standard one; otherwise the words as printed. */
function issuerOf(words: string): string {
  const w = words.toLowerCase();
  if (/үкімет|правительств/.test(w)) return 'government';
  if (/премьер-министр/.test(w)) return 'prime_minister';
  if (/президент/.test(w)) return 'president';
  return words.trim();
}

const KK_ISSUER = '(Үкіметінің|Президентінің|Премьер-Министрінің|[\\p{L}-]+(?:\\s+[\\p{L}-]+){0,5}\\s+министрінің)';
const KK_KIND = '(қаулысы|Жарлығы|өкімі|бұйрығы)';
// "Қазақстан Республикасы Үкіметінің 2017 жылғы 19 қыркүйектегі № 580 қаулысы" (the day sometimes in quotes: 2017 жылғы "19" қыркүйектегі).
const KK_ACT = new RegExp(
  `(?:Қазақстан\\s+Республикасы(?:ның)?\\s+)?${KK_ISSUER}\\s+(\\d{4})\\s+жылғы\\s+["«]?(\\d{1,2})["»]?\\s*-?\\s*${KK_MONTH}\\s+№\\s*([\\p{L}\\p{N}/-]+)\\s+${KK_KIND}(?![\\p{L}])`,
  'iu',
);
// The same act in the approval block: "… № 580 қаулысымен бекітілген".
const KK_APPROVED = new RegExp(
  `(?:Қазақстан\\s+Республикасы(?:ның)?\\s+)?${KK_ISSUER}\\s+(\\d{4})\\s+жылғы\\s+["«]?(\\d{1,2})["»]?\\s*-?\\s*${KK_MONTH}\\s+№\\s*([\\p{L}\\p{N}/-]+)\\s+(қаулысымен|Жарлығымен|өкімімен|бұйрығымен)\\s+бекітіл`,
  'iu',
);
// "Постановление Правительства Республики Казахстан от 19 сентября 2017 года № 580", "Утвержден постановлением Правительства … от …".
const RU_ACT = new RegExp(
  `(Постановлени[еяем]+|Указ(?:ом)?|Распоряжени[еяем]+|Приказ(?:ом)?)\\s+(Правительства|Президента|Премьер-Министра|Министра[\\p{L}\\s]{0,80}?)\\s+Республики\\s+Казахстан\\s+от\\s+(\\d{1,2})\\s+${RU_MONTH}\\s+(\\d{4})\\s+года\\s+№\\s*([\\p{L}\\p{N}/-]+)`,
  'iu',
);

// "Ескерту. 2-тармаққа өзгеріс енгізілді – ҚР Үкіметінің 11.04.2019 № 180 қаулысымен"
const KK_NOTE = new RegExp(
  `^(?:Ескерту|Ескертпе)\\.\\s*(.*?)\\s*-\\s*(?:ҚР|Қазақстан\\s+Республикасы(?:ның)?)\\s+${KK_ISSUER}\\s+(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})\\s+№\\s*([\\p{L}\\p{N}/-]+)\\s+(?:қаулысымен|Жарлығымен|өкімімен|бұйрығымен)`,
  'iu',
);
// "Сноска. Пункт 2 с изменением, внесенным постановлением Правительства РК от 11.04.2019 № 180." / "Сноска. Утратил силу Указом Президента РК от 15.09.2022 № 1014."
const RU_NOTE =
  /^Сноска\.\s*(.*?),?\s*(?:внесенным|внесённым|внесенными|внесёнными)?\s*(постановлени\p{L}*|указ\p{L}*|приказ\p{L}*|распоряжени\p{L}*)\s+(Правительства|Президента|Премьер-Министра|Министра[\p{L}\s]{0,80}?)\s+(?:РК|Республики\s+Казахстан)\s+от\s+(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(?:года\s+)?№\s*([\p{L}\p{N}/-]+)/iu;
const RAW_NOTE = /^\s*(?:<[^>]*>\s*|\*\*\s*)*(?:Ескерту|Ескертпе|Сноска)/i;
const REPEAL_WORDS = /күші\s+жойылды|утратил\p{L}*\s+силу/iu;

export interface FoundAct {
  readonly act: ActRef;
  readonly line: number;
}

interface Text {
  /** The lines joined by spaces (acts break over lines in approval blocks). */
  readonly joined: string;
  /** Where each line starts in `joined`, to turn a match back into a line number. */
  readonly starts: number[];
}

function joinLines(lines: readonly string[], from: number, to: number): Text {
  let joined = '';
  const starts: number[] = [];
  for (let i = from; i < to; i++) {
    starts.push(joined.length);
    joined += `${normalizeDashes(cellText(lines[i] as string))} `;
  }
  return { joined, starts };
}

function lineAt(text: Text, offset: number, from: number): number {
  let lo = 0;
  let hi = text.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((text.starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return from + lo + 1;
}

/** The act that approves the plan, from the decree's heading (or, failing that, its approval block). */
export function findApprovingAct(
  lines: readonly string[],
  to: number,
  title: BilingualName | undefined,
): FoundAct | undefined {
  const text = joinLines(lines, 0, to);
  const kk = KK_ACT.exec(text.joined) ?? KK_APPROVED.exec(text.joined);
  const ru = RU_ACT.exec(text.joined);
  const first = kk !== null && (ru === null || kk.index <= ru.index) ? 'kk' : ru !== null ? 'ru' : undefined;
  if (first === 'kk' && kk !== null) {
    const date = dateOf(kk[2] as string, monthOf(kk[4] as string), kk[3] as string);
    if (date === undefined) return undefined;
    return {
      act: { issuer: issuerOf(kk[1] as string), number: kk[5] as string, date, ...(title && { title }) },
      line: lineAt(text, kk.index, 0),
    };
  }
  if (first === 'ru' && ru !== null) {
    const date = dateOf(ru[5] as string, monthOf(ru[4] as string), ru[3] as string);
    if (date === undefined) return undefined;
    return {
      act: { issuer: issuerOf(ru[2] as string), number: ru[6] as string, date, ...(title && { title }) },
      line: lineAt(text, ru.index, 0),
    };
  }
  return undefined;
}

export interface Notes {
  readonly amendments: Amendment[];
  readonly repeal: Repeal | null;
}

/**
 * Amendments and the repeal from the editorial notes of the whole text. Notes naming the same act
 * become one amendment whose summary lists what each changed, in order.
 */
export function readNotes(lines: readonly string[], diagnostics: Diagnostics): Notes {
  const byAct = new Map<string, { act: ActRef; summaries: string[] }>();
  let repeal: Repeal | null = null;
  lines.forEach((raw, i) => {
    // Only notes are read; the raw test (tags allowed before the word) spares cleaning every line of the text.
    if (!RAW_NOTE.test(raw)) return;
    const text = normalizeDashes(cellText(raw));
    if (!/^(?:Ескерту|Ескертпе|Сноска)\./i.test(text)) return;
    const kk = KK_NOTE.exec(text);
    const ru = kk === null ? RU_NOTE.exec(text) : null;
    const parts =
      kk !== null
        ? {
            summary: kk[1] as string,
            issuer: kk[2] as string,
            day: kk[3] as string,
            month: Number(kk[4]),
            year: kk[5] as string,
            number: kk[6] as string,
          }
        : ru !== null
          ? {
              summary: ru[1] as string,
              issuer: ru[3] as string,
              day: ru[4] as string,
              month: Number(ru[5]),
              year: ru[6] as string,
              number: ru[7] as string,
            }
          : undefined;
    if (parts === undefined) {
      if (REPEAL_WORDS.test(text) || /өзгеріс|редакция|изменени|дополнени/i.test(text)) {
        diagnostics.warning(
          'note_unparsed',
          `the note "${text.slice(0, 120)}" names a change but not an act Merzim can read`,
          { line: i + 1 },
        );
      }
      return;
    }
    const date = dateOf(parts.year, parts.month, parts.day);
    if (date === undefined) {
      diagnostics.error(
        'impossible_date',
        `the note names an act of ${parts.day}.${parts.month}.${parts.year}, which is not a date`,
        { line: i + 1, field: 'amendments' },
      );
      return;
    }
    const act: ActRef = { issuer: issuerOf(parts.issuer), number: parts.number, date };
    const summary = parts.summary.replace(/[\s,.;-]+$/, '').trim();
    if (REPEAL_WORDS.test(summary) || REPEAL_WORDS.test(text.slice(0, 40))) {
      repeal = { date, act };
      return;
    }
    const key = `${act.issuer}|${act.number}|${act.date}`;
    const entry = byAct.get(key) ?? { act, summaries: [] };
    if (summary !== '' && !entry.summaries.includes(summary)) entry.summaries.push(summary);
    byAct.set(key, entry);
  });
  const amendments = [...byAct.values()].map(({ act, summaries }) => ({ act, summary: summaries.join('; ') }));
  return { amendments, repeal };
}

const APPROVAL_BLOCK = /бекітілген|БЕКІТІЛГЕН|утвержд[её]н|УТВЕРЖД/u;

/**
 * The plan's own title: the lines just above the table's header (skipping notes). When that is the
 * approval block or nothing, the decree's first line stands in for it, which an info says.
 */
export function findTitle(
  lines: readonly string[],
  headerStart: number,
  diagnostics: Diagnostics,
): { text: string; line: number } | undefined {
  let i = headerStart - 1;
  while (i >= 0) {
    const text = cellText(lines[i] as string);
    if (text === '' || /^(?:Ескерту|Ескертпе|Сноска)\./i.test(text)) {
      i--;
      continue;
    }
    break;
  }
  const block: string[] = [];
  let top = i;
  while (top >= 0 && cellText(lines[top] as string) !== '' && block.length < 6) {
    block.unshift(cellText(lines[top] as string));
    top--;
  }
  const candidate = block.join(' ');
  if (candidate !== '' && !APPROVAL_BLOCK.test(candidate) && candidate.length < 1000)
    return { text: candidate, line: top + 2 };
  for (let k = 0; k < headerStart; k++) {
    const first = cellText(lines[k] as string);
    if (first !== '') {
      diagnostics.info('title_from_decree', "no title above the table: the decree's own title is used", {
        line: k + 1,
        field: 'title',
      });
      return { text: first, line: k + 1 };
    }
  }
  return undefined;
}

/** The plan's years from a title: "2017 – 2020 жылдарға арналған", "на 2019-2023 годы". */
export function yearsOf(title: string): { from: number; to: number } | undefined {
  const m = /((?:19|20)\d{2})\s*(?:ж\.?\s*)?-\s*((?:19|20)\d{2})\s*(?:жылдар|жж|годы|годов|гг|years)/iu.exec(
    normalizeDashes(title),
  );
  if (m === null) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return from <= to ? { from, to } : undefined;
}

// The decree's reporting instruction: "… министрлігіне … ақпарат берсін", "… представлять в Министерство … информацию".
const REPORT_SENTENCE =
  /ақпарат\s+(?:берсін|ұсынсын|жіберсін|береді|ұсынады)|(?:представ|направл|предоставл)\p{L}*\s[^.]*информаци|информаци\p{L}*\s[^.]*(?:представ|направл|предоставл)/iu;

function nameStems(name: string): RegExp | undefined {
  const words = agencyNameKey(name)
    .split(' ')
    .filter((w) => w !== '');
  if (words.length < 2) return undefined;
  // Kazakh and Russian inflect the last word ("министрлігіне", "Министерство" → "Министерству"); the others stay as they are.
  const pattern = words
    .map((w, i) =>
      i === words.length - 1
        ? `${w.slice(0, Math.max(3, w.length - 3))}\\p{L}*`
        : w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('\\s+');
  return new RegExp(`(?<![\\p{L}])${pattern}`, 'iu');
}

const stemCache = new WeakMap<readonly Agency[], { agency: Agency; re: RegExp }[]>();

function stemsOf(directory: readonly Agency[]): { agency: Agency; re: RegExp }[] {
  let stems = stemCache.get(directory);
  if (stems === undefined) {
    stems = [];
    for (const agency of directory) {
      if (agency.kind === 'pm_office' || agency.kind === 'presidential_administration') continue;
      for (const name of [agency.name.kk, agency.name.ru]) {
        const re = name === null ? undefined : nameStems(name);
        if (re !== undefined) stems.push({ agency, re });
      }
    }
    stemCache.set(directory, stems);
  }
  return stems;
}

/** The first body of the directory that `text` names in full ("Қазақстан Республикасы Ұлттық экономика министрлігіне"), or undefined. */
export function findNamedAgency(text: string, directory: readonly Agency[]): Agency | undefined {
  const named = agencyNameKey(normalizeDashes(cellText(text)));
  let best: { agency: Agency; at: number } | undefined;
  for (const { agency, re } of stemsOf(directory)) {
    const m = re.exec(named);
    if (m !== null && (best === undefined || m.index < best.at)) best = { agency, at: m.index };
  }
  return best?.agency;
}

/**
 * The coordinator: the body the decree's first reporting instruction sends the executors' reports
 * to. Only a body of the directory named in full counts; anything less is left to a human.
 */
export function findCoordinator(
  lines: readonly string[],
  to: number,
  directory: readonly Agency[],
): { code: string; line: number } | undefined {
  for (let i = 0; i < to; i++) {
    const raw = lines[i] as string;
    // A cheap look for the words before the costly sentence pattern.
    if (!/ақпарат|нформаци/i.test(raw)) continue;
    const text = normalizeDashes(cellText(raw));
    if (!REPORT_SENTENCE.test(text)) continue;
    const named = agencyNameKey(text);
    let best: { code: string; at: number } | undefined;
    for (const { agency, re } of stemsOf(directory)) {
      const m = re.exec(named);
      if (m !== null && (best === undefined || m.index < best.at)) best = { code: agency.code, at: m.index };
    }
    if (best !== undefined) return { code: best.code, line: i + 1 };
  }
  return undefined;
}

/**
 * The reporting policy the decree sets. Decree 580's points — executors yearly by the 10th of the
 * month after the year, the summary by 25 February, the PM Office by 15 March — give
 * ANNUAL_CASCADE_580; "by 10 January and 10 July" gives the semi-annual policy; anything else
 * falls back to the annual cascade, which an info says.
 */
export function findPolicy(lines: readonly string[], to: number, diagnostics: Diagnostics): ReportingPolicy {
  const text = joinLines(lines, 0, to);
  const executors =
    /(?:жылына\s+бір\s+рет[^.]*?айдың\s+(\d{1,2})\s+күн\p{L}*\s+кешіктірмей|ежегодно[^.]*?не\s+позднее\s+(\d{1,2})(?:-го)?\s+числа\s+месяца,?\s+следующего\s+за\s+отч[её]тным\s+годом)/iu.exec(
      text.joined,
    );
  const summary = /(\d{1,2})\s+ақпаннан\s+кешіктірмей|не\s+позднее\s+(\d{1,2})\s+февраля/iu.exec(text.joined);
  const pmOffice = /(\d{1,2})\s+наурыздан\s+кешіктірмей|не\s+позднее\s+(\d{1,2})\s+марта/iu.exec(text.joined);
  const day = (m: RegExpExecArray | null): number | undefined => (m === null ? undefined : Number(m[1] ?? m[2]));
  const [first, second, third] = ANNUAL_CASCADE_580.stages.map((s) => s.deadline.day);
  if (day(executors) === first && day(summary) === second && day(pmOffice) === third && executors !== null) {
    diagnostics.info(
      'policy_from_decree',
      "reporting policy: the decree's annual cascade (executors by 10 January, summary by 25 February, PM Office by 15 March)",
      { line: lineAt(text, executors.index, 0), field: 'policy' },
    );
    return ANNUAL_CASCADE_580;
  }
  const semiannual =
    /(?:жарты\s*жыл\p{L}*|полугоди\p{L}*)[^.]*?(?:10\s+шілде|10\s+июля)|(?:10\s+шілде|10\s+июля)[^.]*?(?:жарты\s*жыл\p{L}*|полугоди\p{L}*)/iu.exec(
      text.joined,
    );
  if (semiannual !== null) {
    diagnostics.info(
      'policy_from_decree',
      'reporting policy: semi-annual (results of the half-year and the year, by 10 July and 10 January)',
      { line: lineAt(text, semiannual.index, 0), field: 'policy' },
    );
    return SEMIANNUAL_POLICY;
  }
  if (executors !== null || summary !== null || pmOffice !== null) {
    diagnostics.warning(
      'policy_unrecognised',
      'the decree sets reporting dates that match no standard policy: the annual cascade is used — review the policy',
      { field: 'policy' },
    );
  } else {
    diagnostics.info(
      'policy_default',
      'the text sets no reporting schedule: the annual cascade (10 January, 25 February, 15 March) is used — review the policy',
      { field: 'policy' },
    );
  }
  return ANNUAL_CASCADE_580;
}
