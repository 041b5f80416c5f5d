// `merzim cycle`: preview the whole timeline a cycle would produce if nobody reported (no side effects), open one, list cycles.
import { listAgencies } from '../../db/repositories/agencies.js';
import { loadWorkingCalendar } from '../../db/repositories/calendar.js';
import { listCycles } from '../../db/repositories/cycles.js';
import { getPlan } from '../../db/repositories/plans.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { previewCycle } from '../../domain/cycle-timeline.js';
import { isPeriodKey } from '../../domain/periods.js';
import type { Client } from '@temporalio/client';
import { OPENING_MODES } from '../../domain/cycle-opening.js';
import { loadConfig } from '../../platform/config.js';
import {
  json,
  optionalChoice,
  parseCommandLine,
  requireString,
  UsageError,
  type CliCommand,
  type CliIO,
  type ParsedCommandLine,
} from './command.js';
import { openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim cycle preview --plan <id> --period <2019|2019-H1|2019-Q3> [--json]
      every reminder, deadline and escalation the cycle would produce if nobody reported; nothing is sent or stored
  merzim cycle open --plan <id> --period <2019|…> [--mode catch-up|record-only] [--json]
      opens one period's cycle now (TEMPORAL_ADDRESS, or the embedded server of a running npm start); a period some of
      whose deadlines have passed needs --mode: catch-up (live and late: one overdue notice each, the step reached, one
      summary to the coordinator) or record-only (loaded for the record: no e-mail at all)
  merzim cycle list [--plan <id>] [--status open|completed|closed] [--json]`;

export const cycleCommand: CliCommand = {
  name: 'cycle',
  summary: "preview a cycle's timeline (reminders, deadlines, escalations), open one, list cycles",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values } = parseCommandLine(rest, {
      plan: { type: 'string' },
      period: { type: 'string' },
      status: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (sub !== 'preview' && sub !== 'list' && sub !== 'open')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (preview, open, list)`);
    if (sub === 'open') return openCycle(values, io);
    if (sub === 'preview') {
      const planId = requireString(values, 'plan');
      const period = requireString(values, 'period');
      if (!isPeriodKey(period))
        throw new UsageError(
          `--period must look like 2019, 2019-H1, 2019-Q3 or 2019-07, got ${JSON.stringify(period)}`,
        );
      const db = await openCliDatabase();
      try {
        const stored = await getPlan(db, planId);
        if (stored === undefined) {
          io.err(`no plan ${planId}\n`);
          return 1;
        }
        const calendar = await loadWorkingCalendar(db);
        const spec = cycleSpecFromPlan({
          planId,
          plan: stored.plan,
          directory: await listAgencies(db),
          period,
          calendar,
        });
        if (!spec.ok) {
          io.err(
            `cannot build the ${period} cycle: ${spec.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}\n`,
          );
          return 1;
        }
        const preview = previewCycle(spec.spec, calendar);
        if (values.json === true) io.out(json(preview));
        else {
          // The stages a footnote sets, first: whom they go to and the note they come from.
          for (const st of spec.spec.stages.filter((x) => x.footnote !== undefined)) {
            const to = preview.obligations.find((o) => o.stageId === st.id)?.receiver ?? st.to;
            io.out(
              `# ${st.id}: measure ${st.footnote!.measure}, footnote ${st.footnote!.marker} → ${to} by ${st.dueDate}: "${st.footnote!.text}"\n`,
            );
          }
          for (const e of preview.timeline) {
            const what =
              e.kind === 'reminder'
                ? `reminder −${e.offset} ${e.unit} day(s) → ${e.recipients.join(', ')} (${e.lang})`
                : e.kind === 'escalation'
                  ? `escalation step ${e.step + 1} (+${e.after} ${e.unit}) → ${e.audience} ${e.agencyCode}: ${e.recipients.join(', ')} (${e.lang})`
                  : 'deadline passes: overdue';
            io.out(`${e.date}  ${e.at}  ${e.party.padEnd(12)} ${e.stageId.padEnd(10)} ${what}\n`);
          }
        }
        return 0;
      } finally {
        await db.destroy();
      }
    }
    const status = optionalChoice(values, 'status', ['open', 'completed', 'closed'] as const);
    const db = await openCliDatabase();
    try {
      const cycles = await listCycles(db, {
        ...(typeof values.plan === 'string' ? { planId: values.plan } : {}),
        ...(status === undefined ? {} : { status }),
      });
      const rows = cycles.map((c) => ({
        id: c.workflow_id,
        planId: c.plan_id,
        period: c.period,
        status: c.status,
        stage: c.stage,
        counts: c.counts,
      }));
      io.out(
        values.json === true
          ? json(rows)
          : rows.map((r) => `${r.id}\t${r.status}\t${r.stage ?? ''}\t${JSON.stringify(r.counts)}\n`).join(''),
      );
      return 0;
    } finally {
      await db.destroy();
    }
  },
};

/** `merzim cycle open`: the API's opening (the same engine, the same refusal without a mode), for an operator's shell. */
async function openCycle(values: ParsedCommandLine['values'], io: CliIO): Promise<number> {
  const planId = requireString(values, 'plan');
  const period = requireString(values, 'period');
  if (!isPeriodKey(period))
    throw new UsageError(`--period must look like 2019, 2019-H1, 2019-Q3 or 2019-07, got ${JSON.stringify(period)}`);
  const mode = optionalChoice(values, 'mode', OPENING_MODES);
  const config = loadConfig(process.env, 'cli');
  const db = await openCliDatabase();
  let client: Client | undefined;
  let httpError: (new (...args: never[]) => Error & { message: string }) | undefined;
  try {
    const plan = await getPlan(db, planId);
    if (plan === undefined) {
      io.err(`no plan ${planId}\n`);
      return 1;
    }
    // Loaded here, not at the top: every other command starts without the Temporal client.
    const [{ connectClient }, { createCycleEngine }, { HttpError }] = await Promise.all([
      import('../../platform/temporal-connection.js'),
      import('../cycle-engine.js'),
      import('../errors.js'),
    ]);
    httpError = HttpError;
    client = await connectClient(
      config.temporal,
      config.temporal.address ?? `127.0.0.1:${config.embedded.temporalPort}`,
    );
    const engine = createCycleEngine({ client, db, taskQueue: config.temporal.taskQueue });
    const result = await engine.openCycle(plan, period, 'cli', mode);
    io.out(
      values.json === true
        ? json(result)
        : `${result.status}\t${result.cycleId ?? ''}\t${result.mode ?? ''}\toverdue at opening: ${result.overdueAtOpening}${result.reason === null ? '' : `\t${result.reason}`}\n`,
    );
    return result.status === 'not_opened' ? 1 : 0;
  } catch (err) {
    if (httpError === undefined || !(err instanceof httpError)) throw err;
    io.err(`${err.message}\n`);
    return 1;
  } finally {
    await client?.connection.close();
    await db.destroy();
  }
}
