// Measure texts kept once per cycle (domain/cycle-texts.ts): separated from a spec and put back losslessly, keyed by hash.
import { describe, expect, it } from 'vitest';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { CycleState } from '../../../workflows/cycle-state.js';
import {
  CYCLE_SPEC_TEXTS_VERSION,
  compactAmendment,
  cycleTextsHash,
  parseCycleTexts,
  separateCycleTexts,
  specWithTitles,
  withTitles,
} from '../../../domain/cycle-texts.js';
import { validateCycleSpec } from '../../../domain/cycle-validation.js';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { syntheticAgencies, syntheticPlan } from '../../fixtures/synthetic-plan.js';
import { smallPlanSpec } from '../../fixtures/small-plan.js';

describe('separateCycleTexts', () => {
  const full = smallPlanSpec({ planId: 'p', year: 2026, stages: 'cascade' });

  it('leaves every title out of the parties, keeps each once in the texts, and puts them all back', () => {
    const { spec, texts, hash } = separateCycleTexts(full);
    expect(spec.version).toBe(CYCLE_SPEC_TEXTS_VERSION);
    expect(spec.texts).toEqual({ hash });
    expect(hash).toBe(cycleTextsHash(texts));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const parties = [
      spec.coordinator,
      spec.pmOffice,
      spec.presidentialAdministration,
      ...spec.stages.flatMap((s) => s.parties),
    ];
    // The small plan's PM Office owes a measure "1" of its own title (a number another measure has): that title stays inline.
    expect(parties.flatMap((p) => p.measures.filter((m) => m.title !== undefined).map(() => p.agencyCode))).toEqual([
      'ПМК',
      'ПМК',
    ]);
    expect(validateCycleSpec(spec)).toEqual([]);
    const back = specWithTitles(spec, texts);
    expect({ ...back, version: full.version, texts: undefined }).toEqual({ ...full, texts: undefined });
  });

  it('gives the same hash for the same titles, whatever the order they were met in', () => {
    const a = separateCycleTexts(full);
    const b = separateCycleTexts({ ...full, stages: [...full.stages].reverse() });
    expect(b.hash).toBe(a.hash);
  });

  it('refuses a spec without titles that names no texts, and a texts hash that is not one', () => {
    const { spec } = separateCycleTexts(full);
    const { texts: _, ...withoutHash } = spec;
    expect(validateCycleSpec(withoutHash).some((p) => p.includes('.title: needs both kk and ru'))).toBe(true);
    expect(validateCycleSpec({ ...spec, texts: { hash: 'x' } })).toContain(
      'texts.hash: must be the SHA-256 (hex) of the cycle_texts row',
    );
  });

  it('reads a title left out as its number when the texts lack it, never as nothing', () => {
    const party = { ...full.stages[0]!.parties[0]!, measures: [{ number: '9.' }] };
    expect(withTitles(party, { measures: {} }).measures).toEqual([{ number: '9.', title: { kk: '9.', ru: '9.' } }]);
  });

  it('reads back only texts of the right shape', () => {
    expect(parseCycleTexts({ measures: { '1': { kk: 'а', ru: 'б' } } })).toEqual({
      measures: { '1': { kk: 'а', ru: 'б' } },
    });
    expect(parseCycleTexts({ measures: { '1': { kk: 'а' } } })).toBeUndefined();
    expect(parseCycleTexts(null)).toBeUndefined();
  });

  it('shrinks a 300-measure, 200-agency spec of seed 000 density from over 4 MB to under 256 KB', () => {
    const agencies = syntheticAgencies(200);
    const built = cycleSpecFromPlan({
      planId: 'p',
      plan: syntheticPlan({ measures: 300, agencies, years: { from: 2019, to: 2020 } }),
      directory: [...AGENCIES_SEED, ...agencies],
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');
    expect(bytes(built.spec)).toBeGreaterThan(4_000_000);
    expect(bytes(separateCycleTexts(built.spec).spec)).toBeLessThan(256 * 1024);
  });

  it("takes an amendment's party without the titles the running cycle's texts hold, and only such a cycle does", () => {
    const { spec, texts } = separateCycleTexts(full);
    const party = { ...full.stages[0]!.parties[0]!, agencyCode: 'NEW' };
    const amendment = compactAmendment(
      { kind: 'addParty', amendmentId: 'a1', actor: 't', stageId: spec.stages[0]!.id, party },
      texts,
    );
    expect(amendment.kind === 'addParty' && amendment.party.measures.every((m) => m.title === undefined)).toBe(true);
    expect(new CycleState(spec, 'cycle:p:2026', 'run').amend(amendment).note).toBeNull();
    // A cycle opened with titles inline still wants them.
    expect(new CycleState(full, 'cycle:p:2026', 'run').amend(amendment).note).toMatch(/title: needs both kk and ru/);
  });
});
