// What reporting cycles carry into their next run (continue-as-new), in chunks of JSON text stored by SHA-256 of the text:
// written by the run that continues, read by the next one. A chunk never changes; a read checks the text against its hash.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

export const carryChunkHash = (chunk: string): string => createHash('sha256').update(chunk, 'utf8').digest('hex');

/** Stores one chunk (a second store of the same text is a no-op); returns its hash. */
export async function putCarryChunk(db: Kysely<Database>, cycleId: string, chunk: string): Promise<string> {
  const hash = carryChunkHash(chunk);
  await db
    .insertInto('cycle_carries')
    .values({ hash, cycle_id: cycleId, chunk })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
  return hash;
}

/** The chunk stored under `hash`; undefined when there is none. Throws if the stored text does not match its hash. */
export async function getCarryChunk(db: Kysely<Database>, hash: string): Promise<string | undefined> {
  const row = await db.selectFrom('cycle_carries').select('chunk').where('hash', '=', hash).executeTakeFirst();
  if (row === undefined) return undefined;
  if (carryChunkHash(row.chunk) !== hash)
    throw new Error(`cycle_carries ${hash}: the stored text does not match its hash`);
  return row.chunk;
}
