// `merzim cycle`: preview the whole timeline a cycle would produce if nobody reported (no side effects), and list cycles.
import { listAgencies } from '../../db/repositories/agencies.js';
import { loadWorkingCalendar } from '../../db/repositories/calendar.js';
import { listCycles } from '../../db/repositories/cycles.js';
import { getPlan } from '../../db/repositories/plans.js';
import { cycleSpecFromPlan } from '../../domain/cycle-spec.js';
import { previewCycle } from '../../domain/cycle-timeline.js';
import { isPeriodKey } from '../../domain/periods.js';
import { json, optionalChoice, parseCommandLine, requireString, UsageError, type CliCommand } from './command.js';
import { openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim cycle preview --plan <id> --period <2019|2019-H1|2019-Q3> [--json]
      every reminder, deadline and escalation the cycle would produce if nobody reported; nothing is sent or stored
  merzim cycle list [--plan <id>] [--status open|completed|closed] [--json]`;

export const cycleCommand: CliCommand = {
  name: 'cycle',
  summary: "preview a cycle's timeline (reminders, deadlines, escalations), list cycles",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values } = parseCommandLine(rest, {
      plan: { type: 'string' },
      period: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (sub !== 'preview' && sub !== 'list')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (preview, list)`);
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
