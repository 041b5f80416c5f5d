// The full report end to end on the real stack: API → workflow Update → PostgreSQL → read back. Bad input is refused naming
// the field and leaves nothing (no version row, no Update in the history); a returned report resubmitted keeps both versions
// and the diff shows the change; review remarks per measure reach the agency by e-mail; the app role cannot rewrite a version.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvidence } from '../../db/repositories/evidence.js';
import { createDraft } from '../../db/repositories/plans.js';
import { normalizeReport, reportContentHash, type ReportContent } from '../../domain/report.js';
import { localDateOf } from '../../domain/tz.js';
import { bearer } from '../helpers/app.js';
import { type TestDatabase } from '../helpers/database.js';
import { receivedMail, waitFor } from '../helpers/mail.js';
import { caller, startApiTestStack, type ApiTestStack } from '../helpers/api-stack.js';
import { testPlan } from '../helpers/plans.js';

const YEAR = new Date().getUTCFullYear();
let stack: ApiTestStack;
let tdb: TestDatabase;
let client: Client;
let app: FastifyInstance;
let call: ReturnType<typeof caller>;
let planId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startApiTestStack('reports-api');
  ({ tdb, client, app } = stack);
  call = caller(app);
  tokens.coordinator = await stack.token('akdm', 'coordinator', 'АҚДМ');
  tokens.bgm = await stack.token('bgm', 'reporter', 'БҒМ');
  tokens.iim = await stack.token('iim', 'reporter', 'ІІМ');
  // Measure 1 carries an indicator with a target for this year, as an imported decree table would.
  const base = testPlan({ years: { from: YEAR, to: YEAR + 1 } });
  planId = await createDraft(tdb.db, {
    plan: {
      ...base,
      measures: base.measures.map((m) =>
        m.number === '1'
          ? {
              ...m,
              indicators: [
                {
                  name: { kk: 'Анимациялық бейнероликтер', ru: 'Анимационные видеоролики' },
                  unit: 'дана',
                  targets: { [String(YEAR)]: 10 },
                },
              ],
            }
          : m,
      ),
    },
    diagnostics: [],
    sourceFormat: 'json',
    sourceName: null,
    createdBy: 'test',
  });
  stack.plans.push(planId);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const today = localDateOf(Date.now());

function report(patch: Partial<ReportContent> = {}, indicatorValue: unknown = 7): Record<string, unknown> {
  return {
    period: String(YEAR),
    measures: [
      {
        measure: '1',
        status: 'in_progress',
        narrative: {
          kk: '10 жоспарланғаннан 7 бейнеролик түсірілді',
          ru: 'Снято 7 из 10 запланированных видеороликов',
        },
        indicators: [{ indicator: 0, value: indicatorValue, unit: 'дана' }],
      },
    ],
    events: [
      {
        name: 'Дөңгелек үстел',
        date: `${YEAR}-03-10`,
        place: 'Астана',
        participants: 40,
        categories: 'жастар',
        experts: 'теологтар',
        annex: 1,
      },
    ],
    risks: [{ risk: 'Қаржыландыру кешікті', mitigation: 'Демеушілер тартылды' }],
    annexes: [{ number: 1, title: 'Бейнежазба', url: 'https://example.kz/video/1' }],
    signatory: { name: 'А. Нұрланов', position: 'Департамент директоры' },
    signedOn: today,
    ...patch,
  };
}

