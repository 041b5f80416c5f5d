// The consolidated summary sent up the chain on the real stack (PostgreSQL, the Temporal dev server, a worker): refused while
// a blocker has no override, frozen into an immutable version carried by the coordinator's own obligation (the `submit`
// Update records id, number and hash only), returned by the PM Office with a remark on a measure, resubmitted as version 2,
// accepted; then the PM Office's report to the Presidential Administration built from the accepted summary and submitted
// the same way. Every refusal (400, 403, 404, 409) on the way, and nothing stored when refused.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/dates.js';
import { canonicalJson } from '../../domain/report.js';
import { localDateOf } from '../../domain/tz.js';
import type { TestDatabase } from '../helpers/database.js';
import {
  BGM_NARRATIVE as NARRATIVE,
  startSummaryBed,
  SUMMARY_YEAR as YEAR,
  type SummaryBed,
} from '../helpers/summary-bed.js';

const OVERRIDE = 'ІІМ есебі кешікті, хат жіберілді';
let bed: SummaryBed;
let tdb: TestDatabase;
let app: FastifyInstance;
let call: SummaryBed['call'];
let tokens: Record<string, string>;
let obligationId: SummaryBed['obligationId'];
let statusOf: SummaryBed['statusOf'];
let waitStatus: SummaryBed['waitStatus'];

beforeAll(async () => {
  bed = await startSummaryBed('summary-submit');
  ({ tdb, app, call, tokens, obligationId, statusOf, waitStatus } = bed);
});

afterAll(async () => {
  await bed?.close();
});

const summaryUrl = (path = ''): string => `/api/v1/cycles/${encodeURIComponent(bed.cycleId())}/summary${path}`;
const obligationUrl = (agency: string, stage: string, action: string): string =>
  `/api/v1/obligations/${encodeURIComponent(obligationId(agency, stage))}/${action}`;

