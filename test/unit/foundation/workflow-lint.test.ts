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
    ["import { readFileSync } from 'node:fs';", 'no-restricted-imports'],
    ["import pg from 'pg';", 'no-restricted-imports'],
    ["import { Kysely } from 'kysely';", 'no-restricted-imports'],
    ["import nodemailer from 'nodemailer';", 'no-restricted-imports'],
    ["import { Client } from '@temporalio/client';", 'no-restricted-imports'],
    ["import { createHash } from 'crypto';", 'no-restricted-imports'],
    ['export const env = process.env.X;', 'no-restricted-globals'],
  ])('rejects %s in workflows/', async (code, rule) => {
    const messages = await lintAs('workflows/scheduled-notification.ts', `${code}\nexport {};\n`);
    expect(messages.some((m) => m.startsWith(rule))).toBe(true);
  });

  it('allows the same import outside workflows/', async () => {
    const messages = await lintAs('activities/mail-format.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n");
    expect(messages.filter((m) => m.startsWith('no-restricted'))).toEqual([]);
  });

  it('flags a floating promise anywhere', async () => {
    const messages = await lintAs('activities/mail-format.ts', 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n');
    expect(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true);
  });
});
