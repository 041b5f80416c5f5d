// The charts' words in Kazakh, Russian and English: titles, descriptions, axes; dates through the catalogue's formatter.
import { formatDayMonth, type UiLang } from './i18n/index.js';
import type { OnTimeRateText, OverdueText, TimelineText } from './charts.js';

export type ChartLang = UiLang;

/**
 * "2027-01-11" → "11 қаңтар" / "11 января" / "11 January" (the year is the cycle's, shown around the chart): the catalogue's
 * own formatter, so the pages, the charts and the e-mails write a date one way.
 */
export function shortDate(iso: string, lang: ChartLang): string {
  return formatDayMonth(iso, lang);
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Labels of the on-time rate chart. */
export function onTimeText(lang: ChartLang): OnTimeRateText {
  const t = {
    kk: {
      title: 'Мекемелердің есепті уақытында тапсыру үлесі, цикл бойынша',
      desc: 'Әр жол — мекеме, әр баған — есептік кезең; ұяшықта мерзімінде тапсырылған есептердің үлесі.',
      agency: 'Мекеме',
      period: 'Кезең',
      noData: 'есеп күтілмеген',
      empty: 'Деректер әлі жоқ.',
      ofDue: (a: number, b: number) => `${b} есептің ${a}-і уақытында`,
    },
    ru: {
      title: 'Доля отчётов, сданных в срок, по ведомствам и циклам',
      desc: 'Строка — ведомство, столбец — отчётный период; в ячейке доля отчётов, представленных в срок.',
      agency: 'Ведомство',
      period: 'Период',
      noData: 'отчёт не ожидался',
      empty: 'Данных пока нет.',
      ofDue: (a: number, b: number) => `${a} из ${b} в срок`,
    },
    en: {
      title: 'On-time reporting rate per agency across cycles',
      desc: 'One row per agency, one column per reporting period; each cell is the share of reports submitted on time.',
      agency: 'Agency',
      period: 'Period',
      noData: 'nothing due',
      empty: 'No data yet.',
      ofDue: (a: number, b: number) => `${a} of ${b} on time`,
    },
  }[lang];
  return { ...t, date: (iso) => shortDate(iso, lang), percent };
}

/** Labels of the overdue-over-days chart. */
export function overdueText(lang: ChartLang): OverdueText {
  const t = {
    kk: {
      title: 'Циклдың күндері бойынша мерзімі өткен міндеттемелер',
      desc: 'Әр баған — бір күн; биіктігі — сол күннің соңында мерзімі өткен міндеттемелер саны.',
      day: 'Күн',
      overdue: 'Мерзімі өткен',
      empty: 'Мерзімі өткен міндеттеме болған жоқ.',
    },
    ru: {
      title: 'Просроченные обязательства по дням цикла',
      desc: 'Каждый столбец — день; высота — число обязательств, просроченных на конец этого дня.',
      day: 'День',
      overdue: 'Просрочено',
      empty: 'Просроченных обязательств не было.',
    },
    en: {
      title: 'Overdue obligations over the days of the cycle',
      desc: 'One bar per day; its height is the number of obligations overdue at the end of that day.',
      day: 'Day',
      overdue: 'Overdue',
      empty: 'Nothing has been overdue.',
    },
  }[lang];
  return { ...t, date: (iso) => shortDate(iso, lang), percent };
}

/** Labels of the cycle timeline chart. */
export function timelineText(lang: ChartLang): TimelineText {
  const t = {
    kk: {
      title: 'Цикл уақыт сызығы: мерзімдер, жіберілген еске салулар мен эскалациялар',
      desc: 'Үш жол: мерзімдер, жіберілген еске салулар, эскалациялар; дөңгелектің өлшемі — сол күнгі саны.',
      deadlines: 'Мерзімдер',
      reminders: 'Еске салулар',
      escalations: 'Эскалациялар',
      day: 'Күн',
      today: 'Бүгін',
      empty: 'Бұл циклде әзірге ештеңе жоқ.',
    },
    ru: {
      title: 'Хронология цикла: сроки, отправленные напоминания и эскалации',
      desc: 'Три дорожки: сроки, отправленные напоминания, эскалации; размер круга — их число в этот день.',
      deadlines: 'Сроки',
      reminders: 'Напоминания',
      escalations: 'Эскалации',
      day: 'День',
      today: 'Сегодня',
      empty: 'В этом цикле пока ничего нет.',
    },
    en: {
      title: "The cycle's timeline: deadlines, reminders sent and escalations",
      desc: 'Three lanes: deadlines, reminders sent, escalations; the size of a circle is how many fell on that day.',
      deadlines: 'Deadlines',
      reminders: 'Reminders',
      escalations: 'Escalations',
      day: 'Day',
      today: 'Today',
      empty: 'Nothing in this cycle yet.',
    },
  }[lang];
  return { ...t, date: (iso) => shortDate(iso, lang), percent };
}
