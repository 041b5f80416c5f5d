// One structured logger: secrets never reach a line, the console format is readable, and the Temporal SDK's entries keep their workflow fields.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logger.js';
import { runtimeLogSink } from '../../../worker/worker.js';

function collector(): { lines: string[]; write(s: string): void } {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(...s.split('\n').filter((l) => l !== '')) };
}

describe('logger', () => {
  it('writes JSON lines with the process name and redacts secrets wherever they sit', () => {
    const out = collector();
    const logger = createLogger({ level: 'info', name: 'merzim-api', destination: out });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer s3cr3t', cookie: 'sid=abc' } },
        password: 'p@ss',
        user: { token: 'tok', name: 'ok' },
      },
      'request',
    );
    expect(out.lines).toHaveLength(1);
    const entry = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      name: 'merzim-api',
      msg: 'request',
      password: '[redacted]',
      user: { token: '[redacted]', name: 'ok' },
    });
    expect(out.lines[0]).not.toMatch(/s3cr3t|sid=abc|p@ss|"tok"/);
  });

  it('prints readable lines for a person in the line format, and honours the level', () => {
    const out = collector();
    const logger = createLogger({ level: 'warn', name: 'merzim', format: 'line', destination: out });
    logger.info('hidden');
    logger.warn({ port: 5433 }, 'port in use');
    logger.error({ secret: 'x' }, 'failed');
    expect(out.lines).toEqual(['[merzim] WARN port in use port=5433', '[merzim] ERROR failed secret=[redacted]']);
  });

  it('routes a Temporal SDK entry with its workflow fields', () => {
    const out = collector();
    const logger = createLogger({ level: 'info', name: 'merzim-worker', destination: out });
    runtimeLogSink(logger)({
      level: 'WARN',
      message: 'could not tell the cycle about a status change',
      timestampNanos: 0n,
      meta: {
        sdkComponent: 'workflow',
        workflowId: 'obligation:p:2019:ҰЭМ:executors',
        runId: 'r-1',
        workflowType: 'obligationWorkflow',
      },
    });
    const entry = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 40,
      msg: 'could not tell the cycle about a status change',
      workflowId: 'obligation:p:2019:ҰЭМ:executors',
      runId: 'r-1',
      source: 'temporal',
    });
    expect(entry).not.toHaveProperty('sdkComponent');
  });
});
