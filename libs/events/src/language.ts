import { franc } from 'franc-min';

/** The detector ingest and the projector use when a producer leaves `language` out (recorded in `languageDetectedBy`). */
export const LANGUAGE_DETECTOR = 'machine:franc-min@6.2.0';

/** The language every event had before `language` existed (issue 16: "old events read as English or detected"). */
export const LEGACY_LANGUAGE = 'en';

const FRANC_TO_BCP47: Record<string, string> = { eng: 'en', rus: 'ru', ukr: 'uk' };

/**
 * The language of a text among the three of the crisis (uk, ru, en). Letters only one of the two
 * Cyrillic alphabets has decide first (і ї є ґ: Ukrainian; ы э ъ ё: Russian); otherwise franc's
 * trigram model, limited to those three; a text too short for it reads as Russian when Cyrillic,
 * else English.
 */
export function detectLanguage(text: string): 'uk' | 'ru' | 'en' {
  const ukrainian = /[іїєґІЇЄҐ]/.test(text);
  const russian = /[ыэъёЫЭЪЁ]/.test(text);
  if (ukrainian !== russian) return ukrainian ? 'uk' : 'ru';
  const cyrillic = /[\u0400-\u04ff]/.test(text);
  const guess = FRANC_TO_BCP47[franc(text, { only: ['eng', 'rus', 'ukr'], minLength: 10 })];
  if (guess && (guess === 'en') !== cyrillic) return guess as 'uk' | 'ru' | 'en';
  return cyrillic ? 'ru' : 'en';
}

/** The language fields of an envelope as readers see them. */
export interface LanguageOf {
  readonly language: string;
  /** Set when no producer said the language and it was detected (`machine:<engine>`). */
  readonly languageDetectedBy: string | null;
}

/**
 * Upcast of the envelope before `language` (issue 16): an event that states its language keeps it;
 * one that does not gets the detector's answer on its summary, recorded as detected. Pure and
 * deterministic, so a rebuild reads an old event exactly as the live projection did.
 */
export function languageOf(event: {
  readonly summary: string;
  readonly language?: string;
  readonly languageDetectedBy?: string;
}): LanguageOf {
  if (event.language) return { language: event.language, languageDetectedBy: event.languageDetectedBy ?? null };
  return { language: detectLanguage(event.summary), languageDetectedBy: LANGUAGE_DETECTOR };
}

/** The primary subtag (`en-GB` → `en`), lower case: the key of search configurations. */
export function baseLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}
