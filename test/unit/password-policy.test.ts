// The password policy: blank, short, repeated, sequential, common and username-built passwords are refused; strong ones and
// the generated one-time passwords pass.
import { describe, expect, it } from 'vitest';
import { generatePassword } from '../../db/repositories/users.js';
import { PasswordPolicyError, assertPasswordAcceptable, passwordProblem } from '../../platform/password-policy.js';

describe('password policy', () => {
  it('refuses blank, short, repeated, sequential and known-common passwords', async () => {
    expect(await passwordProblem('')).toBe('blank');
    expect(await passwordProblem('            ')).toBe('blank');
    expect(await passwordProblem('Ab1!x')).toBe('too_short');
    expect(await passwordProblem('x'.repeat(201))).toBe('too_long');
    for (const weak of ['aaaaaaaaaaaa', '1234567890', 'abcdefghijk', 'password123', 'qwertyuiop12', 'P@ssw0rd2024'])
      expect(await passwordProblem(weak), weak).toBe('weak');
  });

  it('refuses a password built from the username', async () => {
    expect(await passwordProblem('akdm.coordinator1', ['akdm.coordinator'])).toBe('weak');
  });

  it('accepts strong passwords, in any script, and every generated one-time password', async () => {
    for (const strong of ['correct-horse-battery', 'xK9#mQ2$vL7p', 'Астана-көктем-2026'])
      expect(await passwordProblem(strong), strong).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(await passwordProblem(generatePassword())).toBeUndefined();
  });

  it('names the field in its error, never the password', async () => {
    const err: unknown = await assertPasswordAcceptable('password123', 'body/newPassword').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PasswordPolicyError);
    expect((err as Error).message).toMatch(/^body\/newPassword /);
    expect((err as Error).message).not.toContain('password123');
  });
});
