import type { Entry } from './timeline-model.js';

/** What the language switch offers: an entry's own language, or a translation into one of these. */
export const CONTENT_LANGUAGES = ['original', 'uk', 'ru', 'en'] as const;
export type ContentLanguage = (typeof CONTENT_LANGUAGES)[number];
/** localStorage key and URL parameter (`?lang=uk`) of the language switch. */
export const CONTENT_LANGUAGE_STORAGE_KEY = 'timeline.contentLanguage';
export const CONTENT_LANGUAGE_PARAM = 'lang';

export function isContentLanguage(v: unknown): v is ContentLanguage {
  return typeof v === 'string' && (CONTENT_LANGUAGES as readonly string[]).includes(v);
}

/** The switch's value: the URL's `?lang=` (a shared link), else the reader's last choice, else the originals. */
export function initialContentLanguage(search: string, stored: string | null): ContentLanguage {
  const fromUrl = new URLSearchParams(search).get(CONTENT_LANGUAGE_PARAM);
  if (isContentLanguage(fromUrl)) return fromUrl;
  return isContentLanguage(stored) ? stored : 'original';
}

/** A piece of the shown text; `match` pieces are the words a search found. */
export interface TextSegment {
  readonly text: string;
  readonly match: boolean;
}

/** The summary text a card shows, in which language, and why. */
export interface ShownSummary {
  readonly text: string;
  /** BCP 47 tag for the element's `lang` attribute. */
  readonly lang: string;
  /** With a search: the text split at the matched words (in this text's own language). */
  readonly segments?: readonly TextSegment[];
  /** The entry's own summary (not a translation). */
  readonly original: boolean;
  /** For a translation: `editor` or `machine:<engine>`. */
  readonly by?: string;
  /** The reader asked for another language that the entry has no translation into. */
  readonly fallback: boolean;
  /** A search matched this text (in {@link lang}), which is why it is shown. */
  readonly matched: boolean;
}

const primary = (tag: string) => tag.toLowerCase().split('-')[0] ?? tag;

/**
 * Which text of an entry to show for the switch's `chosen` language.
 *
 * With a search (`matchedLanguages`), the text the query matched wins, so the highlighted words are
 * the ones the reader typed (a Ukrainian query that matched a Ukrainian translation shows that
 * translation, marked): the chosen language if it matched, else the original if it matched, else
 * the first matched translation. Otherwise the chosen language's translation, or the original,
 * flagged as a fallback when a translation was asked for and there is none.
 */
export function shownSummary(
  e: Pick<Entry, 'summary' | 'language' | 'translations' | 'snippet' | 'matchedLanguages'>,
  chosen: ContentLanguage,
): ShownSummary {
  const originalLang = primary(e.language);
  const translationIn = (lang: string) => e.translations.find((t) => primary(t.lang) === lang);
  const original = (extra: Partial<ShownSummary> = {}): ShownSummary => ({
    text: e.summary,
    lang: e.language,
    original: true,
    fallback: false,
    matched: false,
    ...(e.snippet?.length ? { segments: e.snippet } : {}),
    ...extra,
  });
  const translated = (t: Entry['translations'][number], matched: boolean): ShownSummary => ({
    text: t.text,
    lang: t.lang,
    original: false,
    by: t.by,
    fallback: false,
    matched,
    ...(t.snippet?.length ? { segments: t.snippet } : {}),
  });

  const matched = (e.matchedLanguages ?? []).map(primary);
  if (matched.length > 0) {
    const wanted = chosen === 'original' ? originalLang : chosen;
    const order = [wanted, originalLang, ...matched].filter((l, i, all) => matched.includes(l) && all.indexOf(l) === i);
    for (const lang of order) {
      if (lang === originalLang) return original({ matched: lang !== wanted });
      const t = translationIn(lang);
      if (t) return translated(t, lang !== wanted);
    }
  }
  if (chosen === 'original' || chosen === originalLang) return original();
  const t = translationIn(chosen);
  // With a search, even an unmatched text keeps its snippet (the API marks nothing in it).
  return t ? translated(t, false) : original({ fallback: true });
}

/** `machine:deepl` → `deepl`; undefined for an editor's translation. */
export function machineEngine(by: string): string | undefined {
  return by.startsWith('machine:') ? by.slice('machine:'.length) || 'unknown' : undefined;
}
