// The agencies directory in PostgreSQL: rows ↔ domain Agency, seeding that never overwrites an admin's edits.
import type { Kysely, Transaction } from 'kysely';
import type { AgencyRow, Database } from '../database.js';
import type { Agency, AgencyKind } from '../../domain/plan.js';

type Db = Kysely<Database> | Transaction<Database>;

export function rowToAgency(r: AgencyRow): Agency {
  return {
    code: r.code,
    name: { kk: r.name_kk, ru: r.name_ru },
    kind: r.kind as AgencyKind,
    byAgreement: r.by_agreement,
    ...(r.successor_code !== null && r.successor_date !== null
      ? {
          successor: {
            code: r.successor_code,
            date: String(r.successor_date),
            ...(r.successor_act !== null ? { act: r.successor_act } : {}),
          },
        }
      : {}),
    contacts: r.contacts,
    lang: r.lang,
    aliases: r.aliases,
    ...(r.since === null ? {} : { since: r.since }),
    ...(r.note === null ? {} : { note: r.note }),
  };
}

function agencyColumns(a: Agency) {
  return {
    name_kk: a.name.kk,
    name_ru: a.name.ru,
    kind: a.kind,
    by_agreement: a.byAgreement,
    lang: a.lang,
    aliases: [...(a.aliases ?? [])],
    contacts: JSON.stringify(a.contacts),
    since: a.since ?? null,
    note: a.note ?? null,
  };
}

export async function listAgencies(db: Db): Promise<Agency[]> {
  const rows = await db.selectFrom('agencies').selectAll().orderBy('code').execute();
  return rows.map(rowToAgency);
}

export async function getAgency(db: Db, code: string): Promise<Agency | undefined> {
  const row = await db.selectFrom('agencies').selectAll().where('code', '=', code).executeTakeFirst();
  return row === undefined ? undefined : rowToAgency(row);
}

/** Creates or replaces one agency (admin edit); successors must already exist. */
export async function upsertAgency(db: Db, a: Agency): Promise<void> {
  await db
    .insertInto('agencies')
    .values({
      code: a.code,
      ...agencyColumns(a),
      successor_code: a.successor?.code ?? null,
      successor_date: a.successor?.date ?? null,
      successor_act: a.successor?.act ?? null,
    })
    .onConflict((oc) =>
      oc.column('code').doUpdateSet({
        ...agencyColumns(a),
        successor_code: a.successor?.code ?? null,
        successor_date: a.successor?.date ?? null,
        successor_act: a.successor?.act ?? null,
        updated_at: new Date(),
      }),
    )
    .execute();
}

/** Inserts the agencies that are missing; existing rows (possibly edited by an admin) are left alone. Returns how many were added. */
export async function seedAgencies(db: Kysely<Database>, seed: readonly Agency[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const existing = new Set((await trx.selectFrom('agencies').select('code').execute()).map((r) => r.code));
    const missing = seed.filter((a) => !existing.has(a.code));
    if (missing.length === 0) return 0;
    // Successors point at other agencies: insert all first, then link.
    await trx
      .insertInto('agencies')
      .values(missing.map((a) => ({ code: a.code, ...agencyColumns(a) })))
      .execute();
    for (const a of missing) {
      if (a.successor === undefined) continue;
      await trx
        .updateTable('agencies')
        .set({
          successor_code: a.successor.code,
          successor_date: a.successor.date,
          successor_act: a.successor.act ?? null,
        })
        .where('code', '=', a.code)
        .execute();
    }
    return missing.length;
  });
}
