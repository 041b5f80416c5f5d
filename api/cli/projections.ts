// `merzim projections rebuild [--check] [--plan P] [--json]`: the read models (cycles, obligations, notifications) made again
// from the events log, or only compared with it. Runs as the CLI's usual role, the application role: it needs no DDL (one
// transaction, the tables locked against writers, readers unaffected) and that role cannot forge or alter an event, so a
// rebuild can only ever restate what the log says.
import { rebuildProjections, type ProjectionDifference } from '../../db/repositories/projections.js';
import { json, parseCommandLine, UsageError, type CliCommand } from './command.js';
import { openCliDatabase } from './database.js';

const USAGE = `usage:
  merzim projections rebuild [--check] [--plan <planId>] [--json]
      folds the events log (cycle.saved, obligation.saved, notification.queued, notification.delivered) into the cycles,
      obligations and notifications read models and writes every row that differs, in one transaction (the API keeps
      reading the previous rows until it commits; the workers' writes wait for it); live rows no event makes are deleted
      --check   compares only and lists every difference (table, key, column, live value, rebuilt value); exit 1 if any
      --plan    only that plan's cycles, obligations and their e-mails
      Columns no event determines are not rebuilt (kept, never compared): cycles.updated_at, obligations.updated_at,
      notifications.attempts, notifications.last_error`;

/** A value as one line of text, cut short (a cycle's spec can be ~1 MB). */
function shown(value: unknown): string {
  const text = value === undefined ? '' : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function line(d: ProjectionDifference): string {
  if (d.kind === 'missing') return `MISSING  ${d.table} ${d.key}: the events make this row, the table lacks it\n`;
  if (d.kind === 'extra') return `EXTRA    ${d.table} ${d.key}: a live row no event makes\n`;
  return `CHANGED  ${d.table} ${d.key} ${d.column}: live ${shown(d.live)}, rebuilt ${shown(d.rebuilt)}\n`;
}

export const projectionsCommand: CliCommand = {
  name: 'projections',
  summary: 'rebuild the read models from the events log, or --check them against it (exit 1 on a difference)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'rebuild') throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (rebuild)`);
    const { values, positionals } = parseCommandLine(rest, {
      check: { type: 'boolean' },
      plan: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (values.plan !== undefined && (typeof values.plan !== 'string' || values.plan.trim() === ''))
      throw new UsageError('--plan must name a plan id');
    const check = values.check === true;
    const asJson = values.json === true;
    const differences: ProjectionDifference[] = [];
    const db = await openCliDatabase();
    try {
      const report = await rebuildProjections(db, {
        check,
        planId: typeof values.plan === 'string' ? values.plan : undefined,
        onDifference: (d) => (asJson ? differences.push(d) : io.out(line(d))),
      });
      if (asJson) io.out(json({ ...report, list: differences }));
      else {
        const notRebuilt = Object.entries(report.notRebuilt).flatMap(([t, cs]) => cs.map((c) => `${t}.${c}`));
        io.out(`not rebuilt (no event determines them): ${notRebuilt.join(', ')}\n`);
        io.out(
          `${report.events} events in ${report.streams} streams → ${report.rows.cycles} cycles, ${report.rows.obligations} ` +
            `obligations, ${report.rows.notifications} notifications; ${report.differences} differences` +
            (check ? '' : `; ${report.written} rows written, ${report.deleted} deleted`) +
            ` (${report.ms} ms)\n`,
        );
      }
      return check && report.differences > 0 ? 1 : 0;
    } finally {
      await db.destroy();
    }
  },
};
