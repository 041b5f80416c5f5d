// A real SMTP sink for tests: stores what arrives in the test database and parses it with mailparser for assertions.
import type { Kysely } from 'kysely';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Database } from '../../db/database.js';
import { storeSinkMessage } from '../../db/repositories/sink.js';
import { startSmtpSink, type SmtpSink } from '../../worker/embedded/smtp-sink.js';

export async function startTestSink(db: Kysely<Database>): Promise<SmtpSink> {
  return startSmtpSink({ port: 0, store: (m) => storeSinkMessage(db, m), log: () => undefined });
}

/** Every message the sink received, oldest first, parsed. */
export async function receivedMail(db: Kysely<Database>): Promise<ParsedMail[]> {
  const rows = await db.selectFrom('sink_messages').select('raw').orderBy('id', 'asc').execute();
  return Promise.all(rows.map((r) => simpleParser(r.raw)));
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
