// The determinism guard is a lint rule: prove it rejects I/O in workflows/ and accepts the real workflow code.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('workflow determinism lint', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", '@typescript-eslint/no-restricted-imports'],
    ["import pg from 'pg';", '@typescript-eslint/no-restricted-imports'],
    ["import { Kysely } from 'kysely';", '@typescript-eslint/no-restricted-imports'],
    ["import nodemailer from 'nodemailer';", '@typescript-eslint/no-restricted-imports'],
    ["import { Client } from '@temporalio/client';", '@typescript-eslint/no-restricted-imports'],
    ["import { createHash } from 'crypto';", '@typescript-eslint/no-restricted-imports'],
    ['export const env = process.env.X;', 'no-restricted-globals'],
  ])('rejects %s in workflows/', async (code, rule) => {
    const messages = await lintAs('workflows/scheduled-notification.ts', `${code}\nexport {};\n`);
    expect(messages.some((m) => m.startsWith(rule))).toBe(true);
  });

  it('allows the same import outside workflows/', async () => {
    const messages = await lintAs(
      'activities/mail-format.ts',
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    );
    expect(messages.filter((m) => m.startsWith('no-restricted'))).toEqual([]);
  });

  it('flags a floating promise anywhere', async () => {
    const messages = await lintAs(
      'activities/mail-format.ts',
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
    );
    expect(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true);
  });
});

// Layers import only downward (README, "Layout"): a wrong-way import fails `npm test` through this rule.
describe('layer lint', () => {
  const RULE = '@typescript-eslint/no-restricted-imports';
  it.each([
    ['domain/cycle-spec.ts', "import { FailureType } from '../workflows/shared.js';\nexport const f = FailureType;"],
    [
      'domain/import/metadata.ts',
      "import { getPlan } from '../../db/repositories/plans.js';\nexport const g = getPlan;",
    ],
    ['domain/cycle-model.ts', "import type { Config } from '../platform/config.js';\nexport type C = Config;"],
    [
      'workflows/obligation.ts',
      "import { createActivities } from '../activities/index.js';\nexport const c = createActivities;",
    ],
    ['workflows/obligation.ts', "import { getPlan } from '../db/repositories/plans.js';\nexport const g = getPlan;"],
    ['activities/cycles.ts', "import { buildApp } from '../api/app.js';\nexport const b = buildApp;"],
    [
      'db/repositories/plans.ts',
      "import { FailureType } from '../../workflows/shared.js';\nexport const f = FailureType;",
    ],
    [
      'api/server.ts',
      "import { createMerzimWorker } from '../worker/worker.js';\nexport const c = createMerzimWorker;",
    ],
    [
      'api/routes/plans.ts',
      "import { createActivities } from '../../activities/index.js';\nexport const c = createActivities;",
    ],
    ['worker/demo.ts', "import { buildApp } from '../api/app.js';\nexport const b = buildApp;"],
    ['platform/config.ts', "import { createDb } from '../db/connect.js';\nexport const c = createDb;"],
  ])('rejects a wrong-way import in %s', async (file, code) => {
    const messages = await lintAs(file, `${code}\n`);
    expect(messages.some((m) => m.startsWith(RULE))).toBe(true);
  });

  it.each([
    [
      'workflows/obligation.ts',
      "import type { Activities } from '../activities/index.js';\nexport type A = Activities;",
    ],
    ['activities/cycles.ts', "import { FailureType } from '../workflows/shared.js';\nexport const f = FailureType;"],
    [
      'api/routes/plans.ts',
      "import { submitUpdate } from '../../workflows/shared.js';\nexport const s = submitUpdate;",
    ],
    ['worker/embedded/stack.ts', "import { buildApp } from '../../api/app.js';\nexport const b = buildApp;"],
    ['domain/cycle-spec.ts', "import { stageChain } from './cycle-model.js';\nexport const s = stageChain;"],
  ])('allows a downward import in %s', async (file, code) => {
    const messages = await lintAs(file, `${code}\n`);
    expect(messages.filter((m) => m.startsWith(RULE))).toEqual([]);
  });
});
