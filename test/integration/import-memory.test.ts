// Plan import under load (issue 10 point 3): workbooks are read in a worker thread with a heap ceiling, one at a time, so three
// concurrent zip bombs and a workbook at the sheet limits keep /health answering 200 and the process's memory bounded; a
// workbook that needs more than the ceiling is refused (413 archive_too_large, limit "memory"), and the process goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../api/import/xlsx.js';
import { ArchiveLimitError } from '../../api/import/zip-guard.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { part, repeatedPart, xlsxParts, zip } from '../helpers/zip.js';

const MB = 1024 * 1024;
let tdb: TestDatabase;
let api: TestApp;
let url: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  api = await createTestApp(tdb);
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await tdb?.drop();
});

/** A workbook at the sheet limits: 9 000 rows × 15 cells of inline text (≈ 6 MB of sheet XML). */
function largeWorkbook(): Buffer {
  const rows: string[] = [];
  for (let r = 1; r <= 9000; r++) {
    const cells = Array.from(
      { length: 15 },
      (_, c) => `<c r="${String.fromCharCode(65 + c)}${r}" t="inlineStr"><is><t>Іс-шара ${r}.${c}</t></is></c>`,
    );
    rows.push(`<row r="${r}">${cells.join('')}</row>`);
  }
  const xml = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows.join('')}</sheetData></worksheet>`;
  return zip([
    part(
      '[Content_Types].xml',
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ),
    part(
      '_rels/.rels',
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    part(
      'xl/workbook.xml',
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Plan" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ),
    part(
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    part('xl/worksheets/sheet1.xml', xml),
  ]);
}

describe('plan import memory ceiling', () => {
  it(
    'a workbook needing more than the heap ceiling is refused as "memory"; the process goes on',
    { timeout: 60_000 },
    async () => {
      const err = await readWorkbook(largeWorkbook(), { heapMb: 24 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ArchiveLimitError);
      expect((err as ArchiveLimitError).limit).toBe('memory');
      // The same workbook under the default ceiling is read.
      const read = await readWorkbook(largeWorkbook());
      expect('sheets' in read && read.sheets[0]!.rows.length).toBe(9000);
    },
  );

  it(
    'three concurrent bombs and a workbook at the limits: /health stays 200 and RSS stays bounded',
    { timeout: 180_000 },
    async () => {
      const bombs = [
        zip(xlsxParts(await repeatedPart('xl/worksheets/sheet1.xml', 'A', 200 * MB))),
        zip(xlsxParts({ ...(await repeatedPart('xl/worksheets/sheet1.xml', 'A', 200 * MB)), declaredSize: 4096 })),
        zip(xlsxParts(await repeatedPart('xl/worksheets/sheet1.xml', ' ', 15 * MB))),
      ];
      const large = largeWorkbook();
      global.gc?.();
      const idle = process.memoryUsage().rss;
      let peak = idle;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 10);
      const health: { status: number; ms: number }[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const started = performance.now();
          const res = await fetch(`${url}/health`);
          await res.arrayBuffer();
          health.push({ status: res.status, ms: performance.now() - started });
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const post = (bytes: Buffer) =>
        fetch(`${url}/api/v1/plans/import?dryRun=true&filename=plan.xlsx`, {
          method: 'POST',
          headers: {
            ...bearer(api.adminToken),
            'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          },
          body: bytes,
        });
      const answers = await Promise.all([...bombs, large, ...bombs].map(post));
      polling = false;
      await poller;
      clearInterval(sampler);
      const statuses = answers.map((a) => a.status);
      const limits = await Promise.all(
        answers.map(async (a) => ((await a.json()) as { error?: { limit?: string } }).error?.limit),
      );
      expect(statuses).toEqual([413, 413, 413, 200, 413, 413, 413]);
      expect(limits.filter((l) => l !== undefined).sort()).toEqual(
        ['declared_size', 'declared_size', 'entry_size', 'entry_size', 'ratio', 'ratio'].sort(),
      );
      expect(health.length).toBeGreaterThan(3);
      expect(health.every((h) => h.status === 200)).toBe(true);
      const grew = (peak - idle) / MB;
      const slowest = Math.max(...health.map((h) => h.ms));
      console.info(
        `import under load: RSS +${grew.toFixed(0)} MB at peak, /health ${health.length}× 200, slowest ${slowest.toFixed(0)} ms`,
      );
      expect(grew).toBeLessThan(400);
      expect(slowest).toBeLessThan(2000);
    },
  );
});
