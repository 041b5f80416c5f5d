// Evidence files (a report's annexes) as the caller may upload, list, download and withdraw them: one service behind the JSON
// routes and the pages. Uploads stream through a size limit and a sniffer into the store (never whole in memory); the type is
// decided from the bytes; the row and its audit event are written only once the bytes are kept, and the bytes are removed again
// if the row cannot be. Files never enter a workflow's history: a report names them by id.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database, ObligationRow } from '../../db/database.js';
import { appendEvent } from '../../db/repositories/events.js';
import {
  findEvidence,
  insertEvidence,
  isNamedBySubmittedVersion,
  listEvidence,
  liveEvidenceBytes,
  lockObligationEvidence,
  withdrawEvidence,
  type EvidenceFile,
} from '../../db/repositories/evidence.js';
import { actorOf, type Principal } from '../auth.js';
import { HttpError } from '../errors.js';
import { UploadInterrupted } from '../evidence/errors.js';
import { disguise, SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniffEvidence } from '../evidence/sniff.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { ObligationService } from './obligations.js';

export interface EvidenceLimits {
  readonly maxFileBytes: number;
  readonly maxReportBytes: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = {
  maxFileBytes: 25 * 1024 * 1024,
  maxReportBytes: 200 * 1024 * 1024,
};

/** An upload as the route hands it over: the name the client gave and the bytes as they arrive. */
export interface IncomingFile {
  readonly fileName: string;
  readonly stream: Readable;
}

const OPEN_FOR_REPORTING: readonly ObligationRow['status'][] = ['pending', 'overdue', 'returned'];

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** Passes the bytes on, refusing past `limit`, and keeps the first and the last few of them for the sniffer. */
class Inspector extends Transform {
  private readonly headParts: Buffer[] = [];
  private headBytes = 0;
  private tailParts: Buffer[] = [];
  private tailBytes = 0;
  size = 0;
  constructor(
    private readonly limit: number,
    private readonly tooLarge: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.byteLength;
    if (this.size > this.limit) return done(this.tooLarge());
    if (this.headBytes < SNIFF_HEAD_BYTES) {
      const part = chunk.subarray(0, SNIFF_HEAD_BYTES - this.headBytes);
      this.headParts.push(Buffer.from(part));
      this.headBytes += part.byteLength;
    }
    this.tailParts.push(chunk);
    this.tailBytes += chunk.byteLength;
    while (this.tailParts.length > 1 && this.tailBytes - this.tailParts[0]!.byteLength >= SNIFF_TAIL_BYTES) {
      this.tailBytes -= this.tailParts.shift()!.byteLength;
    }
    done(null, chunk);
  }
  head(): Buffer {
    return Buffer.concat(this.headParts);
  }
  tail(): Buffer {
    const all = Buffer.concat(this.tailParts);
    return all.subarray(Math.max(0, all.byteLength - SNIFF_TAIL_BYTES));
  }
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;

export function createEvidenceService(deps: {
  db: Kysely<Database>;
  store: EvidenceStore;
  limits: EvidenceLimits;
  obligations: ObligationService;
}) {
  const { db, store, limits, obligations } = deps;

  /** The obligation when the caller reports it and it still takes a report (404 unseen, 403 not the reporter, 409 closed). */
  async function reportable(p: Principal, obligationId: string): Promise<ObligationRow> {
    const o = await obligations.visibleObligation(p, obligationId);
    const refusal = await obligations.reportRefusal(p, o);
    if (refusal !== null) throw new HttpError(403, 'forbidden', refusal);
    if (!OPEN_FOR_REPORTING.includes(o.status))
      throw new HttpError(
        409,
        'obligation_not_open',
        `params/id: the obligation is ${o.status}; evidence is added or withdrawn only while it is pending, overdue or returned`,
      );
    return o;
  }

  /** A file the caller may see (the obligation's report is visible to it): 404 otherwise, and for a withdrawn file. */
  async function visibleFile(p: Principal, fileId: string): Promise<{ file: EvidenceFile; obligation: ObligationRow }> {
    const file = await findEvidence(db, fileId);
    if (file === undefined || file.withdrawnAt !== null)
      throw new HttpError(404, 'not_found', `No evidence file ${fileId}`);
    try {
      return { file, obligation: await obligations.visibleObligation(p, file.obligationId) };
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'not_found', `No evidence file ${fileId}`);
      throw err;
    }
  }

