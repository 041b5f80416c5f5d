// The embedded SMTP sink's mailbox: what "arrived" at agencies' addresses when Merzim runs on its embedded defaults.
import type { Kysely } from 'kysely';
import type { Database, SinkMessageRow } from '../database.js';

export interface ReceivedMessage {
  readonly messageId: string | null;
  readonly mailFrom: string | null;
  readonly rcptTo: readonly string[];
  readonly subject: string | null;
  readonly raw: Buffer;
}

export async function storeSinkMessage(db: Kysely<Database>, m: ReceivedMessage): Promise<string> {
  const row = await db
    .insertInto('sink_messages')
    .values({
      message_id: m.messageId,
      mail_from: m.mailFrom,
      rcpt_to: [...m.rcptTo],
      subject: m.subject,
      size_bytes: m.raw.length,
      raw: m.raw,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type SinkMessageSummary = Omit<SinkMessageRow, 'raw'>;

export async function listSinkMessages(
  db: Kysely<Database>,
  opts: { limit: number; beforeId?: string; to?: string },
): Promise<SinkMessageSummary[]> {
  let q = db
    .selectFrom('sink_messages')
    .select(['id', 'received_at', 'message_id', 'mail_from', 'rcpt_to', 'subject', 'size_bytes'])
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.to !== undefined) q = q.where((eb) => eb(eb.val(opts.to!.toLowerCase()), '=', eb.fn.any('rcpt_to')));
  return q.execute();
}

export async function getSinkMessageRaw(db: Kysely<Database>, id: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('sink_messages').select('raw').where('id', '=', id).executeTakeFirst();
  return row?.raw;
}
