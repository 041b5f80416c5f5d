// A cycle's measure texts kept once, out of Temporal's history: a spec of CYCLE_SPEC_TEXTS_VERSION names each measure by
// number only and references its bilingual titles by the SHA-256 of one immutable `cycle_texts` row, so no workflow input,
// activity input or signal repeats a title for every party that owes the measure. Pure: no I/O.
import { canonicalJson } from './report.js';
import { sha256Hex } from './sha256.js';
import type { BilingualText, CycleSpec, PartySpec, PlanAmendment, StageSpec } from './cycle-model.js';

/**
 * The spec version whose parties carry measure numbers only, their titles in the `cycle_texts` row `texts.hash`
 * (CycleSpec.texts). Built by the opener since patch CYCLE_TEXTS_PATCH; cycleSpecFromPlan still builds full (CYCLE_SPEC_VERSION) specs.
 */
export const CYCLE_SPEC_TEXTS_VERSION = 4;

/** What one `cycle_texts` row holds: each measure's bilingual title by its number. */
export interface CycleTexts {
  readonly measures: Readonly<Record<string, BilingualText>>;
}

const HASH = /^[0-9a-f]{64}$/;

export function isTextsHash(value: unknown): value is string {
  return typeof value === 'string' && HASH.test(value);
}

/** SHA-256 (hex) of the texts' canonical JSON: the same titles always give the same key. */
export function cycleTextsHash(texts: CycleTexts): string {
  return sha256Hex(canonicalJson(texts));
}

function parties(spec: CycleSpec): PartySpec[] {
  return [
    spec.coordinator,
    spec.pmOffice,
    spec.presidentialAdministration,
    ...spec.stages.flatMap((s) => [...s.parties, ...(s.recipient === undefined ? [] : [s.recipient])]),
  ];
}

function mapParties(
  spec: CycleSpec,
  f: (p: PartySpec) => PartySpec,
): Omit<CycleSpec, 'stages'> & { stages: StageSpec[] } {
  return {
    ...spec,
    coordinator: f(spec.coordinator),
    pmOffice: f(spec.pmOffice),
    presidentialAdministration: f(spec.presidentialAdministration),
    stages: spec.stages.map((s) => ({
      ...s,
      parties: s.parties.map(f),
      ...(s.recipient === undefined ? {} : { recipient: f(s.recipient) }),
    })),
  };
}

/**
 * Splits a full spec into its texts and a spec that references them: every title the texts hold is left out of the parties
 * (a number two measures share with different titles, which a plan should not have, keeps its title inline where it differs).
 */
export function separateCycleTexts(full: CycleSpec): { spec: CycleSpec; texts: CycleTexts; hash: string } {
  const measures: Record<string, BilingualText> = {};
  for (const p of parties(full))
    for (const m of p.measures) if (m.title !== undefined && !(m.number in measures)) measures[m.number] = m.title;
  const texts: CycleTexts = { measures };
  const hash = cycleTextsHash(texts);
  const spec: CycleSpec = {
    ...mapParties(full, (p) => compactParty(p, texts)),
    version: CYCLE_SPEC_TEXTS_VERSION,
    texts: { hash },
  };
  return { spec, texts, hash };
}

/** A party whose titles the texts hold, without them (the titles that differ from the texts stay). */
export function compactParty(party: PartySpec, texts: CycleTexts): PartySpec {
  return {
    ...party,
    measures: party.measures.map((m) => {
      const known = texts.measures[m.number];
      return m.title !== undefined && known !== undefined && known.kk === m.title.kk && known.ru === m.title.ru
        ? { number: m.number }
        : m;
    }),
  };
}

/** A party with every title: its own where it carries one, else the texts' (else the number itself, never nothing). */
export function withTitles(party: PartySpec, texts: CycleTexts | undefined): PartySpec {
  if (party.measures.every((m) => m.title !== undefined)) return party;
  return {
    ...party,
    measures: party.measures.map((m) =>
      m.title !== undefined
        ? m
        : { number: m.number, title: texts?.measures[m.number] ?? { kk: m.number, ru: m.number } },
    ),
  };
}

/** The full spec again (what the read model stores and the pages read): every party with its titles. */
export function specWithTitles(spec: CycleSpec, texts: CycleTexts | undefined): CycleSpec {
  return mapParties(spec, (p) => withTitles(p, texts));
}

/** Whether some party of the spec leaves a title to the texts. */
export function needsTexts(party: PartySpec): boolean {
  return party.measures.some((m) => m.title === undefined);
}

/** The texts as a `cycle_texts` row stores them, checked when read back (JSON from PostgreSQL is not trusted blindly). */
export function parseCycleTexts(value: unknown): CycleTexts | undefined {
  const measures = (value as { measures?: unknown } | null)?.measures;
  if (typeof measures !== 'object' || measures === null || Array.isArray(measures)) return undefined;
  for (const t of Object.values(measures as Record<string, unknown>)) {
    const b = t as { kk?: unknown; ru?: unknown } | null;
    if (typeof b !== 'object' || b === null || typeof b.kk !== 'string' || typeof b.ru !== 'string') return undefined;
  }
  return { measures: measures as Record<string, BilingualText> };
}

/**
 * An amendment to a running cycle of version 4 without the titles that cycle's texts already hold: an added party, a
 * successor, or a successor coordinator (who owes every measure) would otherwise carry them into the cycle's history, and on
 * into an obligation's input or every re-addressed obligation's signal. Titles the amended plan changed stay inline.
 */
export function compactAmendment(a: PlanAmendment, texts: CycleTexts): PlanAmendment {
  switch (a.kind) {
    case 'addParty':
      return { ...a, party: compactParty(a.party, texts) };
    case 'replaceParty':
    case 'replaceCoordinator':
      return { ...a, successor: compactParty(a.successor, texts) };
    default:
      return a;
  }
}
