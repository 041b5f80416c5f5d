// The password policy every place that sets a password applies (first sign-in, change, admin reset, CLI): a length, and a
// strength estimate (zxcvbn-ts with its common-password, name and keyboard dictionaries) that refuses blank, repeated,
// sequential and known-common passwords and ones built from the username.
// The dictionaries (~1.5 MB) load on the first check, not at import: the CLI and processes that never set a password skip them.

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;
/** zxcvbn's score 0–4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario" (≥ 10^8 guesses). */
export const MIN_PASSWORD_SCORE = 3;

type Estimator = (password: string, userInputs: string[]) => { score: number };
let estimator: Promise<Estimator> | undefined;
function strength(): Promise<Estimator> {
  estimator ??= (async () => {
    const [{ zxcvbn, zxcvbnOptions }, common] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
    ]);
    zxcvbnOptions.setOptions({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    return zxcvbn;
  })();
  return estimator;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'blank' | 'weak';

/** Why a password is refused, or undefined when it is acceptable. `userInputs` (username, name) count as known words. */
export async function passwordProblem(
  password: string,
  userInputs: readonly string[] = [],
): Promise<PasswordProblem | undefined> {
  if (password.trim() === '') return 'blank';
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too_long';
  const zxcvbn = await strength();
  // zxcvbn's cost grows with length; the first 100 characters decide whether a password is guessable.
  const inputs = userInputs.filter((s) => s.length > 0).flatMap((s) => [s, ...s.split(/[._\-\s@]+/)]);
  return zxcvbn(password.slice(0, 100), inputs).score < MIN_PASSWORD_SCORE ? 'weak' : undefined;
}

const MESSAGES: Readonly<Record<PasswordProblem, string>> = {
  blank: 'must not be blank',
  too_short: `must have at least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `must have at most ${MAX_PASSWORD_LENGTH} characters`,
  weak: 'is too easy to guess (a common password, a repeated or sequential pattern, or built from the username)',
};

/** A password the policy refuses; `field` names where it came from (body/newPassword). */
export class PasswordPolicyError extends Error {
  constructor(
    readonly problem: PasswordProblem,
    readonly field: string,
  ) {
    super(`${field} ${MESSAGES[problem]}`);
    this.name = 'PasswordPolicyError';
  }
}

/** Throws PasswordPolicyError when the policy refuses the password. */
export async function assertPasswordAcceptable(
  password: string,
  field: string,
  userInputs: readonly string[] = [],
): Promise<void> {
  const problem = await passwordProblem(password, userInputs);
  if (problem !== undefined) throw new PasswordPolicyError(problem, field);
}
