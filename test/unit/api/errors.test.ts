// api/errors.ts is the one place failures become HTTP answers: by type and code (Temporal failure types, PostgreSQL
// SQLSTATEs and constraints, our own state errors), never by message text; an unknown failure is a logged 500.
import {
  ScheduleNotFoundError,
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, RetryState } from '@temporalio/common';
import Fastify from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { HttpError, httpFailureOf, installErrorHandler } from '../../../api/errors.js';
import { ArchiveLimitError } from '../../../api/import/zip-guard.js';
import { PlanStateError } from '../../../db/repositories/plans.js';
import { FailureType } from '../../../workflows/shared.js';

/** A PostgreSQL error as the pg driver raises it. */
function pgError(code: string, constraint: string): Error {
  const err = new pg.DatabaseError('duplicate key value violates unique constraint', 0, 'error');
  Object.assign(err, { code, constraint, severity: 'ERROR', table: 'users' });
  return err;
}

describe('httpFailureOf', () => {
  it('maps the ApplicationFailure types raised on purpose, found in the cause chain of an Update or a workflow', () => {
    const update = (type: string) =>
      new WorkflowUpdateFailedError(
        'Workflow Update failed',
        ApplicationFailure.create({ type, message: `refused: ${type}`, nonRetryable: true }),
      );
    expect(httpFailureOf(update(FailureType.InvalidReport))).toEqual({
      status: 422,
      code: 'invalid_report',
      message: 'refused: InvalidReport',
    });
    expect(httpFailureOf(update(FailureType.InvalidTransition))).toMatchObject({
      status: 409,
      code: 'invalid_transition',
    });
    expect(httpFailureOf(update(FailureType.InvalidInput))).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(httpFailureOf(update(FailureType.DataRejected))).toMatchObject({ status: 422, code: 'data_rejected' });
    const failed = new WorkflowFailedError(
      'Workflow execution failed',
      ApplicationFailure.create({ type: FailureType.InvalidInput, message: 'bad spec' }),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    expect(httpFailureOf(failed)).toMatchObject({ status: 400, code: 'invalid_request', message: 'bad spec' });
    // A failure type the API knows nothing about stays a 500, whatever its message says.
    expect(httpFailureOf(update('SomethingElse'))).toBeUndefined();
    expect(httpFailureOf(new Error('InvalidReport: already completed'))).toBeUndefined();
  });

  it('answers 409 <kind>_closed for an Update or signal sent to a workflow that has ended', () => {
    const gone = (id: string) => new WorkflowNotFoundError('workflow execution already completed', id, undefined);
    expect(httpFailureOf(gone('obligation:p:2024:ІІМ:executors'))).toEqual({
      status: 409,
      code: 'obligation_closed',
      message: 'Obligation obligation:p:2024:ІІМ:executors is no longer running',
    });
    expect(httpFailureOf(gone('cycle:p:2024'))).toMatchObject({ status: 409, code: 'cycle_closed' });
    expect(httpFailureOf(gone('test-notification:1'))).toMatchObject({ status: 409, code: 'workflow_closed' });
    const grpcNotFound = Object.assign(new Error('5 NOT_FOUND: workflow execution already completed'), {
      code: 5,
      details: 'x',
      metadata: {},
    });
    expect(httpFailureOf(new ServiceError('Workflow Update Poll failed', { cause: grpcNotFound }))).toMatchObject({
      status: 409,
      code: 'workflow_closed',
    });
    const unavailable = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'x', metadata: {} });
    expect(httpFailureOf(new ServiceError('failed', { cause: unavailable }))).toBeUndefined();
  });

  it('maps PostgreSQL unique and foreign-key violations by SQLSTATE, naming the field from the constraint', () => {
    expect(httpFailureOf(pgError('23505', 'users_username_key'))).toEqual({
      status: 409,
      code: 'conflict',
      message: 'body/username: already exists',
    });
    expect(httpFailureOf(pgError('23505', 'plans_confirmed_act_uniq'))).toMatchObject({
      status: 409,
      code: 'duplicate_act',
    });
    expect(httpFailureOf(pgError('23503', 'user_plans_plan_id_fkey'))).toMatchObject({
      status: 409,
      code: 'invalid_reference',
      message: expect.stringContaining('body/planId'),
    });
    expect(httpFailureOf(pgError('23505', 'some_new_key'))).toMatchObject({
      status: 409,
      code: 'conflict',
      message: expect.stringContaining('some_new_key'),
    });
    // The data itself refused (a NUL in text, a not-null or check violation): 422, the SQLSTATE, never PostgreSQL's message,
    // which may quote the refused value.
    const nul = Object.assign(pgError('22021', 'x'), {
      constraint: undefined,
      column: 'payload',
      message: 'invalid byte sequence for encoding "UTF8": 0x00 in "secret"',
    });
    expect(httpFailureOf(nul)).toEqual({
      status: 422,
      code: 'data_rejected',
      message: 'payload: PostgreSQL refused the data (SQLSTATE 22021)',
    });
    expect(httpFailureOf(pgError('23514', 'plans_status_check'))).toMatchObject({
      status: 422,
      code: 'data_rejected',
      message: expect.stringContaining('plans_status_check'),
    });
    expect(httpFailureOf(pgError('23502', 'x'))).toMatchObject({ status: 422, code: 'data_rejected' });
    // Other database errors (a lost connection, a syntax error) are ours: 500.
    expect(httpFailureOf(pgError('57P01', 'x'))).toBeUndefined();
  });

  it('maps our own errors: HttpError as given, plan state errors, a plan without a schedule', () => {
    expect(httpFailureOf(new HttpError(403, 'forbidden', 'no'))).toEqual({
      status: 403,
      code: 'forbidden',
      message: 'no',
    });
    expect(httpFailureOf(new PlanStateError('not_found', 'No plan x'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(httpFailureOf(new PlanStateError('version_conflict', 'moved on'))).toMatchObject({
      status: 409,
      code: 'version_conflict',
    });
    expect(httpFailureOf(new PlanStateError('unschedulable', 'Temporal refused it'))).toMatchObject({
      status: 422,
      code: 'unschedulable',
    });
    expect(httpFailureOf(new ScheduleNotFoundError('not found', 'schedule:x'))).toMatchObject({
      status: 409,
      code: 'no_schedule',
    });
  });

  it('maps an upload over an archive limit to 413 archive_too_large, naming the limit', () => {
    expect(httpFailureOf(new ArchiveLimitError('entry_size', 'xl/worksheets/sheet1.xml inflates to 200 MB'))).toEqual({
      status: 413,
      code: 'archive_too_large',
      message: 'xl/worksheets/sheet1.xml inflates to 200 MB',
      limit: 'entry_size',
    });
  });
});

describe('the error handler', () => {
  it('answers the one error shape and hides 5xx details', async () => {
    const app = Fastify({ logger: false });
    installErrorHandler(app);
    app.get('/dup', async () => {
      throw pgError('23505', 'users_username_key');
    });
    app.get('/boom', async () => {
      throw new Error('password=secret at host');
    });
    app.get('/bomb', async () => {
      throw new ArchiveLimitError('ratio', 'compressed 1000:1');
    });
    const bomb = await app.inject('/bomb');
    expect(bomb.statusCode).toBe(413);
    expect(bomb.json()).toEqual({ error: { code: 'archive_too_large', message: 'compressed 1000:1', limit: 'ratio' } });
    const dup = await app.inject('/dup');
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ error: { code: 'conflict', message: 'body/username: already exists' } });
    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret');
    expect(boom.json().error.code).toBe('internal');
    await app.close();
  });
});
