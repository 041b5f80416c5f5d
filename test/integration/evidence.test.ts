// Evidence files end to end on the real stack (PostgreSQL, Temporal with a worker that opened the cycle, the directory store on a
// real disk, the API on a real socket): upload, SHA-256, type from the bytes, download rights and headers, withdraw; and every
// bad input — over the file or the report limit (413), a type not allowed or disguised (415), a malformed multipart body (400),
// an upload cut off half-way, another agency (404) — with "nothing stored" checked in the table and on disk.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  directoryStore,
  PG_CHUNK_BYTES as PG_CHUNK,
  postgresStore,
  sweepPartialUploads,
} from '../../api/evidence/store.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { bearer } from '../helpers/app.js';
import { startWebStack, type WebStack } from '../helpers/web.js';
import { part, zip } from '../helpers/zip.js';

const MiB = 1024 * 1024;
const LIMITS = { maxFileBytes: 1 * MiB, maxReportBytes: 2.5 * MiB };
let stack: WebStack;
let dir: string;
let url: string;
const tokens: Record<'bgm' | 'iim' | 'coord' | 'pm' | 'admin', string> = {
  bgm: '',
  iim: '',
  coord: '',
  pm: '',
  admin: '',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'merzim-evidence-'));
  stack = await startWebStack({ evidence: { store: directoryStore(join(dir, 'evidence')), limits: LIMITS } });
  const db = stack.tdb.db;
  tokens.bgm = (await createApiToken(db, { name: 'bgm', role: 'reporter', agencyCode: 'БҒМ' })).secret;
  tokens.iim = (await createApiToken(db, { name: 'iim', role: 'reporter', agencyCode: 'ІІМ' })).secret;
  tokens.coord = (await createApiToken(db, { name: 'akdm', role: 'coordinator', agencyCode: 'АҚДМ' })).secret;
  tokens.pm = (await createApiToken(db, { name: 'pm', role: 'pm_office', agencyCode: 'ПМК' })).secret;
  tokens.admin = (await createApiToken(db, { name: 'admin2', role: 'admin' })).secret;
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const address = stack.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}`;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

const bgmObligation = () => stack.obligationId('БҒМ');
const enc = encodeURIComponent;

/** A multipart/form-data body: fields first, then the file. */
function form(file: { name: string; bytes: Buffer; field?: string }, fields: Record<string, string> = {}) {
  const boundary = `----merzim${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(token: string, obligation: string, file: { name: string; bytes: Buffer; field?: string }) {
  const f = form(file);
  return fetch(`${url}/api/v1/obligations/${enc(obligation)}/evidence`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': f.contentType },
    body: f.body,
  });
}

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
const docx = () =>
  zip([
    part('[Content_Types].xml', '<?xml version="1.0"?><Types/>'),
    part('word/document.xml', '<w:document>Есеп</w:document>'),
  ]);
