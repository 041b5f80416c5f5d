// `merzim events verify`: checks every hash chain of the events log and names the first broken row of each broken stream.
import { verifyEventChains } from '../../db/repositories/event-chain.js';
import { streamEvents } from '../../db/repositories/events.js';
import { cycleAsOf } from '../../domain/point-in-time.js';
import { json, parseCommandLine, UsageError, type CliCommand } from './command.js';
import { openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim events verify [--json]
      recomputes the SHA-256 chain of every stream of the events log (a workflow's, or a subject's); exit code 1 when a row
      was altered, removed or relinked, naming the first such row of each stream
  merzim events as-of --cycle cycle:<plan>:<period> --at <instant> [--json]
      the cycle's obligations as they stood at that instant, rebuilt from the events log (2027-01-10T23:59:59+05:00: Astana)`;

const REASONS = {
  content: 'its content is not what was hashed',
  link: 'it does not follow the previous row of its stream',
  sequence: 'a row before it is missing',
} as const;

export const eventsCommand: CliCommand = {
  name: 'events',
  summary: "verify the events log's hash chains (exit 1 when a row was altered)",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values } = parseCommandLine(rest, {
      json: { type: 'boolean' },
      cycle: { type: 'string' },
      at: { type: 'string' },
    });
    if (sub !== 'verify' && sub !== 'as-of')
      throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (verify, as-of)`);
    if (sub === 'as-of') {
      const cycle = /^cycle:(.+):([^:]+)$/.exec(typeof values.cycle === 'string' ? values.cycle : '');
      if (cycle === null) throw new UsageError('--cycle must be a cycle id, cycle:<plan>:<period>');
      const at = new Date(typeof values.at === 'string' ? values.at : '');
      if (Number.isNaN(at.getTime())) throw new UsageError('--at must be an instant, e.g. 2027-01-10T23:59:59+05:00');
      const db = await openCliDatabase();
      try {
        const events = [];
        for await (const r of streamEvents(db, { planId: cycle[1], period: cycle[2], to: new Date(at.getTime() + 1) }))
          events.push({
            workflowId: r.workflow_id,
            type: r.type,
            actor: r.actor,
            occurredAt: r.occurred_at.toISOString(),
            payload: r.payload,
          });
        const state = cycleAsOf(at.toISOString(), events);
        if (values.json === true) io.out(json(state));
        else
          for (const o of state.obligations)
            io.out(
              `${o.agencyCode.padEnd(10)} ${o.stageId.padEnd(20)} ${o.status.padEnd(9)} ${o.submittedAt === null ? '' : `submitted ${o.submittedAt} by ${o.submittedBy}${o.late === true ? ' (late)' : ''}`}\n`,
            );
        return 0;
      } finally {
        await db.destroy();
      }
    }
    const db = await openCliDatabase();
    try {
      const report = await verifyEventChains(db);
      if (values.json === true) io.out(json(report));
      else {
        for (const b of report.broken)
          io.out(
            `BROKEN  stream ${b.stream}: row ${b.id} (#${b.seq}): ${REASONS[b.reason]}` +
              `${b.previousId === null ? '' : ` (row ${b.previousId})`}\n`,
          );
        io.out(`${report.rows} events in ${report.streams} streams, ${report.broken.length} broken\n`);
      }
      return report.ok ? 0 : 1;
    } finally {
      await db.destroy();
    }
  },
};
