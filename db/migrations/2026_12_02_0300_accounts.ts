// Accounts hardening: token ids that cannot be guessed or counted (UUIDs, existing ids migrated), and the failed sign-ins
// that rate-limit and lock out password guessing across every API process and restart; indexes for keyset pages. Frozen
// once shipped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A sequential id tells anyone who sees one how many tokens exist and which are near theirs: give each a random UUID.
  await db.schema
    .alterTable('api_tokens')
    .addColumn('uid', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .execute();
  await sql`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey`.execute(db);
  await db.schema.alterTable('api_tokens').dropColumn('id').execute();
  await db.schema.alterTable('api_tokens').renameColumn('uid', 'id').execute();
  await db.schema.alterTable('api_tokens').addPrimaryKeyConstraint('api_tokens_pkey', ['id']).execute();
  // A user's sessions and tokens, listed and revoked together.
  await db.schema.createIndex('api_tokens_user_id_idx').on('api_tokens').column('user_id').execute();

  // Lists page by keyset: obligations by (due_at, workflow_id), tokens by (created_at, id).
  await db.schema
    .createIndex('obligations_due_page_idx')
    .on('obligations')
    .columns(['due_at', 'workflow_id'])
    .execute();
  await db.schema.createIndex('api_tokens_page_idx').on('api_tokens').columns(['created_at', 'id']).execute();

  // Failed sign-ins of the last window (pruned as they age): counted per username and per address. The audit trail of
  // sign-ins is in `events`; this table is only the counter, so it may be deleted from.
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('sign_in_failures_username_idx')
    .on('sign_in_failures')
    .columns(['username', 'at'])
    .execute();
  await db.schema
    .createIndex('sign_in_failures_address_idx')
    .on('sign_in_failures')
    .columns(['address', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_failures').execute();
  await db.schema.dropIndex('obligations_due_page_idx').execute();
  await db.schema.dropIndex('api_tokens_user_id_idx').execute();
  await db.schema
    .alterTable('api_tokens')
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .execute();
  await sql`ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey`.execute(db);
  await db.schema.alterTable('api_tokens').dropColumn('id').execute();
  await db.schema.alterTable('api_tokens').renameColumn('seq', 'id').execute();
  await db.schema.alterTable('api_tokens').addPrimaryKeyConstraint('api_tokens_pkey', ['id']).execute();
}
