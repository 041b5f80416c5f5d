// Kazakhstan's working-day calendar 2017–2027 as Merzim's own data, each row with its act, ready to load into the admin-edited table.
import {
  deriveMovedDaysOff,
  WorkingCalendar,
  type CalendarEntry,
  type CalendarYearInfo,
  type DataStatus,
} from './calendar.js';
import { formatIsoDate, type IsoDate } from './dates.js';
import type { LocalizedText } from './lang.js';

export const KZ_CALENDAR_FIRST_YEAR = 2017;
export const KZ_CALENDAR_LAST_YEAR = 2027;

const LAW_ON_HOLIDAYS = 'Law of the RK «О праздниках в Республике Казахстан» No. 267-II of 13 Dec 2001';
const LAW_ON_HOLIDAYS_2022 = `${LAW_ON_HOLIDAYS}, as amended by the Law of the RK of Sep 2022 «по вопросам кинематографии, культуры и праздников»`;
const CONSTITUTION_2026 =
  'Constitution of the RK adopted at the republican referendum of 15 Mar 2026 (in force 1 Jul 2026): the day of its adoption is Constitution Day';
const RELIGIOUS_DAY_OFF = `${LAW_ON_HOLIDAYS} (religious holidays) and Labour Code of the RK No. 414-V of 23 Nov 2015, art. 84 (their first day is a day off that is never moved)`;
const WEEKEND_HOLIDAY_MOVE = `${LAW_ON_HOLIDAYS}, art. 5 (a holiday on a day off moves the day off to the next working day; not 7 Jan nor Kurban ait)`;

const NEW_YEAR: LocalizedText = { kk: 'Жаңа жыл', ru: 'Новый год', en: 'New Year' };
const ORTHODOX_CHRISTMAS: LocalizedText = {
  kk: 'Православиелік Рождество',
  ru: 'Православное Рождество',
  en: 'Orthodox Christmas',
};
const WOMENS_DAY: LocalizedText = {
  kk: 'Халықаралық әйелдер күні',
  ru: 'Международный женский день',
  en: "International Women's Day",
};
const NAURYZ: LocalizedText = { kk: 'Наурыз мейрамы', ru: 'Наурыз мейрамы', en: 'Nauryz' };
const UNITY_DAY: LocalizedText = {
  kk: 'Қазақстан халқының бірлігі мерекесі',
  ru: 'Праздник единства народа Казахстана',
  en: "Kazakhstan People's Unity Day",
};
const DEFENDER_DAY: LocalizedText = {
  kk: 'Отан Қорғаушы күні',
  ru: 'День защитника Отечества',
  en: 'Defender of the Fatherland Day',
};
const VICTORY_DAY: LocalizedText = { kk: 'Жеңіс күні', ru: 'День Победы', en: 'Victory Day' };
const CAPITAL_DAY: LocalizedText = { kk: 'Астана күні', ru: 'День столицы', en: 'Capital Day' };
const CONSTITUTION_DAY: LocalizedText = {
  kk: 'Қазақстан Республикасының Конституциясы күні',
  ru: 'День Конституции Республики Казахстан',
  en: 'Constitution Day',
};
const REPUBLIC_DAY: LocalizedText = { kk: 'Республика күні', ru: 'День Республики', en: 'Republic Day' };
const FIRST_PRESIDENT_DAY: LocalizedText = {
  kk: 'Қазақстан Республикасының Тұңғыш Президенті күні',
  ru: 'День Первого Президента Республики Казахстан',
  en: "First President's Day",
};
const INDEPENDENCE_DAY: LocalizedText = { kk: 'Тәуелсіздік күні', ru: 'День Независимости', en: 'Independence Day' };
const KURBAN_AIT: LocalizedText = {
  kk: 'Құрбан айт (бірінші күні)',
  ru: 'Курбан айт (первый день)',
  en: 'Kurban Ait (first day)',
};

interface StatutoryHoliday {
  readonly month: number;
  readonly day: number;
  readonly name: LocalizedText;
  readonly fromYear?: number;
  readonly toYear?: number;
  readonly movable?: false;
  readonly source?: string;
}

/** The non-working holidays of the Law "On holidays", with the years each was in force. */
const STATUTORY_HOLIDAYS: readonly StatutoryHoliday[] = [
  { month: 1, day: 1, name: NEW_YEAR },
  { month: 1, day: 2, name: NEW_YEAR },
  { month: 1, day: 7, name: ORTHODOX_CHRISTMAS, movable: false, source: RELIGIOUS_DAY_OFF },
  { month: 3, day: 8, name: WOMENS_DAY },
  { month: 3, day: 15, name: CONSTITUTION_DAY, fromYear: 2027, source: CONSTITUTION_2026 },
  { month: 3, day: 21, name: NAURYZ },
  { month: 3, day: 22, name: NAURYZ },
  { month: 3, day: 23, name: NAURYZ },
  { month: 5, day: 1, name: UNITY_DAY },
  { month: 5, day: 7, name: DEFENDER_DAY },
  { month: 5, day: 9, name: VICTORY_DAY },
  { month: 7, day: 6, name: CAPITAL_DAY },
  // Not a holiday in 2026: the 2026 Constitution replaced it, and its own day (15 Mar) counts from 2027.
  { month: 8, day: 30, name: CONSTITUTION_DAY, toYear: 2025 },
  { month: 10, day: 25, name: REPUBLIC_DAY, fromYear: 2022 },
  { month: 12, day: 1, name: FIRST_PRESIDENT_DAY, toYear: 2021 },
  { month: 12, day: 16, name: INDEPENDENCE_DAY },
  { month: 12, day: 17, name: INDEPENDENCE_DAY, toYear: 2021 },
];

