// Composes Merzim's bilingual e-mails: the recipient's language first, the other official language below it.
import type { BilingualText, Lang } from '../domain/cycle-model.js';

const SEPARATOR = '\n\n———\n\n';

export function bilingualSubject(subject: BilingualText, lang: Lang): string {
  return lang === 'kk' ? `${subject.kk} / ${subject.ru}` : `${subject.ru} / ${subject.kk}`;
}

export function bilingualBody(body: BilingualText, lang: Lang): string {
  return lang === 'kk' ? `${body.kk}${SEPARATOR}${body.ru}` : `${body.ru}${SEPARATOR}${body.kk}`;
}
