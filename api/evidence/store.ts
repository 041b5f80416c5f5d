// Where the bytes of evidence files live: a small interface with two backends, chosen by MERZIM_EVIDENCE_STORE — a directory
// (default, under MERZIM_DATA_DIR) or PostgreSQL (1 MiB bytea chunks). Both stream: a file is never held whole in memory. A put
// is all or nothing: the directory backend writes to a temporary name and renames it only once the bytes are complete and the
// caller's check passed; PostgreSQL writes the chunks in one transaction committed only then. An upload cut off half-way, or
// refused by the check, leaves nothing behind.
// In api/ (not platform/): the PostgreSQL backend needs db/, which platform/ may not import; the worker never reads evidence.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { deleteEvidenceChunks, insertEvidenceChunk, readEvidenceChunk } from '../../db/repositories/evidence.js';

export interface Stored {
  readonly key: string;
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

export interface PutOptions {
  /** Runs once every byte has arrived, before the file is kept; throwing discards it (and the put rethrows). */
  readonly verify?: (stored: Stored) => void | Promise<void>;
}

export interface EvidenceStore {
  /** `dir` or `pg`: recorded with each file (evidence_files.storage). */
  readonly name: 'dir' | 'pg';
  put(source: Readable, options?: PutOptions): Promise<Stored>;
  /** The bytes of a kept file; undefined when the key holds nothing. */
  get(key: string): Promise<Readable | undefined>;
  /** Removes a file; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
}

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Counts and hashes the bytes passing through. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
    done(null, chunk);
  }
}

/** A partial file this old was left by a process that died mid-upload (a live upload writes it continuously). */
export const PARTIAL_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Removes what processes that died mid-upload left in `.partial/` (older than PARTIAL_MAX_AGE_MS); returns how many. */
export async function sweepPartialUploads(root: string, now = Date.now()): Promise<number> {
  const partial = join(root, '.partial');
  let removed = 0;
  for (const name of await readdir(partial).catch(() => [] as string[])) {
    const path = join(partial, name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > PARTIAL_MAX_AGE_MS) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Files under `root` (mode 0700): `<root>/<first two hex>/<uuid>` (0600), written as `<root>/.partial/<uuid>` first; what a
 * crashed process left there is swept once, when the store is opened.
 */
export function directoryStore(root: string): EvidenceStore {
  void sweepPartialUploads(root).catch(() => undefined);
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not an evidence storage key: ${JSON.stringify(key)}`);
    return join(root, key.slice(0, 2), key);
  };
  const partial = join(root, '.partial');
  return {
    name: 'dir',
    async put(source, options = {}) {
      const key = randomUUID();
      const final = pathOf(key);
      const temp = join(partial, key);
      await mkdir(partial, { recursive: true, mode: 0o700 });
      const digest = new Digest();
      try {
        await pipeline(source, digest, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
        const stored: Stored = { key, size: digest.size, sha256: digest.hash.digest('hex') };
        await options.verify?.(stored);
        await mkdir(join(root, key.slice(0, 2)), { recursive: true, mode: 0o700 });
        await rename(temp, final);
        return stored;
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async get(key) {
      if (!KEY.test(key)) return undefined;
      const stream = createReadStream(pathOf(key));
      // Open first, so a missing file is "nothing here" rather than a stream that fails once piped.
      return new Promise((resolve, reject) => {
        stream.once('open', () => resolve(stream));
        stream.once('error', (err: NodeJS.ErrnoException) =>
          err.code === 'ENOENT' ? resolve(undefined) : reject(err),
        );
      });
    },
    async delete(key) {
      if (KEY.test(key)) await rm(pathOf(key), { force: true });
    },
  };
}

export const PG_CHUNK_BYTES = 1024 * 1024;

/** Uploads written to PostgreSQL at once: each holds a pooled connection for its transaction, so the rest wait (and, through
 * backpressure, so do their clients) rather than take the whole pool from the API's other requests. */
export const PG_CONCURRENT_PUTS = 3;

/** Files in PostgreSQL's `evidence_chunks`: written in one transaction of ≤ 1 MiB inserts, read back a chunk at a time. */
export function postgresStore(db: Kysely<Database>): EvidenceStore {
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<() => void> => {
    if (running >= PG_CONCURRENT_PUTS) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  };

  async function putInTransaction(source: Readable, options: PutOptions): Promise<Stored> {
    const key = randomUUID();
    const digest = new Digest();
    // The store, not a repository, opens the transaction: it is the caller of the chunk queries, and the unit of all-or-nothing.
    return db.transaction().execute(async (trx) => {
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (all: boolean) => {
        while (pendingBytes >= PG_CHUNK_BYTES || (all && pendingBytes > 0)) {
          const joined = Buffer.concat(pending, pendingBytes);
          const chunk = joined.subarray(0, Math.min(PG_CHUNK_BYTES, joined.byteLength));
          const rest = joined.subarray(chunk.byteLength);
          await insertEvidenceChunk(trx, key, seq++, chunk);
          pending = rest.byteLength > 0 ? [rest] : [];
          pendingBytes = rest.byteLength;
        }
      };
      // for await reads one chunk at a time: the upload waits while PostgreSQL writes (backpressure); a throw destroys the source.
      for await (const chunk of source as AsyncIterable<Buffer>) {
        digest.hash.update(chunk);
        digest.size += chunk.byteLength;
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        await flush(false);
      }
      await flush(true);
      const stored: Stored = { key, size: digest.size, sha256: digest.hash.digest('hex') };
      await options.verify?.(stored);
      return stored;
    });
  }

  return {
    name: 'pg',
    async put(source, options = {}) {
      const release = await slot();
      try {
        return await putInTransaction(source, options);
      } finally {
        release();
      }
    },
    async get(key) {
      if (!KEY.test(key)) return undefined;
      const first = await readEvidenceChunk(db, key, 0);
      if (first === undefined) return undefined;
      async function* chunks(): AsyncGenerator<Buffer> {
        yield first!;
        for (let seq = 1; ; seq++) {
          const next = await readEvidenceChunk(db, key, seq);
          if (next === undefined) return;
          yield next;
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
    async delete(key) {
      if (KEY.test(key)) await deleteEvidenceChunks(db, key);
    },
  };
}

/** The store MERZIM_EVIDENCE_STORE names: `dir` under MERZIM_EVIDENCE_DIR, or `pg` in the application's database. */
export function openEvidenceStore(config: { store: 'dir' | 'pg'; dir: string }, db: Kysely<Database>): EvidenceStore {
  return config.store === 'pg' ? postgresStore(db) : directoryStore(config.dir);
}
