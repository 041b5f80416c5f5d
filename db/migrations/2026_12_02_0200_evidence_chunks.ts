// Evidence files kept in PostgreSQL (MERZIM_EVIDENCE_STORE=pg): a file's bytes as ordered bytea chunks of at most 1 MiB, so a
// file is written and read a chunk at a time, never whole. Frozen once shipped.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evidence_chunks')
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_chunks_pkey', ['storage_key', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_chunks').execute();
}