async function countVersions(): Promise<number> {
  const row = await tdb.db
    .selectFrom('summary_versions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the summary submitted upward and reviewed by the PM Office', () => {
  it('opens the cycle; БҒМ reports and the coordinator accepts; ІІМ does not report', async () => {
    await bed.openCycle([obligationId('АҚДМ', 'summary'), obligationId('ПМК', 'pm-office')]);
    await bed.submitBgm();
    await bed.acceptBgm();
  }, 180_000);

  it('is refused while a blocker has no override (409 naming it), to others than the coordinator (403/404)', async () => {
    const blocked = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {});
    expect(blocked.statusCode, blocked.body).toBe(409);
    expect(blocked.json().error).toMatchObject({ code: 'summary_not_ready' });
    expect(blocked.json().error.message).toContain('ІІМ: not_submitted');
    const blank = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {
      overrides: [{ agencyCode: 'ІІМ', reason: '   ' }],
    });
    expect(blank.statusCode).toBe(409);
    const stray = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {
      overrides: [
        { agencyCode: 'ІІМ', reason: OVERRIDE },
        { agencyCode: 'БҒМ', reason: 'accepted already' },
      ],
    });
    expect(stray.statusCode).toBe(400);
    expect(stray.json().error.message).toMatch(/^overrides\[1\]\.agencyCode: БҒМ/);
    const missingReason = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {
      overrides: [{ agencyCode: 'ІІМ' }],
    });
    expect(missingReason.statusCode).toBe(400);
    expect(missingReason.json().error.message).toContain('reason');
    const body = { overrides: [{ agencyCode: 'ІІМ', reason: OVERRIDE }] };
    expect((await call('POST', summaryUrl('/submit'), tokens.pm!, body)).statusCode).toBe(403);
    expect((await call('POST', summaryUrl('/submit'), tokens.bgm!, body)).statusCode).toBe(403);
    expect((await call('POST', summaryUrl('/submit'), tokens.otherCoordinator!, body)).statusCode).toBe(404);
    expect((await call('GET', summaryUrl('/versions'), tokens.bgm!)).statusCode).toBe(403);
    expect((await call('GET', summaryUrl('/versions'), tokens.otherCoordinator!)).statusCode).toBe(404);
    // The carrier obligation takes no ordinary report: the summary goes up only frozen.
    const report = await call('POST', obligationUrl('АҚДМ', 'summary', 'submit'), tokens.coordinator!, {
      items: [{ measure: '1', status: 'done', text: 'x' }],
    });
    expect(report.statusCode).toBe(409);
    expect(report.json().error.code).toBe('summary_stage');
    expect(await countVersions()).toBe(0);
    expect(await statusOf(obligationId('АҚДМ', 'summary'))).toBe('pending');
  });

  it('the summary pages: a form posted without the session’s CSRF token is refused, a visitor is sent to sign in', async () => {
    const page = `/app/cycles/${encodeURIComponent(bed.cycleId())}/summary`;
    const posted = await app.inject({ method: 'POST', url: `${page}/submit`, payload: { stage: 'executors' } });
    expect(posted.statusCode).toBe(403);
    const visitor = await app.inject({ method: 'GET', url: page });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/app\/sign-in\?expired=1/);
    expect(await countVersions()).toBe(0);
  });

  it('with the override: version 1 frozen, its hash in the history, the override audited, the carrier submitted', async () => {
    const res = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {
      overrides: [{ agencyCode: 'ІІМ', reason: OVERRIDE }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const v1 = res.json();
    expect(v1).toMatchObject({
      version: 1,
      obligationId: obligationId('АҚДМ', 'summary'),
      stageId: 'executors',
      agencyCode: 'АҚДМ',
      submittedBy: 'token:akdm',
    });
    await waitStatus(obligationId('АҚДМ', 'summary'), 'submitted');
    const frozen = (await call('GET', summaryUrl('/versions/1'), tokens.pm!)).json();
    expect(frozen.content.overrides).toEqual([{ agencyCode: 'ІІМ', reason: OVERRIDE, kind: 'not_submitted' }]);
    expect(frozen.content.summary.measures[0].executors[0]).toMatchObject({ kind: 'reported', status: 'done' });
    expect(createHash('sha256').update(canonicalJson(frozen.content)).digest('hex')).toBe(v1.contentHash);
    // The workflow holds the id, number, hash and statuses — never the content.
    const report = (
      await tdb.db
        .selectFrom('obligations')
        .select('report')
        .where('workflow_id', '=', v1.obligationId)
        .executeTakeFirstOrThrow()
    ).report as Record<string, unknown>;
    expect(report).toMatchObject({ versionId: v1.id, version: 1, contentHash: v1.contentHash });
    expect(report.statuses).toEqual([{ measure: '1', status: 'in_progress' }]);
    expect(JSON.stringify(report)).not.toContain(NARRATIVE);
    const events = await tdb.db
      .selectFrom('events')
      .select(['actor', 'payload'])
      .where('type', '=', 'summary.submitted')
      .execute();
    expect(events).toEqual([
      expect.objectContaining({
        actor: 'token:akdm',
        payload: expect.objectContaining({
          overrides: [{ agencyCode: 'ІІМ', reason: OVERRIDE, kind: 'not_submitted' }],
        }),
      }),
    ]);
    // The DOCX of a version is rendered from the version alone.
    const docx = await call('GET', summaryUrl('/versions/1?format=docx&lang=ru'), tokens.pm!);
    expect(docx.statusCode).toBe(200);
    expect(docx.headers['content-disposition']).toBe(`attachment; filename="merzim-summary-${YEAR}-v1-ru.docx"`);
    expect((await mammoth.extractRawText({ buffer: docx.rawPayload })).value).toContain(NARRATIVE);
    // Under review: no second version.
    const again = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {
      overrides: [{ agencyCode: 'ІІМ', reason: OVERRIDE }],
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('under_review');
    expect((await call('GET', summaryUrl('/versions/9'), tokens.pm!)).statusCode).toBe(404);
  });

  it('the PM Office returns it with a remark on the measure; the coordinator may not; version 2 goes up; accepted', async () => {
    const newDueDate = addDays(localDateOf(Date.now()), 7);
    const remark = {
      comment: 'ІІМ бойынша түсініктеме қажет',
      newDueDate,
      comments: [{ measure: '1', text: 'Толығырақ' }],
    };
    expect(
      (await call('POST', obligationUrl('АҚДМ', 'summary', 'return'), tokens.coordinator!, remark)).statusCode,
    ).toBe(403);
    const returned = await call('POST', obligationUrl('АҚДМ', 'summary', 'return'), tokens.pm!, remark);
    expect(returned.statusCode, returned.body).toBe(200);
    await waitStatus(obligationId('АҚДМ', 'summary'), 'returned');
    // Resolved this time by the coordinator's mark with a reason instead of an override.
    expect(
      (await call('PUT', summaryUrl(`/marks/${encodeURIComponent('ІІМ')}`), tokens.coordinator!, { reason: OVERRIDE }))
        .statusCode,
    ).toBe(200);
    const v2 = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {});
    expect(v2.statusCode, v2.body).toBe(200);
    expect(v2.json().version).toBe(2);
    await waitStatus(obligationId('АҚДМ', 'summary'), 'submitted');
    const list = (await call('GET', summaryUrl('/versions'), tokens.coordinator!)).json();
    expect(list.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await call('POST', obligationUrl('АҚДМ', 'summary', 'accept'), tokens.coordinator!, {})).statusCode).toBe(
      403,
    );
    expect((await call('POST', obligationUrl('АҚДМ', 'summary', 'accept'), tokens.pm!, {})).statusCode).toBe(200);
    await waitStatus(obligationId('АҚДМ', 'summary'), 'accepted');
    const closed = await call('POST', summaryUrl('/submit'), tokens.coordinator!, {});
    expect(closed.statusCode).toBe(409);
    expect(await countVersions()).toBe(2);
  }, 120_000);

  it("the PM Office's report: built from the accepted summary, submitted only by the PM Office, frozen the same way", async () => {
    const preview = await call('GET', summaryUrl('?stage=summary'), tokens.pm!);
    expect(preview.statusCode, preview.body).toBe(200);
    const s = preview.json();
    expect(s.sender.code).toBe('ПМК');
    expect(s.ready).toBe(true);
    expect(s.measures[0].executors).toEqual([
      expect.objectContaining({
        kind: 'reported',
        agency: expect.objectContaining({ code: 'АҚДМ' }),
        status: 'in_progress',
        narrative: { kk: `БҒМ: ${NARRATIVE}`, ru: `БҒМ: ${NARRATIVE}` },
        reportVersion: 2,
      }),
    ]);
    const texts = await call('PUT', summaryUrl('/texts'), tokens.pm!, {
      stage: 'summary',
      preface: { kk: 'ПМК кіріспесі', ru: 'Вступление ПМК' },
      conclusions: { kk: null, ru: null },
    });
    expect(texts.statusCode, texts.body).toBe(200);
    expect(
      (
        await call('PUT', summaryUrl('/texts'), tokens.coordinator!, {
          stage: 'summary',
          preface: { kk: 'x', ru: null },
          conclusions: { kk: null, ru: null },
        })
      ).statusCode,
    ).toBe(403);
    expect((await call('POST', summaryUrl('/submit'), tokens.coordinator!, { stage: 'summary' })).statusCode).toBe(403);
    const res = await call('POST', summaryUrl('/submit'), tokens.pm!, { stage: 'summary' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      version: 1,
      obligationId: obligationId('ПМК', 'pm-office'),
      stageId: 'summary',
    });
    await waitStatus(obligationId('ПМК', 'pm-office'), 'submitted');
    const xlsx = await call('GET', summaryUrl('/versions/1?stage=summary&format=xlsx&lang=kk'), tokens.admin!);
    expect(xlsx.statusCode).toBe(200);
    const docx = await call('GET', summaryUrl('/versions/1?stage=summary&format=docx&lang=kk'), tokens.pm!);
    const text = (await mammoth.extractRawText({ buffer: docx.rawPayload })).value;
    for (const expected of ['ПМК кіріспесі', NARRATIVE]) expect(text, expected).toContain(expected);
  }, 120_000);
});
