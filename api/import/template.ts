// The blank plan an admin downloads, fills in and uploads: an .xlsx with the plan sheet and an instructions sheet, and the same plan sheet as CSV.
import ExcelJS from 'exceljs';
import { COLUMNS, type ColumnRole } from '../../domain/import/columns.js';
import { META_FIELDS, type MetaKey } from '../../domain/import/table.js';
import { neutraliseFormula } from '../../domain/spreadsheet-safety.js';

// Excel forbids "/" in sheet names, so the two languages are joined by a dash.
export const PLAN_SHEET = 'Жоспар – План';
export const INSTRUCTIONS_SHEET = 'Нұсқаулық – Инструкция';

const bilingualLabel = (label: { kk: string; ru: string }): string => `${label.kk} / ${label.ru}`;

/** An example plan (from decree No. 580) so the sheet shows what goes where; it imports without errors. */
const EXAMPLE_META: Readonly<Record<MetaKey, string>> = {
  title:
    'Қазақстан Республикасының дін саласындағы мемлекеттік саясатының 2017 – 2020 жылдарға арналған тұжырымдамасын іске асыру жөніндегі іс-шаралар жоспары',
  issuer: 'Үкімет',
  actNumber: '580',
  actDate: '2017-09-19',
  coordinator: 'АҚДМ',
  years: '2017-2020',
  policy: 'annual-cascade-580',
  lang: 'kk',
};

const EXAMPLE_ROW: Readonly<Record<ColumnRole, string>> = {
  number: '7',
  section: 'Дін саласындағы заңнаманы жетілдіру',
  title:
    'Діни бірлестіктер қызметінің құрылтай құжаттарында көрсетілген мақсаттар мен міндеттерге сәйкес келуін қамтамасыз ету',
  completionForm: 'АҚДМ-ға ақпарат',
  executors: 'ІІМ, облыстардың, республикалық маңызы бар қалалардың және астананың әкімдіктері',
  deadline: 'жыл сайын, 2017 – 2020 жылдар',
  cost: '-',
  funding: 'талап етілмейді',
};

const COLUMN_HELP: Readonly<Record<ColumnRole, { kk: string; ru: string }>> = {
  number: {
    kk: 'Іс-шараның жоспардағы нөмірі («1», «12.», «2.3»).',
    ru: 'Номер мероприятия, как в плане («1», «12.», «2.3»).',
  },
  section: {
    kk: 'Бөлімнің атауы, бөлімнің барлық іс-шараларында бірдей. Бос болса, іс-шара алдыңғы бөлімге жатады.',
    ru: 'Название раздела, одинаковое у всех его мероприятий. Если пусто, мероприятие относится к предыдущему разделу.',
  },
  title: { kk: 'Іс-шараның толық атауы.', ru: 'Полное наименование мероприятия.' },
  completionForm: {
    kk: 'Аяқталу нысаны. Есепті алатын органды осылай жазыңыз: «АҚДМ-ға ақпарат», «Президент Әкімшілігіне ақпарат», «Үкіметке ақпарат».',
    ru: 'Форма завершения. Получателя отчёта пишите так: «информация в МИОР», «информация в АП», «информация в Правительство».',
  },
  executors: {
    kk: 'Орындаушылардың қысқартулары үтір арқылы, біріншісі — жауапты. Келісім бойынша орындаушыдан кейін «(келісім бойынша)» деп жазыңыз. Топ: «облыстардың, республикалық маңызы бар қалалардың және астананың әкімдіктері».',
    ru: 'Сокращения исполнителей через запятую, первый — ответственный. После исполнителя по согласованию пишите «(по согласованию)». Группа: «акиматы областей, городов Астаны, Алматы и Шымкента».',
  },
  deadline: {
    kk: 'Орындау мерзімі, жоспардағыдай: «2019 жылғы 1 желтоқсанға дейін», «жыл сайын, 2017 – 2020 жылдар», «тоқсан сайын».',
    ru: 'Срок исполнения, как в плане: «до 1 декабря 2019 года», «ежегодно», «ежеквартально».',
  },
  cost: {
    kk: 'Болжамды шығыстар тақырыптағы бірлікпен (млн. теңге); шығын болмаса «талап етілмейді» немесе «-».',
    ru: 'Предполагаемые расходы в единицах заголовка (млн. тенге); если расходов нет — «не требуется» или «-».',
  },
  funding: {
    kk: 'Қаржыландыру көзі: «республикалық бюджет», «жергілікті бюджет».',
    ru: 'Источник финансирования: «республиканский бюджет», «местный бюджет».',
  },
};

