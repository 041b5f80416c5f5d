// How many e-mails a cycle sends if nobody reports, one e-mail per notice or with the daily digests: pure, from its preview.
import type { WorkingCalendar } from './calendar.js';
import type { CycleSpec } from './cycle-model.js';
import type { CyclePreview } from './cycle-timeline.js';
import type { IsoDate } from './dates.js';

export interface EmailCount {
  /** One e-mail per reminder and per escalation notice. */
  readonly perNotice: number;
  /** Escalations to the PM Office from below in its daily digest, one coordinator digest a day with anything to tell. */
  readonly withDigests: number;
  readonly pmOfficeDigests: number;
  readonly coordinatorDigests: number;
}

/** The working day whose digest an item falls in: its own day, or the next working day after a day off. */
function digestDay(date: IsoDate, calendar: WorkingCalendar): IsoDate {
  return calendar.shift(date, 'next');
}

/** E-mails of a cycle if nobody reported (its preview), without and with the daily digests (workflows DIGESTS_PATCH). */
export function emailsPerCycle(spec: CycleSpec, preview: CyclePreview, calendar: WorkingCalendar): EmailCount {
  const pm = spec.pmOffice.agencyCode;
  const fromPmOffice = new Set(spec.stages.filter((s) => s.from === 'pm_office').map((s) => s.id));
  let perNotice = 0;
  let individual = 0;
  const pmDays = new Set<IsoDate>();
  const coordinatorDays = new Set<IsoDate>();
  for (const item of preview.timeline) {
    if (item.kind === 'deadline') {
      coordinatorDays.add(digestDay(item.date, calendar));
      continue;
    }
    perNotice++;
    if (item.kind === 'escalation') {
      if (item.audience !== 'party') coordinatorDays.add(digestDay(item.date, calendar));
      if (item.agencyCode === pm && !fromPmOffice.has(item.stageId)) {
        pmDays.add(digestDay(item.date, calendar));
        continue;
      }
    }
    individual++;
  }
  return {
    perNotice,
    withDigests: individual + pmDays.size + coordinatorDays.size,
    pmOfficeDigests: pmDays.size,
    coordinatorDigests: coordinatorDays.size,
  };
}
