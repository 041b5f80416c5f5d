// Cycles' measure texts by content hash (domain/cycle-texts.ts): written once by the activity that builds a cycle's spec,
// read by the activities that need the titles (e-mails, the read model's spec). A row never changes, so reads are cached.
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { cycleTextsHash, parseCycleTexts, type CycleTexts } from '../../domain/cycle-texts.js';

/** Stores the texts under their hash (a second store of the same texts is a no-op); returns the hash. */
export async function putCycleTexts(db: Kysely<Database>, texts: CycleTexts): Promise<string> {
  const hash = cycleTextsHash(texts);
  await db
    .insertInto('cycle_texts')
    .values({ hash, texts: JSON.stringify(texts) })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
  return hash;
}

const cache = new Map<string, CycleTexts>();
const CACHE_MAX = 64;

/** The texts of `hash`, or undefined when no such row exists (or it does not read as texts). */
export async function getCycleTexts(db: Kysely<Database>, hash: string): Promise<CycleTexts | undefined> {
  const cached = cache.get(hash);
  if (cached !== undefined) return cached;
  const row = await db.selectFrom('cycle_texts').select('texts').where('hash', '=', hash).executeTakeFirst();
  const texts = parseCycleTexts(row?.texts);
  if (texts === undefined) return undefined;
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(hash, texts);
  return texts;
}
