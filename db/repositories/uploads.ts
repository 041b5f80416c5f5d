// Plan files under review on the import page: kept per uploader while the diagnostics are answered, then deleted.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../database.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface PlanUpload {
  readonly id: string;
  readonly createdBy: string;
  readonly filename: string | null;
  readonly bytes: Buffer;
  readonly fields: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

/** How long an upload waits for its review before it is dropped. */
export const UPLOAD_TTL_HOURS = 24;

export async function saveUpload(
  db: Db,
  u: { createdBy: string; filename: string | null; bytes: Uint8Array; fields: Record<string, string> },
): Promise<string> {
  // Stale uploads go whenever a new one comes: nobody else needs to clean them up.
  await db
    .deleteFrom('plan_uploads')
    .where('created_at', '<', sql<Date>`now() - make_interval(hours => ${UPLOAD_TTL_HOURS})`)
    .execute();
  const row = await db
    .insertInto('plan_uploads')
    .values({
      created_by: u.createdBy,
      filename: u.filename,
      bytes: Buffer.from(u.bytes),
      fields: JSON.stringify(u.fields),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The upload, only for the one who made it and only while it is fresh. */
export async function getUpload(db: Db, id: string, createdBy: string): Promise<PlanUpload | undefined> {
  const r = await db
    .selectFrom('plan_uploads')
    .selectAll()
    .where('id', '=', id)
    .where('created_by', '=', createdBy)
    .where('created_at', '>=', sql<Date>`now() - make_interval(hours => ${UPLOAD_TTL_HOURS})`)
    .executeTakeFirst();
  return r === undefined
    ? undefined
    : {
        id: r.id,
        createdBy: r.created_by,
        filename: r.filename,
        bytes: r.bytes,
        fields: r.fields,
        createdAt: r.created_at,
      };
}

export async function setUploadFields(db: Db, id: string, fields: Record<string, string>): Promise<void> {
  await db
    .updateTable('plan_uploads')
    .set({ fields: JSON.stringify(fields) })
    .where('id', '=', id)
    .execute();
}

export async function deleteUpload(db: Db, id: string): Promise<void> {
  await db.deleteFrom('plan_uploads').where('id', '=', id).execute();
}
