// The type of an evidence file from its bytes: every allowed kind recognised, look-alikes refused, names that disguise refused.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { disguise, sniffEvidence } from '../../../api/evidence/sniff.js';
import { ArchiveLimitError } from '../../../api/import/zip-guard.js';
import { part, repeatedPart, zip } from '../../helpers/zip.js';

/** An OpenDocument package: its first entry "mimetype", stored (not deflated), as ODF requires. */
function odf(mime: string): Buffer {
  const stored = (name: string, data: Buffer) => ({ name, data });
  const entries = [
    stored('mimetype', Buffer.from(mime)),
    stored('content.xml', Buffer.from('<office:document-content/>')),
  ];
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt32LE(crc32(e.data) >>> 0, 14);
    local.writeUInt32LE(e.data.byteLength, 18);
    local.writeUInt32LE(e.data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    locals.push(local, name, e.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(crc32(e.data) >>> 0, 16);
    central.writeUInt32LE(e.data.byteLength, 20);
    central.writeUInt32LE(e.data.byteLength, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.byteLength + e.data.byteLength;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.byteLength, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const sniff = (b: Buffer) =>
  sniffEvidence(b.subarray(0, 4096), b.subarray(Math.max(0, b.byteLength - 512 * 1024)), b.byteLength);
const mp4 = (brand: string, compatible: string[] = []) => {
  const box = Buffer.alloc(16 + 4 * compatible.length);
  box.writeUInt32BE(box.byteLength, 0);
  box.write('ftyp', 4, 'latin1');
  box.write(brand, 8, 'latin1');
  compatible.forEach((c, i) => box.write(c, 16 + 4 * i, 'latin1'));
  return Buffer.concat([box, Buffer.alloc(100)]);
};

describe('evidence type from the bytes', () => {
  it('recognises every allowed kind', () => {
    expect(sniff(Buffer.from('%PDF-1.4\n1 0 obj'))).toMatchObject({ kind: 'pdf', mediaType: 'application/pdf' });
    expect(sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toMatchObject({ kind: 'jpeg' });
    expect(sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toMatchObject({ kind: 'png' });
    expect(sniff(mp4('isom', ['mp41']))).toMatchObject({ kind: 'mp4', mediaType: 'video/mp4' });
    expect(sniff(mp4('XAVC', ['mp42']))).toMatchObject({ kind: 'mp4' });
    const ooxml = (main: string) => zip([part('[Content_Types].xml', '<Types/>'), part(main, '<x/>')]);
    expect(sniff(ooxml('word/document.xml'))).toMatchObject({ kind: 'docx' });
    expect(sniff(ooxml('xl/workbook.xml'))).toMatchObject({ kind: 'xlsx' });
    expect(sniff(odf('application/vnd.oasis.opendocument.text'))).toMatchObject({
      kind: 'odt',
      mediaType: 'application/vnd.oasis.opendocument.text',
    });
  });

  it('refuses look-alikes: programs, plain ZIPs, other office and ODF kinds, QuickTime, text, empty', () => {
    const refused = (b: Buffer) => expect(sniff(b)).toHaveProperty('refused');
    refused(Buffer.from('MZ\x90\x00\x03'));
    refused(zip([part('a.txt', 'hello')]));
    refused(zip([part('[Content_Types].xml', '<Types/>'), part('ppt/presentation.xml', '<p/>')]));
    refused(odf('application/vnd.oasis.opendocument.spreadsheet'));
    refused(odf('application/vnd.oasis.opendocument.text-template'));
    refused(mp4('qt  '));
    refused(Buffer.from('plain text, not a document'));
    refused(Buffer.alloc(0));
    // "PK" with a broken central directory.
    refused(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]));
  });

  it('an office document over the archive limits is refused as the plan import refuses it', async () => {
    const bomb = zip([
      part('[Content_Types].xml', '<Types/>'),
      await repeatedPart('word/document.xml', 'a', 200 * 1024 * 1024),
    ]);
    expect(() => sniff(bomb)).toThrow(ArchiveLimitError);
  });

  it('a name that claims another allowed type is a disguise; other names are taken as they are', () => {
    expect(disguise('photo.pdf', 'png')).toMatch(/\.pdf.*PNG/);
    expect(disguise('report.PDF', 'pdf')).toBeUndefined();
    expect(disguise('scan.jpeg', 'jpeg')).toBeUndefined();
    expect(disguise('акт', 'pdf')).toBeUndefined();
    expect(disguise('акт.v2', 'pdf')).toBeUndefined();
  });
});
