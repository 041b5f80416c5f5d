// The password policy: blank, short, repeated, sequential, common and username-built passwords are refused; strong ones and
// the generated one-time passwords pass.
import { describe, expect, it } from 'vitest';
import { generatePassword } from '../../db/repositories/users.js';
import { PasswordPolicyError, assertPasswordAcceptable, passwordProblem } from '../../platform/password-policy.js';

describe('password policy', () => {
  it('refuses blank, short, repeated, sequential and known-common passwords', () => {
    expect(passwordProblem('')).toBe('blank');
    expect(passwordProblem('            ')).toBe('blank');
    expect(passwordProblem('Ab1!x')).toBe('too_short');
    expect(passwordProblem('x'.repeat(201))).toBe('too_long');
    for (const weak of ['aaaaaaaaaaaa', '1234567890', 'abcdefghijk', 'password123', 'qwertyuiop12', 'P@ssw0rd2024'])
      expect(passwordProblem(weak), weak).toBe('weak');
  });

  it('refuses a password built from the username', () => {
    expect(passwordProblem('akdm.coordinator1', ['akdm.coordinator'])).toBe('weak');
  });

  it('accepts strong passwords, in any script, and every generated one-time password', () => {
    for (const strong of ['correct-horse-battery', 'xK9#mQ2$vL7p', 'Астана-көктем-2026'])
      expect(passwordProblem(strong), strong).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(passwordProblem(generatePassword())).toBeUndefined();
  });

  it('names the field in its error, never the password', () => {
    const err = (() => {
      try {
        assertPasswordAcceptable('password123', 'body/newPassword');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PasswordPolicyError);
    expect((err as Error).message).toMatch(/^body\/newPassword /);
    expect((err as Error).message).not.toContain('password123');
  });
});
