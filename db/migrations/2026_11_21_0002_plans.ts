// Agencies directory, plans (drafts with diagnostics, confirmed, amended, repealed) with their measures, users and plan access. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agencies')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name_kk', 'text')
    .addColumn('name_ru', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('by_agreement', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('successor_code', 'text', (c) => c.references('agencies.code'))
    .addColumn('successor_date', 'date')
    .addColumn('successor_act', 'text')
    .addColumn('lang', 'text', (c) =>
      c
        .notNull()
        .defaultTo('kk')
        .check(sql`lang IN ('kk', 'ru')`),
    )
    .addColumn('aliases', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('contacts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('since', 'date')
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('agencies_name_present', sql`name_kk IS NOT NULL OR name_ru IS NOT NULL`)
    .execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status IN ('draft', 'confirmed', 'repealed', 'discarded')`),
    )
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('title_kk', 'text')
    .addColumn('title_ru', 'text')
    .addColumn('coordinator_code', 'text')
    .addColumn('policy_id', 'text')
    .addColumn('years_from', 'integer')
    .addColumn('years_to', 'integer')
    .addColumn('act_number', 'text')
    .addColumn('act_date', 'date')
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('diagnostics', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('source_format', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('confirmed_by', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('repealed_at', 'timestamptz')
    .addColumn('repeal_reason', 'text')
    .execute();
  // The same act cannot be confirmed twice (a re-import makes a new draft, which replaces nothing by accident).
  await sql`CREATE UNIQUE INDEX plans_confirmed_act_uniq ON plans (act_number, act_date) WHERE status = 'confirmed' AND act_number IS NOT NULL`.execute(
    db,
  );

  await db.schema
    .createTable('plan_versions')
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('plans.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('change', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('plan_versions_pk', ['plan_id', 'version'])
    .execute();

  // Measures and executors of the current version, flattened for "what does this agency owe" queries.
  await db.schema
    .createTable('measures')
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('plans.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('title_kk', 'text')
    .addColumn('title_ru', 'text')
    .addColumn('deadline_text', 'text', (c) => c.notNull())
    .addColumn('deadline_kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'jsonb')
    .addPrimaryKeyConstraint('measures_pk', ['plan_id', 'idx'])
    .execute();
  await db.schema
    .createTable('measure_executors')
    .addColumn('plan_id', 'uuid', (c) => c.notNull())
    .addColumn('measure_idx', 'integer', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('by_agreement', 'boolean', (c) => c.notNull())
    .addColumn('lead', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('measure_executors_pk', ['plan_id', 'measure_idx', 'agency_code'])
    .addForeignKeyConstraint(
      'measure_executors_measure_fk',
      ['plan_id', 'measure_idx'],
      'measures',
      ['plan_id', 'idx'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('measure_executors_agency_idx')
    .on('measure_executors')
    .columns(['agency_code', 'plan_id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role IN ('admin', 'coordinator', 'pm_office', 'reporter')`))
    .addColumn('agency_code', 'text', (c) => c.references('agencies.code'))
    .addColumn('lang', 'text', (c) =>
      c
        .notNull()
        .defaultTo('kk')
        .check(sql`lang IN ('kk', 'ru')`),
    )
    .addColumn('password_hash', 'text')
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .addCheckConstraint('users_reporter_agency', sql`role <> 'reporter' OR agency_code IS NOT NULL`)
    .execute();
  await db.schema
    .createTable('user_plans')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('plans.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_plans_pk', ['user_id', 'plan_id'])
    .execute();

  // Tokens now belong to users (sessions from a login, or long-lived tokens for agencies' own systems).
  await db.schema
    .alterTable('api_tokens')
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .execute();
  await db.schema
    .alterTable('api_tokens')
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('api')
        .check(sql`kind IN ('api', 'session')`),
    )
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('kind').execute();
  await db.schema.alterTable('api_tokens').dropColumn('user_id').execute();
  for (const t of ['user_plans', 'users', 'measure_executors', 'measures', 'plan_versions', 'plans', 'agencies'])
    await db.schema.dropTable(t).execute();
}