/** Signs in through the sign-in page (as a browser does) and returns the session cookie. */
async function signIn(username: string): Promise<string> {
  const cookieOf = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith(`${name}=`))!;
  const page = await fetch(`${url}/app/sign-in`);
  const pre = cookieOf(page, 'merzim_pre');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/app/sign-in`, {
    method: 'POST',
    headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password: 'correct-horse-battery' }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return cookieOf(res, 'merzim_session');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function rows() {
  return stack.tdb.db.selectFrom('evidence_files').selectAll().execute();
}

/** Every file the directory store keeps (finished or partial). */
async function filesOnDisk(): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  }
  await walk(join(dir, 'evidence'));
  return out;
}

async function expectNothingNew(before: { rows: number; files: number }) {
  expect((await rows()).length).toBe(before.rows);
  expect(await filesOnDisk()).toHaveLength(before.files);
}

async function snapshot() {
  return { rows: (await rows()).length, files: (await filesOnDisk()).length };
}

beforeEach(async () => {
  // Each case starts from an obligation with no live files (withdrawn ones stay as rows, their bytes gone).
  for (const r of await rows()) {
    if (r.withdrawn_at !== null) continue;
    const res = await fetch(`${url}/api/v1/evidence/${r.id}`, { method: 'DELETE', headers: bearer(tokens.bgm) });
    expect(res.status).toBe(200);
  }
});

describe('evidence files', () => {
  it(
    'an upload is stored with its SHA-256 and type from the bytes; the agency, recipient, PM Office and admin download it',
    { timeout: 60_000 },
    async () => {
      const bytes = pdf(300_000);
      const res = await upload(tokens.bgm, bgmObligation(), { name: 'Акт №1 (қосымша).pdf', bytes });
      expect(res.status, await res.clone().text()).toBe(201);
      const file = (await res.json()) as {
        id: string;
        sha256: string;
        mediaType: string;
        sizeBytes: number;
        fileName: string;
      };
      expect(file).toMatchObject({
        sha256: sha(bytes),
        mediaType: 'application/pdf',
        sizeBytes: bytes.byteLength,
        fileName: 'Акт №1 (қосымша).pdf',
      });
      const [row] = (await rows()).filter((r) => r.id === file.id);
      expect(row).toMatchObject({
        sha256: sha(bytes),
        storage: 'dir',
        agency_code: 'БҒМ',
        obligation_id: bgmObligation(),
      });
      // On disk: the file 0600 in directories 0700, nothing left under its temporary name.
      const onDisk = await filesOnDisk();
      expect(onDisk).toHaveLength(1);
      expect((await stat(onDisk[0]!)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'evidence'))).mode & 0o777).toBe(0o700);
      expect(onDisk[0]).not.toContain('.partial');
      const events = await stack.tdb.db
        .selectFrom('events')
        .select(['type', 'payload'])
        .where('type', '=', 'evidence.uploaded')
        .execute();
      expect(events.map((e) => (e.payload as { fileId: string }).fileId)).toContain(file.id);

      for (const who of ['bgm', 'coord', 'pm', 'admin'] as const) {
        const got = await fetch(`${url}/api/v1/evidence/${file.id}`, { headers: bearer(tokens[who]) });
        expect(got.status, who).toBe(200);
        expect(got.headers.get('content-type')).toBe('application/pdf');
        expect(got.headers.get('x-content-type-options')).toBe('nosniff');
        expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+"; filename\*=UTF-8''/);
        expect(decodeURIComponent(got.headers.get('content-disposition')!.split("UTF-8''")[1]!)).toBe(
          'Акт №1 (қосымша).pdf',
        );
        expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(bytes));
      }
      const list = await fetch(`${url}/api/v1/obligations/${enc(bgmObligation())}/evidence`, {
        headers: bearer(tokens.coord),
      });
      expect(list.status).toBe(200);
      expect(await list.json()).toMatchObject({
        items: [{ id: file.id, downloadUrl: `/api/v1/evidence/${file.id}` }],
        totalBytes: bytes.byteLength,
        limits: LIMITS,
      });
    },
  );

  it('another agency sees none of it: 404 on upload, list, download and withdraw, and nothing is stored', async () => {
    const res = await upload(tokens.bgm, bgmObligation(), { name: 'a.png', bytes: png() });
    const file = (await res.json()) as { id: string };
    const before = await snapshot();
    expect((await upload(tokens.iim, bgmObligation(), { name: 'x.pdf', bytes: pdf(1000) })).status).toBe(404);
    const list = await fetch(`${url}/api/v1/obligations/${enc(bgmObligation())}/evidence`, {
      headers: bearer(tokens.iim),
    });
    expect(list.status).toBe(404);
    expect((await fetch(`${url}/api/v1/evidence/${file.id}`, { headers: bearer(tokens.iim) })).status).toBe(404);
    const del = await fetch(`${url}/api/v1/evidence/${file.id}`, { method: 'DELETE', headers: bearer(tokens.iim) });
    expect(del.status).toBe(404);
    // The reviewer sees it but does not report it: it may not add or withdraw.
    expect((await upload(tokens.coord, bgmObligation(), { name: 'x.pdf', bytes: pdf(1000) })).status).toBe(403);
    await expectNothingNew(before);
  });

  it('413 over the per-file limit and over the per-report total; nothing kept', { timeout: 60_000 }, async () => {
    const before = await snapshot();
    const big = await upload(tokens.bgm, bgmObligation(), { name: 'big.pdf', bytes: pdf(LIMITS.maxFileBytes + 1) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'file_too_large',
      message: expect.stringMatching(/^file: /),
    });
    await expectNothingNew(before);
    // Two files of 1 MiB fit the 2.5 MiB report; a third does not.
    for (let i = 0; i < 2; i++)
      expect(
        (await upload(tokens.bgm, bgmObligation(), { name: `p${i}.pdf`, bytes: pdf(LIMITS.maxFileBytes) })).status,
      ).toBe(201);
    const full = await snapshot();
    const third = await upload(tokens.bgm, bgmObligation(), { name: 'p3.pdf', bytes: pdf(LIMITS.maxFileBytes) });
    expect(third.status).toBe(413);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('report_too_large');
    await expectNothingNew(full);
    // Half a MiB still fits.
    expect((await upload(tokens.bgm, bgmObligation(), { name: 'p4.pdf', bytes: pdf(MiB / 2) })).status).toBe(201);
  });

  it('415 for a type not allowed or disguised by its name; DOCX is recognised inside its ZIP', async () => {
    const before = await snapshot();
    const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(5000)]);
    const cases: [string, Buffer][] = [
      ['report.pdf', exe],
      ['report.docx', zip([part('readme.txt', 'not an office document')])],
      ['photo.pdf', png()],
      ['notes.txt', Buffer.from('plain text')],
      ['empty.pdf', Buffer.alloc(0)],
    ];
    for (const [name, bytes] of cases) {
      const res = await upload(tokens.bgm, bgmObligation(), { name, bytes });
      expect(res.status, name).toBe(415);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unsupported_file_type');
      expect(body.error.message).toMatch(/^file: /);
    }
    await expectNothingNew(before);
    const ok = await upload(tokens.bgm, bgmObligation(), { name: 'есеп.docx', bytes: docx() });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { mediaType: string }).mediaType).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('400 for a malformed multipart body, a body that is not multipart, or the file in another field', async () => {
    const before = await snapshot();
    const f = form({ name: 'a.pdf', bytes: pdf(50_000) });
    // The closing boundary never comes: the part ends early.
    const truncated = await fetch(`${url}/api/v1/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { ...bearer(tokens.bgm), 'content-type': f.contentType },
      body: f.body.subarray(0, f.body.byteLength - 30),
    });
    expect(truncated.status).toBe(400);
    expect(((await truncated.json()) as { error: { code: string } }).error.code).toBe('malformed_multipart');
    const noBoundary = await fetch(`${url}/api/v1/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { ...bearer(tokens.bgm), 'content-type': 'multipart/form-data' },
      body: f.body,
    });
    expect(noBoundary.status).toBe(400);
    const json = await fetch(`${url}/api/v1/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { ...bearer(tokens.bgm), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    const wrongField = await upload(tokens.bgm, bgmObligation(), { name: 'a.pdf', bytes: pdf(1000), field: 'annex' });
    expect(wrongField.status).toBe(400);
    await expectNothingNew(before);
  });

  it(
    'an upload cut off half-way (the connection closes mid-body) leaves no row and no file',
    { timeout: 30_000 },
    async () => {
      const before = await snapshot();
      const f = form({ name: 'cut.pdf', bytes: pdf(800_000) });
      const address = new URL(url);
      const socket = connect(Number(address.port), address.hostname);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /api/v1/obligations/${enc(bgmObligation())}/evidence HTTP/1.1\r\nHost: ${address.host}\r\n` +
          `Authorization: Bearer ${tokens.bgm}\r\nContent-Type: ${f.contentType}\r\nContent-Length: ${f.body.byteLength}\r\n\r\n`,
      );
      socket.write(f.body.subarray(0, f.body.byteLength / 2));
      // Let the server start writing the file, then vanish.
      const deadline = Date.now() + 10_000;
      while ((await readdir(join(dir, 'evidence', '.partial')).catch(() => [])).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect((await readdir(join(dir, 'evidence', '.partial'))).length, 'the upload was being written').toBe(1);
      socket.destroy();
      const settled = Date.now() + 10_000;
      while ((await readdir(join(dir, 'evidence', '.partial'))).length > 0 && Date.now() < settled)
        await new Promise((r) => setTimeout(r, 20));
      await expectNothingNew(before);
    },
  );

  it('a withdrawn file is gone for everyone and its bytes are removed; the row stays with who withdrew it', async () => {
    const res = await upload(tokens.bgm, bgmObligation(), { name: 'w.png', bytes: png() });
    const file = (await res.json()) as { id: string };
    expect((await filesOnDisk()).length).toBe(1);
    // Only the reporting agency withdraws.
    expect(
      (await fetch(`${url}/api/v1/evidence/${file.id}`, { method: 'DELETE', headers: bearer(tokens.coord) })).status,
    ).toBe(403);
    const del = await fetch(`${url}/api/v1/evidence/${file.id}`, { method: 'DELETE', headers: bearer(tokens.bgm) });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: file.id, withdrawn: true });
    expect((await fetch(`${url}/api/v1/evidence/${file.id}`, { headers: bearer(tokens.bgm) })).status).toBe(404);
    expect(
      (await fetch(`${url}/api/v1/evidence/${file.id}`, { method: 'DELETE', headers: bearer(tokens.bgm) })).status,
    ).toBe(404);
    expect(await filesOnDisk()).toHaveLength(0);
    const [row] = (await rows()).filter((r) => r.id === file.id);
    expect(row!.withdrawn_at).not.toBeNull();
    expect(row!.withdrawn_by).toBe('token:bgm');
  });

  it('the page: the obligation shows the block; a plain multipart form uploads with its CSRF field, without it 403', async () => {
    const cookie = await signIn('bgm.reporter');
    const page = await fetch(`${url}/app/obligations/${enc(bgmObligation())}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="evidence"');
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('/assets/evidence-upload.js');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const before = await snapshot();
    const bad = form({ name: 'x.pdf', bytes: pdf(2000) }, { _csrf: 'wrong-token-wrong-token' });
    const refused = await fetch(`${url}/app/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { cookie, 'content-type': bad.contentType },
      body: bad.body,
      redirect: 'manual',
    });
    expect(refused.status).toBe(403);
    await expectNothingNew(before);
    const good = form({ name: 'x.pdf', bytes: pdf(2000) }, { _csrf: csrf });
    const sent = await fetch(`${url}/app/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { cookie, 'content-type': good.contentType },
      body: good.body,
      redirect: 'manual',
    });
    expect(sent.status).toBe(303);
    // The page's download link works with the session (the JSON API takes bearer tokens only).
    const listed = await (
      await fetch(`${url}/app/obligations/${enc(bgmObligation())}`, { headers: { cookie } })
    ).text();
    const link = /href="(\/app\/evidence\/[0-9a-f-]{36})"/.exec(listed)![1]!;
    const downloaded = await fetch(`${url}${link}`, { headers: { cookie } });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(downloaded.headers.get('x-content-type-options')).toBe('nosniff');
    expect(
      Buffer.from(await downloaded.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const other = await signIn('iim.reporter');
    expect((await fetch(`${url}${link}`, { headers: { cookie: other } })).status).toBe(404);
    // The script's request gets the block alone, with the refusal said in the page's language.
    const xhr = form({ name: 'x.exe', bytes: Buffer.from('MZ....') }, { _csrf: csrf });
    const fragment = await fetch(`${url}/app/obligations/${enc(bgmObligation())}/evidence`, {
      method: 'POST',
      headers: { cookie, 'content-type': xhr.contentType, 'x-merzim-upload': '1' },
      body: xhr.body,
    });
    expect(fragment.status).toBe(415);
    expect(fragment.headers.get('x-merzim-fragment')).toBe('evidence');
    const text = await fragment.text();
    expect(text).toContain('class="flash error"');
    expect(text).toContain('x.pdf');
  });
});

