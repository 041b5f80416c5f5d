// `merzim replay`: replays workflow histories against the workflow code of this release and exits non-zero when any does not
// replay, so a deployment can be gated on it (platform/workflow-replay.ts).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isPeriodKey } from '../../domain/periods.js';
import { loadConfig } from '../../platform/config.js';
// The replay module loads the Temporal worker (native bridge, bundler): only when `replay` runs, not for every command.
import type { ReplayReport, ReplaySelection } from '../../platform/workflow-replay.js';
import { json, parseCommandLine, UsageError, type CliCommand } from './command.js';

const USAGE = `usage:
  merzim replay (--workflow <id> [--run <runId>] | --plan <id> [--period P] | --open | --closed <from>..<to> | --file <history.json>...) [--json]
      replays each selected workflow's history against this release's workflow code (MERZIM_WORKFLOW_BUNDLE, or bundled now);
      prints ok or the first diverging event per workflow; exit code 1 when any does not replay, 0 when all do
      --closed takes ISO instants or dates (2026-01-01..2026-02-01); --file reads Merzim's history download or Temporal's JSON`;

function selectionOf(
  values: Record<string, string | boolean | undefined>,
  files: string[],
  parseHistoryFile: (
    text: string,
    fallbackWorkflowId: string,
  ) => Extract<ReplaySelection, { kind: 'histories' }>['histories'][number],
): ReplaySelection {
  const chosen = ['workflow', 'plan', 'open', 'closed', 'file'].filter((k) => values[k] !== undefined);
  if (chosen.length !== 1) throw new UsageError('give exactly one of --workflow, --plan, --open, --closed, --file');
  if (values.period !== undefined && values.plan === undefined) throw new UsageError('--period needs --plan');
  if (values.run !== undefined && values.workflow === undefined) throw new UsageError('--run needs --workflow');
  if (typeof values.workflow === 'string')
    return {
      kind: 'workflow',
      workflowId: values.workflow,
      ...(typeof values.run === 'string' ? { runId: values.run } : {}),
    };
  if (typeof values.plan === 'string') {
    const period = values.period;
    if (typeof period === 'string' && !isPeriodKey(period))
      throw new UsageError(`--period must look like 2019, 2019-H1, 2019-Q3 or 2019-07, got ${JSON.stringify(period)}`);
    return { kind: 'plan', planId: values.plan, ...(typeof period === 'string' ? { period } : {}) };
  }
  if (values.open === true) return { kind: 'open' };
  if (typeof values.closed === 'string') {
    const [from, to] = values.closed.split('..').map((s) => new Date(s));
    if (from === undefined || to === undefined || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
      throw new UsageError(
        `--closed must be <from>..<to> (ISO dates or instants), got ${JSON.stringify(values.closed)}`,
      );
    return { kind: 'closed', from, to };
  }
  return {
    kind: 'histories',
    histories: files.map((f) => {
      try {
        return parseHistoryFile(readFileSync(f, 'utf8'), basename(f, '.json'));
      } catch (err) {
        throw new UsageError(`--file ${f}: ${(err as Error).message}`);
      }
    }),
  };
}

function text(report: ReplayReport): string {
  const lines = report.workflows.map((w) =>
    w.ok
      ? `ok      ${w.workflowId}${w.runId === null ? '' : ` (${w.runId})`}`
      : `FAILED  ${w.workflowId}${w.runId === null ? '' : ` (${w.runId})`}: ${w.problem}` +
        `${w.eventId === null ? '' : ` at event ${w.eventId}`}: ${w.message}`,
  );
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${report.total} replayed, ${report.ok} ok, ${report.failed} failed\n`;
}

export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'replay workflow histories against this release (exit 1 when any is non-deterministic)',
  usage: USAGE,
  async run(args, io) {
    const { positionals, values } = parseCommandLine(args, {
      workflow: { type: 'string' },
      run: { type: 'string' },
      plan: { type: 'string' },
      period: { type: 'string' },
      open: { type: 'boolean' },
      closed: { type: 'string' },
      file: { type: 'string' },
      json: { type: 'boolean' },
    });
    // --file a.json b.json …: the first after the flag, the rest as positionals.
    const files = typeof values.file === 'string' ? [values.file, ...positionals] : [];
    if (files.length === 0 && positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const { parseHistoryFile, quietReplayRuntime, replayBundle, replayWorkflows } =
      await import('../../platform/workflow-replay.js');
    const selection = selectionOf(values, files, parseHistoryFile);
    const temporal =
      selection.kind === 'histories' ? undefined : await (await import('./temporal.js')).openCliTemporal();
    try {
      quietReplayRuntime();
      const codePath = loadConfig(process.env, 'cli').workflowBundlePath;
      const bundle = await replayBundle(codePath === undefined ? {} : { codePath });
      const report = await replayWorkflows(selection, {
        bundle,
        ...(temporal === undefined ? {} : { client: temporal.client }),
      });
      io.out(values.json === true ? json(report) : text(report));
      return report.failed > 0 ? 1 : 0;
    } finally {
      await temporal?.client.connection.close();
    }
  },
};
