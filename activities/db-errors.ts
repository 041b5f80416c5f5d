// PostgreSQL errors that no retry can heal become non-retryable failures of one named type, so a workflow records them and goes on.
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../workflows/shared.js';

/** SQLSTATEs refused for the data itself: class 22 (data exception), 23502 (not-null) and 23514 (check) violations. */
export function isPermanentDataError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^[0-9A-Z]{5}$/.test(code) &&
    (code.startsWith('22') || code === '23502' || code === '23514')
  );
}

/** The failure an activity throws for such an error: the SQLSTATE and PostgreSQL's message, never the refused data. */
export function dataRejected(err: Error & { code: string }): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.DataRejected,
    message: `PostgreSQL refused the data (SQLSTATE ${err.code}): ${err.message}`,
    nonRetryable: true,
    details: [{ sqlState: err.code }],
  });
}

/**
 * Wraps every activity of a set so that a permanent data error fails it non-retryably (FailureType.DataRejected) instead of
 * being retried for ever; every other error passes through unchanged. Applied once to the whole set, so a new activity gets it too.
 */
export function classifyDataErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (isPermanentDataError(err)) throw dataRejected(err);
        throw err;
      }
    };
  }
  return wrapped as T;
}
