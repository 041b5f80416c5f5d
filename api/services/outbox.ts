// What Merzim sent (the outbox) and, on the embedded stack, what the SMTP sink received: admins only, for the JSON API and the pages alike.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { listNotifications } from '../../db/repositories/notifications.js';
import { getSinkMessageRaw, listSinkMessages } from '../../db/repositories/sink.js';
import type { Principal } from '../auth.js';
import { HttpError } from '../errors.js';

export interface PageQuery {
  readonly limit: number;
  readonly before?: string | undefined;
  readonly to?: string | undefined;
}

export type OutboxService = ReturnType<typeof createOutboxService>;

export function createOutboxService(deps: { db: Kysely<Database>; sinkEnabled: boolean }) {
  const { db, sinkEnabled } = deps;
  const assertAdmin = (p: Principal) => {
    if (p.role !== 'admin') throw new HttpError(403, 'forbidden', 'This requires one of the roles: admin');
  };
  return {
    sinkEnabled,
    async notifications(p: Principal, q: PageQuery) {
      assertAdmin(p);
      return listNotifications(db, { limit: q.limit, beforeId: q.before });
    },
    async sinkMessages(p: Principal, q: PageQuery) {
      assertAdmin(p);
      if (!sinkEnabled) throw new HttpError(404, 'sink_disabled', 'No SMTP sink runs here: mail goes to SMTP_URL');
      return listSinkMessages(db, { limit: q.limit, beforeId: q.before, to: q.to });
    },
    /** One received message as it arrived. */
    async sinkMessageRaw(p: Principal, id: string): Promise<Buffer> {
      assertAdmin(p);
      if (!sinkEnabled) throw new HttpError(404, 'sink_disabled', 'No SMTP sink runs here: mail goes to SMTP_URL');
      const raw = /^\d{1,18}$/.test(id) ? await getSinkMessageRaw(db, id) : undefined;
      if (raw === undefined) throw new HttpError(404, 'not_found', `No message ${id}`);
      return raw;
    },
  };
}
