// Merzim's own processes in the production topology (`npm run worker`, `npm run api`, …), each in its own process group.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One child started as its own process group: `npm run x` is npm → sh → tsx → node, and a signal meant for "the worker"
 * must reach all of them (a SIGKILL to npm alone would leave the worker running).
 */
export class ManagedProcess {
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      });
      child.once('error', () => {
        this.status = { code: -1, signal: null };
        resolve(this.status);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  static start(
    name: string,
    cmd: string,
    args: readonly string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
  ): ManagedProcess {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') opts.log(`[${name}] ${line}`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    return new ManagedProcess(name, child);
  }

  /** Signals the whole group. */
  signal(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Gone already.
    }
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves when the group leader is gone. */
  async stop(graceMs = 20_000): Promise<ExitStatus> {
    if (!this.running) return this.status!;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // Whatever of the group outlived its leader (tsx's node child) goes too.
      this.killGroupRemains();
    }
  }

  private killGroupRemains(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Nothing left.
    }
  }
}

/** Runs a one-shot (db:migrate, build:workflows) to the end; a non-zero exit is an error quoting its last lines. */
export async function runOnce(
  name: string,
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; log: (line: string) => void },
): Promise<void> {
  const lines: string[] = [];
  const p = ManagedProcess.start(name, cmd, args, {
    ...opts,
    log: (l) => {
      lines.push(l);
      opts.log(l);
    },
  });
  const status = await p.exited;
  if (status.code !== 0)
    throw new Error(`${name} failed (exit ${status.code ?? status.signal}):\n${lines.slice(-10).join('\n')}`);
}
