// The web interface's state: each user's interface language, a CSRF token bound to each browser session, and report drafts kept as the reporter types. Frozen once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // users.lang is the language of a user's e-mails (kk or ru); the interface may also be English, so it is a column of its own.
  await db.schema
    .alterTable('users')
    .addColumn('ui_lang', 'text', (c) => c.check(sql`ui_lang IN ('kk', 'ru', 'en')`))
    .execute();
  // A synchronizer token per browser session: forms carry it, and a post whose token is not its session's is refused.
  await db.schema.alterTable('api_tokens').addColumn('csrf_token', 'text').execute();
  await db.schema
    .createTable('report_drafts')
    .addColumn('obligation_id', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('report_drafts_pk', ['obligation_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_drafts').execute();
  await db.schema.alterTable('api_tokens').dropColumn('csrf_token').execute();
  await db.schema.alterTable('users').dropColumn('ui_lang').execute();
}
