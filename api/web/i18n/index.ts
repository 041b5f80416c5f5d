// One message catalogue per language and the localised formats of the web interface: dates as officials write them
// ("2027 жылғы 11 қаңтар", "11 января 2027 года", "11 January 2027"), times in Kazakhstan time, numbers, statuses.
import { parseIsoDate } from '../../../domain/dates.js';
import { instantToLocal, KZ_TIME_ZONE } from '../../../domain/tz.js';
import { en, type MessageKey, type Messages } from './en.js';
import { kk } from './kk.js';
import { ru } from './ru.js';

export type UiLang = 'kk' | 'ru' | 'en';
export const UI_LANGS: readonly UiLang[] = ['kk', 'ru', 'en'];
export const DEFAULT_UI_LANG: UiLang = 'kk';
export type { MessageKey, Messages };

const CATALOGUES: Readonly<Record<UiLang, Messages>> = { kk, ru, en };

export function isUiLang(value: unknown): value is UiLang {
  return typeof value === 'string' && (UI_LANGS as readonly string[]).includes(value);
}

const MONTHS: Readonly<Record<UiLang, readonly string[]>> = {
  kk: [
    'қаңтар',
    'ақпан',
    'наурыз',
    'сәуір',
    'мамыр',
    'маусым',
    'шілде',
    'тамыз',
    'қыркүйек',
    'қазан',
    'қараша',
    'желтоқсан',
  ],
  ru: [
    'января',
    'февраля',
    'марта',
    'апреля',
    'мая',
    'июня',
    'июля',
    'августа',
    'сентября',
    'октября',
    'ноября',
    'декабря',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/** A calendar date's day and month without the year ("11 қаңтар", "11 января", "11 January"): chart axes, where the year is around. */
export function formatDayMonth(iso: string, lang: UiLang): string {
  const { month, day } = parseIsoDate(iso);
  return `${day} ${MONTHS[lang][month - 1]!}`;
}

/** A calendar date (YYYY-MM-DD) as written in the language. */
export function formatDate(iso: string, lang: UiLang): string {
  const { year } = parseIsoDate(iso);
  const dayMonth = formatDayMonth(iso, lang);
  switch (lang) {
    case 'kk':
      return `${year} жылғы ${dayMonth}`;
    case 'ru':
      return `${dayMonth} ${year} года`;
    case 'en':
      return `${dayMonth} ${year}`;
  }
}

/** A day that recurs every year ("20 желтоқсан", "20 декабря", "20 December"; the month's last day as its end). */
export function formatDayOfYear(d: { readonly month: number; readonly day: number | 'last' }, lang: UiLang): string {
  const name = MONTHS[lang][d.month - 1]!;
  if (d.day !== 'last') return `${d.day} ${name}`;
  return lang === 'kk' ? `${name} соңы` : lang === 'ru' ? `конец ${name}` : `end of ${name}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An instant as the date and the time on Kazakhstan's clocks (Asia/Almaty). */
export function formatDateTime(at: Date | string, lang: UiLang): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const l = instantToLocal(ms, KZ_TIME_ZONE);
  return `${formatDate(`${l.year}-${pad(l.month)}-${pad(l.day)}`, lang)}, ${pad(l.hour)}:${pad(l.minute)}`;
}

/** An instant's time of day in Kazakhstan (for "draft saved at 14:05"). */
export function formatTime(at: Date, lang: UiLang): string {
  void lang;
  const l = instantToLocal(at.getTime(), KZ_TIME_ZONE);
  return `${pad(l.hour)}:${pad(l.minute)}`;
}

const NUMBER_LOCALES: Readonly<Record<UiLang, string>> = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };
const numberFormats = new Map<UiLang, Intl.NumberFormat>();

export function formatNumber(n: number, lang: UiLang): string {
  let f = numberFormats.get(lang);
  if (f === undefined) {
    f = new Intl.NumberFormat(NUMBER_LOCALES[lang]);
    numberFormats.set(lang, f);
  }
  return f.format(n);
}

/** The page's translator: t('key', {n: 3}) fills {n}; numbers among the parameters are formatted for the language. */
export interface Translator {
  readonly lang: UiLang;
  t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string;
  /** A key built at run time (a status, an event type); the key itself when the catalogue has none. */
  tryT(key: string, params?: Readonly<Record<string, string | number>>): string;
  date(iso: string): string;
  /** Day and month without the year (chart axes). */
  dayMonth(iso: string): string;
  dateTime(at: Date | string): string;
  time(at: Date): string;
  number(n: number): string;
}

export function translator(lang: UiLang): Translator {
  const messages = CATALOGUES[lang];
  const fill = (text: string, params?: Readonly<Record<string, string | number>>): string =>
    params === undefined
      ? text
      : text.replace(/\{(\w+)\}/g, (whole, name: string) => {
          const v = params[name];
          return v === undefined ? whole : typeof v === 'number' ? formatNumber(v, lang) : v;
        });
  return {
    lang,
    t: (key, params) => fill(messages[key], params),
    tryT: (key, params) => (key in messages ? fill(messages[key as MessageKey], params) : key),
    date: (iso) => formatDate(iso, lang),
    dayMonth: (iso) => formatDayMonth(iso, lang),
    dateTime: (at) => formatDateTime(at, lang),
    time: (at) => formatTime(at, lang),
    number: (n) => formatNumber(n, lang),
  };
}
