import { EN, UK, type Message } from './messages.js';

/** Every message string of a catalogue entry (each plural form of a plural message). */
const texts = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m));
const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the dashboard message catalogues (issue 16)', () => {
  it('have the same keys in English and Ukrainian', () => {
    expect(Object.keys(UK).sort()).toEqual(Object.keys(EN).sort());
  });

  it('have no empty message in either language', () => {
    for (const [name, catalogue] of [
      ['en', EN],
      ['uk', UK],
    ] as const) {
      for (const [key, m] of Object.entries(catalogue)) {
        for (const text of texts(m)) expect({ name, key, empty: text.trim() === '' }).toEqual({ name, key, empty: false });
      }
    }
  });

  it('give every plural category of the language its own form', () => {
    for (const [locale, catalogue] of [
      ['en', EN],
      ['uk', UK],
    ] as const) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [key, m] of Object.entries(catalogue)) {
        if (typeof m === 'string') continue;
        for (const c of categories)
          expect({ locale, key, c, has: Boolean((m as Record<string, string>)[c]) }).toEqual({ locale, key, c, has: true });
      }
    }
  });

  it('use the same parameters in both languages (a translation that drops {n} would lose the number)', () => {
    for (const key of Object.keys(EN) as (keyof typeof EN)[]) {
      const en = [...new Set(texts(EN[key]).flatMap(params))].sort();
      const uk = [...new Set(texts(UK[key]).flatMap(params))].sort();
      expect({ key, uk }).toEqual({ key, uk: en });
    }
  });
});
