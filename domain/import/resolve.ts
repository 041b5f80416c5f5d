// Resolving the agency a plan names — its own glossary first, then the directory by code, alias and full name — without ever guessing.
import { agencyKey, findAgency, findAgencyByName } from '../agencies.js';
import type { Agency } from '../plan.js';
import type { GlossaryEntry } from './glossary.js';
import type { Diagnostics } from './result.js';

export interface Resolved {
  /** The directory's code, or the glossary's code for a body the directory does not know. */
  readonly code: string;
  /** The directory entry, when there is one. */
  readonly agency?: Agency;
}

export interface Resolver {
  /** The agency `text` names (a code, an alias, a glossary code or a full name), or null. */
  resolve(text: string): Resolved | null;
  readonly directory: readonly Agency[];
}

/**
 * Builds the resolver of one plan. Each glossary entry is matched to the directory once, by its
 * full name and then by its code; an entry the directory does not know stays a plan-local body
 * (info), one whose code the directory uses for a differently named body is reported (warning),
 * and entries that are not bodies at all (budgets, mass media) resolve to nothing.
 */
export function createResolver(
  directory: readonly Agency[],
  glossary: readonly GlossaryEntry[],
  diagnostics: Diagnostics,
): Resolver {
  const local = new Map<string, Resolved>();
  for (const entry of glossary) {
    const key = agencyKey(entry.code);
    if (local.has(key) || isNonAgencyTerm(entry.name)) continue;
    const byName = findAgencyByName(entry.name, directory);
    const byCode = findAgency(entry.code, directory);
    if (byName !== undefined) {
      local.set(key, { code: byName.code, agency: byName });
    } else if (byCode !== undefined) {
      local.set(key, { code: byCode.code, agency: byCode });
      diagnostics.warning(
        'glossary_name_mismatch',
        `the plan's glossary defines ${entry.code} as "${entry.name}", the directory knows ${byCode.code} as "${byCode.name.kk ?? byCode.name.ru ?? ''}": check that they are the same body`,
        { line: entry.line },
      );
    } else {
      local.set(key, { code: entry.code });
      diagnostics.info(
        'agency_not_in_directory',
        `${entry.code} ("${entry.name}") is defined by the plan's glossary but not in the agencies directory: it will be added from the glossary`,
        { line: entry.line },
      );
    }
  }
  // A plan names the same few dozen bodies in every row: remember each text once.
  const seen = new Map<string, Resolved | null>();
  const lookUp = (text: string): Resolved | null => {
    const key = agencyKey(text);
    if (key === '') return null;
    const fromGlossary = local.get(key);
    if (fromGlossary !== undefined) return fromGlossary;
    const agency = findAgency(text, directory) ?? findAgencyByName(text, directory);
    return agency === undefined ? null : { code: agency.code, agency };
  };
  return {
    directory,
    resolve(text: string): Resolved | null {
      let resolved = seen.get(text);
      if (resolved === undefined) {
        resolved = lookUp(text);
        seen.set(text, resolved);
      }
      return resolved;
    },
  };
}

// Glossary entries that name money, media or a group rather than one body that could report ("РБ – республикалық бюджет",
// "БАҚ – бұқаралық ақпарат құралдары", "МИО – местные исполнительные органы": groups are expanded, see groups.ts).
function isNonAgencyTerm(name: string): boolean {
  return /бюджет|бұқаралық\s+ақпарат|средства\s+массовой|ақпараттық\s+жүйе|дерекқор|база\s+данных|местные\s+исполнительные\s+органы|жергілікті\s+атқарушы\s+органдар/i.test(
    name,
  );
}
