// The set-up the workflow tests share: the workflow bundle built once per file, a test database, a real SMTP sink, one scenario at a time.
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Database } from '../../db/database.js';
import type { SmtpSink } from '../../worker/embedded/smtp-sink.js';
import { quietTemporalRuntime, workflowsPath } from '../../worker/worker.js';
import { CycleScenario, quietLogger } from '../fixtures/cycle-fixtures.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestSink } from './mail.js';

export interface CycleTestBed {
  readonly db: Kysely<Database>;
  /** The test database's URL (for a CLI run in a child process). */
  readonly url: string;
  /** The test sink's SMTP URL. */
  readonly sinkUrl: string;
  /** A cycle scenario on its own time-skipping server, disposed after the test; `smtpUrl` swaps the sink for another relay. */
  newScenario(smtpUrl?: string): Promise<CycleScenario>;
  /** Disposes of the current scenario now (a test that must close its relay after the worker). */
  disposeScenario(): Promise<void>;
}

/** Registers the file's beforeAll/afterEach/afterAll hooks; call once at the top level of a test file. */
export function useCycleTestBed(): CycleTestBed {
  let bundle: WorkflowBundleWithSourceMap;
  let tdb: TestDatabase | undefined;
  let sink: SmtpSink | undefined;
  let scenario: CycleScenario | undefined;

  const bed: CycleTestBed = {
    get db() {
      return tdb!.db;
    },
    get url() {
      return tdb!.url;
    },
    get sinkUrl() {
      return sink!.url;
    },
    async newScenario(smtpUrl?: string) {
      scenario = await CycleScenario.create({ bundle, db: tdb!.db, smtpUrl: smtpUrl ?? sink!.url });
      return scenario;
    },
    async disposeScenario() {
      const current = scenario;
      scenario = undefined;
      await current?.dispose();
    },
  };

  beforeAll(async () => {
    quietTemporalRuntime('ERROR');
    bundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    tdb = await createTestDatabase();
    sink = await startTestSink(tdb.db);
  });
  afterEach(() => bed.disposeScenario());
  afterAll(async () => {
    await sink?.close();
    await tdb?.drop();
  });
  return bed;
}
