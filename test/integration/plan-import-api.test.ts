// Plan import over the API, for real: seeds as published, drafts with diagnostics, bad files refused with nothing stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReferenceData } from '../../db/seed.js';
import { createApiToken } from '../../db/repositories/tokens.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const seeds = new URL('../../../shared/seeds/', import.meta.url);
const seed000 = readFileSync(new URL('000_154aa3237ae338bf.txt', seeds));
const seed002 = readFileSync(new URL('002_e7a38657bed497b0.txt', seeds));

let tdb: TestDatabase;
let t: TestApp;
let coordinator: string;
let reporter: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedReferenceData(tdb.db);
  t = await createTestApp(tdb);
  coordinator = (await createApiToken(tdb.db, { name: 'akdm-coordinator', role: 'coordinator', agencyCode: 'АҚДМ' }))
    .secret;
  reporter = (await createApiToken(tdb.db, { name: 'bgm-reporter', role: 'reporter', agencyCode: 'БҒМ' })).secret;
});
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
});

const upload = (body: Buffer | string, query = '', token = coordinator, type = 'application/octet-stream') =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/plans/import${query}`,
    headers: { ...bearer(token), 'content-type': type },
    payload: body,
  });

async function planCount(): Promise<number> {
  return Number(
    (
      await tdb.db
        .selectFrom('plans')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

describe('plan import API', () => {
  it('a dry run of seed 000 returns the plan, measures and diagnostics, and stores nothing', async () => {
    const res = await upload(seed000, '?dryRun=true&filename=000.txt');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.plan.approvedBy).toMatchObject({ number: '580', date: '2017-09-19' });
    expect(body.plan.coordinator).toBe('АҚДМ');
    expect(body.measures.length).toBeGreaterThan(20);
    expect(body.measures[0]).toEqual(
      expect.objectContaining({
        number: expect.any(String),
        executors: expect.any(Array),
        deadline: expect.objectContaining({ kind: expect.any(String) }),
      }),
    );
    expect(await planCount()).toBe(0);
  });

  it('seed 000 as published is refused for its unknown executor codes, each named with its line', async () => {
    const res = await upload(seed000, '?filename=000.txt');
    expect(res.statusCode).toBe(422);
    const unknown = (res.json().diagnostics as { code: string; line: number; field: string; message: string }[]).filter(
      (d) => d.code === 'unknown_abbreviation',
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown[0]).toMatchObject({
      line: expect.any(Number),
      field: expect.stringMatching(/^measures\[\d+\]\.executors\[\d+\]$/),
    });
    expect(await planCount()).toBe(0);
  });

  it('once the reviewer answers the unknown codes (map one, ignore the rest) it stores as a draft the coordinator confirms', async () => {
    const ignore = [
      'ИМ',
      'Қазақстанның Азаматтық альянсы',
      'діни бірлестіктер',
      'Ғылым комитетінің Философия, саясаттану және дінтану институты',
    ];
    const query = `?filename=000.txt&map=${encodeURIComponent('ПМ:ІІМ')}${ignore.map((c) => `&ignore=${encodeURIComponent(c)}`).join('')}`;
    const res = await upload(seed000, query);
    expect(
      res.statusCode,
      JSON.stringify(res.json().diagnostics?.filter((d: { severity: string }) => d.severity === 'error')),
    ).toBe(201);
    const id = res.json().id as string;
    const confirm = await t.app.inject({
      method: 'POST',
      url: `/api/v1/plans/${id}/confirm`,
      headers: bearer(coordinator),
    });
    expect(confirm.statusCode).toBe(200);
    // ПМ was read as ІІМ: ІІМ now executes measure 4 ("ДІАҚМ, ПМ, Қорғанысмині, …").
    const stored = (
      await t.app.inject({ method: 'GET', url: `/api/v1/plans/${id}`, headers: bearer(coordinator) })
    ).json();
    const m4 = (stored.plan.measures as { number: string; executors: { code: string }[] }[]).find(
      (m) => m.number.replace('.', '') === '4',
    )!;
    expect(m4.executors.map((e) => e.code)).toContain('ІІМ');
    const exported = await t.app.inject({
      method: 'GET',
      url: `/api/v1/plans/${id}/export?format=yaml`,
      headers: bearer(coordinator),
    });
    expect(exported.statusCode).toBe(200);
    // The canonical round trip through the API: the export imports back to the same measures.
    const again = await upload(exported.body, '?dryRun=true&format=yaml');
    expect(again.statusCode).toBe(200);
    expect(again.json().measures).toEqual(res.json().measures);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/plans/${id}/export`, headers: bearer(reporter) })).statusCode,
    ).toBe(403);
  });

  it('seed 002 (a bare table) needs its coordinator, act and years from the uploader', async () => {
    const bare = await upload(seed002, '?filename=002.txt');
    expect(bare.statusCode).toBe(422);
    expect(bare.json().diagnostics.map((d: { code: string }) => d.code)).toContain('missing_coordinator');
    const ignore = ['ИМ', 'ПИК', 'көлік ұйымдарымен', '«Бөбек»', 'мүдделі қоғамдық ұйымдар', '«Өрлеу»']
      .map((c) => `&ignore=${encodeURIComponent(c)}`)
      .join('');
    const withMeta = await upload(
      seed002,
      `?filename=002.txt&coordinator=${encodeURIComponent('БҒМ')}&actNumber=1&actDate=2019-02-01&yearsFrom=2019&yearsTo=2023&map=${encodeURIComponent('ПМ:ІІМ')}${ignore}`,
    );
    expect(
      withMeta.statusCode,
      JSON.stringify(withMeta.json().diagnostics?.filter((d: { severity: string }) => d.severity === 'error')),
    ).toBe(201);
    expect(withMeta.json().plan.coordinator).toBe('БҒМ');
    const infos = (withMeta.json().diagnostics as { code: string }[]).filter((d) => d.code === 'executor_ignored');
    expect(infos.length).toBe(10);
  });

  it("a table with no header is read with the columns guessed, and with the reviewer's columns= mapping; a bad mapping is a 400 naming it", async () => {
    const rows = [
      '1\tДін саласындағы заңнаманы жетілдіру бойынша ұсыныстар әзірлеу\tҮкіметке ақпарат\tАҚДМ, ІІМ\t2021 жылғы желтоқсан',
      '2\tЖастар арасында ағартушылық іс-шаралар өткізу\tАҚДМ-ға ақпарат\tБҒМ, ДСМ\tжыл сайын, 10 қаңтарға дейін',
      '3\tДінтанушы мамандарды даярлау және біліктілігін арттыру\tҰЭМ-ге ақпарат\tБҒМ\t2022 жылғы 4-тоқсан',
    ].join('\n');
    const before = await planCount();
    const guessed = await upload(rows, '?dryRun=true&filename=plan.txt');
    expect(guessed.statusCode).toBe(200);
    const guess = guessed.json().diagnostics.find((d: { code: string }) => d.code === 'columns_inferred');
    expect(guess.message).toContain('number=1,name=2,form=3,executors=4,deadline=5');
    expect(guessed.json().measures).toHaveLength(3);
    // The reviewer says column 3 is not the form: it is ignored, and the guess is not made.
    const mapped = await upload(
      rows,
      `?dryRun=true&filename=plan.txt&columns=${encodeURIComponent('number=1,name=2,executors=4,deadline=5')}`,
    );
    expect(mapped.statusCode).toBe(200);
    expect(mapped.json().diagnostics.some((d: { code: string }) => d.code === 'columns_inferred')).toBe(false);
    expect(mapped.json().measures.map((m: { completionForm: { kk: string | null } }) => m.completionForm.kk)).toEqual([
      null,
      null,
      null,
    ]);
    const bad = await upload(rows, '?dryRun=true&filename=plan.txt&columns=name%3D2');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('columns: the mapping needs executors, deadline');
    expect(await planCount()).toBe(before);
  });

  it('reporters cannot import', async () => {
    expect((await upload(seed000, '?dryRun=true', reporter)).statusCode).toBe(403);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), '', 422, 'empty_file'],
    [
      'a PNG image',
      Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      '?filename=scan.png',
      415,
      'wrong_file_type',
    ],
    [
      'a spreadsheet with missing columns',
      Buffer.from('№;Іс-шара\n1;Бір нәрсе\n'),
      '?filename=plan.csv',
      422,
      'missing_column',
    ],
  ])('%s: a 4xx with diagnostics, nothing stored', async (_what, body, query, status, code) => {
    const before = await planCount();
    const res = await upload(body, query);
    expect(res.statusCode).toBe(status);
    expect(res.json().diagnostics.map((d: { code: string }) => d.code)).toContain(code);
    expect(await planCount()).toBe(before);
  });

  it('a 50 MB+ file is refused with 413 before it is read', async () => {
    const before = await planCount();
    const res = await upload(Buffer.alloc(50 * 1024 * 1024 + 1, 0x61));
    expect(res.statusCode).toBe(413);
    expect(await planCount()).toBe(before);
  });

  it('the XLSX and CSV templates are handed out', async () => {
    const xlsx = await t.app.inject({
      method: 'GET',
      url: '/api/v1/plans/template.xlsx',
      headers: bearer(coordinator),
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/plans/template.csv', headers: bearer(coordinator) });
    expect(csv.statusCode).toBe(200);
    // A template filled in as handed out imports (it carries one example row).
    const back = await upload(csv.body, '?dryRun=true&filename=t.csv&coordinator=АҚДМ');
    expect(back.statusCode).toBe(200);
  });
});