  return {
    limits,

    async list(p: Principal, obligationId: string) {
      const o = await obligations.visibleObligation(p, obligationId);
      const items = await listEvidence(db, o.workflow_id);
      return { obligation: o, items, totalBytes: items.reduce((n, f) => n + f.sizeBytes, 0) };
    },

    /**
     * Stores one file for the obligation. `open` is called only once the caller may upload (so a refused caller's body is never
     * read); it returns the name and the stream. 413 over a limit, 415 a type not allowed or disguised, nothing kept either way.
     */
    async upload(p: Principal, obligationId: string, open: () => Promise<IncomingFile>): Promise<EvidenceFile> {
      const o = await reportable(p, obligationId);
      const used = await liveEvidenceBytes(db, o.workflow_id);
      const left = limits.maxReportBytes - used;
      const reportBound = left < limits.maxFileBytes;
      const limitMessage = () =>
        reportBound
          ? `file: the report's files may total ${mb(limits.maxReportBytes)}; ${mb(used)} are already attached, so this file may be at most ${mb(Math.max(0, left))}`
          : `file: larger than ${mb(limits.maxFileBytes)}, the limit per file`;
      const tooLarge = () => new HttpError(413, reportBound ? 'report_too_large' : 'file_too_large', limitMessage());
      if (left <= 0) throw tooLarge();
      const incoming = await open();
      const inspector = new Inspector(Math.min(limits.maxFileBytes, left), tooLarge);
      let sourceError: unknown;
      incoming.stream.once('error', (err) => {
        sourceError = err;
      });
      // Busboy ends a part early (without an error) when its own size cap is hit; our cap is below it, so truncated = too large.
      const source = incoming.stream.pipe(inspector);
      incoming.stream.once('error', (err) => source.destroy(err));
      // Refused mid-way (too large): stop reading the request's body too; what is left of it is discarded.
      inspector.once('error', () => incoming.stream.destroy());
      let sniffed: { mediaType: string } | undefined;
      let stored;
      try {
        stored = await store.put(source, {
          verify: (s) => {
            if ((incoming.stream as Readable & { truncated?: boolean }).truncated === true) throw tooLarge();
            const kind = sniffEvidence(inspector.head(), inspector.tail(), s.size);
            if ('refused' in kind)
              throw new HttpError(415, 'unsupported_file_type', `file: ${kind.refused}; nothing was stored`);
            const disguised = disguise(incoming.fileName, kind.kind);
            if (disguised !== undefined)
              throw new HttpError(415, 'unsupported_file_type', `file: ${disguised}; nothing was stored`);
            sniffed = kind;
          },
        });
      } catch (err) {
        if (err instanceof HttpError) throw err;
        if (sourceError !== undefined) throw new UploadInterrupted(sourceError);
        throw err;
      }
      const actor = actorOf(p);
      try {
        return await db.transaction().execute(async (trx) => {
          await lockObligationEvidence(trx, o.workflow_id);
          // Checked again under the lock: two uploads at once cannot both pass the report's limit.
          const now = await liveEvidenceBytes(trx, o.workflow_id);
          if (now + stored.size > limits.maxReportBytes)
            throw new HttpError(
              413,
              'report_too_large',
              `file: the report's files may total ${mb(limits.maxReportBytes)}; ${mb(now)} are already attached`,
            );
          const file = await insertEvidence(trx, {
            obligationId: o.workflow_id,
            agencyCode: o.agency_code,
            fileName: incoming.fileName,
            mediaType: sniffed!.mediaType,
            sizeBytes: stored.size,
            sha256: stored.sha256,
            storage: store.name,
            storageKey: stored.key,
            uploadedBy: actor,
          });
          await appendEvent(trx, {
            idempotencyKey: `evidence.uploaded:${file.id}`,
            type: 'evidence.uploaded',
            actor,
            workflowId: o.workflow_id,
            subjectType: 'obligation',
            subjectId: o.workflow_id,
            payload: { fileId: file.id, mediaType: file.mediaType, sizeBytes: file.sizeBytes, sha256: file.sha256 },
          });
          return file;
        });
      } catch (err) {
        await store.delete(stored.key);
        throw err;
      }
    },

    /** The file and its bytes, for those who may see the obligation's report. */
    async download(p: Principal, fileId: string): Promise<{ file: EvidenceFile; stream: Readable }> {
      const { file } = await visibleFile(p, fileId);
      const stream = await store.get(file.storageKey);
      if (stream === undefined)
        throw new Error(`evidence file ${file.id}: its bytes are missing from the ${file.storage} store`);
      return { file, stream };
    },

    /** Withdraws a draft's file (its reporter, while the obligation takes a report); 409 once a submitted version names it. */
    async withdraw(p: Principal, fileId: string): Promise<EvidenceFile> {
      const { file } = await visibleFile(p, fileId);
      await reportable(p, file.obligationId);
      if (await isNamedBySubmittedVersion(db, file.id))
        throw new HttpError(409, 'evidence_submitted', `params/fileId: a submitted report names this file; it stays`);
      const actor = actorOf(p);
      const done = await db.transaction().execute(async (trx) => {
        if (!(await withdrawEvidence(trx, file.id, actor))) return false;
        await appendEvent(trx, {
          idempotencyKey: `evidence.withdrawn:${file.id}`,
          type: 'evidence.withdrawn',
          actor,
          workflowId: file.obligationId,
          subjectType: 'obligation',
          subjectId: file.obligationId,
          payload: { fileId: file.id },
        });
        return true;
      });
      if (!done) throw new HttpError(404, 'not_found', `No evidence file ${fileId}`);
      // The bytes of a file no version ever named go; the row stays, withdrawn (nothing in the record is overwritten).
      if (file.storage === store.name) await store.delete(file.storageKey);
      return { ...file, withdrawnAt: new Date() };
    },
  };
}
