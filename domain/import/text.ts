// Cleaning the text of one table cell or line: HTML tags and entities, markdown bold, dashes and spaces — the noise decree texts carry.

const ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  quot: '"',
  laquo: '«',
  raquo: '»',
  ndash: '–',
  mdash: '—',
  minus: '−',
  lt: '<',
  gt: '>',
  apos: "'",
  hellip: '…',
  bull: '•',
  middot: '·',
  shy: '',
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * A cell as a reader sees it, on one line: tags dropped (a block tag or <br> becomes a space),
 * entities decoded, markdown "**bold**" unwrapped, every run of whitespace one space, trimmed.
 */
export function cellText(raw: string): string {
  let text = raw;
  if (text.includes('<')) text = text.replace(/<[^<>]*>/g, ' ');
  text = decodeEntities(text);
  if (text.includes('**')) text = text.replace(/\*\*/g, ' ');
  // Most cells are already clean: single spaces, none at the ends. Checking is cheaper than rewriting.
  if (!UNCLEAN_SPACE.test(text)) return text;
  return text.replace(/[\s\u00a0\u200b\ufeff]+/gu, ' ').trim();
}

const UNCLEAN_SPACE = /[^\S ]|[\u00a0\u200b\ufeff]| {2}|^ | $/u;

/** Every dash to a hyphen, so patterns need not list "–", "—", "‑"… */
export function normalizeDashes(text: string): string {
  return text.replace(/[‐‑‒–—―−]/g, '-');
}

// One flag per code point of the Cyrillic block (U+0400–U+04FF): 1 where the letter is one only Kazakh uses.
const KAZAKH_LETTERS = new Uint8Array(256);
for (const letter of 'әғқңөұүһіӘҒҚҢӨҰҮҺІ') KAZAKH_LETTERS[letter.charCodeAt(0) - 0x400] = 1;
const SAMPLE = 50_000;

/**
 * Kazakh or Russian, from the share of letters only Kazakh uses in the first 50 000 characters.
 * Russian texts still quote Kazakh codes (АҚДМ), so a text is Kazakh only when those letters are
 * more than 1 in 50 of its Cyrillic ones.
 */
export function detectLang(text: string): 'kk' | 'ru' {
  let cyrillic = 0;
  let kazakh = 0;
  for (let i = 0; i < Math.min(text.length, SAMPLE); i++) {
    const code = text.charCodeAt(i);
    if (code < 0x400 || code > 0x4ff) continue;
    cyrillic++;
    kazakh += KAZAKH_LETTERS[code - 0x400] as number;
  }
  return cyrillic > 0 && kazakh / cyrillic > 0.02 ? 'kk' : 'ru';
}

/** The language of a short text (a glossary name): Kazakh words nearly always carry a Kazakh-only letter; Latin text keeps the document's language. */
export function langOf(text: string, fallback: 'kk' | 'ru'): 'kk' | 'ru' {
  if (/[әғқңөұүһі]/iu.test(text)) return 'kk';
  return /[а-яё]/iu.test(text) ? 'ru' : fallback;
}
