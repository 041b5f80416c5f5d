// Payload sizes of a cycle before and after its measure texts left history (issue 15, point 7): the spec (buildCycleSpec's
// result and the cycle's input) and the largest obligation input, full (titles per party) and by hash (spec version 3),
// for seed 000 (decree 580, 2019) and a synthetic 300-measure, 200-agency plan of seed 000's density. Prints JSON.
import { readFileSync } from 'node:fs';
import { AGENCIES_SEED } from '../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';
import type { CycleSpec, PartySpec } from '../../domain/cycle-model.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { separateCycleTexts } from '../../domain/cycle-texts.js';
import { importPlan } from '../../domain/import/index.js';
import type { Agency, Plan } from '../../domain/plan.js';
import { syntheticAgencies, syntheticPlan } from '../fixtures/synthetic-plan.js';

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** The obligation input the cycle builds for a party (chain members without measures, as batched cycles send them). */
function obligationInputBytes(spec: CycleSpec, party: PartySpec): number {
  const member = (p: PartySpec): PartySpec => ({ ...p, measures: [] });
  return bytes({
    planId: spec.planId,
    planTitle: spec.planTitle,
    period: spec.period,
    policyId: spec.policyId,
    stage: { id: 'executors', from: 'executors', to: 'coordinator' },
    party,
    dueDate: spec.stages[0]!.dueDate,
    shift: spec.shift,
    reminders: spec.reminders,
    escalation: spec.escalation,
    chain: {
      coordinator: member(spec.coordinator),
      pmOffice: member(spec.pmOffice),
      presidentialAdministration: member(spec.presidentialAdministration),
    },
    ...(spec.texts === undefined ? {} : { texts: spec.texts.hash }),
  });
}

function figures(name: string, plan: Plan, directory: readonly Agency[], period: string) {
  const built = cycleSpecFromPlan({ planId: 'p', plan, directory, period, calendar: KZ_WORKING_CALENDAR });
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  const full = built.spec;
  const { spec, texts } = separateCycleTexts(full);
  const largest = (s: CycleSpec) =>
    Math.max(...s.stages.flatMap((st) => st.parties.map((p) => obligationInputBytes(s, p))));
  return {
    plan: name,
    measures: plan.measures.length,
    obligations: full.stages.reduce((n, s) => n + s.parties.length, 0),
    specBytes: { before: bytes(full), after: bytes(spec) },
    largestObligationInputBytes: { before: largest(full), after: largest(spec) },
    cycleTextsRowBytes: bytes(texts),
  };
}

const seed = readFileSync(new URL('../../../shared/seeds/000_154aa3237ae338bf.txt', import.meta.url), 'utf8');
const imported = importPlan({ format: 'adilet', text: seed }, { directory: AGENCIES_SEED }).plan!;
// As the demo loads it (worker/demo.ts): "ПМ" read as the Interior Ministry, the bodies that are no agency left out.
const seed000 = {
  ...imported,
  measures: imported.measures.map((m) => ({
    ...m,
    executors: m.executors
      .map((e) => (e.code === 'ПМ' ? { ...e, code: 'ІІМ' } : e))
      .filter((e) => AGENCIES_SEED.some((a) => a.code === e.code)),
  })),
};
const agencies = syntheticAgencies(200);
const synthetic = syntheticPlan({ measures: 300, agencies, years: { from: 2019, to: 2020 } });
console.log(
  JSON.stringify(
    {
      bench: 'payloads',
      limitBytes: 256 * 1024,
      results: [
        figures('seed 000 (2019)', seed000, AGENCIES_SEED, '2019'),
        figures('synthetic 300 measures x 200 agencies', synthetic, [...AGENCIES_SEED, ...agencies], '2019'),
      ],
    },
    null,
    2,
  ),
);
