// `merzim projections rebuild` as the application role (least privilege: rows only, events append-only), on read-model rows
// written before the row-carrying events existed: migration 2026_12_03_0300 gives each one a baseline event, so the check
// finds nothing to change; an event whose row never landed is named and rebuilt, and the CLI says what it does not rebuild.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { grantApplicationAccess, roleOf } from '../../db/grants.js';
import { migrateToLatest } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { appendEvent } from '../../db/repositories/events.js';
import { rebuildProjections, type ProjectionDifference } from '../../db/repositories/projections.js';
import { ensureLeastPrivilegeRoles, type DatabaseRoles } from '../../worker/embedded/roles.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const name = `proj_${randomBytes(5).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'merzim-projections-'));
const OB = 'obligation:legacy:2025:БҒМ:executors';
const CY = 'cycle:legacy:2025';
let roles: DatabaseRoles;
let app: Kysely<Database>;

async function asSuperuser<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await asSuperuser('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
  roles = await ensureLeastPrivilegeRoles(inject('pgAdminUrl'), name, join(dir, 'roles.json'));
  const owner = createDb(roles.ownerUrl, { max: 1 });
  // The schema just before the baseline, with read-model rows written the old way (no event carries them).
  const before = new Migrator({ db: owner, provider: { getMigrations: async () => migrations } });
  expect((await before.migrateTo('2026_12_02_0700_summary_marks')).error).toBeUndefined();
  await sql`INSERT INTO cycles (workflow_id, run_id, revision, plan_id, period, policy_id, status, stage, spec, opened_at)
    VALUES (${CY}, 'r1', 4, 'legacy', '2025', 'annual', 'open', 'executors', '{"stages": []}', '2025-01-01T00:00:00.123456Z')`.execute(
    owner,
  );
  await sql`INSERT INTO obligations (workflow_id, run_id, revision, cycle_workflow_id, plan_id, period, stage_id, agency_code,
      status, due_date, effective_due_date, due_at, report_version, report, submitted_at, working_days_late, opened_at)
    VALUES (${OB}, 'r1', 7, ${CY}, 'legacy', '2025', 'executors', 'БҒМ', 'submitted', '2026-01-10', '2026-01-12',
      '2026-01-12T18:59:59.999Z', 1, '{"versionId": "v1", "statuses": ["done"]}', '2026-01-09T04:00:00Z', 0,
      '2025-01-01T00:00:05Z')`.execute(owner);
  await sql`INSERT INTO notifications (dedupe_key, to_addresses, subject, body_text, lang, status, message_id, attempts,
      sent_at, workflow_id, run_id)
    VALUES ('reminder:legacy:7', '{info@bgm.gov.kz}', 'Еске салу', 'Мәтін', 'kk', 'sent', '<legacy@merzim>', 2,
      now(), ${OB}, 'r1')`.execute(owner);
  await migrateToLatest(owner);
  await grantApplicationAccess(owner, roleOf(roles.appUrl));
  await owner.destroy();
  app = createDb(roles.appUrl, { max: 2 });
});

afterAll(async () => {
  await app?.destroy();
  await asSuperuser('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${name}_app`);
    await c.query(`DROP ROLE IF EXISTS ${name}_owner`);
  });
  rmSync(dir, { recursive: true, force: true });
});

const checkAll = async () => {
  const found: ProjectionDifference[] = [];
  await rebuildProjections(app, { check: true, onDifference: (d) => found.push(d) });
  return found;
};

describe('projections rebuild as the application role', () => {
  it('finds the rows written before the baseline migration rebuilt as they are', async () => {
    const types = await app.selectFrom('events').select(['type', 'actor']).orderBy('id').execute();
    expect(types).toEqual([
      { type: 'cycle.saved', actor: 'migration' },
      { type: 'obligation.saved', actor: 'migration' },
      { type: 'notification.queued', actor: 'migration' },
      { type: 'notification.delivered', actor: 'migration' },
    ]);
    expect(await checkAll()).toEqual([]);
  });

  it('names a save whose row never landed, rebuilds it in one transaction, and keeps the attempts it cannot know', async () => {
    await appendEvent(app, {
      idempotencyKey: 'projection:test:8',
      type: 'obligation.saved',
      actor: 'system',
      workflowId: OB,
      runId: 'r1',
      subjectType: 'obligation',
      subjectId: OB,
      payload: {
        ...(
          await app
            .selectFrom('events')
            .select('payload')
            .where('type', '=', 'obligation.saved')
            .executeTakeFirstOrThrow()
        ).payload,
        revision: 8,
        status: 'accepted',
        acceptedAt: '2026-01-11T05:00:00.000Z',
      },
    });
    expect(await checkAll()).toEqual([
      { table: 'obligations', key: OB, kind: 'changed', column: 'revision', live: 7, rebuilt: 8 },
      { table: 'obligations', key: OB, kind: 'changed', column: 'status', live: 'submitted', rebuilt: 'accepted' },
      {
        table: 'obligations',
        key: OB,
        kind: 'changed',
        column: 'accepted_at',
        live: null,
        rebuilt: '2026-01-11T05:00:00.000Z',
      },
    ]);
    const report = await rebuildProjections(app, { check: false });
    expect([report.written, report.deleted]).toEqual([1, 0]);
    expect(await checkAll()).toEqual([]);
    const mail = await app.selectFrom('notifications').selectAll().executeTakeFirstOrThrow();
    expect(mail.attempts).toBe(2);
  });

  it('runs from the command line as the application role, saying what it does not rebuild', async () => {
    const { stdout } = await run(
      `${root}/node_modules/.bin/tsx`,
      ['api/cli/index.ts', 'projections', 'rebuild', '--check'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, DATABASE_URL: roles.appUrl },
      },
    );
    expect(stdout).toContain(
      'not rebuilt (no event determines them): cycles.updated_at, obligations.updated_at, obligations.changed_xid, notifications.attempts, notifications.last_error',
    );
    expect(stdout).toContain('1 cycles, 1 obligations, 1 notifications; 0 differences');
    const bad = await run(`${root}/node_modules/.bin/tsx`, ['api/cli/index.ts', 'projections', 'rebuild', '--plan'], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: roles.appUrl },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
  });
});
