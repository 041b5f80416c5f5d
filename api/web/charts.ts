// Server-rendered SVG charts (pure: data and localised labels in, SVG and its HTML table alternative out), for the pages and e-mails.

/** A rendered chart: the picture and the same numbers as a table, for screen readers and for people who would rather read. */
export interface Chart {
  readonly svg: string;
  readonly table: string;
}

/** Every word a chart shows, already in the reader's language; dates and numbers formatted by the caller's locale. */
export interface ChartText {
  readonly title: string;
  readonly desc: string;
  /** Formats an ISO date (YYYY-MM-DD) for an axis or a table cell. */
  readonly date: (iso: string) => string;
  /** Formats a share 0..1 as a percentage. */
  readonly percent: (share: number) => string;
  /** What an empty chart says. */
  readonly empty: string;
}

export interface OnTimeRateData {
  /** Cycle periods, oldest first ("2024", "2025", …): the columns. */
  readonly periods: readonly string[];
  /** One row per agency; rates[i] is the on-time share in periods[i], null when it owed nothing then. */
  readonly agencies: readonly {
    readonly code: string;
    readonly name: string;
    readonly rates: readonly (number | null)[];
    readonly counts: readonly { readonly onTime: number; readonly due: number }[];
  }[];
}

export interface OnTimeRateText extends ChartText {
  readonly agency: string;
  readonly period: string;
  readonly noData: string;
  /** "3 of 4 on time". */
  readonly ofDue: (onTime: number, due: number) => string;
}

export interface OverdueDay {
  readonly date: string;
  readonly overdue: number;
}

export interface OverdueText extends ChartText {
  readonly day: string;
  readonly overdue: string;
}

export interface TimelineData {
  /** First and last day shown (ISO dates). */
  readonly from: string;
  readonly to: string;
  readonly deadlines: readonly { readonly date: string; readonly count: number }[];
  readonly reminders: readonly { readonly date: string; readonly count: number }[];
  readonly escalations: readonly { readonly date: string; readonly count: number }[];
  /** "Today" marker, if within the range. */
  readonly today?: string;
}

export interface TimelineText extends ChartText {
  readonly deadlines: string;
  readonly reminders: string;
  readonly escalations: string;
  readonly day: string;
  readonly today: string;
}

/** Escapes text for XML and HTML alike (element content and attribute values). */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

let sequence = 0;
/** Ids unique within a page that shows several charts (aria-labelledby needs them). */
function ids(prefix: string): { title: string; desc: string } {
  sequence = (sequence + 1) % 1_000_000;
  return { title: `${prefix}-t${sequence}`, desc: `${prefix}-d${sequence}` };
}

function open(width: number, height: number, text: ChartText, prefix: string): string {
  const id = ids(prefix);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-${prefix}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id.title} ${id.desc}">` +
    `<title id="${id.title}">${esc(text.title)}</title><desc id="${id.desc}">${esc(text.desc)}</desc>`
  );
}

const round = (n: number): string => String(Math.round(n * 10) / 10);
// Colours pass WCAG AA against white for text (≥ 4.5:1) and are told apart by lightness too, not only by hue.
const INK = '#1f2933';
const MUTED = '#52606d';
const GRID = '#cbd2d9';
const BAD = '#b3261e';
const MIDDLE = '#8a5a00';
const GOOD = '#1e6b3a';

function rateColour(rate: number): string {
  return rate >= 0.9 ? GOOD : rate >= 0.6 ? MIDDLE : BAD;
}

