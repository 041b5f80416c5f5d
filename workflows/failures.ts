// Recognising, in workflow code, the failures an activity raises on purpose (FailureType), whatever the activity.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from './shared.js';

/** The PostgreSQL refusal (FailureType.DataRejected) inside an activity failure, if that is what it is. */
export function dataRejection(err: unknown): ApplicationFailure | undefined {
  // A scheduled activity's failure arrives as ActivityFailure around it; a local activity's non-retryable one, as itself.
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === FailureType.DataRejected ? cause : undefined;
}
