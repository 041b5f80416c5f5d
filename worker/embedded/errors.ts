// A start-up problem a person can fix: one clear message and a non-zero exit, never a bare stack trace.
export class StartupError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint === undefined ? message : `${message}\n  → ${hint}`);
    this.name = 'StartupError';
  }
}
