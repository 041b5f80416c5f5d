// Finding agencies in a directory the way plans print them: spacing noise, Latin look-alike letters, aliases, full names, dates of existence.
import type { IsoDate } from './dates.js';
import type { Agency, AgencyKind } from './plan.js';

// Latin letters that PDF and Word conversions put in place of the Cyrillic/Kazakh ones they resemble ("БFM" for БҒМ, "Д C M" for ДСМ).
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  A: 'А',
  B: 'В',
  C: 'С',
  E: 'Е',
  H: 'Н',
  K: 'К',
  M: 'М',
  O: 'О',
  P: 'Р',
  T: 'Т',
  X: 'Х',
  Y: 'У',
  F: 'Ғ',
  I: 'І',
};

/**
 * The comparison key of an agency code: upper case, without spaces, dots and quotes, Latin look-alikes
 * folded to Cyrillic, every dash a hyphen. "Б F M", "БFM" and "БҒМ" share the key "БҒМ".
 */
export function agencyKey(code: string): string {
  return code
    .normalize('NFC')
    .toUpperCase()
    .replace(/[\s.«»"“”„'‘’`]+/gu, '')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[A-Z]/g, (c) => LOOK_ALIKES[c] ?? c);
}

// Words every full name may or may not carry: "Қазақстан Республикасының Білім министрлігі" is "Білім министрлігі".
const STATE_WORDS =
  /қазақстан\s+республикасы(?:ның)?|республики\s+казахстан|республика\s+казахстан|(?<![\p{L}])(?:қр|рк)(?![\p{L}])/gu;

/** The comparison key of a full name: lower case, without the country, punctuation or quotes, single spaces. */
export function agencyNameKey(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(STATE_WORDS, ' ')
    .replace(/[^\p{L}\p{N}\s-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

interface DirectoryIndex {
  readonly byKey: ReadonlyMap<string, Agency>;
  readonly byName: ReadonlyMap<string, Agency>;
}

// Directories are immutable arrays, built once and looked up many times per import: index each once.
const indexes = new WeakMap<readonly Agency[], DirectoryIndex>();

function indexOf(directory: readonly Agency[]): DirectoryIndex {
  const cached = indexes.get(directory);
  if (cached !== undefined) return cached;
  const byKey = new Map<string, Agency>();
  const byName = new Map<string, Agency>();
  // Codes first, then aliases: an alias never shadows another agency's code.
  for (const agency of directory) if (!byKey.has(agencyKey(agency.code))) byKey.set(agencyKey(agency.code), agency);
  for (const agency of directory) {
    for (const alias of agency.aliases ?? []) if (!byKey.has(agencyKey(alias))) byKey.set(agencyKey(alias), agency);
    for (const name of [agency.name.kk, agency.name.ru]) {
      if (name !== null && !byName.has(agencyNameKey(name))) byName.set(agencyNameKey(name), agency);
    }
  }
  const index = { byKey, byName };
  indexes.set(directory, index);
  return index;
}

/** The agency a plan means by `code` (its code or an alias), tolerating spacing noise and Latin look-alikes; undefined when none. */
export function findAgency(code: string, directory: readonly Agency[]): Agency | undefined {
  const key = agencyKey(code);
  return key === '' ? undefined : indexOf(directory).byKey.get(key);
}

/** The agency whose full Kazakh or Russian name this is ("Қазақстан Республикасының Әділет министрлігі", "Әділет министрлігі"). */
export function findAgencyByName(name: string, directory: readonly Agency[]): Agency | undefined {
  const key = agencyNameKey(name);
  return key === '' ? undefined : indexOf(directory).byName.get(key);
}

/** Whether the body existed on `date`: created by then and not yet replaced by its successor. */
export function agencyExistsOn(agency: Agency, date: IsoDate): boolean {
  return (
    (agency.since === undefined || agency.since <= date) &&
    (agency.successor === undefined || date < agency.successor.date)
  );
}

/** Every agency of `kind` that existed on `date`, in directory order. */
export function agenciesOfKindOn(kind: AgencyKind, date: IsoDate, directory: readonly Agency[]): Agency[] {
  return directory.filter((agency) => agency.kind === kind && agencyExistsOn(agency, date));
}
