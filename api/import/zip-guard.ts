// Bounds what a ZIP archive (.xlsx now, .docx later) may inflate to before any library sees it: entry count, declared and actual
// inflated size per entry and in total, compression ratio. Reads the central directory itself and inflates one entry at a time
// with a hard output cap (zlib's maxOutputLength), so a bomb costs at most one capped buffer, never its full size.
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Entries in the archive. */
  readonly maxEntries: number;
  /** Inflated bytes of one entry. */
  readonly maxEntryBytes: number;
  /** Inflated bytes of all entries together. */
  readonly maxTotalBytes: number;
  /** Inflated ÷ compressed size of one entry, checked for entries that inflate past `ratioFloorBytes`. */
  readonly maxRatio: number;
  readonly ratioFloorBytes: number;
}

const MiB = 1024 * 1024;

/** An .xlsx plan is a few hundred KB inflated; these leave room for a national plan of thousands of measures. */
export const XLSX_LIMITS: ZipLimits = {
  maxEntries: 500,
  maxEntryBytes: 16 * MiB,
  maxTotalBytes: 40 * MiB,
  maxRatio: 100,
  ratioFloorBytes: MiB,
};

/** An archive over one of the limits: the upload is refused (413) with a message naming the limit. */
export class ArchiveLimitError extends Error {
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveLimitError';
  }
}

/** Bytes that are not a ZIP archive Merzim can read (truncated, ZIP64, encrypted, an unknown compression method). */
export class ArchiveFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveFormatError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly declaredSize: number;
  readonly localHeaderOffset: number;
}

function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < MiB ? 2 : 0)} MB`;
}

/**
 * The central directory's entries, checked against the declared limits (count, sizes, ratio) before anything is inflated.
 * `base` is the file offset of `data[0]`: a caller that kept only the end of a streamed file (evidence uploads) passes that tail
 * and where it starts; a central directory that begins before the tail is refused as unreadable.
 */
export function readCentralDirectory(data: Uint8Array, limits: ZipLimits, base = 0): ZipEntry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // The end-of-central-directory record is within the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = data.byteLength - 22; i >= Math.max(0, data.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveFormatError('no ZIP central directory (the file is truncated or not a ZIP archive)');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff)
    throw new ArchiveFormatError('ZIP64 archives are not accepted');
  if (count > limits.maxEntries)
    throw new ArchiveLimitError(
      'entries',
      `the archive has ${count} entries; at most ${limits.maxEntries} are accepted`,
    );
  if (cdOffset + cdSize > base + eocd)
    throw new ArchiveFormatError('the ZIP central directory points outside the file');
  if (cdOffset < base) throw new ArchiveFormatError('the ZIP central directory is too large to read');
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = cdOffset - base;
  for (let n = 0; n < count; n++) {
    if (p + 46 > data.byteLength || view.getUint32(p, true) !== CENTRAL)
      throw new ArchiveFormatError('a damaged ZIP central directory');
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressedSize = view.getUint32(p + 20, true);
    const declaredSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const localHeaderOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(data.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    if ((flags & 1) !== 0) throw new ArchiveFormatError(`${name}: encrypted ZIP entries are not accepted`);
    if (method !== 0 && method !== 8)
      throw new ArchiveFormatError(`${name}: compression method ${method} is not accepted (only stored and deflate)`);
    if (declaredSize === 0xffffffff || compressedSize === 0xffffffff)
      throw new ArchiveFormatError('ZIP64 archives are not accepted');
    checkEntry(name, declaredSize, compressedSize, limits);
    total += declaredSize;
    if (total > limits.maxTotalBytes)
      throw new ArchiveLimitError(
        'total_size',
        `the archive inflates to more than ${mb(limits.maxTotalBytes)} in total; at most ${mb(limits.maxTotalBytes)} is accepted`,
      );
    entries.push({ name, method, compressedSize, declaredSize, localHeaderOffset });
  }
  return entries;
}

function checkEntry(name: string, size: number, compressedSize: number, limits: ZipLimits): void {
  if (size > limits.maxEntryBytes) {
    throw new ArchiveLimitError(
      'entry_size',
      `${name} inflates to ${mb(size)}; at most ${mb(limits.maxEntryBytes)} per entry is accepted`,
    );
  }
  if (size >= limits.ratioFloorBytes && size > compressedSize * limits.maxRatio) {
    throw new ArchiveLimitError(
      'ratio',
      `${name} is compressed ${Math.round(size / Math.max(1, compressedSize))}:1; at most ${limits.maxRatio}:1 is accepted`,
    );
  }
}

/** One entry's bytes, inflated with an output cap: an entry that inflates past what it declared is refused, not believed. */
export function inflateEntry(data: Uint8Array, entry: ZipEntry): Buffer {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > data.byteLength || view.getUint32(at, true) !== LOCAL)
    throw new ArchiveFormatError(`${entry.name}: a damaged ZIP entry header`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > data.byteLength) throw new ArchiveFormatError(`${entry.name}: the ZIP entry runs past the end of the file`);
  const raw = data.subarray(start, end);
  if (entry.method === 0) {
    if (raw.byteLength !== entry.declaredSize)
      throw new ArchiveFormatError(`${entry.name}: a stored entry whose sizes disagree`);
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  }
  let out: Buffer;
  try {
    // One byte over the declared size is enough to know it lied.
    out = inflateRawSync(raw, { maxOutputLength: entry.declaredSize + 1 });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ArchiveLimitError(
        'declared_size',
        `${entry.name} inflates to more than the ${entry.declaredSize} bytes it declares; the archive is refused`,
      );
    }
    throw new ArchiveFormatError(`${entry.name}: not valid deflate data (${(err as Error).message})`);
  }
  if (out.byteLength !== entry.declaredSize) {
    throw new ArchiveLimitError(
      'declared_size',
      `${entry.name} inflates to ${out.byteLength} bytes, not the ${entry.declaredSize} it declares; the archive is refused`,
    );
  }
  return out;
}

/**
 * Checks a whole archive against the limits, declared and actual, inflating each entry once under its cap; `visit` sees each
 * entry's bytes (to count a sheet's rows, say) before they are dropped. Throws ArchiveLimitError or ArchiveFormatError.
 */
export function guardZip(
  data: Uint8Array,
  limits: ZipLimits,
  visit?: (name: string, bytes: Buffer) => void,
): ZipEntry[] {
  const entries = readCentralDirectory(data, limits);
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    const bytes = inflateEntry(data, entry);
    visit?.(entry.name, bytes);
  }
  return entries;
}
