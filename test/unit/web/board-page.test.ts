// The board's page: the matrix a page of agencies at a time with the counts over the whole cycle; the kept, compressed body
// spliced with a reader's frame into one gzip stream that any gzip reader decodes to the same page; the chart's agency names
// on two lines instead of running off the left edge.
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { matchesTag } from '../../../api/etag.js';
import { labelLines, onTimeRateChart } from '../../../api/web/charts.js';
import { onTimeText } from '../../../api/web/chart-text.js';
import { translator } from '../../../api/web/i18n/index.js';
import { kk } from '../../../api/web/i18n/kk.js';
import { ru } from '../../../api/web/i18n/ru.js';
import { crc32Combine, keepBody, keepFrame, pageTag, plainPage, splicedGzip } from '../../../api/web/kept-body.js';
import { BOARD_PAGE_SIZE, boardBody, prepareBoard } from '../../../api/web/pages/board.js';
import type { BoardObligation, CycleHead } from '../../../api/services/obligations.js';

const AGENCIES = Array.from({ length: 45 }, (_, i) => `A${String(i).padStart(2, '0')}`);
const STAGES = [
  { id: 's1', from: 'executors', to: 'coordinator', dueDate: '2027-03-01' },
  { id: 's2', from: 'executors', to: 'coordinator', dueDate: '2027-06-01' },
];
const obligations: BoardObligation[] = AGENCIES.flatMap((a, i) =>
  STAGES.map((s) => ({
    workflow_id: `obligation:p:2027:${a}:${s.id}`,
    agency_code: a,
    stage_id: s.id,
    status: i % 3 === 0 ? ('overdue' as const) : ('pending' as const),
    working_days_late: null,
  })),
);
const names = new Map(AGENCIES.map((a) => [a, `Орган ${a}`]));
const cycle = {
  workflow_id: 'cycle:p:2027',
  run_id: 'r',
  revision: 1,
  plan_id: 'p',
  period: '2027',
  policy_id: 'x',
  status: 'open',
  stage: 's1',
  closed_reason: null,
  opened_at: new Date('2027-01-01T00:00:00Z'),
  finished_at: null,
  updated_at: new Date('2027-01-01T00:00:00Z'),
} as unknown as CycleHead;

