// The consolidated summary as the DOCX a ministry sends: recipient, title, period, preface, a table per measure (executor |
// status | what was done | indicators) with the indicator totals against the plan's targets, the agencies missing or late,
// conclusions. Built in memory (a summary's size is bounded by the plan) with the `docx` package.
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  PageOrientation,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { localDateOf } from '../../domain/tz.js';
import {
  textIn,
  type ConsolidatedSummary,
  type SummaryExecutorEntry,
  type SummaryMeasure,
} from '../../domain/summary.js';
import { formatDate, formatNumber } from '../web/i18n/index.js';
import { SUMMARY_WORDS, summaryPeriodLabel, type SummaryLang, type SummaryWords } from './words.js';

const FONT = 'Times New Roman';
const BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
/** Borders once per table, not per cell: a summary has thousands of cells, and the `docx` package's objects per cell cost GC time. */
const BORDERS = {
  top: BORDER,
  bottom: BORDER,
  left: BORDER,
  right: BORDER,
  insideHorizontal: BORDER,
  insideVertical: BORDER,
} as const;
const MARGIN_TWIPS = 1134; // 2 cm
/** Landscape A4 (16,838) less 2 cm margins, in twentieths of a point: what the column percentages are of. */
const TEXT_WIDTH_TWIPS = 14_570;

/** Paragraphs of a text as written: one per line, so a narrative keeps its line breaks. */
function paragraphs(
  text: string,
  options: { bold?: boolean; alignment?: 'left' | 'center' | 'right' | 'both' } = {},
): Paragraph[] {
  const alignment =
    options.alignment === 'center'
      ? AlignmentType.CENTER
      : options.alignment === 'right'
        ? AlignmentType.RIGHT
        : options.alignment === 'both'
          ? AlignmentType.BOTH
          : undefined; // left: the default, no element per paragraph
  return text.split(/\r?\n/).map(
    (line) =>
      new Paragraph({
        alignment,
        children: [new TextRun(options.bold === true ? { text: line, bold: true } : line)],
      }),
  );
}

function cell(text: string, header = false): TableCell {
  return new TableCell({ children: paragraphs(text, { bold: header }) });
}

const COLUMNS = [18, 14, 46, 22];

function table(header: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[]): Table {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    columnWidths: widths.map((pct) => Math.round((TEXT_WIDTH_TWIPS * pct) / 100)),
    layout: TableLayoutType.FIXED,
    borders: BORDERS,
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
      ...rows.map((row) => new TableRow({ children: row.map((text) => cell(text)) })),
    ],
  });
}

function executorRow(
  entry: SummaryExecutorEntry,
  measure: SummaryMeasure,
  lang: SummaryLang,
  w: SummaryWords,
): string[] {
  const name = textIn(entry.agency.name, lang) || entry.agency.code;
  switch (entry.kind) {
    case 'missing':
      return [name, w.notSubmitted, entry.mark === null ? '' : w.markedMissing(entry.mark.reason), ''];
    case 'not_covered':
      return [name, '', w.notCovered, ''];
    case 'reported': {
      const indicators = entry.indicators
        .filter((v) => v.value !== null)
        .map((v) => {
          const indicator = measure.totals.find((t) => t.key === v.key)!;
          const unit = indicator.unit === null ? '' : ` ${indicator.unit}`;
          return `${textIn(indicator.name, lang)}: ${formatNumber(v.value!, lang)}${unit}`;
        });
      return [name, w.measureStatus[entry.status], textIn(entry.narrative, lang), indicators.join('\n')];
    }
  }
}