interface KurbanAitDate {
  readonly date: IsoDate;
  readonly status: DataStatus;
  readonly note: string;
}

const KURBAN_AIT_CONFIRMED =
  'official date; matches the confirmed Kazakhstan dates of the `holidays` package (PyPI, 2006–2025)';
const KURBAN_AIT_ESTIMATED =
  'estimated from the Islamic calendar (`holidays` package); the official date can differ: confirm when announced';

/** First day of Kurban ait, the one that is a day off. */
export const KURBAN_AIT_FIRST_DAY: Readonly<Record<number, KurbanAitDate>> = {
  2017: { date: '2017-09-01', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2018: { date: '2018-08-21', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2019: { date: '2019-08-11', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2020: { date: '2020-07-31', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2021: { date: '2021-07-20', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2022: { date: '2022-07-09', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2023: { date: '2023-06-28', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2024: { date: '2024-06-16', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2025: { date: '2025-06-06', status: 'official', note: KURBAN_AIT_CONFIRMED },
  2026: { date: '2026-05-27', status: 'provisional', note: KURBAN_AIT_ESTIMATED },
  2027: { date: '2027-05-16', status: 'provisional', note: KURBAN_AIT_ESTIMATED },
};

interface Transfer {
  /** The working day that becomes a day off. */
  readonly dayOff: IsoDate;
  /** The day off (a Saturday, sometimes a Sunday or a moved holiday) that becomes a working day. */
  readonly workingDay: IsoDate;
  readonly source: string;
}

const DECREE_2017 = 'Government decree No. 5 of 2017 «О переносе дней отдыха в 2017 году» (adilet P1700000005)';
const DECREE_2018 = 'Government decree No. 864 of 2017 «О переносе дней отдыха в 2018 году» (adilet P1700000864)';
const DECREE_2019 = 'Government decree No. 888 of 2018 «О переносе дней отдыха в 2019 году» (adilet P1800000888)';
const DECREE_2020 = 'Government decree No. 820 of 2019 «О переносе дней отдыха в 2020 году» (adilet P1900000820)';
const DECREE_2021 = 'Government decree No. 930 of 2020 «О переносе дней отдыха в 2021 году» (adilet P2000000930)';
const DECREE_2022 = 'Government decree No. 713 of 6 Oct 2021 «О переносе дней отдыха в 2022 году»';
const DECREE_2022_AMENDED = `${DECREE_2022}, as supplemented by Government decree No. 796 of Oct 2022 (adilet P2200000796)`;
const DECREE_2023 = 'Government decree No. 326 of Apr 2023 «О переносе дня отдыха в 2023 году» (adilet P2300000326)';
const ORDER_2024 =
  'Order of the acting Minister of Labour and Social Protection of the Population of 17 Apr 2024 «О переносе дня отдыха в 2024 году» (adilet G24G0000109)';
const ORDER_2025 =
  'Order of the Minister of Labour and Social Protection of the Population of Nov 2024 «О переносе дня отдыха в 2025 году» (adilet G24G0000436)';

/** The yearly transfers of days off: by Government decree until 2023, by order of the Minister of Labour since 2024 (Labour Code art. 85(3)). */
const TRANSFERS: readonly Transfer[] = [
  { dayOff: '2017-03-20', workingDay: '2017-03-18', source: DECREE_2017 },
  { dayOff: '2017-07-07', workingDay: '2017-07-01', source: DECREE_2017 },
  { dayOff: '2018-03-09', workingDay: '2018-03-03', source: DECREE_2018 },
  { dayOff: '2018-04-30', workingDay: '2018-04-28', source: DECREE_2018 },
  { dayOff: '2018-05-08', workingDay: '2018-05-05', source: DECREE_2018 },
  { dayOff: '2018-08-31', workingDay: '2018-08-25', source: DECREE_2018 },
  { dayOff: '2018-12-31', workingDay: '2018-12-29', source: DECREE_2018 },
  { dayOff: '2019-05-10', workingDay: '2019-05-04', source: DECREE_2019 },
  { dayOff: '2020-01-03', workingDay: '2020-01-05', source: DECREE_2020 },
  // 11 May 2020 was Victory Day's moved day off; the decree moved it to Friday 8 May.
  { dayOff: '2020-05-08', workingDay: '2020-05-11', source: DECREE_2020 },
  { dayOff: '2020-12-18', workingDay: '2020-12-20', source: DECREE_2020 },
  { dayOff: '2021-07-05', workingDay: '2021-07-03', source: DECREE_2021 },
  { dayOff: '2022-03-07', workingDay: '2022-03-05', source: DECREE_2022 },
  { dayOff: '2022-08-29', workingDay: '2022-08-27', source: DECREE_2022 },
  { dayOff: '2022-10-24', workingDay: '2022-10-22', source: DECREE_2022_AMENDED },
  { dayOff: '2023-07-07', workingDay: '2023-07-01', source: DECREE_2023 },
  { dayOff: '2024-05-08', workingDay: '2024-05-04', source: ORDER_2024 },
  { dayOff: '2025-01-03', workingDay: '2025-01-05', source: ORDER_2025 },
];

/** How firmly each year is known. A year stays provisional until its transfer act is out and its Kurban ait date confirmed. */
export const KZ_CALENDAR_YEARS: readonly CalendarYearInfo[] = Object.freeze([
  ...Array.from({ length: 2025 - KZ_CALENDAR_FIRST_YEAR + 1 }, (_, i): CalendarYearInfo => ({
    year: KZ_CALENDAR_FIRST_YEAR + i,
    status: 'official',
  })),
  {
    year: 2026,
    status: 'provisional',
    note: 'No transfer of days off for 2026 is known to Merzim yet; 30 Aug is not a holiday in 2026 (2026 Constitution); Kurban ait (27 May) is estimated.',
  },
  {
    year: 2027,
    status: 'provisional',
    note: 'The transfer act for 2027 is not issued yet; Constitution Day is 15 Mar from 2027; Kurban ait (16 May) is estimated.',
  },
]);

function statusOf(year: number): DataStatus {
  return KZ_CALENDAR_YEARS.find((y) => y.year === year)?.status ?? 'provisional';
}

function named(text: LocalizedText): Pick<CalendarEntry, 'nameKk' | 'nameRu' | 'nameEn'> {
  return { nameKk: text.kk, nameRu: text.ru, nameEn: text.en };
}

function holidaysOf(year: number): CalendarEntry[] {
  const status = statusOf(year);
  const entries: CalendarEntry[] = STATUTORY_HOLIDAYS.filter(
    (h) => (h.fromYear ?? -Infinity) <= year && year <= (h.toYear ?? Infinity),
  ).map((h) => ({
    date: formatIsoDate(year, h.month, h.day),
    kind: 'holiday',
    ...named(h.name),
    source: h.source ?? (year >= 2022 ? LAW_ON_HOLIDAYS_2022 : LAW_ON_HOLIDAYS),
    movable: h.movable ?? true,
    status,
  }));
  const kurban = KURBAN_AIT_FIRST_DAY[year];
  if (kurban !== undefined) {
    entries.push({
      date: kurban.date,
      kind: 'holiday',
      ...named(KURBAN_AIT),
      source: RELIGIOUS_DAY_OFF,
      movable: false,
      status: kurban.status,
      note: kurban.note,
    });
  }
  return entries;
}

function transferRows(transfer: Transfer): CalendarEntry[] {
  const status = statusOf(Number(transfer.dayOff.slice(0, 4)));
  return [
    {
      date: transfer.dayOff,
      kind: 'transfer_day_off',
      nameKk: `Демалыс күні (${transfer.workingDay} күнінен ауыстырылды)`,
      nameRu: `День отдыха (перенесён с ${transfer.workingDay})`,
      nameEn: `Day off (transferred from ${transfer.workingDay})`,
      source: transfer.source,
      relatedDate: transfer.workingDay,
      status,
    },
    {
      date: transfer.workingDay,
      kind: 'transfer_working_day',
      nameKk: `Жұмыс күні (демалыс ${transfer.dayOff} күніне ауыстырылды)`,
      nameRu: `Рабочий день (день отдыха перенесён на ${transfer.dayOff})`,
      nameEn: `Working day (its day off moved to ${transfer.dayOff})`,
      source: transfer.source,
      relatedDate: transfer.dayOff,
      status,
    },
  ];
}

function buildSeed(): CalendarEntry[] {
  const rows: CalendarEntry[] = [];
  for (let year = KZ_CALENDAR_FIRST_YEAR; year <= KZ_CALENDAR_LAST_YEAR; year++) {
    const holidays = holidaysOf(year);
    rows.push(...holidays, ...deriveMovedDaysOff(holidays, WEEKEND_HOLIDAY_MOVE));
  }
  rows.push(...TRANSFERS.flatMap(transferRows));
  return rows
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
    .map((row) => Object.freeze(row));
}

/** Every row of the table for 2017–2027: holidays, moved days off, transfers — plain objects with their sources. */
export const KZ_CALENDAR_SEED: readonly CalendarEntry[] = Object.freeze(buildSeed());

/** The calendar Merzim uses until an admin-edited table replaces the seed. */
export const KZ_WORKING_CALENDAR: WorkingCalendar = WorkingCalendar.fromEntries(KZ_CALENDAR_SEED, {
  years: KZ_CALENDAR_YEARS,
});
