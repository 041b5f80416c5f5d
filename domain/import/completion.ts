// The "Аяқталу нысаны" cell names who receives a measure's report: "АҚДМ-ға ақпарат", "Президент Әкімшілігіне ақпарат", "информация в Правительство".
import type { Recipient } from '../plan.js';
import type { Resolver } from './resolve.js';
import { cellText, normalizeDashes } from './text.js';

export type RecipientReading =
  | { readonly kind: 'none' }
  | { readonly kind: 'recipient'; readonly recipient: Recipient }
  /** A code that would receive the report but names no known agency. */
  | { readonly kind: 'unknown'; readonly code: string };

const NONE: RecipientReading = { kind: 'none' };

// What is sent: information, proposals, a report, the consolidated summary.
const INFO = '(?:жиынтық\\s+)?(?:ақпарат|ұсыныс|баяндама|есеп|информаци|предложени|доклад|отч[её]т|сводн)';
const KK_DATIVE = '(?:ға|ге|қа|ке|на|не|а|е)';

const PRESIDENTIAL_ADMINISTRATION = new RegExp(
  `Президент(?:інің)?\\s+Әкімшілігі(?:не)|(?:^|\\s)ПӘ\\s*-\\s*не|(?:^|\\s)ПӘ\\s+${INFO}|${INFO}\\p{L}*\\s+в\\s+(?:Администрацию\\s+Президента|АП(?![\\p{L}]))|Администрации\\s+Президента`,
  'iu',
);
const PM_OFFICE = new RegExp(
  `Премьер-Министр(?:дің|інің)?\\s+(?:Кеңсесі|Кеңесі)не|(?:^|\\s)ПМК\\s*-\\s*${KK_DATIVE}|(?:^|\\s)ПМК\\s+${INFO}|${INFO}\\p{L}*\\s+в\\s+(?:Канцелярию\\s+Премьер-Министра|КПМ(?![\\p{L}]))|Канцелярии\\s+Премьер-Министра`,
  'iu',
);
const GOVERNMENT = new RegExp(
  `(?:^|\\s)Үкіметке(?![\\p{L}])|${INFO}\\p{L}*\\s+в\\s+Правительство|Правительству(?![\\p{L}])`,
  'iu',
);
// A code with a dative ending ("АҚДМ-ға", "БҒМ - ға") or followed by what is sent ("БҒМ ақпарат"); Russian "информация в МИОР".
const CODE = '([\\p{Lu}][\\p{Lu}\\p{N}]{1,9})';
const KK_CODE_DATIVE = new RegExp(`(?:^|[\\s,(])${CODE}\\s*-\\s*${KK_DATIVE}(?![\\p{L}])`, 'u');
const KK_CODE_INFO = new RegExp(`(?:^|[\\s,(])${CODE}\\s+${INFO}`, 'u');
const RU_CODE = new RegExp(`${INFO}\\p{L}*\\s+в\\s+${CODE}(?![\\p{L}])`, 'iu');

// Mass media receive publications, not reports: "БАҚ-қа ақпарат" names no recipient.
const MEDIA = /^(?:БАҚ|СМИ)$/u;

/**
 * Who receives the report a completion form names. A role of the chain (Presidential
 * Administration, PM Office, Government) or an agency; 'none' when the form names an outcome
 * ("заң жобасы", "ДСМ бұйрығы") or the media; 'unknown' when a code would receive it but resolves
 * to nothing — never a guess.
 */
export function readRecipient(cell: string, resolver: Resolver): RecipientReading {
  const text = normalizeDashes(cellText(cell));
  if (text === '') return NONE;
  if (PRESIDENTIAL_ADMINISTRATION.test(text))
    return { kind: 'recipient', recipient: { role: 'presidential_administration' } };
  if (PM_OFFICE.test(text)) return { kind: 'recipient', recipient: { role: 'pm_office' } };
  if (GOVERNMENT.test(text)) return { kind: 'recipient', recipient: { role: 'government' } };
  const code = (KK_CODE_DATIVE.exec(text) ?? KK_CODE_INFO.exec(text) ?? RU_CODE.exec(text))?.[1];
  if (code === undefined || MEDIA.test(code)) return NONE;
  const resolved = resolver.resolve(code);
  if (resolved === null) return { kind: 'unknown', code };
  switch (resolved.agency?.kind) {
    case 'presidential_administration':
      return { kind: 'recipient', recipient: { role: 'presidential_administration' } };
    case 'pm_office':
      return { kind: 'recipient', recipient: { role: 'pm_office' } };
    default:
      return { kind: 'recipient', recipient: { agency: resolved.code } };
  }
}