function table(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<table class="chart-table"><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Letters on a line of an agency's name in the on-time chart, and the width allowed for each. */
const LABEL_CHARS = 28;
const LABEL_PX = 8.6;

/** On-time rate per agency across cycles: a grid, one row per agency and one column per cycle, each cell coloured and labelled. */
export function onTimeRateChart(data: OnTimeRateData, text: OnTimeRateText): Chart {
  // A name is set on up to two lines of at most LABEL_CHARS letters (≈ 8.6 px each at 13 px: wide enough for Cyrillic capitals
  // in the fonts a phone has), broken between words; what does not fit is cut with "…" and the whole name is in its title. So
  // "Министерство информации и общественного развития" is two lines, and never runs off the picture's left edge.
  const lines = data.agencies.map((a) => labelLines(a.name));
  const longest = Math.max(0, ...lines.flat().map((l) => l.length));
  const labelWidth = Math.round(Math.max(120, 16 + longest * LABEL_PX));
  const twoLines = lines.some((l) => l.length > 1);
  const cell = { w: 72, h: twoLines ? 36 : 26 };
  const top = 34;
  const width = labelWidth + Math.max(1, data.periods.length) * cell.w + 10;
  const height = top + Math.max(1, data.agencies.length) * cell.h + 10;
  const parts = [open(width, height, text, 'ontime')];
  if (data.agencies.length === 0 || data.periods.length === 0) {
    parts.push(`<text x="10" y="24" fill="${MUTED}" font-size="14">${esc(text.empty)}</text></svg>`);
    return { svg: parts.join(''), table: table(text.title, [text.agency, text.period], []) };
  }
  data.periods.forEach((p, i) => {
    parts.push(
      `<text x="${labelWidth + i * cell.w + cell.w / 2}" y="${top - 10}" text-anchor="middle" fill="${INK}" font-size="13">${esc(p)}</text>`,
    );
  });
  data.agencies.forEach((a, row) => {
    const y = top + row * cell.h;
    const label = lines[row]!;
    const whole = label.join(' ') === a.name ? '' : `<title>${esc(a.name)}</title>`;
    parts.push(
      label.length === 1
        ? `<text x="${labelWidth - 8}" y="${y + cell.h / 2 + 4}" text-anchor="end" fill="${INK}" font-size="13">${whole}${esc(label[0]!)}</text>`
        : `<text x="${labelWidth - 8}" y="${y + cell.h / 2 - 3}" text-anchor="end" fill="${INK}" font-size="13">${whole}${label
            .map((l, i) => `<tspan x="${labelWidth - 8}"${i === 0 ? '' : ' dy="15"'}>${esc(l)}</tspan>`)
            .join('')}</text>`,
    );
    a.rates.forEach((rate, col) => {
      const x = labelWidth + col * cell.w;
      const c = a.counts[col];
      const tip =
        rate === null
          ? `${a.name}, ${data.periods[col]}: ${text.noData}`
          : `${a.name}, ${data.periods[col]}: ${text.percent(rate)} (${text.ofDue(c?.onTime ?? 0, c?.due ?? 0)})`;
      parts.push(`<g><title>${esc(tip)}</title>`);
      if (rate === null) {
        parts.push(
          `<rect x="${x + 2}" y="${y + 2}" width="${cell.w - 4}" height="${cell.h - 4}" fill="#ffffff" stroke="${GRID}"/>`,
        );
        parts.push(
          `<text x="${x + cell.w / 2}" y="${y + cell.h / 2 + 4}" text-anchor="middle" fill="${MUTED}" font-size="12">—</text>`,
        );
      } else {
        parts.push(
          `<rect x="${x + 2}" y="${y + 2}" width="${cell.w - 4}" height="${cell.h - 4}" fill="${rateColour(rate)}" data-value="${round(rate)}"/>`,
        );
        parts.push(
          `<text x="${x + cell.w / 2}" y="${y + cell.h / 2 + 4}" text-anchor="middle" fill="#ffffff" font-size="12" font-weight="bold">${esc(text.percent(rate))}</text>`,
        );
      }
      parts.push('</g>');
    });
  });
  parts.push('</svg>');
  const rows = data.agencies.map((a) => [
    a.name,
    ...a.rates.map((r, i) =>
      r === null ? text.noData : `${text.percent(r)} (${text.ofDue(a.counts[i]?.onTime ?? 0, a.counts[i]?.due ?? 0)})`,
    ),
  ]);
  return { svg: parts.join(''), table: table(text.title, [text.agency, ...data.periods], rows) };
}

/** An agency's name on one or two lines of at most LABEL_CHARS letters, broken between words; the rest cut with "…". */
export function labelLines(name: string): string[] {
  if (name.length <= LABEL_CHARS) return [name];
  const words = name.split(/\s+/).filter((w) => w !== '');
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length <= LABEL_CHARS || line === '') line = next;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line !== '') out.push(line);
  const cut = (l: string) => (l.length > LABEL_CHARS ? `${l.slice(0, LABEL_CHARS - 1)}…` : l);
  if (out.length <= 2) return out.map(cut);
  const second = out.slice(1).join(' ');
  return [cut(out[0]!), second.length > LABEL_CHARS ? `${second.slice(0, LABEL_CHARS - 1)}…` : second];
}

