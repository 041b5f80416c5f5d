// What every activity factory is given: the database, the SMTP transport and the sender (one type, so factories import no factory).
import type { Kysely } from 'kysely';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/database.js';

export interface ActivityDeps {
  readonly db: Kysely<Database>;
  readonly mailer: Transporter;
  readonly mailFrom: string;
  /** Local time reminders go out (MERZIM_NOTICE_TIME); 09:00 when unset. */
  readonly noticeTime?: { readonly hour: number; readonly minute: number };
}
