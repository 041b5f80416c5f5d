// The SVG charts: well-formed XML with a title, a description and role="img", the values where they belong, and a table alternative.
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { onTimeText, overdueText, shortDate, timelineText } from '../../../api/web/chart-text.js';
import { cycleTimelineChart, niceMax, onTimeRateChart, overdueChart } from '../../../api/web/charts.js';

interface Node {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** Parses strictly (throws on any well-formedness error) and lists the elements with their attributes and direct text. */
function parseXml(xml: string): Node[] {
  const parser = new SaxesParser();
  const nodes: Node[] = [];
  const stack: Node[] = [];
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag) => {
    const node = {
      name: tag.name,
      attributes: Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, String(v)])),
      text: '',
    };
    nodes.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    if (stack.length > 0) stack[stack.length - 1]!.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  return nodes;
}

function checkAccessible(svg: string, title: string): Node[] {
  const nodes = parseXml(svg);
  const root = nodes[0]!;
  expect(root.name).toBe('svg');
  expect(root.attributes.role).toBe('img');
  const [titleId, descId] = root.attributes['aria-labelledby']!.split(' ');
  expect(nodes.find((n) => n.name === 'title' && n.attributes.id === titleId)?.text).toBe(title);
  expect(nodes.find((n) => n.name === 'desc' && n.attributes.id === descId)?.text.length).toBeGreaterThan(10);
  return nodes;
}

describe('onTimeRateChart', () => {
  const data = {
    periods: ['2024', '2025'],
    agencies: [
      {
        code: 'БҒМ',
        name: 'БҒМ <Білім & ғылым>',
        rates: [1, 0.5],
        counts: [
          { onTime: 2, due: 2 },
          { onTime: 1, due: 2 },
        ],
      },
      {
        code: 'ІІМ',
        name: 'ІІМ',
        rates: [null, 0],
        counts: [
          { onTime: 0, due: 0 },
          { onTime: 0, due: 3 },
        ],
      },
    ],
  };

  it('is well-formed, accessible, and puts each rate in its cell, escaping names', () => {
    for (const lang of ['kk', 'ru', 'en'] as const) {
      const chart = onTimeRateChart(data, onTimeText(lang));
      const nodes = checkAccessible(chart.svg, onTimeText(lang).title);
      expect(
        nodes
          .filter((n) => n.name === 'rect' && n.attributes['data-value'] !== undefined)
          .map((n) => n.attributes['data-value']),
      ).toEqual(['1', '0.5', '0']);
      expect(nodes.some((n) => n.name === 'text' && n.text === 'БҒМ <Білім & ғылым>')).toBe(true);
      expect(nodes.filter((n) => n.name === 'text').map((n) => n.text)).toEqual(
        expect.arrayContaining(['100%', '50%', '0%', '—']),
      );
      // The table says the same.
      const table = parseXml(chart.table);
      expect(table.filter((n) => n.name === 'td').map((n) => n.text)).toEqual([
        `100% (${onTimeText(lang).ofDue(2, 2)})`,
        `50% (${onTimeText(lang).ofDue(1, 2)})`,
        onTimeText(lang).noData,
        `0% (${onTimeText(lang).ofDue(0, 3)})`,
      ]);
      expect(table.find((n) => n.name === 'caption')?.text).toBe(onTimeText(lang).title);
    }
  });

  it('says so when there is nothing to show', () => {
    const chart = onTimeRateChart({ periods: [], agencies: [] }, onTimeText('ru'));
    expect(checkAccessible(chart.svg, onTimeText('ru').title).some((n) => n.text === 'Данных пока нет.')).toBe(true);
  });
});

describe('overdueChart', () => {
  it('draws one bar per day, heights proportional to the count on a tidy axis', () => {
    const days = [
      { date: '2027-01-11', overdue: 0 },
      { date: '2027-01-12', overdue: 3 },
      { date: '2027-01-13', overdue: 7 },
    ];
    const chart = overdueChart(days, overdueText('kk'));
    const nodes = checkAccessible(chart.svg, overdueText('kk').title);
    const bars = nodes.filter((n) => n.name === 'rect');
    expect(bars.map((b) => [b.attributes['data-date'], Number(b.attributes['data-value'])])).toEqual(
      days.map((d) => [d.date, d.overdue]),
    );
    // The axis tops at 10 (niceMax(7)); 160 px of plot: 7 → 112 px, 3 → 48 px.
    expect(bars.map((b) => Number(b.attributes.height))).toEqual([0, 48, 112]);
    expect(nodes.some((n) => n.name === 'text' && n.text === '11 қаңтар')).toBe(true);
    expect(
      parseXml(chart.table)
        .filter((n) => n.name === 'td')
        .map((n) => n.text),
    ).toEqual(['0', '3', '7']);
  });

  it('rounds axes to 1, 2, 5 × 10ⁿ', () => {
    expect([0, 1, 3, 7, 10, 11, 45, 120].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 50, 200]);
  });
});

describe('cycleTimelineChart', () => {
  const data = {
    from: '2027-01-01',
    to: '2027-01-31',
    today: '2027-01-15',
    deadlines: [{ date: '2027-01-11', count: 4 }],
    reminders: [
      { date: '2027-01-04', count: 4 },
      { date: '2027-01-10', count: 2 },
    ],
    escalations: [{ date: '2027-01-12', count: 1 }],
  };

  it('puts each event in its lane at its day, and lists them by day in the table', () => {
    const chart = cycleTimelineChart(data, timelineText('ru'));
    const nodes = checkAccessible(chart.svg, timelineText('ru').title);
    const circles = nodes.filter((n) => n.name === 'circle');
    expect(
      circles.map((c) => `${c.attributes['data-lane']}:${c.attributes['data-date']}:${c.attributes['data-value']}`),
    ).toEqual([
      'deadlines:2027-01-11:4',
      'reminders:2027-01-04:4',
      'reminders:2027-01-10:2',
      'escalations:2027-01-12:1',
    ]);
    // Later days sit further right; bigger counts are bigger circles.
    const cx = (date: string) => Number(circles.find((c) => c.attributes['data-date'] === date)!.attributes.cx);
    expect(
      cx('2027-01-04') < cx('2027-01-10') && cx('2027-01-10') < cx('2027-01-11') && cx('2027-01-11') < cx('2027-01-12'),
    ).toBe(true);
    expect(Number(circles[0]!.attributes.r)).toBeGreaterThan(Number(circles[3]!.attributes.r));
    const rows = parseXml(chart.table)
      .filter((n) => n.name === 'tr')
      .slice(1)
      .map((r) => r);
    expect(rows).toHaveLength(4);
    expect(
      parseXml(chart.table)
        .filter((n) => n.name === 'th' && n.attributes.scope === 'row')
        .map((n) => n.text),
    ).toEqual(['4 января', '10 января', '11 января', '12 января']);
  });

  it('formats dates in each language', () => {
    expect([shortDate('2027-01-11', 'kk'), shortDate('2027-01-11', 'ru'), shortDate('2027-01-11', 'en')]).toEqual([
      '11 қаңтар',
      '11 января',
      '11 January',
    ]);
  });
});
