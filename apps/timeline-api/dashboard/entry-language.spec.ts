import { initialContentLanguage, machineEngine, shownSummary } from './entry-language.js';

const translation = (lang: string, text: string, by = 'editor', snippet?: { text: string; match: boolean }[]) => ({
  lang,
  text,
  by,
  at: '2022-01-25T10:00:00Z',
  ...(snippet ? { snippet } : {}),
});

const russian = {
  summary: 'Песков заявил о беспокойстве.',
  language: 'ru',
  translations: [translation('en', 'Peskov voiced concern.', 'machine:deepl')],
};

describe('which text of an entry a card shows (issue 16)', () => {
  it('shows the chosen translation, says who made it, and the original when asked for', () => {
    expect(shownSummary(russian, 'en')).toMatchObject({
      text: 'Peskov voiced concern.',
      lang: 'en',
      original: false,
      by: 'machine:deepl',
      fallback: false,
    });
    expect(shownSummary(russian, 'original')).toMatchObject({ text: russian.summary, lang: 'ru', original: true, fallback: false });
    expect(shownSummary(russian, 'ru')).toMatchObject({ text: russian.summary, original: true, fallback: false });
  });

  it('falls back to the original, flagged, when there is no translation into the chosen language', () => {
    expect(shownSummary(russian, 'uk')).toMatchObject({ text: russian.summary, lang: 'ru', original: true, fallback: true });
  });

  it('matches translations by primary subtag (uk-UA is Ukrainian)', () => {
    const e = { summary: 'Kyiv', language: 'en', translations: [translation('uk-UA', 'Київ')] };
    expect(shownSummary(e, 'uk')).toMatchObject({ text: 'Київ', lang: 'uk-UA' });
  });

  it('with a search, shows the text in the language that matched, highlighted, even over the chosen one', () => {
    const e = {
      summary: 'Pentagon puts 8,500 troops on alert.',
      language: 'en',
      snippet: [{ text: 'Pentagon puts 8,500 troops on alert.', match: false }],
      translations: [
        translation('uk', 'Пентагон привів 8500 військових у готовність.', 'editor', [
          { text: 'Пентагон привів 8500 військових у ', match: false },
          { text: 'готовність', match: true },
          { text: '.', match: false },
        ]),
        translation('ru', 'Пентагон привёл 8500 военных в готовность.', 'machine:deepl'),
      ],
      matchedLanguages: ['uk'],
    };
    const shown = shownSummary(e, 'original');
    expect(shown).toMatchObject({ lang: 'uk', original: false, matched: true, by: 'editor' });
    expect(shown.segments?.filter((s) => s.match).map((s) => s.text)).toEqual(['готовність']);
    // The chosen language wins when it matched too; a match in the original beats other translations.
    expect(shownSummary({ ...e, matchedLanguages: ['en', 'uk'] }, 'uk')).toMatchObject({ lang: 'uk', matched: false });
    expect(shownSummary({ ...e, matchedLanguages: ['en', 'uk'] }, 'ru')).toMatchObject({ lang: 'en', original: true, matched: true });
    // Only a name matched (no language): the switch decides.
    expect(shownSummary({ ...e, matchedLanguages: [] }, 'ru')).toMatchObject({ lang: 'ru', matched: false });
  });

  it('reads the switch from ?lang= first, then the remembered choice, else the originals', () => {
    expect(initialContentLanguage('?lang=uk&q=x', 'ru')).toBe('uk');
    expect(initialContentLanguage('?lang=fr', 'ru')).toBe('ru');
    expect(initialContentLanguage('', 'nonsense')).toBe('original');
    expect(machineEngine('machine:deepl')).toBe('deepl');
    expect(machineEngine('editor')).toBeUndefined();
  });
});