describe('the stores', () => {
  const sizes = [1, PG_CHUNK + 17, 3 * PG_CHUNK];
  it(
    'PostgreSQL and directory stores: round trip in chunks; a failed source or a refused check keeps nothing',
    {
      timeout: 60_000,
    },
    async () => {
      const stores = [postgresStore(stack.tdb.db), directoryStore(join(dir, 'store-test'))];
      for (const store of stores) {
        for (const size of sizes) {
          const bytes = randomBytes(size);
          const stored = await store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
          expect(stored).toEqual({ key: stored.key, size, sha256: sha(bytes) });
          const back = await store.get(stored.key);
          const chunks: Buffer[] = [];
          for await (const c of back!) chunks.push(c as Buffer);
          expect(sha(Buffer.concat(chunks)), store.name).toBe(sha(bytes));
          await store.delete(stored.key);
          expect(await store.get(stored.key)).toBeUndefined();
        }
        async function* failing() {
          yield randomBytes(PG_CHUNK + 5);
          throw new Error('connection reset');
        }
        await expect(store.put(Readable.from(failing()))).rejects.toThrow('connection reset');
        await expect(
          store.put(Readable.from([randomBytes(2 * PG_CHUNK)]), {
            verify: () => {
              throw new Error('refused');
            },
          }),
        ).rejects.toThrow('refused');
      }
      expect(await stack.tdb.db.selectFrom('evidence_chunks').select('storage_key').execute()).toEqual([]);
      // What a process that died mid-upload left is swept once it is old (a live upload's file is fresh).
      await writeFile(join(dir, 'store-test', '.partial', 'left-by-a-crash'), 'x');
      expect(await sweepPartialUploads(join(dir, 'store-test'))).toBe(0);
      expect(await sweepPartialUploads(join(dir, 'store-test'), Date.now() + 25 * 3600_000)).toBe(1);
      expect((await readdir(join(dir, 'store-test', '.partial'))).length).toBe(0);
      const kept = (await readdir(join(dir, 'store-test'))).filter((d) => d !== '.partial');
      for (const d of kept) expect(await readdir(join(dir, 'store-test', d))).toEqual([]);
    },
  );
});