describe('the full report through the API', () => {
  const bgm = (): string => `obligation:${planId}:${YEAR}:БҒМ:executors`;
  const url = (id: string, rest = ''): string => `/api/v1/obligations/${encodeURIComponent(id)}${rest}`;

  async function stored(id: string) {
    const versions = await tdb.db.selectFrom('report_versions').selectAll().where('obligation_id', '=', id).execute();
    const history = await client.workflow.getHandle(id).fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes != null);
    return { versions: versions.length, updates: updates.length };
  }

  it('opens the cycle', async () => {
    expect((await call('POST', `/api/v1/plans/${planId}/confirm`, tokens.coordinator!)).statusCode).toBe(200);
    await waitFor(
      async () => {
        const n = await tdb.db.selectFrom('obligations').select('workflow_id').where('plan_id', '=', planId).execute();
        return n.length >= 4 ? true : undefined;
      },
      60_000,
      'the obligations of the opened cycle',
    );
  }, 90_000);

  it('refuses bad input with a 4xx naming the field, and stores nothing', async () => {
    const cases: [string, object, number, string][] = [
      [
        'a value that is not a number',
        { content: report({}, 'seven') },
        400,
        'body/content/measures/0/indicators/0/value',
      ],
      [
        'a negative value',
        { content: report({}, -3) },
        422,
        'content.measures[0].indicators[0].value: must not be negative',
      ],
      [
        'a value in the wrong unit',
        {
          content: {
            ...report(),
            measures: [{ ...(report().measures as object[])[0]!, indicators: [{ indicator: 0, value: 7, unit: '%' }] }],
          },
        },
        422,
        'content.measures[0].indicators[0].unit',
      ],
      [
        'a measure the agency does not owe',
        {
          content: {
            ...report(),
            measures: [
              ...(report().measures as object[]),
              { measure: '2', status: 'done', narrative: { kk: 'x' }, indicators: [] },
            ],
          },
        },
        422,
        'content.measures[1].measure: "2" is not a measure this agency owes',
      ],
      ['another period', { content: report({ period: String(YEAR - 1) }) }, 422, 'content.period'],
      [
        'an annex naming a file that is not this obligation’s',
        { content: report({ annexes: [{ number: 1, title: 'Хат', fileId: randomUUID() }] }) },
        422,
        'content.annexes[0].fileId',
      ],
      [
        'a javascript: link',
        { content: report({ annexes: [{ number: 1, title: 'x', url: 'javascript:alert(1)' }] }) },
        422,
        'content.annexes[0].url',
      ],
      [
        'both content and items',
        { content: report(), items: [{ measure: '1', status: 'done', text: 'x' }] },
        400,
        'body',
      ],
    ];
    for (const [what, body, status, field] of cases) {
      const res = await call('POST', url(bgm(), '/submit'), tokens.bgm!, body);
      expect(res.statusCode, what).toBe(status);
      expect(res.json().error.message, what).toContain(field);
    }
    // Another agency's obligation: 404, as if it did not exist.
    const iim = `obligation:${planId}:${YEAR}:ІІМ:measure-2-due-1`;
    expect((await call('POST', url(iim, '/submit'), tokens.bgm!, { content: report() })).statusCode).toBe(404);
    expect(await stored(bgm())).toEqual({ versions: 0, updates: 0 });
  }, 60_000);

  let first: { version: number; versionId: string; contentHash: string };
  /** The evidence file version 1 names as its annex 2. */
  let annexFile: string;

  it('stores a good report as version 1; the Update carries its id and hash, never its text', async () => {
    // An evidence file of this obligation may be an annex (the file store itself is another part of the API).
    const file = await insertEvidence(tdb.db, {
      obligationId: bgm(),
      agencyCode: 'БҒМ',
      fileName: 'programme.pdf',
      mediaType: 'application/pdf',
      sizeBytes: 1234,
      sha256: 'b'.repeat(64),
      storage: 'dir',
      storageKey: 'x/y',
      uploadedBy: 'token:bgm',
    });
    annexFile = file.id;
    const content = report({
      annexes: [
        { number: 1, title: 'Бейнежазба', url: 'https://example.kz/video/1' },
        { number: 2, title: 'Бағдарлама', fileId: file.id },
      ],
    });
    const res = await call('POST', url(bgm(), '/submit'), tokens.bgm!, { content });
    expect(res.statusCode, res.body).toBe(200);
    first = res.json();
    expect(first).toMatchObject({ version: 1, late: false });
    expect(first.contentHash).toBe(reportContentHash(normalizeReport(content as unknown as ReportContent)));

    const list = (await call('GET', url(bgm(), '/versions'), tokens.coordinator!)).json();
    expect(list.items).toEqual([
      expect.objectContaining({ version: 1, id: first.versionId, contentHash: first.contentHash }),
    ]);
    const v1 = (await call('GET', url(bgm(), '/versions/1'), tokens.bgm!)).json();
    expect(v1.content).toEqual(normalizeReport(content as unknown as ReportContent));

    const history = await client.workflow.getHandle(bgm()).fetchHistory();
    const accepted = (history.events ?? []).find((e) => e.workflowExecutionUpdateAcceptedEventAttributes != null)!;
    const input = Buffer.from(
      accepted.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]!.data!,
    ).toString('utf8');
    expect(JSON.parse(input)).toEqual({
      submittedBy: 'token:bgm',
      versionId: first.versionId,
      version: 1,
      contentHash: first.contentHash,
      statuses: [{ measure: '1', status: 'in_progress' }],
    });
    const update = await tdb.db
      .selectFrom('events')
      .select('payload')
      .where('subject_id', '=', bgm())
      .where('type', '=', 'report.submitted')
      .executeTakeFirstOrThrow();
    expect(update.payload).toMatchObject({
      versionId: first.versionId,
      contentHash: first.contentHash,
      statuses: [{ measure: '1', status: 'in_progress' }],
    });
    expect(JSON.stringify(update.payload)).not.toContain('бейнеролик');
    // The recipient is told the report arrived.
    const arrived = await waitFor(
      async () => (await receivedMail(tdb.db)).find((m) => m.subject?.includes('есебі келіп түсті')),
      30_000,
      'the arrival e-mail',
    );
    expect(JSON.stringify(arrived.to)).toContain('report@akdm.example.kz');
  }, 60_000);

  it('refuses a resubmission while version 1 is under review (409), storing nothing', async () => {
    const res = await call('POST', url(bgm(), '/submit'), tokens.bgm!, { content: report() });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('under_review');
    expect(await stored(bgm())).toEqual({ versions: 1, updates: 1 });
  });

  it('returns with remarks per measure: recorded, e-mailed to the agency; the resubmission is version 2 and the diff shows the change', async () => {
    const due = (await call('GET', url(bgm()), tokens.coordinator!)).json().dueDate as string;
    const later = `${Number(due.slice(0, 4)) + 1}${due.slice(4)}`;
    expect(
      (
        await call('POST', url(bgm(), '/return'), tokens.coordinator!, {
          comment: 'Толықтырыңыз',
          newDueDate: later,
          comments: [{ measure: '9', text: 'x' }],
        })
      ).statusCode,
    ).toBe(400);
    const returned = await call('POST', url(bgm(), '/return'), tokens.coordinator!, {
      comment: 'Толықтырыңыз',
      newDueDate: later,
      comments: [
        { measure: '1', field: 'indicators[0].value', text: 'Соңғы деректерді көрсетіңіз' },
        { field: 'risks', text: 'Тәуекелді нақтылаңыз' },
      ],
    });
    expect(returned.statusCode, returned.body).toBe(200);
    // Returned, the report is the agency's to change again — but a file a submitted version names stays part of the record.
    const withdraw = await app.inject({
      method: 'DELETE',
      url: `/api/v1/evidence/${annexFile}`,
      headers: bearer(tokens.bgm!),
    });
    expect(withdraw.statusCode, withdraw.body).toBe(409);
    expect(withdraw.json().error.code).toBe('evidence_submitted');
    const event = await tdb.db
      .selectFrom('events')
      .select('payload')
      .where('subject_id', '=', bgm())
      .where('type', '=', 'report.returned')
      .executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({
      comments: [{ measure: '1', field: 'indicators[0].value' }, { field: 'risks' }],
    });
    const mail = await waitFor(
      async () => (await receivedMail(tdb.db)).find((m) => m.text?.includes('Соңғы деректерді көрсетіңіз')),
      30_000,
      'the return e-mail with the remarks',
    );
    expect(mail.text).toContain('Іс-шара 1 (indicators[0].value)');
    expect(mail.text).toContain('Мероприятие 1 (indicators[0].value)');

    // The draft, then the resubmission with the indicator brought up to date.
    expect((await call('PUT', url(bgm(), '/draft'), tokens.bgm!, { content: report({}, 9) })).statusCode).toBe(200);
    expect((await call('GET', url(bgm(), '/draft'), tokens.bgm!)).json().content.measures[0].indicators[0].value).toBe(
      9,
    );
    const second = await call('POST', url(bgm(), '/submit'), tokens.bgm!, { content: report({}, 10) });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().version).toBe(2);
    expect((await call('GET', url(bgm(), '/draft'), tokens.bgm!)).statusCode).toBe(404);
    const versions = (await call('GET', url(bgm(), '/versions'), tokens.bgm!)).json().items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const diff = (await call('GET', url(bgm(), '/diff?from=1&to=2'), tokens.coordinator!)).json();
    expect(diff.changes).toEqual([
      { path: 'measures[measure=1].indicators[0].value', from: 7, to: 10 },
      { path: 'annexes[number=2]', from: expect.objectContaining({ title: 'Бағдарлама' }), to: null },
    ]);
    expect((await call('GET', url(bgm(), '/diff?from=1&to=3'), tokens.bgm!)).statusCode).toBe(404);
  }, 90_000);

  it('accepts: the agency is told; nothing more can be submitted (409), and no version is ever rewritten', async () => {
    const accepted = await call('POST', url(bgm(), '/accept'), tokens.coordinator!, { comment: 'Қабылданды' });
    expect(accepted.statusCode).toBe(200);
    await waitFor(
      async () => (await receivedMail(tdb.db)).find((m) => m.subject?.includes('есеп қабылданды (2-нұсқа)')),
      30_000,
      'the acceptance e-mail',
    );
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('status')
          .where('workflow_id', '=', bgm())
          .executeTakeFirst();
        return row?.status === 'accepted' ? true : undefined;
      },
      20_000,
      'the accepted read model',
    );
    const late = await call('POST', url(bgm(), '/submit'), tokens.bgm!, { content: report() });
    expect(late.statusCode).toBe(409);
    expect((await call('PUT', url(bgm(), '/draft'), tokens.bgm!, { content: report() })).statusCode).toBe(409);
    expect((await stored(bgm())).versions).toBe(2);
    // Immutable by trigger too (the least-privilege test checks the application role's grants).
    await expect(sql`UPDATE report_versions SET submitted_by = 'forged'`.execute(tdb.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM report_versions`.execute(tdb.db)).rejects.toThrow(/append-only/);
  }, 60_000);

  it('a version the workflow refuses is rolled back: no row, no Update in the history', async () => {
    // A version row the history does not know (as if written by hand): the API numbers the next one 2, the workflow expects 1.
    const iim = `obligation:${planId}:${YEAR}:ІІМ:measure-2-due-1`;
    await tdb.db
      .insertInto('report_versions')
      .values({
        obligation_id: iim,
        version: 1,
        agency_code: 'ІІМ',
        content: '{}',
        content_hash: 'd'.repeat(64),
        submitted_by: 'test',
      })
      .execute();
    const refused = await call('POST', url(iim, '/submit'), tokens.iim!, {
      content: {
        ...report(),
        measures: [{ measure: '2', status: 'done', narrative: { ru: 'Мониторинг проведён' }, indicators: [] }],
      },
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error.message).toContain('version 2 is not the next one');
    expect(await stored(iim)).toEqual({ versions: 1, updates: 0 });
  });

  it('a report to a closed cycle is refused (409)', async () => {
    const res = await call('POST', `/api/v1/plans/${planId}/repeal`, tokens.coordinator!, {
      act: { issuer: 'Үкімет', number: '1014', date: `${YEAR}-11-15` },
      date: `${YEAR}-11-15`,
      reason: 'Жоспардың күші жойылды',
    });
    expect(res.statusCode).toBe(200);
    const iim = `obligation:${planId}:${YEAR}:ІІМ:measure-2-due-1`;
    await waitFor(
      async () => {
        const row = await tdb.db
          .selectFrom('obligations')
          .select('status')
          .where('workflow_id', '=', iim)
          .executeTakeFirst();
        return row?.status === 'closed' ? true : undefined;
      },
      30_000,
      'the closed obligation',
    );
    const refused = await call('POST', url(iim, '/submit'), tokens.iim!, {
      content: {
        ...report(),
        measures: [{ measure: '2', status: 'done', narrative: { ru: 'Мониторинг проведён' }, indicators: [] }],
      },
    });
    expect(refused.statusCode).toBe(409);
    expect((await stored(iim)).versions).toBe(1);
  }, 60_000);
});
