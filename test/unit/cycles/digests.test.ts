// E-mails per cycle before and after the daily digests, on the preview of decree 580's 2019 cycle (seed 000).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENCIES_SEED } from '../../../domain/agencies-seed.js';
import { KZ_WORKING_CALENDAR } from '../../../domain/calendar-seed-kz.js';
import { cycleSpecFromPlan } from '../../../domain/cycle-spec.js';
import { computeObligationTimeline, previewCycle } from '../../../domain/cycle-timeline.js';
import { stageChain } from '../../../domain/cycle-model.js';
import { emailsPerCycle } from '../../../domain/digests.js';
import { importPlan } from '../../../domain/import/index.js';

const seed = readFileSync(resolve(import.meta.dirname, '../../../../shared/seeds/000_154aa3237ae338bf.txt'), 'utf8');

describe('emailsPerCycle', () => {
  it("counts decree 580's 2019 cycle: one e-mail per notice against the PM Office's and the coordinator's digests", () => {
    const imported = importPlan({ format: 'adilet', text: seed }, { directory: AGENCIES_SEED }).plan!;
    // As the demo loads it (worker/demo.ts): "ПМ" read as the Interior Ministry, the bodies that are no agency left out.
    const plan = {
      ...imported,
      measures: imported.measures.map((m) => ({
        ...m,
        executors: m.executors
          .map((e) => (e.code === 'ПМ' ? { ...e, code: 'ІІМ' } : e))
          .filter((e) => AGENCIES_SEED.some((a) => a.code === e.code)),
      })),
    };
    const built = cycleSpecFromPlan({
      planId: 'p',
      plan,
      directory: AGENCIES_SEED,
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
    });
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const preview = previewCycle(built.spec, KZ_WORKING_CALENDAR);
    const count = emailsPerCycle(built.spec, preview, KZ_WORKING_CALENDAR);
    // The figures of docs/benchmarks.md ("E-mails per cycle"): recomputed here so they stay true.
    expect(count).toMatchInlineSnapshot(`
      {
        "coordinatorDigests": 27,
        "perNotice": 1487,
        "pmOfficeDigests": 10,
        "withDigests": 1363,
      }
    `);
    expect(count.withDigests).toBeLessThan(count.perNotice);
    // Before issue 16: the coordinator reporting to itself and the ladder read up to the Presidential Administration.
    const old = cycleSpecFromPlan({
      planId: 'p',
      plan,
      directory: AGENCIES_SEED,
      period: '2019',
      calendar: KZ_WORKING_CALENDAR,
      coordinatorReportsToItself: true,
    });
    if (!old.ok) throw new Error(JSON.stringify(old.errors));
    const chain = {
      coordinator: old.spec.coordinator,
      pmOffice: old.spec.pmOffice,
      presidentialAdministration: old.spec.presidentialAdministration,
    };
    const items = old.spec.stages.flatMap((stage) =>
      stage.parties.flatMap(
        (party) =>
          computeObligationTimeline(
            {
              stage: { id: stage.id, from: stage.from, to: stage.to },
              party,
              chain: stageChain(chain, stage),
              dueDate: stage.dueDate,
              shift: old.spec.shift,
              reminders: old.spec.reminders,
              escalation: old.spec.escalation,
            },
            KZ_WORKING_CALENDAR,
          ).items,
      ),
    );
    expect({
      timelineItems: items.length,
      escalations: items.filter((i) => i.kind === 'escalation').length,
      emails: items.filter((i) => i.kind !== 'deadline').length,
      toPresidentialAdministration: items.filter(
        (i) => i.kind === 'escalation' && i.agencyCode === old.spec.presidentialAdministration.agencyCode,
      ).length,
    }).toMatchInlineSnapshot(`
      {
        "emails": 1511,
        "escalations": 666,
        "timelineItems": 1680,
        "toPresidentialAdministration": 3,
      }
    `);
  });
});
