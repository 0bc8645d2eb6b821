import { LANGUAGE_DETECTOR, detectLanguage, eventCatalogue, languageOf } from './index.js';

const base = {
  eventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
  type: 'statement.issued',
  schemaVersion: 1,
  occurredAt: '2022-01-25T00:00:00Z',
  occurredAtPrecision: 'day',
  recordedAt: '2022-01-25T18:00:00Z',
  storyId: 'russia-ukraine-2022',
  actors: [],
  locations: [],
  sources: [{ role: 'primary', outlet: 'Kremlin', url: 'http://kremlin.ru/', language: 'ru' }],
  tags: [],
  confirmation: 'confirmed',
  summary: 'Песков заявил о большой обеспокоенности действиями США.',
  payload: { topic: 'US troop alert' },
};

describe('detectLanguage', () => {
  it.each([
    ['Pentagon puts about 8,500 troops on heightened alert.', 'en'],
    ['Песков заявил о большой обеспокоенности действиями США.', 'ru'],
    ['Збройні сили України перебувають у стані готовності.', 'uk'],
    ['Зеленський звернувся до нації', 'uk'],
    // Too short for the trigram model: the alphabet decides.
    ['Київ', 'uk'],
    ['Кремль', 'ru'],
    ['NATO', 'en'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});

describe('languageOf (the envelope before language: read as detected)', () => {
  it('keeps a stated language and marks nothing detected', () => {
    expect(languageOf({ summary: 'Песков заявил', language: 'uk' })).toEqual({ language: 'uk', languageDetectedBy: null });
  });

  it('detects the language of an old event and records the detector', () => {
    expect(languageOf({ summary: 'Pentagon puts 8,500 troops on alert' })).toEqual({
      language: 'en',
      languageDetectedBy: LANGUAGE_DETECTOR,
    });
    expect(languageOf({ summary: base.summary })).toEqual({ language: 'ru', languageDetectedBy: LANGUAGE_DETECTOR });
  });
});

describe('language fields in the envelope', () => {
  it('accepts an event without them (old shape) and one with language, translations and source language', () => {
    expect(eventCatalogue.decode(base).ok).toBe(true);
    const r = eventCatalogue.decode({
      ...base,
      language: 'ru',
      translations: [{ lang: 'en', text: 'Peskov voiced great concern.', by: 'editor', at: '2022-01-25T19:00:00Z' }],
      payload: { topic: 'US troop alert', quote: 'с большой обеспокоенностью', quoteLanguage: 'ru' },
    });
    expect(r.ok).toBe(true);
  });

  it('refuses a translation into the summary language, a duplicate, a bad attribution, a detector without a language', () => {
    const t = (lang: string, by = 'machine:deepl') => ({ lang, text: 'x', by, at: '2022-01-25T19:00:00Z' });
    const dup = eventCatalogue.decode({ ...base, language: 'ru', translations: [t('en'), t('ru-RU')] });
    expect(dup).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE', issues: [{ path: '/translations/1/lang' }] });
    const by = eventCatalogue.decode({ ...base, translations: [t('en', 'someone')] });
    expect(by).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
    expect(!by.ok && by.issues.some((i) => i.path === '/translations/0/by')).toBe(true);
    const orphan = eventCatalogue.decode({ ...base, languageDetectedBy: LANGUAGE_DETECTOR });
    expect(orphan).toMatchObject({ ok: false, issues: [{ path: '/languageDetectedBy' }] });
    expect(eventCatalogue.decode({ ...base, language: 'Russian' })).toMatchObject({ ok: false, issues: [{ path: '/language' }] });
  });
});
