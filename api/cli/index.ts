// Entry point of the `merzim` command line: a dispatcher over subcommands, each in its own file (add yours to COMMANDS).
import { calendarCommand } from './calendar.js';
import { cycleCommand } from './cycle.js';
import { UsageError, type CliCommand, type CliIO } from './command.js';
import { deadlineCommand } from './deadline.js';
import { eventsCommand } from './events.js';
import { planCommand } from './plan.js';
import { projectionsCommand } from './projections.js';
import { replayCommand } from './replay.js';
import { tokenCommand, userCommand } from './token.js';

const COMMANDS: readonly CliCommand[] = [
  deadlineCommand,
  calendarCommand,
  planCommand,
  cycleCommand,
  tokenCommand,
  userCommand,
  replayCommand,
  eventsCommand,
  projectionsCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return (
    `usage: merzim <command> [arguments]\n\ncommands:\n${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n\n` +
    "merzim <command> --help shows a command's usage.\n"
  );
}

/** Runs one command line and returns the exit code: 0 done, 1 failed, 2 bad arguments. */
async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`merzim: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`merzim ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.err(`merzim ${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const stdio: CliIO = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

process.exitCode = await main(process.argv.slice(2), stdio);
