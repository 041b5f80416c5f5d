// One error shape for the whole API, {error: {code, message}}, and the one place that maps failures to HTTP: our own
// HttpError, schema validation, Temporal failures (typed ApplicationFailures, a workflow that is gone), plan state
// errors, upload limits, PostgreSQL constraint violations and data refusals — by type and code, never by matching message text. 5xx details stay in the log.
import { ApplicationFailure } from '@temporalio/common';
import { ScheduleNotFoundError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import { PlanStateError } from '../db/repositories/plans.js';
import { PasswordPolicyError } from '../platform/password-policy.js';
import { FailureType } from '../workflows/shared.js';
import { UploadInterrupted } from './evidence/errors.js';
import { ArchiveLimitError } from './import/zip-guard.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface HttpFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Which limit an upload went over (archive_too_large: entries, entry_size, total_size, ratio, declared_size, rows, cells). */
  readonly limit?: string;
}

/** What each ApplicationFailure type raised on purpose (workflows/shared.ts FailureType) means to an API caller. */
const APPLICATION_FAILURES: Readonly<Record<string, { status: number; code: string }>> = {
  [FailureType.InvalidReport]: { status: 422, code: 'invalid_report' },
  [FailureType.InvalidTransition]: { status: 409, code: 'invalid_transition' },
  [FailureType.InvalidInput]: { status: 400, code: 'invalid_request' },
  [FailureType.DataRejected]: { status: 422, code: 'data_rejected' },
};

/** PostgreSQL constraints a request can run into, with the request field they are about (for the message). */
const CONSTRAINT_FIELDS: Readonly<Record<string, { field: string; code?: string }>> = {
  users_username_key: { field: 'body/username' },
  users_agency_code_fkey: { field: 'body/agencyCode' },
  agencies_successor_code_fkey: { field: 'body/successor/code' },
  user_plans_plan_id_fkey: { field: 'body/planId' },
  user_plans_user_id_fkey: { field: 'params/id' },
  api_tokens_user_id_fkey: { field: 'body/userId' },
  plans_confirmed_act_uniq: { field: 'act', code: 'duplicate_act' },
  // Two submissions of the same obligation at once: the second waited on the first's version number, and lost.
  report_versions_obligation_version: { field: 'version', code: 'concurrent_submission' },
};

/** PlanStateError codes that are not a conflict with the plan's state (409). */
const PLAN_STATE_STATUS: Readonly<Record<string, number>> = {
  not_found: 404,
  // Temporal refused the plan's schedule: the confirmation was rolled back; the plan's content must change first.
  unschedulable: 422,
};

const GRPC_NOT_FOUND = 5;

/** The first ApplicationFailure in an error's cause chain (a failed Update or workflow wraps the one its code threw). */
function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    if (e instanceof ApplicationFailure) return e;
    e = e.cause;
  }
  return undefined;
}

/** Which workflow is gone, by the business key its id starts with (cycle:…, obligation:…). */
function closedWorkflow(workflowId: string | undefined): HttpFailure {
  const kind = workflowId === undefined ? undefined : /^(cycle|obligation):/.exec(workflowId)?.[1];
  const name = kind ?? 'workflow';
  const what = workflowId === undefined ? `The ${name}` : `${name[0]!.toUpperCase()}${name.slice(1)} ${workflowId}`;
  return { status: 409, code: `${name}_closed`, message: `${what} is no longer running` };
}

interface PgError {
  readonly code: string;
  readonly constraint?: string;
  readonly table?: string;
}

function isPgError(err: unknown): err is PgError {
  if (!(err instanceof Error) || !('severity' in err)) return false;
  const code: unknown = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** The HTTP answer to a failure, or undefined for an unexpected one (500, logged). */
export function httpFailureOf(err: unknown): HttpFailure | undefined {
  if (err instanceof HttpError) return { status: err.statusCode, code: err.code, message: err.message };
  // A password the policy refuses: the message names the field and the rule, never the password.
  if (err instanceof PasswordPolicyError) return { status: 400, code: 'weak_password', message: err.message };
  if (err instanceof PlanStateError)
    return { status: PLAN_STATE_STATUS[err.code] ?? 409, code: err.code, message: err.message };
  // An upload whose archive would inflate past a limit (or a sheet past its rows or cells): nothing was parsed or stored.
  if (err instanceof ArchiveLimitError)
    return { status: 413, code: 'archive_too_large', message: err.message, limit: err.limit };
  // An evidence upload whose multipart body broke off or was malformed: nothing was kept (if the client is still there to hear it).
  if (err instanceof UploadInterrupted) return { status: 400, code: 'malformed_multipart', message: err.message };
  if (err instanceof ScheduleNotFoundError)
    return {
      status: 409,
      code: 'no_schedule',
      message: 'The plan has no schedule (it is not confirmed, or it was repealed)',
    };
  // An Update sent to a workflow that has completed: the server answers NOT_FOUND, which the client raises as WorkflowNotFoundError.
  if (err instanceof WorkflowNotFoundError) return closedWorkflow(err.workflowId || undefined);
  if (err instanceof ServiceError && (err.cause as { code?: unknown } | undefined)?.code === GRPC_NOT_FOUND)
    return closedWorkflow(undefined);
  const failure = applicationFailureIn(err);
  if (failure?.type != null && APPLICATION_FAILURES[failure.type] !== undefined)
    return { ...APPLICATION_FAILURES[failure.type]!, message: failure.message };
  if (isPgError(err)) {
    const known = err.constraint === undefined ? undefined : CONSTRAINT_FIELDS[err.constraint];
    const field = known?.field ?? err.constraint ?? err.table ?? 'request';
    if (err.code === '23505')
      return { status: 409, code: known?.code ?? 'conflict', message: `${field}: already exists` };
    if (err.code === '23503')
      return {
        status: 409,
        code: known?.code ?? 'invalid_reference',
        message: `${field}: refers to something that does not exist (any more)`,
      };
    // The data itself (class 22 data exception, 23502 not-null, 23514 check): the request is wrong, retrying cannot help.
    // The SQLSTATE and the column or constraint only; PostgreSQL's message may quote the refused value.
    if (err.code.startsWith('22') || err.code === '23502' || err.code === '23514') {
      return {
        status: 422,
        code: 'data_rejected',
        message: `${(err as PgError & { column?: string }).column ?? field}: PostgreSQL refused the data (SQLSTATE ${err.code})`,
      };
    }
  }
  return undefined;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if ('validation' in err && err.validation !== undefined) {
      return reply.code(400).send({ error: { code: 'invalid_request', message: err.message } });
    }
    if ((err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit;
      return reply.code(413).send({
        error: {
          code: 'body_too_large',
          message: `body: larger than this route accepts${limit === undefined ? '' : ` (${Math.floor(limit / 1024)} KB)`}`,
        },
      });
    }
    const known = httpFailureOf(err);
    if (known !== undefined) {
      return reply.code(known.status).send({
        error: {
          code: known.code,
          message: known.message,
          ...(known.limit === undefined ? {} : { limit: known.limit }),
        },
      });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status < 500)
      return reply
        .code(status)
        .send({ error: { code: (err as FastifyError).code ?? 'bad_request', message: err.message } });
    request.log.error({ err }, 'request failed');
    return reply.code(status).send({ error: { code: 'internal', message: 'Internal error; it has been logged.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
