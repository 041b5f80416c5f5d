// The `merzim` command-line contract, run the way other tools run it: `npx tsx api/cli/index.ts …` in a child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function merzim(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'api/cli/index.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function dueJson(expression: string, year: number): Promise<{ kind: string; due: string[]; reason?: string }> {
  const run = await merzim('deadline', 'due', expression, '--year', String(year), '--json');
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { kind: string; due: string[]; reason?: string };
}

describe('merzim deadline due … --json', () => {
  it.concurrent.each([
    ['2018 жылғы 10 шілдеге қарай', 2018, 'once', ['2018-07-10']],
    ['тоқсан сайын келесі айдың 5-не', 2019, 'quarterly', ['2019-04-05', '2019-07-05', '2019-10-05', '2020-01-05']],
    ['2017 жылғы 4-тоқсан', 2017, 'once', ['2017-12-31']],
    ['жыл сайын 25 шілдеге, 25 желтоқсанға дейін', 2018, 'periodic_dates', ['2018-07-25', '2018-12-25']],
    ['2018 жылғы қаңтар', 2018, 'once', ['2018-01-31']],
    ['жыл сайын', 2019, 'annual', ['2020-01-10']],
    ['үнемі', 2019, 'continuous', ['2020-01-10']],
    ['2018 жылғы 10 шілдеге қарай', 2019, 'once', []],
  ] as const)('%s --year %i', async (expression, year, kind, due) => {
    expect(await dueJson(expression, year)).toMatchObject({ kind, due });
  });

  it.concurrent('reports an unparseable expression with exit code 0 and a reason', async () => {
    const result = await dueJson('келесі жексенбіге дейін', 2019);
    expect(result).toMatchObject({ kind: 'unparsed', due: [] });
    expect(result.reason).toMatch(/unrecognised wording/);
  });
});

describe('merzim errors and other commands', () => {
  it.concurrent('bad arguments: stderr names the argument, exit code 2', async () => {
    const missingYear = await merzim('deadline', 'due', 'жыл сайын', '--json');
    expect(missingYear.code).toBe(2);
    expect(missingYear.stderr).toContain('--year');
    const badYear = await merzim('deadline', 'due', 'жыл сайын', '--year', 'next');
    expect(badYear.code).toBe(2);
    expect(badYear.stderr).toContain('--year');
    const unknownOption = await merzim('calendar', 'shift', '2024-03-23', '--sideways');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain('--sideways');
  });

  it.concurrent('a human-readable line without --json', async () => {
    const run = await merzim('deadline', 'due', '2017 жылғы 4-тоқсан', '--year', '2017', '--lang', 'kk');
    expect(run.stdout.trim()).toBe('once: 2017-12-31 (2017 жылғы 4-тоқсан)');
  });

  it.concurrent('calendar shift prints the next working day', async () => {
    expect((await merzim('calendar', 'shift', '2024-03-23')).stdout.trim()).toBe('2024-03-26');
    const run = await merzim('calendar', 'shift', '2024-03-23', '--direction', 'previous', '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({ date: '2024-03-23', shifted: '2024-03-20' });
  });

  it.concurrent('calendar --year lists non-working days with reasons and sources', async () => {
    const run = await merzim('calendar', '--year', '2024', '--json');
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as {
      nonWorkingDays: { date: string; kind: string; reason: { kk: string; ru: string; en: string }; source: string }[];
    };
    expect(body.nonWorkingDays).toHaveLength(117);
    expect(body.nonWorkingDays.find((d) => d.date === '2024-05-08')).toMatchObject({
      kind: 'transfer_day_off',
      source: expect.stringContaining('Minister of Labour') as string,
    });
    expect(body.nonWorkingDays.find((d) => d.date === '2024-03-22')?.reason).toEqual({
      kk: 'Наурыз мейрамы',
      ru: 'Наурыз мейрамы',
      en: 'Nauryz',
    });
  });
});
