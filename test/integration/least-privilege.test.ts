// Least privilege on a real PostgreSQL: the application role owns nothing, is no superuser, changes rows only, and can neither
// rewrite the audit log nor switch its trigger off; the owner migrates. A database from before the split is taken over by the owner.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/connect.js';
import { grantApplicationAccess, roleOf } from '../../db/grants.js';
import { migrateToLatest } from '../../db/migrate.js';
import { appendEvent } from '../../db/repositories/events.js';
import { seedReferenceData } from '../../db/seed.js';
import { ensureLeastPrivilegeRoles, type DatabaseRoles } from '../../worker/embedded/roles.js';

const name = `lp_${randomBytes(5).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'merzim-lp-'));
let roles: DatabaseRoles;

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
  // A database as the embedded stack made it before the split: created and migrated by the superuser.
  await asSuperuser('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  const legacy = createDb(url.toString(), { max: 1 });
  await migrateToLatest(legacy);
  await legacy.destroy();

  roles = await ensureLeastPrivilegeRoles(inject('pgAdminUrl'), name, join(dir, 'roles.json'));
  const owner = createDb(roles.ownerUrl, { max: 1 });
  await migrateToLatest(owner);
  await seedReferenceData(owner);
  await grantApplicationAccess(owner, roleOf(roles.appUrl));
  await owner.destroy();
});

afterAll(async () => {
  await asSuperuser('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${name}_app`);
    await c.query(`DROP ROLE IF EXISTS ${name}_owner`);
  });
  rmSync(dir, { recursive: true, force: true });
});

describe('database roles of least privilege', () => {
  it('neither role is a superuser; the owner owns every table, function and the schema, the app owns nothing', async () => {
    const rows = await asSuperuser(
      name,
      async (c) =>
        (
          await c.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
            'SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
            [[`${name}_app`, `${name}_owner`]],
          )
        ).rows,
    );
    expect(rows).toEqual([
      { rolname: `${name}_app`, rolsuper: false, rolcreaterole: false, rolcreatedb: false },
      { rolname: `${name}_owner`, rolsuper: false, rolcreaterole: false, rolcreatedb: false },
    ]);
    const owners = await asSuperuser(name, async (c) =>
      (
        await c.query<{ owner: string }>(`
      SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
      UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
      UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'`)
      ).rows.map((r) => r.owner),
    );
    expect(owners).toEqual([`${name}_owner`]);
  });

  it('the app changes rows and appends events and report versions, but cannot update, delete or truncate them, switch the trigger off, or change the schema', async () => {
    const app = createDb(roles.appUrl, { max: 1 });
    try {
      const n = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM agencies`.execute(app)).rows[0]!.n);
      expect(n).toBeGreaterThan(0);
      await sql`UPDATE agencies SET lang = lang`.execute(app);
      await appendEvent(app, { idempotencyKey: `lp-${name}`, type: 'test.event', actor: 'test', payload: {} });
      await sql`INSERT INTO report_versions (obligation_id, version, agency_code, content, content_hash, submitted_by)
        VALUES ('o', 1, 'X', '{}'::jsonb, ${'c'.repeat(64)}, 'test')`.execute(app);
      await sql`INSERT INTO summary_versions (id, obligation_id, cycle_id, stage_id, version, agency_code, content, content_hash, submitted_by)
        VALUES (gen_random_uuid(), 'o', 'c', 's', 1, 'X', '{}'::jsonb, ${'c'.repeat(64)}, 'test')`.execute(app);
      // A cycle's measure texts: stored once by hash (a second store is a no-op), never changed.
      for (let i = 0; i < 2; i++)
        await sql`INSERT INTO cycle_texts (hash, texts) VALUES (${'d'.repeat(64)}, '{"measures":{}}'::jsonb)
          ON CONFLICT (hash) DO NOTHING`.execute(app);
      // What a cycle carries into its next run: appended by hash, never changed.
      await sql`INSERT INTO cycle_carries (hash, cycle_id, chunk) VALUES (${'e'.repeat(64)}, 'c', '{}')`.execute(app);
      const refusals = [
        sql`UPDATE cycle_carries SET chunk = '[]'`,
        sql`DELETE FROM cycle_carries`,
        sql`TRUNCATE cycle_carries`,
        sql`UPDATE cycle_texts SET texts = '{}'::jsonb`,
        sql`DELETE FROM cycle_texts`,
        sql`TRUNCATE cycle_texts`,
        sql`UPDATE events SET actor = 'forged'`,
        sql`DELETE FROM events`,
        sql`TRUNCATE events`,
        // Submitted report versions are as immutable as the audit log.
        sql`UPDATE report_versions SET submitted_by = 'forged'`,
        sql`DELETE FROM report_versions`,
        sql`TRUNCATE report_versions`,
        sql`ALTER TABLE report_versions DISABLE TRIGGER ALL`,
        // And so are the consolidated summaries sent up the chain.
        sql`UPDATE summary_versions SET submitted_by = 'forged'`,
        sql`DELETE FROM summary_versions`,
        sql`TRUNCATE summary_versions`,
        sql`ALTER TABLE summary_versions DISABLE TRIGGER ALL`,
        sql`ALTER TABLE events DISABLE TRIGGER ALL`,
        sql`DROP TRIGGER IF EXISTS events_append_only ON events`,
        sql`CREATE TABLE sneaky (id int)`,
        sql`SELECT * FROM kysely_migration`,
      ];
      for (const statement of refusals) {
        await expect(statement.execute(app), statement.compile(app).sql).rejects.toThrow(
          /permission denied|must be owner/,
        );
      }
      const events = (
        await sql<{ actor: string }>`SELECT actor FROM events WHERE idempotency_key = ${`lp-${name}`}`.execute(app)
      ).rows;
      expect(events).toEqual([{ actor: 'test' }]);
    } finally {
      await app.destroy();
    }
  });

  it('is idempotent: a second run changes nothing and keeps the passwords', async () => {
    const again = await ensureLeastPrivilegeRoles(inject('pgAdminUrl'), name, join(dir, 'roles.json'));
    expect(again).toEqual(roles);
    const app = createDb(again.appUrl, { max: 1 });
    await sql`SELECT 1`.execute(app);
    await app.destroy();
  });
});
