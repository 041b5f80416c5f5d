// The languages Merzim speaks: every user-facing text exists in Kazakh and Russian, English is for developers.

export type Lang = 'kk' | 'ru' | 'en';

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];

export interface LocalizedText {
  readonly kk: string;
  readonly ru: string;
  readonly en: string;
}

const KK_BACK_VOWELS = new Set([...'аоұыяуАОҰЫЯУ']);
const KK_FRONT_VOWELS = new Set([...'әеөүіэиюӘЕӨҮІЭИЮ']);
/** Sounds after which the Kazakh genitive takes -ның/-нің: vowels and the nasals м, н, ң. */
const KK_AFTER_N = new Set([...'мнңМНҢ']);
/** Voiced consonants (and л, р, й, у, з, ж) take -дың/-дің; voiceless ones and б, в, г, д take -тың/-тің. */
const KK_AFTER_D = new Set([...'жзлрйуЖЗЛРЙУ']);

/**
 * The genitive of a Kazakh noun phrase ("Ішкі істер министрлігі" → "Ішкі істер министрлігінің"), by the last word's last
 * vowel (back → -ның/-дың/-тың, front → -нің/-дің/-тің) and its final sound. An abbreviation in capitals is written with a
 * hyphen ("ҰЭМ-нің") and follows the name of its last letter, which for Kazakh consonant letters ends in a front-vowel syllable
 * or the letter itself.
 */
export function kkGenitive(phrase: string): string {
  const text = phrase.trimEnd();
  const last = text.split(/\s+/).pop() ?? '';
  const isAbbreviation = last.length > 1 && last === last.toUpperCase() && /[А-ЯӘҒҚҢӨҰҮҺІ]/.test(last);
  const letters = [...last];
  const final = letters[letters.length - 1] ?? '';
  let back = false;
  for (let i = letters.length - 1; i >= 0; i--) {
    const ch = letters[i]!;
    if (KK_BACK_VOWELS.has(ch)) {
      back = true;
      break;
    }
    if (KK_FRONT_VOWELS.has(ch)) {
      back = false;
      break;
    }
  }
  if (isAbbreviation) {
    // Letter names: vowels are read as themselves, consonants as "эм", "эн", "ка", "қа"…: only К, Қ, Ғ and Х end in a back vowel.
    const vowelFinal = KK_BACK_VOWELS.has(final) || KK_FRONT_VOWELS.has(final);
    const backName = 'ҚКҒХ'.includes(final) || (vowelFinal && KK_BACK_VOWELS.has(final));
    const nasal = 'МНҢ'.includes(final) || vowelFinal || 'ҚКҒХ'.includes(final);
    const suffix = nasal ? (backName ? 'ның' : 'нің') : 'ЖЗЛРЙУ'.includes(final) ? 'дің' : 'тің';
    return `${text}-${suffix}`;
  }
  const vowelFinal = KK_BACK_VOWELS.has(final) || KK_FRONT_VOWELS.has(final);
  const consonant = vowelFinal || KK_AFTER_N.has(final) ? 'н' : KK_AFTER_D.has(final) ? 'д' : 'т';
  return `${text}${consonant}${back ? 'ың' : 'ің'}`;
}

/** The Russian noun form for a count: 1 рабочий день, 2 рабочих дня, 5 рабочих дней (11–14 take the last). */
export function ruPlural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}