const META_HELP: Readonly<Record<MetaKey, { kk: string; ru: string }>> = {
  title: {
    kk: 'Жоспардың толық атауы; жылдары атауда болса да, төменде жазыңыз.',
    ru: 'Полное наименование плана; годы укажите и ниже.',
  },
  issuer: {
    kk: 'Жоспарды бекіткен орган: Үкімет, Президент, Премьер-Министр.',
    ru: 'Кто утвердил план: Правительство, Президент, Премьер-Министр.',
  },
  actNumber: { kk: 'Бекіту актісінің нөмірі.', ru: 'Номер утверждающего акта.' },
  actDate: { kk: 'Актінің күні: ЖЖЖЖ-АА-КК немесе КК.АА.ЖЖЖЖ.', ru: 'Дата акта: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ.' },
  coordinator: {
    kk: 'Есептерді жинайтын органның қысқартуы (мысалы, АҚДМ).',
    ru: 'Сокращение органа, собирающего отчёты (например, МИОР или АҚДМ).',
  },
  years: { kk: 'Жоспар жылдары: 2017-2020.', ru: 'Годы плана: 2017-2020.' },
  policy: {
    kk: 'Есеп беру тәртібі: annual-cascade-580 (жылдық), semiannual (жартыжылдық), quarterly (тоқсандық), monthly (айлық).',
    ru: 'Порядок отчётности: annual-cascade-580 (годовой), semiannual (полугодовой), quarterly (квартальный), monthly (месячный).',
  },
  lang: { kk: 'Жоспардың тілі: kk немесе ru.', ru: 'Язык плана: kk или ru.' },
};

const TEMPLATE_COLUMNS = COLUMNS.map((c) => c.role);

function headerLabel(role: ColumnRole): string {
  const spec = COLUMNS.find((c) => c.role === role);
  return spec === undefined ? role : bilingualLabel(spec.label);
}

/** The plan sheet as rows: plan details, a blank row, the header, the example measure. */
function planSheetRows(): string[][] {
  return [
    ...META_FIELDS.map((field) => [bilingualLabel(field.label), EXAMPLE_META[field.key]]),
    [],
    TEMPLATE_COLUMNS.map(headerLabel),
    TEMPLATE_COLUMNS.map((role) => EXAMPLE_ROW[role]),
  ];
}

/** The instructions sheet as rows: one per plan detail and per column, with whether it is required and what to write, in Kazakh and Russian. */
function instructionRows(): string[][] {
  const yes = 'иә / да';
  const no = 'жоқ / нет';
  return [
    ['Өріс / Поле', 'Міндетті / Обязательно', 'Нұсқаулық', 'Инструкция'],
    ...META_FIELDS.map((field) => [
      bilingualLabel(field.label),
      field.key === 'policy' || field.key === 'lang' ? no : yes,
      META_HELP[field.key].kk,
      META_HELP[field.key].ru,
    ]),
    [],
    ...COLUMNS.map((column) => [
      headerLabel(column.role),
      column.required ? yes : no,
      COLUMN_HELP[column.role].kk,
      COLUMN_HELP[column.role].ru,
    ]),
  ];
}

/**
 * The .xlsx template: the plan sheet (filled with the example) and the instructions sheet. Every value is written as a string cell
 * (addRow of strings): an XLSX string cell is never evaluated, whatever it starts with, so only the CSV needs neutralising.
 */
export async function buildXlsxTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Merzim';
  const plan = workbook.addWorksheet(PLAN_SHEET);
  for (const row of planSheetRows()) plan.addRow(row);
  const headerRow = plan.getRow(META_FIELDS.length + 2);
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'top' };
  TEMPLATE_COLUMNS.forEach((role, i) => {
    plan.getColumn(i + 1).width = role === 'title' || role === 'executors' ? 60 : role === 'number' ? 12 : 30;
  });
  const help = workbook.addWorksheet(INSTRUCTIONS_SHEET);
  for (const row of instructionRows()) help.addRow(row);
  help.getRow(1).font = { bold: true };
  [40, 16, 80, 80].forEach((width, i) => {
    help.getColumn(i + 1).width = width;
  });
  help.getColumn(3).alignment = { wrapText: true, vertical: 'top' };
  help.getColumn(4).alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** One CSV cell: formula characters neutralised first, then quoted when it holds a quote, the delimiter or a line break. */
export function csvField(raw: string): string {
  const value = neutraliseFormula(raw);
  return /[";\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV template: the plan sheet with ";" (what Excel uses in Kazakh and Russian locales), a BOM so Excel reads UTF-8, CRLF line ends. */
export function buildCsvTemplate(): string {
  return `\ufeff${planSheetRows()
    .map((row) => row.map(csvField).join(';'))
    .join('\r\n')}\r\n`;
}
