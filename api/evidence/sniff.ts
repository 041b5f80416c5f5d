// What an evidence file is, decided from its bytes (never from its name) against the allow-list: PDF, DOCX, XLSX, ODT, JPEG,
// PNG, MP4. The office formats are ZIP archives: their central directory (at the end of the file, kept while streaming) must
// name the parts of the format, checked with the archive guard's declared limits (entries, sizes, ratio) — nothing is inflated.
import { ArchiveFormatError, ArchiveLimitError, readCentralDirectory, type ZipLimits } from '../import/zip-guard.js';

export type EvidenceKind = 'pdf' | 'docx' | 'xlsx' | 'odt' | 'jpeg' | 'png' | 'mp4';

export const EVIDENCE_TYPES: Readonly<Record<EvidenceKind, { mediaType: string; extensions: readonly string[] }>> = {
  pdf: { mediaType: 'application/pdf', extensions: ['pdf'] },
  docx: {
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
  },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
  odt: { mediaType: 'application/vnd.oasis.opendocument.text', extensions: ['odt'] },
  jpeg: { mediaType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  png: { mediaType: 'image/png', extensions: ['png'] },
  mp4: { mediaType: 'video/mp4', extensions: ['mp4', 'm4v'] },
};

/** Every media type an evidence file may have (the download's Content-Type is one of these). */
export const EVIDENCE_MEDIA_TYPES: readonly string[] = Object.values(EVIDENCE_TYPES).map((t) => t.mediaType);

/** How much of the start and of the end of a file the sniffer needs (kept while the upload streams past). */
export const SNIFF_HEAD_BYTES = 4096;
export const SNIFF_TAIL_BYTES = 512 * 1024;

/** Office documents carry pictures (stored nearly uncompressed) and XML (10–30:1); a 100:1 part over 1 MB is a bomb. */
export const EVIDENCE_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxEntryBytes: 512 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

export type Sniffed = { readonly kind: EvidenceKind; readonly mediaType: string } | { readonly refused: string };

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => sig.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...b.subarray(from, Math.min(to, b.byteLength)));

const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'M4V ',
  'dash',
  'mmp4',
]);
const ODT_MIME = 'application/vnd.oasis.opendocument.text';

function found(kind: EvidenceKind): Sniffed {
  return { kind, mediaType: EVIDENCE_TYPES[kind].mediaType };
}

function sniffZip(head: Uint8Array, tail: Uint8Array, size: number): Sniffed {
  let names: string[];
  try {
    names = readCentralDirectory(tail, EVIDENCE_ZIP_LIMITS, size - tail.byteLength).map((e) => e.name);
  } catch (err) {
    // Over a declared limit: refused as the plan import refuses it (413 archive_too_large, naming the limit).
    if (err instanceof ArchiveLimitError) throw err;
    if (err instanceof ArchiveFormatError) return { refused: `a ZIP archive Merzim cannot read (${err.message})` };
    throw err;
  }
  const has = (name: string) => names.includes(name);
  // ODF: the first entry is "mimetype", stored uncompressed, holding the document's type.
  const nameLength = head[26]! | (head[27]! << 8);
  const extraLength = head[28]! | (head[29]! << 8);
  if (nameLength === 8 && ascii(head, 30, 38) === 'mimetype') {
    const at = 38 + extraLength;
    const mime = ascii(head, at, at + ODT_MIME.length + 8);
    if (mime.startsWith(ODT_MIME) && !mime.startsWith(`${ODT_MIME}-`) && has('content.xml')) return found('odt');
    return { refused: `an OpenDocument file that is not a text document (${mime.split(/[^\w./+-]/)[0] ?? ''})` };
  }
  if (has('[Content_Types].xml')) {
    if (has('word/document.xml')) return found('docx');
    if (has('xl/workbook.xml')) return found('xlsx');
    return { refused: 'an Office Open XML package that is neither a DOCX document nor an XLSX workbook' };
  }
  return { refused: 'a ZIP archive, not a DOCX, XLSX or ODT document' };
}

/**
 * The file's kind from its first bytes (`head`, at least the first 4 KiB or the whole file) and its last (`tail`, the end of the
 * file, up to 512 KiB); `size` is the whole file's. Throws ArchiveLimitError for an office document over the archive limits.
 */
export function sniffEvidence(head: Uint8Array, tail: Uint8Array, size: number): Sniffed {
  if (size === 0) return { refused: 'the file is empty' };
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return found('pdf'); // %PDF-
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return found('png');
  if (startsWith(head, [0xff, 0xd8, 0xff])) return found('jpeg');
  if (ascii(head, 4, 8) === 'ftyp') {
    const brands = [ascii(head, 8, 12)];
    const boxSize = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    for (let at = 16; at + 4 <= Math.min(boxSize, head.byteLength); at += 4) brands.push(ascii(head, at, at + 4));
    if (brands.some((b) => MP4_BRANDS.has(b))) return found('mp4');
    return { refused: `an ISO media file that is not MP4 (brand "${brands[0]}")` };
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return sniffZip(head, tail, size);
  if (startsWith(head, [0x4d, 0x5a])) return { refused: 'a Windows program (MZ), not a document' };
  return { refused: 'not one of the accepted types (PDF, DOCX, XLSX, ODT, JPEG, PNG, MP4)' };
}

/** The name's extension, lower-case, or undefined when it has none. */
export function extensionOf(fileName: string): string | undefined {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(fileName);
  return m === null ? undefined : m[1]!.toLowerCase();
}

const ALLOWED_EXTENSIONS = new Set(Object.values(EVIDENCE_TYPES).flatMap((t) => t.extensions));

/**
 * A name that claims another accepted type than the bytes are (a PNG named report.pdf) is a disguise: refused. A name without
 * an accepted type's extension is taken as it is (the type still comes from the bytes).
 */
export function disguise(fileName: string, kind: EvidenceKind): string | undefined {
  const ext = extensionOf(fileName);
  if (ext === undefined || !ALLOWED_EXTENSIONS.has(ext) || EVIDENCE_TYPES[kind].extensions.includes(ext))
    return undefined;
  return `the name says .${ext} but the content is ${kind.toUpperCase()}`;
}
