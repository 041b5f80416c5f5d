// `merzim events verify`: checks every hash chain of the events log and names the first broken row of each broken stream.
import { verifyEventChains } from '../../db/repositories/event-chain.js';
import { json, parseCommandLine, UsageError, type CliCommand } from './command.js';
import { openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim events verify [--json]
      recomputes the SHA-256 chain of every stream of the events log (a workflow's, or a subject's); exit code 1 when a row
      was altered, removed or relinked, naming the first such row of each stream`;

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
    const { values } = parseCommandLine(rest, { json: { type: 'boolean' } });
    if (sub !== 'verify') throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (verify)`);
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