function measureBlock(measure: SummaryMeasure, lang: SummaryLang, w: SummaryWords): (Paragraph | Table)[] {
  const blocks: (Paragraph | Table)[] = [
    new Paragraph({
      heading: HeadingLevel.HEADING_2,
      children: [new TextRun({ text: `${measure.number.replace(/\.$/, '')}. ${textIn(measure.title, lang)}` })],
    }),
    table(
      [w.executor, w.status, w.whatWasDone, w.indicators],
      measure.executors.map((e) => executorRow(e, measure, lang, w)),
      COLUMNS,
    ),
  ];
  for (const total of measure.totals) {
    const line = w.totalLine(
      formatNumber(total.achieved, lang),
      total.planned === null ? null : formatNumber(total.planned, lang),
      total.unit,
      total.percent === null ? null : formatNumber(total.percent, lang),
    );
    blocks.push(
      new Paragraph({
        children: [
          new TextRun({ text: `${w.totals} — ${textIn(total.name, lang)}: `, bold: true }),
          new TextRun({ text: line }),
        ],
      }),
    );
  }
  return blocks;
}

/** The summary as a .docx in Kazakh or Russian. */
export async function summaryDocx(summary: ConsolidatedSummary, lang: SummaryLang): Promise<Buffer> {
  const w = SUMMARY_WORDS[lang];
  const heading = (text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_1) =>
    new Paragraph({ heading: level, children: [new TextRun({ text })] });
  const children: (Paragraph | Table)[] = [
    ...paragraphs(textIn(summary.recipient.name, lang) || summary.recipient.code, { alignment: 'right', bold: true }),
    new Paragraph({ text: '' }),
    new Paragraph({
      heading: HeadingLevel.TITLE,
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: w.title, bold: true })],
    }),
    ...paragraphs(w.onPlan(textIn(summary.plan.title, lang), summary.plan.number), { alignment: 'center', bold: true }),
    ...paragraphs(w.period(summaryPeriodLabel(summary.period, lang)), { alignment: 'center' }),
    ...paragraphs(`${w.from}: ${textIn(summary.sender.name, lang) || summary.sender.code}`),
  ];
  const preface = textIn(summary.texts.preface, lang);
  if (preface !== '') children.push(heading(w.preface), ...paragraphs(preface, { alignment: 'both' }));
  for (const measure of summary.measures) children.push(...measureBlock(measure, lang, w));

  if (summary.missing.length > 0) {
    children.push(
      heading(w.missingTitle),
      table(
        [w.agency, w.status, w.dueDate, w.workingDaysLate, w.reason],
        summary.missing.map((m) => [
          textIn(m.agency.name, lang) || m.agency.code,
          w.obligationStatus[m.status],
          formatDate(m.dueDate, lang),
          w.daysLate(m.workingDaysLate),
          m.mark?.reason ?? '',
        ]),
        [30, 14, 18, 14, 24],
      ),
    );
  }
  if (summary.late.length > 0) {
    children.push(
      heading(w.lateTitle),
      table(
        [w.agency, w.dueDate, w.submittedAt, w.workingDaysLate],
        summary.late.map((l) => [
          textIn(l.agency.name, lang) || l.agency.code,
          formatDate(l.dueDate, lang),
          formatDate(localDateOf(Date.parse(l.submittedAt)), lang),
          w.daysLate(l.workingDaysLate),
        ]),
        [40, 20, 20, 20],
      ),
    );
  }
  const conclusions = textIn(summary.texts.conclusions, lang);
  if (conclusions !== '') children.push(heading(w.conclusions), ...paragraphs(conclusions, { alignment: 'both' }));
  children.push(
    new Paragraph({ text: '' }),
    ...paragraphs(`${w.builtAt}: ${formatDate(localDateOf(Date.parse(summary.asOf)), lang)}`),
  );

  const doc = new Document({
    creator: 'Merzim',
    title: `${w.title} — ${summaryPeriodLabel(summary.period, lang)}`,
    styles: { default: { document: { run: { font: FONT, size: 24 } } } },
    sections: [
      {
        properties: {
          page: {
            size: { orientation: PageOrientation.LANDSCAPE },
            margin: { top: MARGIN_TWIPS, bottom: MARGIN_TWIPS, left: MARGIN_TWIPS, right: MARGIN_TWIPS },
          },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