const rowsOf = (html: string) => [...html.matchAll(/<tr><th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);

describe('the board, a page of agencies at a time', () => {
  for (const [lang, catalogue] of [
    ['kk', kk],
    ['ru', ru],
  ] as const) {
    it(`${lang}: the counts and the agency filter cover the whole cycle; the matrix shows ${BOARD_PAGE_SIZE} agencies and links its pages`, () => {
      const t = translator(lang);
      const ctx = { t, principal: undefined, displayName: null, csrf: 'c', path: '/app/board' };
      const prepared = prepareBoard(t, { stages: STAGES, names, obligations, escalations: [], filter: {}, page: 2 });
      expect(prepared).toMatchObject({ page: 2, pages: 3, first: 20, onPage: 20, total: 90, shown: 45 });
      expect(prepared.counts.get('overdue')).toBe(30);
      const body = boardBody(
        ctx,
        {
          cycles: [],
          titles: new Map(),
          cycle,
          stages: STAGES,
          names,
          obligations: [],
          escalations: [],
          filter: {},
        },
        prepared,
      ).value;
      expect(rowsOf(body)).toEqual(AGENCIES.slice(20, 40).map((a) => `Орган ${a}`));
      // Every agency is still in the filter; the pager says where this page is and links the others.
      expect(body.match(/<option value="A\d\d"/g)).toHaveLength(45);
      expect(body).toContain(t.t('board.range', { from: 21, to: 40, total: 45 }));
      expect(body).toContain(`rel="prev">${catalogue['board.prev']}</a>`);
      expect(body).toContain(`href="/app/board?cycle=cycle%3Ap%3A2027&amp;page=3" rel="next"`);
      expect(body).toContain('<span aria-current="page">2</span>');
    });
  }

  it('a page past the last is the last; a filter pages what it keeps', () => {
    const t = translator('kk');
    const last = prepareBoard(t, { stages: STAGES, names, obligations, escalations: [], filter: {}, page: 9 });
    expect(last).toMatchObject({ page: 3, first: 40, onPage: 5 });
    const overdue = prepareBoard(t, {
      stages: STAGES,
      names,
      obligations,
      escalations: [],
      filter: { state: 'overdue' },
    });
    expect(overdue).toMatchObject({ page: 1, pages: 1, shown: 15, onPage: 15 });
    expect(overdue.counts.get('pending')).toBe(60);
  });
});

describe('a kept body spliced into one gzip stream', () => {
  it('decodes to the page whole, for bodies small and large, and names each reader’s frame in its tag', async () => {
    for (const size of [0, 1, 5_000, 300_000]) {
      const text = Array.from({ length: size }, (_, i) => `<td>${i % 97}Ә</td>`).join('');
      const body = await keepBody(text, `key-${size}`);
      const head = '<!doctype html><html lang="kk"><body><p>Сіз: Әкімші</p>';
      const tail = '</main></body></html>';
      const frame = keepFrame(head, tail);
      const gz = splicedGzip(frame, body);
      // gunzip checks the trailer's CRC-32 and length: the combined CRC is the whole page's.
      expect(gunzipSync(gz).toString('utf8')).toBe(head + text + tail);
      expect(plainPage(frame, body).toString('utf8')).toBe(head + text + tail);
      // An empty frame around the body decodes too.
      expect(gunzipSync(splicedGzip(keepFrame('', ''), body)).toString('utf8')).toBe(text);
      // The body is compressed once: far smaller than itself when it repeats.
      if (size >= 5_000) expect(body.deflated.length).toBeLessThan(body.bytes.length / 4);
      const tag = pageTag(frame, body);
      expect(pageTag(keepFrame(head, tail), body)).toBe(tag);
      expect(pageTag(keepFrame(head.replace('Әкімші', 'Басқа'), tail), body)).not.toBe(tag);
      expect(matchesTag(tag, tag)).toBe(true);
      expect(matchesTag(`"x", ${tag.replace('W/', '')}`, tag)).toBe(true);
      expect(matchesTag('"other"', tag)).toBe(false);
      expect(matchesTag(undefined, tag)).toBe(false);
    }
  });
});

describe('the CRC-32 of two pieces combined', () => {
  it('is the CRC-32 of the two together, whatever their lengths', () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 131 + (i >> 7)) & 0xff));
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [3, 250],
      [4096, 1],
      [12_345, 54_321],
      [70_000, 0],
    ] as const) {
      const first = bytes.subarray(0, a);
      const second = bytes.subarray(a, a + b);
      const crcOf = (x: Buffer) => (x.length === 0 ? 0 : crc32(x) >>> 0);
      expect(crc32Combine(crcOf(first), crcOf(second), second.length)).toBe(crcOf(bytes.subarray(0, a + b)));
    }
  });
});

describe('agency names in the on-time chart', () => {
  it('go on two lines broken between words, cut with "…" only past two, the whole name in the title', () => {
    expect(labelLines('ІІМ')).toEqual(['ІІМ']);
    expect(labelLines('Министерство информации и общественного развития')).toEqual([
      'Министерство информации и',
      'общественного развития',
    ]);
    expect(labelLines('Ақпарат және қоғамдық даму министрлігі')).toEqual(['Ақпарат және қоғамдық даму', 'министрлігі']);
    const long = labelLines(
      'Министерство экологии, геологии и природных ресурсов Республики Казахстан и его комитеты по областям',
    );
    expect(long).toHaveLength(2);
    expect(long[1]!.endsWith('…')).toBe(true);
    for (const l of long) expect(l.length).toBeLessThanOrEqual(28);
    const name = 'Министерство информации и общественного развития';
    const chart = onTimeRateChart(
      { periods: ['2026'], agencies: [{ code: 'МИОР', name, rates: [1], counts: [{ onTime: 1, due: 1 }] }] },
      onTimeText('ru'),
    );
    // On two lines, whole: the two lines say it all (and the cell's own title names the agency too).
    expect([...chart.svg.matchAll(/<tspan[^>]*>([^<]+)<\/tspan>/g)].map((m) => m[1]).join(' ')).toBe(name);
    // Cut: the whole name is in the label's title.
    const cut = 'Министерство экологии, геологии и природных ресурсов Республики Казахстан и его комитеты по областям';
    const cutChart = onTimeRateChart(
      { periods: ['2026'], agencies: [{ code: 'МЭГПР', name: cut, rates: [1], counts: [{ onTime: 1, due: 1 }] }] },
      onTimeText('ru'),
    );
    expect(cutChart.svg).toMatch(new RegExp(`<text [^>]*text-anchor="end"[^>]*><title>${cut}</title><tspan`));
    // The label column is as wide as the longest line at a generous 8.6 px a letter, so nothing starts left of 0.
    const x = Number(/<text x="(\d+)"[^>]*text-anchor="end"/.exec(chart.svg)![1]);
    expect(x).toBeGreaterThanOrEqual('Министерство информации и'.length * 8.6);
  });
});
