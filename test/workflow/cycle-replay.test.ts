// Replays the committed histories of reporting cycles against the current workflow code: a change that would break running cycles fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import { OBLIGATION_LOCAL_ACTIVITIES_PATCH, REVIEW_MAIL_PATCH } from '../../workflows/obligation.js';
import { CYCLE_BATCHED_OPEN_PATCH, STAGE_RECIPIENT_PATCH } from '../../workflows/reporting-cycle.js';
import {
  BATCHED_REMINDERS_PATCH,
  DIGESTS_PATCH,
  LADDER_TOP_PATCH,
  OPENING_MODES_PATCH,
  CYCLE_TEXTS_PATCH,
  CYCLE_CONTINUE_AS_NEW_PATCH,
  CYCLE_OPENS_OBLIGATIONS_PATCH,
  CYCLE_PATCHES_FIRST_PATCH,
  DIGEST_TIMER_PATCH,
  OBLIGATION_PATCHES_FIRST_PATCH,
  READDRESS_PATCH,
  REMINDER_TIMER_PATCH,
  STATUS_ATTRIBUTE_PATCH,
} from '../../workflows/shared.js';
import { historyFromObject, quietLogger } from '../fixtures/cycle-fixtures.js';

/** Recorded by the cycle tests with MERZIM_RECORD_HISTORIES=test/replay/histories (then review and commit them). */
const HISTORIES = fileURLToPath(new URL('../replay/histories/', import.meta.url));

let bundle: WorkflowBundleWithSourceMap;

function load(file: string): { workflowId: string; history: ReturnType<typeof historyFromObject> } {
  const { workflowId, history } = JSON.parse(readFileSync(`${HISTORIES}${file}`, 'utf8')) as {
    workflowId: string;
    history: unknown;
  };
  return { workflowId, history: historyFromObject(history) };
}

/** The ids of the patches a history's markers record, in order. */
function patches(file: string): string[] {
  return load(file)
    .history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map(
      (e) =>
        (
          JSON.parse(
            Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString(),
          ) as { id: string }
        ).id,
    );
}

/** Every search attribute the run upserted itself (not those it was started with), in order. */
function upsertedKeys(file: string): string[] {
  return load(file).history.events!.flatMap((e) =>
    Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
  );
}

beforeAll(async () => {
  quietTemporalRuntime('ERROR');
  bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
});

