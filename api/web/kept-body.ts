// A page whose body is kept between requests, already compressed: the body (what every reader of the same scope sees) is
// deflated once when it is made; each request deflates only its own small frame (the reader's name, CSRF token, flash) and
// the response is one gzip stream spliced from the three. Each piece is a raw deflate stream flushed to a byte boundary
// (Z_SYNC_FLUSH, no final block) except the last, which ends the stream; a piece never refers back into another, so their
// concatenation is a valid deflate stream of the whole page, and the gzip trailer carries the CRC-32 and length of the whole.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

const deflateRawAsync = promisify(deflateRaw);

/** A body kept for later requests: its bytes, the same deflated (not final), and a tag naming its content. */
export interface KeptBody {
  readonly bytes: Buffer;
  readonly deflated: Buffer;
  readonly tag: string;
}

/** Keeps a body: deflated once (level 6: it is reused, so the smaller wire size is worth the one-off CPU). */
export async function keepBody(text: string, key: string): Promise<KeptBody> {
  const bytes = Buffer.from(text, 'utf8');
  const deflated = await deflateRawAsync(bytes, { level: 6, finishFlush: constants.Z_SYNC_FLUSH });
  return { bytes, deflated, tag: createHash('sha256').update(key).digest('base64url').slice(0, 22) };
}

/** The CRC-32 of `bytes` continued from `value` (Node's crc32 of nothing answers 0, not the value it was given). */
const crcOn = (bytes: Buffer, value: number): number => (bytes.length === 0 ? value : crc32(bytes, value));

/** gzip's header: deflate, no name, no time, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** The page head + body + tail as one gzip stream, deflating only the head and the tail. */
export function splicedGzip(head: string, body: KeptBody, tail: string): Buffer {
  const h = Buffer.from(head, 'utf8');
  const t = Buffer.from(tail, 'utf8');
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crcOn(t, crcOn(body.bytes, crcOn(h, 0))) >>> 0, 0);
  trailer.writeUInt32LE((h.length + body.bytes.length + t.length) % 2 ** 32, 4);
  return Buffer.concat([
    GZIP_HEADER,
    deflateRawSync(h, { level: 4, finishFlush: constants.Z_SYNC_FLUSH }),
    body.deflated,
    deflateRawSync(t, { level: 4 }),
    trailer,
  ]);
}

/** The page as it is, for a client that takes no gzip. */
export function plainPage(head: string, body: KeptBody, tail: string): Buffer {
  return Buffer.concat([Buffer.from(head, 'utf8'), body.bytes, Buffer.from(tail, 'utf8')]);
}

/**
 * A weak entity tag for the whole page: the kept body's tag and a digest of this reader's frame (name, CSRF token, flash), so
 * two readers never share a tag unless they would be sent the same bytes.
 */
export function pageTag(head: string, body: KeptBody, tail: string): string {
  return `W/"${body.tag}.${createHash('sha256').update(head).update('\u0000').update(tail).digest('base64url').slice(0, 16)}"`;
}