/** A tidy axis maximum: 1, 2, 5 × 10ⁿ at or above the largest value (at least 1). */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Overdue obligations over the days of a cycle: one bar per day, a value axis with three gridlines. */
export function overdueChart(days: readonly OverdueDay[], text: OverdueText): Chart {
  const left = 44;
  const bottom = 40;
  const top = 14;
  const plotHeight = 160;
  const barWidth = days.length > 60 ? 6 : days.length > 30 ? 10 : 18;
  const width = left + Math.max(1, days.length) * (barWidth + 2) + 16;
  const height = top + plotHeight + bottom;
  const parts = [open(width, height, text, 'overdue')];
  if (days.length === 0) {
    parts.push(`<text x="10" y="24" fill="${MUTED}" font-size="14">${esc(text.empty)}</text></svg>`);
    return { svg: parts.join(''), table: table(text.title, [text.day, text.overdue], []) };
  }
  const max = niceMax(Math.max(...days.map((d) => d.overdue)));
  const yOf = (v: number): number => top + plotHeight - (v / max) * plotHeight;
  for (const v of [0, max / 2, max]) {
    parts.push(`<line x1="${left}" x2="${width - 8}" y1="${round(yOf(v))}" y2="${round(yOf(v))}" stroke="${GRID}"/>`);
    parts.push(
      `<text x="${left - 6}" y="${round(yOf(v) + 4)}" text-anchor="end" fill="${MUTED}" font-size="11">${esc(String(v))}</text>`,
    );
  }
  // A date label every few bars, so labels never overlap.
  const every = Math.max(1, Math.ceil(days.length / Math.floor((width - left) / 70)));
  days.forEach((d, i) => {
    const x = left + 2 + i * (barWidth + 2);
    const h = (d.overdue / max) * plotHeight;
    parts.push(
      `<rect x="${x}" y="${round(yOf(d.overdue))}" width="${barWidth}" height="${round(h)}" fill="${BAD}" data-date="${esc(d.date)}" data-value="${d.overdue}"><title>${esc(`${text.date(d.date)}: ${d.overdue}`)}</title></rect>`,
    );
    if (i % every === 0)
      parts.push(
        `<text x="${x + barWidth / 2}" y="${top + plotHeight + 16}" text-anchor="middle" fill="${MUTED}" font-size="11">${esc(text.date(d.date))}</text>`,
      );
  });
  parts.push('</svg>');
  return {
    svg: parts.join(''),
    table: table(
      text.title,
      [text.day, text.overdue],
      days.map((d) => [text.date(d.date), String(d.overdue)]),
    ),
  };
}

function dayIndex(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

/** A cycle's timeline: three lanes (deadlines, reminders sent, escalations) on one day axis, a circle per day sized by its count. */
export function cycleTimelineChart(data: TimelineData, text: TimelineText): Chart {
  const left = 150;
  const laneHeight = 44;
  const top = 16;
  const lanes = [
    { key: 'deadlines' as const, label: text.deadlines, colour: INK, items: data.deadlines },
    { key: 'reminders' as const, label: text.reminders, colour: GOOD, items: data.reminders },
    { key: 'escalations' as const, label: text.escalations, colour: BAD, items: data.escalations },
  ];
  const span = Math.max(1, dayIndex(data.to) - dayIndex(data.from) + 1);
  const plotWidth = Math.min(900, Math.max(300, span * 8));
  const width = left + plotWidth + 20;
  const height = top + lanes.length * laneHeight + 30;
  const xOf = (iso: string): number => left + ((dayIndex(iso) - dayIndex(data.from) + 0.5) / span) * plotWidth;
  const parts = [open(width, height, text, 'timeline')];
  const all = lanes.flatMap((l) => l.items);
  if (all.length === 0) {
    parts.push(`<text x="10" y="24" fill="${MUTED}" font-size="14">${esc(text.empty)}</text></svg>`);
    return {
      svg: parts.join(''),
      table: table(text.title, [text.day, text.deadlines, text.reminders, text.escalations], []),
    };
  }
  const max = Math.max(...all.map((i) => i.count));
  lanes.forEach((lane, i) => {
    const y = top + i * laneHeight + laneHeight / 2;
    parts.push(
      `<text x="${left - 10}" y="${y + 4}" text-anchor="end" fill="${INK}" font-size="13">${esc(lane.label)}</text>`,
    );
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" stroke="${GRID}"/>`);
    for (const item of lane.items) {
      const r = 3 + 9 * Math.sqrt(item.count / max);
      parts.push(
        `<circle cx="${round(xOf(item.date))}" cy="${y}" r="${round(r)}" fill="${lane.colour}" fill-opacity="0.85" data-lane="${lane.key}" data-date="${esc(item.date)}" data-value="${item.count}"><title>${esc(`${lane.label}, ${text.date(item.date)}: ${item.count}`)}</title></circle>`,
      );
    }
  });
  const axisY = top + lanes.length * laneHeight + 16;
  parts.push(`<text x="${left}" y="${axisY}" fill="${MUTED}" font-size="11">${esc(text.date(data.from))}</text>`);
  parts.push(
    `<text x="${left + plotWidth}" y="${axisY}" text-anchor="end" fill="${MUTED}" font-size="11">${esc(text.date(data.to))}</text>`,
  );
  if (data.today !== undefined && data.today >= data.from && data.today <= data.to) {
    const x = round(xOf(data.today));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + lanes.length * laneHeight}" stroke="${MIDDLE}" stroke-dasharray="4 3"><title>${esc(`${text.today}: ${text.date(data.today)}`)}</title></line>`,
    );
  }
  parts.push('</svg>');
  const dates = [...new Set(all.map((i) => i.date))].sort();
  const countOn = (items: TimelineData['deadlines'], date: string): string =>
    String(items.find((i) => i.date === date)?.count ?? 0);
  const rows = dates.map((d) => [
    text.date(d),
    countOn(data.deadlines, d),
    countOn(data.reminders, d),
    countOn(data.escalations, d),
  ]);
  return {
    svg: parts.join(''),
    table: table(text.title, [text.day, text.deadlines, text.reminders, text.escalations], rows),
  };
}
