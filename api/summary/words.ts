// The words of the consolidated summary's DOCX and XLSX, in Kazakh and Russian (the languages a ministry sends it in): the
// summary's own small catalogue, so the exports need nothing from the pages' catalogues but their date format.
import type { ObligationStatus } from '../../domain/cycle-model.js';
import { parsePeriodKey, periodLabel } from '../../domain/periods.js';
import { ruPlural } from '../../domain/lang.js';
import type { SummaryMeasureStatus } from '../../domain/summary.js';

export type SummaryLang = 'kk' | 'ru';
export const SUMMARY_LANGS: readonly SummaryLang[] = ['kk', 'ru'];

export interface SummaryWords {
  readonly title: string;
  /** "on the implementation of {plan}" under the title. */
  readonly onPlan: (plan: string, number: string | null) => string;
  readonly period: (label: string) => string;
  readonly from: string;
  readonly to: string;
  readonly preface: string;
  readonly conclusions: string;
  readonly measure: string;
  readonly executor: string;
  readonly status: string;
  readonly whatWasDone: string;
  readonly indicators: string;
  readonly indicator: string;
  readonly unit: string;
  readonly planned: string;
  readonly achieved: string;
  readonly percent: string;
  readonly reportedBy: string;
  readonly totals: string;
  readonly reportVersion: string;
  readonly missingTitle: string;
  readonly lateTitle: string;
  readonly agency: string;
  readonly dueDate: string;
  readonly submittedAt: string;
  readonly workingDaysLate: string;
  readonly reason: string;
  readonly markedMissing: (reason: string) => string;
  readonly notSubmitted: string;
  readonly notCovered: string;
  readonly daysLate: (n: number) => string;
  readonly totalLine: (achieved: string, planned: string | null, unit: string | null, percent: string | null) => string;
  readonly none: string;
  readonly measureStatus: Readonly<Record<SummaryMeasureStatus, string>>;
  readonly obligationStatus: Readonly<Record<ObligationStatus, string>>;
  readonly sheets: {
    readonly reports: string;
    readonly indicators: string;
    readonly totals: string;
    readonly missing: string;
  };
  readonly builtAt: string;
}

const unitSuffix = (unit: string | null): string => (unit === null || unit === '' ? '' : ` ${unit}`);

export const SUMMARY_WORDS: Readonly<Record<SummaryLang, SummaryWords>> = {
  kk: {
    title: 'Жиынтық ақпарат',
    onPlan: (plan, number) => `«${plan}»${number === null ? '' : ` (№ ${number})`} іске асыру барысы туралы`,
    period: (label) => `Есепті кезең: ${label}`,
    from: 'Жіберуші',
    to: 'Алушы',
    preface: 'Кіріспе',
    conclusions: 'Қорытынды',
    measure: 'Іс-шара',
    executor: 'Орындаушы',
    status: 'Мәртебесі',
    whatWasDone: 'Атқарылған жұмыс',
    indicators: 'Көрсеткіштер',
    indicator: 'Көрсеткіш',
    unit: 'Өлшем бірлігі',
    planned: 'Жоспар',
    achieved: 'Нақты',
    percent: 'Орындалуы, %',
    reportedBy: 'Есеп бергендер',
    totals: 'Жиыны',
    reportVersion: 'Есеп нұсқасы',
    missingTitle: 'Есебі қабылданбаған органдар',
    lateTitle: 'Есебін кешіктіріп ұсынған органдар',
    agency: 'Орган',
    dueDate: 'Мерзімі',
    submittedAt: 'Ұсынылған күні',
    workingDaysLate: 'Кешіккен жұмыс күндері',
    reason: 'Себебі',
    markedMissing: (reason) => `Есеп ұсынылмады: ${reason}`,
    notSubmitted: 'Есеп қабылданбаған',
    notCovered: 'Есепте бұл іс-шара бойынша ақпарат жоқ',
    daysLate: (n) => `${n} жұмыс күні`,
    totalLine: (achieved, planned, unit, percent) =>
      planned === null
        ? `${achieved}${unitSuffix(unit)}`
        : `жоспар ${planned}${unitSuffix(unit)}, нақты ${achieved}${percent === null ? '' : ` (${percent}%)`}`,
    none: 'жоқ',
    measureStatus: {
      done: 'Орындалды',
      in_progress: 'Орындалуда',
      not_done: 'Орындалмады',
      not_yet_due: 'Мерзімі келмеген',
    },
    obligationStatus: {
      pending: 'Күтілуде',
      overdue: 'Мерзімі өтті',
      submitted: 'Тапсырылды',
      returned: 'Қайтарылды',
      accepted: 'Қабылданды',
      closed: 'Жабылды',
    },
    sheets: { reports: 'Есептер', indicators: 'Көрсеткіштер', totals: 'Жиыны', missing: 'Қабылданбағандар' },
    builtAt: 'Құрылған күні',
  },
  ru: {
    title: 'Сводная информация',
    onPlan: (plan, number) => `о ходе реализации «${plan}»${number === null ? '' : ` (№ ${number})`}`,
    period: (label) => `Отчётный период: ${label}`,
    from: 'Отправитель',
    to: 'Получатель',
    preface: 'Вступление',
    conclusions: 'Выводы',
    measure: 'Мероприятие',
    executor: 'Исполнитель',
    status: 'Статус',
    whatWasDone: 'Что сделано',
    indicators: 'Показатели',
    indicator: 'Показатель',
    unit: 'Единица измерения',
    planned: 'План',
    achieved: 'Факт',
    percent: 'Исполнение, %',
    reportedBy: 'Отчитались',
    totals: 'Итоги',
    reportVersion: 'Версия отчёта',
    missingTitle: 'Органы, отчёты которых не приняты',
    lateTitle: 'Органы, представившие отчёт с опозданием',
    agency: 'Орган',
    dueDate: 'Срок',
    submittedAt: 'Дата представления',
    workingDaysLate: 'Опоздание, рабочих дней',
    reason: 'Причина',
    markedMissing: (reason) => `Отчёт не представлен: ${reason}`,
    notSubmitted: 'Отчёт не принят',
    notCovered: 'В отчёте нет сведений по мероприятию',
    daysLate: (n) => `${n} ${ruPlural(n, 'рабочий день', 'рабочих дня', 'рабочих дней')}`,
    totalLine: (achieved, planned, unit, percent) =>
      planned === null
        ? `${achieved}${unitSuffix(unit)}`
        : `план ${planned}${unitSuffix(unit)}, факт ${achieved}${percent === null ? '' : ` (${percent}%)`}`,
    none: 'нет',
    measureStatus: {
      done: 'Исполнено',
      in_progress: 'В процессе',
      not_done: 'Не исполнено',
      not_yet_due: 'Срок не наступил',
    },
    obligationStatus: {
      pending: 'Ожидается',
      overdue: 'Просрочено',
      submitted: 'Сдано',
      returned: 'Возвращено',
      accepted: 'Принято',
      closed: 'Закрыто',
    },
    sheets: { reports: 'Отчёты', indicators: 'Показатели', totals: 'Итоги', missing: 'Не приняты' },
    builtAt: 'Дата составления',
  },
};

/** The cycle's period as decrees write it ("2019 жыл", "I полугодие 2019 года"); the key itself if it is not one. */
export function summaryPeriodLabel(period: string, lang: SummaryLang): string {
  try {
    return periodLabel(parsePeriodKey(period), lang);
  } catch {
    return period;
  }
}
