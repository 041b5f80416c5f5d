// Child-process helpers for the supervisor: wait for exit, stop gracefully then forcefully, and tail output for error messages.
import type { ChildProcess } from 'node:child_process';

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

/** Keeps the last lines a process printed, to quote them when it fails. */
export class OutputTail {
  private lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(chunk: Buffer | string): string[] {
    const fresh = chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '');
    this.lines.push(...fresh);
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
    return fresh;
  }
  text(n = 10): string {
    return this.lines.slice(-n).join('\n');
  }
}
