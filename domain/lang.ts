// The languages Merzim speaks: every user-facing text exists in Kazakh and Russian, English is for developers.

export type Lang = 'kk' | 'ru' | 'en';

export const LANGS: readonly Lang[] = ['kk', 'ru', 'en'];

export interface LocalizedText {
  readonly kk: string;
  readonly ru: string;
  readonly en: string;
}
