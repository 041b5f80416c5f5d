// The web interface's building blocks without a server: escaping in templates, localised dates, working days left, the sign-in limiter.
import { describe, expect, it } from 'vitest';
import { html, raw } from '../../api/web/html.js';
import { en } from '../../api/web/i18n/en.js';
import { formatDate, formatDateTime, translator } from '../../api/web/i18n/index.js';
import { kk } from '../../api/web/i18n/kk.js';
import { ru } from '../../api/web/i18n/ru.js';
import { parseCookies } from '../../api/web/session.js';
import { workingDaysLeft } from '../../api/web/view.js';
import { KZ_WORKING_CALENDAR } from '../../domain/calendar-seed-kz.js';

describe('html templates', () => {
  it('escape every interpolated value unless it is Html already', () => {
    const evil = `<script>alert("x")</script>' onmouseover='`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;</p>',
    );
    expect(html`<ul>${['a&b', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>a&amp;b<li>ok</li></ul>');
    expect(html`${null}${undefined}${false}${0}${raw('<br>')}`.value).toBe('0<br>');
  });
});

describe('localised formats', () => {
  it('write dates as officials do in each language', () => {
    expect(formatDate('2027-01-11', 'kk')).toBe('2027 жылғы 11 қаңтар');
    expect(formatDate('2027-01-11', 'ru')).toBe('11 января 2027 года');
    expect(formatDate('2027-01-11', 'en')).toBe('11 January 2027');
  });

  it('show instants on Kazakhstan’s clocks, across the 2024 change from UTC+6 to UTC+5', () => {
    expect(formatDateTime('2024-02-28T18:30:00Z', 'ru')).toBe('29 февраля 2024 года, 00:30');
    expect(formatDateTime('2024-03-05T18:30:00Z', 'kk')).toBe('2024 жылғы 5 наурыз, 23:30');
  });

  it('fill parameters and format numbers for the language', () => {
    expect(translator('ru').t('board.total', { n: 5000 })).toBe(
      `Всего: ${new Intl.NumberFormat('ru-RU').format(5000)}`,
    );
    expect(translator('en').t('days.left', { n: 3 })).toBe('3 working days left');
    expect(translator('kk').tryT('status.overdue')).toBe('Мерзімі өтті');
    expect(translator('kk').tryT('no.such.key')).toBe('no.such.key');
  });

  it('every catalogue has the same keys, none empty, and Kazakh and Russian are translated, not copied from English', () => {
    const keys = Object.keys(en).sort();
    expect(Object.keys(kk).sort()).toEqual(keys);
    expect(Object.keys(ru).sort()).toEqual(keys);
    const untranslated = keys.filter(
      (k) =>
        !k.startsWith('lang.') &&
        k !== 'app.name' &&
        (kk[k as keyof typeof kk] === en[k as keyof typeof en] ||
          ru[k as keyof typeof ru] === en[k as keyof typeof en]),
    );
    expect(untranslated).toEqual([]);
    for (const m of [kk, ru, en]) expect(Object.values(m).filter((v) => v.trim() === '')).toEqual([]);
  });
});

describe('working days left', () => {
  it('counts working days after today up to the due day, and how many a missed one is late by', () => {
    // Friday 2027-01-08 → Monday 11 January: the weekend does not count.
    expect(workingDaysLeft(KZ_WORKING_CALENDAR, '2027-01-08', '2027-01-11')).toBe(1);
    expect(workingDaysLeft(KZ_WORKING_CALENDAR, '2027-01-11', '2027-01-11')).toBe(0);
    expect(workingDaysLeft(KZ_WORKING_CALENDAR, '2027-01-12', '2027-01-08')).toBe(-2);
    // 1–2 January, Monday 4 January (the day off moved from Saturday 2 January) and Christmas (7 January) are days off: 5, 6, 8 remain.
    expect(workingDaysLeft(KZ_WORKING_CALENDAR, '2026-12-31', '2027-01-08')).toBe(3);
  });
});

describe('cookies', () => {
  it('parses cookies and ignores malformed ones', () => {
    expect(parseCookies('a=1; b=%D0%90; bad=%E0%A4%A; c')).toEqual({ a: '1', b: 'А' });
  });
});
