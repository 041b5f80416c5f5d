// The merzim command line against a real database: plan import (the JSON contract), cycle preview (no side effects), tokens.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedAgencies } from '../../db/repositories/agencies.js';
import { confirmPlan, createDraft } from '../../db/repositories/plans.js';
import { findActiveToken } from '../../db/repositories/tokens.js';
import { seedReferenceData } from '../../db/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_AGENCIES, testPlan } from '../helpers/plans.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
let tdb: TestDatabase;
let planId: string;

async function merzim(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(`${root}/node_modules/.bin/tsx`, ['api/cli/index.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: tdb.url, TEMPORAL_ADDRESS: inject('temporalAddress') },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedAgencies(tdb.db, TEST_AGENCIES);
  await seedReferenceData(tdb.db);
  planId = await createDraft(tdb.db, {
    plan: testPlan({ years: { from: 2019, to: 2020 } }),
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  await tdb.db.transaction().execute((trx) => confirmPlan(trx, planId, 'test'));
});
afterAll(async () => {
  await tdb?.drop();
});

describe('merzim CLI', () => {
  it('plan import --dry-run --json prints the contract and stores nothing', async () => {
    const res = await merzim(
      'plan',
      'import',
      `${root}/../shared/seeds/000_154aa3237ae338bf.txt`,
      '--dry-run',
      '--json',
    );
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['plan', 'measures', 'abbreviations', 'diagnostics']));
    expect(out.measures).toHaveLength(59);
    expect(out.measures[0]).toEqual(
      expect.objectContaining({
        number: expect.any(String),
        title: expect.any(Object),
        completionForm: expect.any(Object),
        executors: expect.any(Array),
        deadline: expect.objectContaining({ text: expect.any(String), kind: expect.any(String) }),
      }),
    );
    for (const m of out.measures) expect(m).toHaveProperty('recipient');
    expect(out.measures[0].executors[0]).toEqual(
      expect.objectContaining({ code: expect.any(String), byAgreement: expect.any(Boolean) }),
    );
    expect(out.stored).toBe(false);
    expect(
      Number(
        (
          await tdb.db
            .selectFrom('plans')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(1);
  });

  it('plan import --columns maps the columns; a bad mapping names the option and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'merzim-cli-'));
    const file = join(dir, 'plan.txt');
    writeFileSync(
      file,
      '1\tДін саласындағы заңнаманы жетілдіру бойынша ұсыныстар\tАҚДМ, ІІМ\tҮкіметке ақпарат\t2021 жылғы желтоқсан\n',
    );
    const res = await merzim(
      'plan',
      'import',
      file,
      '--dry-run',
      '--json',
      '--columns',
      'number=1,name=2,executors=3,form=4,deadline=5',
    );
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.measures[0].executors.map((e: { code: string }) => e.code)).toEqual(['АҚДМ', 'ІІМ']);
    expect(out.diagnostics.some((d: { code: string }) => d.code === 'columns_given')).toBe(true);
    const bad = await merzim('plan', 'import', file, '--dry-run', '--columns', 'name=2,deadline=2,executors=3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--columns: column 2 is given to both name and deadline');
  });

  it('plan import of a file with errors stores nothing and exits 1', async () => {
    const res = await merzim('plan', 'import', `${root}/../shared/seeds/002_e7a38657bed497b0.txt`, '--json');
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).stored).toBe(false);
  });

  it('cycle preview prints every reminder, the deadline and the escalation ladder, with no side effects', async () => {
    const before = await tdb.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await merzim('cycle', 'preview', '--plan', planId, '--period', '2019', '--json');
    expect(res.code, res.stderr).toBe(0);
    const preview = JSON.parse(res.stdout) as {
      timeline: { kind: string; party: string; stageId: string; offset?: number; date: string; audience?: string }[];
    };
    const bgm = preview.timeline.filter((e) => e.party === 'БҒМ' && e.stageId === 'executors');
    expect(bgm.filter((e) => e.kind === 'reminder').map((e) => e.offset)).toEqual([14, 7, 3, 1, 0]);
    // 10 January 2020 was a Friday, a working day: the deadline stays.
    expect(bgm.find((e) => e.kind === 'reminder' && e.offset === 0)!.date).toBe('2020-01-10');
    expect(bgm.filter((e) => e.kind === 'escalation').map((e) => e.audience)).toEqual([
      'party',
      'coordinator',
      'coordinator_head',
      'pm_office',
    ]);
    // ҰҚК reports by agreement: never escalated past the coordinator.
    const knb = preview.timeline.filter((e) => e.party === 'ҰҚК' && e.kind === 'escalation');
    expect(knb.map((e) => e.audience)).not.toContain('pm_office');
    const after = await tdb.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await tdb.db.selectFrom('notifications').select('id').execute()).toEqual([]);
  });

  it('cycle preview with a bad period names the argument and exits 2', async () => {
    const res = await merzim('cycle', 'preview', '--plan', planId, '--period', '2019-Q5');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--period');
  });

  it('cycle open refuses a period whose deadlines have passed without --mode, explaining both, and a bad mode', async () => {
    const res = await merzim('cycle', 'open', '--plan', planId, '--period', '2019');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^mode: \d+ obligations of 2019 would be overdue at once/);
    expect(res.stderr).toContain('"catch-up"');
    expect(res.stderr).toContain('"record-only"');
    const bad = await merzim('cycle', 'open', '--plan', planId, '--period', '2019', '--mode', 'loud');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode must be one of catch-up, record-only');
  });

  it('token create prints a working secret once', async () => {
    const res = await merzim('token', 'create', '--name', 'ops', '--role', 'admin');
    expect(res.code).toBe(0);
    const secret = res.stdout.trim();
    expect((await findActiveToken(tdb.db, secret))?.role).toBe('admin');
    expect(res.stderr).not.toContain(secret);
  });
  it('user create, reset-password, disable and enable: the admin’s account commands at the machine', async () => {
    const created = await merzim('user', 'create', 'cli.person', '--name', 'CLI', '--role', 'pm_office');
    expect(created.code).toBe(0);
    const otp = /one-time password: (\S+)/.exec(created.stdout)![1]!;
    const reset = await merzim('user', 'reset-password', 'cli.person');
    expect(reset.code).toBe(0);
    const otp2 = /one-time password: (\S+)/.exec(reset.stdout)![1]!;
    expect(otp2).not.toBe(otp);
    expect((await merzim('user', 'disable', 'cli.person')).stdout).toContain('cli.person disabled');
    const row = await tdb.db
      .selectFrom('users')
      .select(['disabled_at', 'must_change_password'])
      .where('username', '=', 'cli.person')
      .executeTakeFirstOrThrow();
    expect(row.disabled_at).not.toBeNull();
    expect(row.must_change_password).toBe(true);
    expect((await merzim('user', 'enable', 'cli.person')).stdout).toContain('cli.person enabled');
    expect((await merzim('user', 'disable', 'nobody.here')).code).not.toBe(0);
    const events = await tdb.db.selectFrom('events').select('type').where('actor', '=', 'cli').execute();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['user.password_reset', 'user.disabled', 'user.enabled']),
    );
  });
});