describe('replay of committed histories', () => {
  it('replays every recorded cycle and obligation without a determinism violation', async () => {
    const files = readdirSync(HISTORIES)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(139);
    const results: ReplayResult[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, files.map(load)))
      results.push(result);
    expect(results.map((r) => r.workflowId).sort()).toEqual(files.map((f) => load(f).workflowId).sort());
    expect(results.filter((r) => r.error !== undefined).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
  });

  it('marks each patch where it belongs: the older histories take the old paths, the newer ones the batched, local ones', () => {
    const files = readdirSync(HISTORIES)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const renamed = files.filter((f) => f.startsWith('status-attribute.'));
    const reviewMail = files.filter((f) => f.startsWith('review-mail.'));
    const laddered = files.filter((f) => f.startsWith('ladder-top.'));
    const opened = files.filter((f) => f.startsWith('opening-'));
    const digested = files.filter((f) => f.startsWith('digests.'));
    const readdressed = files.filter((f) => f.startsWith('readdress.'));
    const textsByHash = files.filter((f) => f.startsWith('texts-by-hash.'));
    const batchedReminders = files.filter((f) => f.startsWith('batched-reminders.'));
    const continued = files.filter((f) => f.startsWith('continue-as-new.'));
    const opensObligations = files.filter((f) => f.startsWith('opens-obligations.'));
    const older = files.filter(
      (f) =>
        !f.startsWith('batched-local.') &&
        !f.startsWith('status-attribute.') &&
        !f.startsWith('review-mail.') &&
        !f.startsWith('ladder-top.') &&
        !f.startsWith('opening-') &&
        !f.startsWith('digests.') &&
        !f.startsWith('readdress.') &&
        !f.startsWith('texts-by-hash.') &&
        !f.startsWith('batched-reminders.') &&
        !f.startsWith('continue-as-new.') &&
        !f.startsWith('opens-obligations.') &&
        !f.startsWith('patches-first.'),
    );
    const newer = files.filter((f) => f.startsWith('batched-local.'));
    expect(newer.length).toBeGreaterThanOrEqual(30);
    // Recorded before the batched opening and local activities: only the measure stage's cycle carries a patch.
    expect(older.filter((f) => patches(f).length > 0)).toEqual(['measure-stage.cycle.json']);
    expect(patches('measure-stage.cycle.json')).toEqual([STAGE_RECIPIENT_PATCH]);
    // Recorded since: every cycle opened in batches, every obligation ran its activities locally.
    for (const f of newer.filter((n) => n.endsWith('.cycle.json'))) {
      expect(patches(f)).toEqual(
        f === 'batched-local.measure-stage.cycle.json'
          ? [CYCLE_BATCHED_OPEN_PATCH, STAGE_RECIPIENT_PATCH]
          : [CYCLE_BATCHED_OPEN_PATCH],
      );
    }
    for (const f of newer.filter((n) => n.includes('.obligation-')))
      expect(patches(f)).toEqual([OBLIGATION_LOCAL_ACTIVITIES_PATCH]);
    // And the newer obligations schedule no activity of their own: every side effect is a local activity marker.
    const scheduled = [...newer, ...renamed]
      .filter((n) => n.includes('.obligation-'))
      .flatMap((f) => load(f).history.events!.filter((e) => e.activityTaskScheduledEventAttributes));
    expect(scheduled).toEqual([]);
    // Recorded since the status attribute was renamed: the same scenarios, each run marked with that patch too.
    expect(renamed.map((f) => f.slice('status-attribute.'.length))).toEqual(
      newer.map((f) => f.slice('batched-local.'.length)),
    );
    for (const f of renamed.filter((n) => n.endsWith('.cycle.json'))) {
      expect(patches(f)).toEqual(
        f === 'status-attribute.measure-stage.cycle.json'
          ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, STAGE_RECIPIENT_PATCH]
          : [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH],
      );
    }
    for (const f of renamed.filter((n) => n.includes('.obligation-')))
      expect(patches(f)).toEqual([OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH]);
    // Recorded since the review e-mails (versioned reports, remarks per measure): every obligation that took a report
    // marks that patch where its first report arrived.
    expect(reviewMail).toHaveLength(4);
    for (const f of reviewMail.filter((n) => n.includes('.obligation-')))
      expect(patches(f)).toEqual([OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, REVIEW_MAIL_PATCH]);
    // Recorded since the ladder ends at the PM Office: every obligation marked with that patch too.
    expect(laddered.length).toBeGreaterThanOrEqual(6);
    for (const f of laddered.filter((n) => n.includes('.obligation-')))
      expect(patches(f)).toEqual([OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH]);
    // Recorded since cycles open in a mode: the cycle and every obligation marked with that patch as well.
    expect(opened.length).toBeGreaterThanOrEqual(12);
    for (const f of opened)
      expect(patches(f)).toEqual(
        f.endsWith('.cycle.json')
          ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, OPENING_MODES_PATCH]
          : [OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH, OPENING_MODES_PATCH],
      );
    // Recorded since the daily digests: the cycle and every obligation marked with that patch.
    expect(digested.length).toBeGreaterThanOrEqual(5);
    for (const f of digested)
      expect(patches(f)).toEqual(
        f.endsWith('.cycle.json')
          ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, DIGESTS_PATCH]
          : [OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH, DIGESTS_PATCH],
      );
    // Recorded since a successor coordinator can take over a running stage: the cycle marks that patch.
    expect(readdressed.length).toBeGreaterThanOrEqual(4);
    for (const f of readdressed)
      expect(patches(f)).toEqual(
        f.endsWith('.cycle.json')
          ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, READDRESS_PATCH]
          : [OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH],
      );
    // Recorded since measure texts left history: a cycle given a spec of version 3 and its obligations mark that patch.
    expect(textsByHash.length).toBeGreaterThanOrEqual(6);
    for (const f of textsByHash) {
      const base = f.endsWith('.cycle.json')
        ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, CYCLE_TEXTS_PATCH]
        : [OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH, CYCLE_TEXTS_PATCH];
      // The one obligation that took a report marks the review e-mails where it arrived.
      expect([base, [...base, REVIEW_MAIL_PATCH]]).toContainEqual(patches(f));
    }
    expect(textsByHash.filter((f) => patches(f).includes(REVIEW_MAIL_PATCH))).toHaveLength(1);
    // Recorded since cycles send their obligations' reminders in batches: the cycle and every obligation mark that patch
    // (the one that took a report, the review e-mails' too), and the cycle schedules the batch activities.
    expect(batchedReminders.length).toBeGreaterThanOrEqual(5);
    for (const f of batchedReminders)
      expect(patches(f).filter((p) => p !== REVIEW_MAIL_PATCH)).toEqual(
        f.endsWith('.cycle.json')
          ? [CYCLE_BATCHED_OPEN_PATCH, STATUS_ATTRIBUTE_PATCH, BATCHED_REMINDERS_PATCH]
          : [OBLIGATION_LOCAL_ACTIVITIES_PATCH, STATUS_ATTRIBUTE_PATCH, LADDER_TOP_PATCH, BATCHED_REMINDERS_PATCH],
      );
    expect(
      load('batched-reminders.cycle.json').history.events!.some(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendReminderBatch',
      ),
    ).toBe(true);
    // Recorded since cycles continue as new: both runs of the cycle and every obligation (as it ends) mark that patch; the
    // first run ends continued as new, the last starts from what was carried.
    expect(continued.length).toBeGreaterThanOrEqual(6);
    for (const f of continued) expect([f, patches(f).includes(CYCLE_CONTINUE_AS_NEW_PATCH)]).toEqual([f, true]);
    const firstRun = load('continue-as-new.first-run.cycle.json').history.events!;
    expect(firstRun.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    const lastRun = load('continue-as-new.last-run.cycle.json').history.events!;
    expect(lastRun.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(true);
    expect(lastRun.at(-1)!.workflowExecutionCompletedEventAttributes).toBeTruthy();
    // Recorded since cycles open their obligations: the cycle and every obligation mark that patch; the cycle plans the
    // timelines and records the openings in local activities, the obligations run none to open (one took a report after).
    expect(opensObligations.length).toBeGreaterThanOrEqual(5);
    for (const f of opensObligations)
      expect([f, patches(f).includes(CYCLE_OPENS_OBLIGATIONS_PATCH)]).toEqual([f, true]);
    const localTypes = (f: string): string[] =>
      load(f)
        .history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
        .map((e) => {
          const data = e.markerRecordedEventAttributes!.details!.data!.payloads![0]!.data!;
          return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type;
        });
    expect(localTypes('opens-obligations.cycle.json')).toContain('planObligationTimelines');
    expect(localTypes('opens-obligations.cycle.json')).toContain('recordObligationsOpened');
    for (const f of opensObligations.filter((n) => n.includes('.obligation-')))
      expect([f, localTypes(f).includes('openObligation')]).toEqual([f, false]);
    // Recorded since the patches are asked first: that marker comes first; those asked later in the code leave none.
    const askedFirst = files.filter((f) => f.startsWith('patches-first.'));
    expect(askedFirst.length).toBeGreaterThanOrEqual(6);
    const askedLater = [
      REMINDER_TIMER_PATCH,
      DIGEST_TIMER_PATCH,
      CYCLE_OPENS_OBLIGATIONS_PATCH,
      READDRESS_PATCH,
      STAGE_RECIPIENT_PATCH,
      REVIEW_MAIL_PATCH,
    ];
    for (const f of askedFirst) {
      const own = f.includes('.cycle') ? CYCLE_PATCHES_FIRST_PATCH : OBLIGATION_PATCHES_FIRST_PATCH;
      expect([
        f,
        patches(f)[0],
        patches(f).filter(
          (p) => askedLater.includes(p) && !(p === CYCLE_OPENS_OBLIGATIONS_PATCH && f.includes('.obligation-')),
        ),
      ]).toEqual([f, own, []]);
    }
  });

  it('upserts Status in the histories before the rename, and ObligationStatus or CycleStatus, never Status, after it', () => {
    const files = readdirSync(HISTORIES)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const f of files) {
      const keys = new Set(upsertedKeys(f));
      const status = f.endsWith('.cycle.json') ? 'CycleStatus' : 'ObligationStatus';
      // An obligation whose status never changed (still pending, its deadline extended) upserted no status at all.
      if ((f.startsWith('batched-reminders.') || f.startsWith('opens-obligations.')) && !keys.has(status)) {
        expect([f, keys.has('Status')]).toEqual([f, false]);
        continue;
      }
      if (
        f.startsWith('status-attribute.') ||
        f.startsWith('review-mail.') ||
        f.startsWith('ladder-top.') ||
        f.startsWith('opening-') ||
        f.startsWith('digests.') ||
        f.startsWith('readdress.') ||
        f.startsWith('texts-by-hash.') ||
        f.startsWith('batched-reminders.') ||
        f.startsWith('continue-as-new.') ||
        f.startsWith('opens-obligations.') ||
        f.startsWith('patches-first.')
      ) {
        expect([f, keys.has(status), keys.has('Status')]).toEqual([f, true, false]);
      } else {
        expect([f, keys.has('Status'), keys.has('ObligationStatus') || keys.has('CycleStatus')]).toEqual([
          f,
          true,
          false,
        ]);
      }
    }
  });

  it('fails with DeterminismViolationError when the history no longer matches the code', async () => {
    const { workflowId, history } = load('never-reports.obligation-2.json');
    // As if an earlier version had sent its first reminder through another activity.
    const scheduled = history.events!.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendObligationMail',
    )!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'sendEmail';
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});
