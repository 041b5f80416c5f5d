// An agency's secret deadline feed (.ics URL): shown, reissued and revoked by the agency's own reporters and admins — for the
// JSON routes and the inbox page alike. The audit log records who, never the secret.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { getAgency } from '../../db/repositories/agencies.js';
import { appendEvent } from '../../db/repositories/events.js';
import { getLiveFeed, revokeFeed, rotateFeed } from '../../db/repositories/feeds.js';
import type { Agency } from '../../domain/plan.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';

export interface FeedView {
  readonly agencyCode: string;
  readonly url: string | null;
  readonly createdAt: string | null;
}

export type FeedService = ReturnType<typeof createFeedService>;

/** `base` is the API's public URL (MERZIM_PUBLIC_URL, else from the request), without a trailing slash. */
export function createFeedService(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  async function authorised(p: Principal, code: string): Promise<Agency> {
    if (p.role !== 'admin' && !(p.role === 'reporter' && p.agencyCode === code))
      throw new HttpError(403, 'forbidden', "Only the agency's own reporters or an admin may manage its deadline feed");
    const agency = await getAgency(db, code);
    if (agency === undefined) throw new HttpError(404, 'not_found', `No agency ${code}`);
    return agency;
  }
  const view = (base: string, code: string, feed: { secret: string; createdAt: Date } | undefined): FeedView => ({
    agencyCode: code,
    url: feed === undefined ? null : `${base}/ics/${feed.secret}.ics`,
    createdAt: feed?.createdAt.toISOString() ?? null,
  });
  return {
    /** Whether this caller may manage the agency's feed (the inbox shows the form only then). */
    mayManage: (p: Principal, code: string) => p.role === 'admin' || (p.role === 'reporter' && p.agencyCode === code),

    async get(p: Principal, code: string, base: string): Promise<FeedView> {
      const agency = await authorised(p, code);
      return view(base, agency.code, await getLiveFeed(db, agency.code));
    },

    /** Issues a new secret URL; the previous one stops working at once. */
    async rotate(p: Principal, code: string, base: string): Promise<FeedView> {
      const agency = await authorised(p, code);
      const actor = actorOf(p);
      const feed = await db.transaction().execute(async (trx) => {
        const issued = await rotateFeed(trx, agency.code, actor);
        // The event says that a feed was issued, never its secret.
        await appendEvent(trx, {
          idempotencyKey: `feed.rotated:${agency.code}:${issued.createdAt.toISOString()}:${issued.secret.slice(0, 4)}`,
          type: 'feed.rotated',
          actor,
          subjectType: 'agency',
          subjectId: agency.code,
          payload: {},
        });
        return issued;
      });
      return view(base, agency.code, feed);
    },

    async revoke(p: Principal, code: string): Promise<void> {
      const agency = await authorised(p, code);
      const actor = actorOf(p);
      const revoked = await db.transaction().execute(async (trx) => {
        const done = await revokeFeed(trx, agency.code, actor);
        if (done) {
          await appendEvent(trx, {
            idempotencyKey: `feed.revoked:${agency.code}:${Date.now()}`,
            type: 'feed.revoked',
            actor,
            subjectType: 'agency',
            subjectId: agency.code,
            payload: {},
          });
        }
        return done;
      });
      if (!revoked) throw new HttpError(404, 'not_found', `Agency ${agency.code} has no live feed`);
    },
  };
}
