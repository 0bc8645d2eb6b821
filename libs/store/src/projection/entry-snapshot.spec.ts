import { eventCatalogue } from '@timeline/events';
import { createdVersion, derivedColumns, nextVersion } from './entry-snapshot.js';
import { decodeEvent, entryCorrected, entryRetracted, readinessRaised, statementIssued } from '../../../../test/support/index.js';

const at = { topic: 't', partition: 0, offset: '1' };

describe('derivedColumns', () => {
  it('collects actor ids, sorted distinct countries, place names and searchable words', () => {
    const e = decodeEvent(
      statementIssued({
        actors: [
          { id: 'kremlin', name: 'Kremlin', country: 'RU', role: 'subject' },
          { id: 'us-state-dept', name: 'US State Department', country: 'US', role: 'target' },
        ],
        locations: [
          { name: 'Moscow', country: 'RU' },
          { name: 'Kyiv', country: 'UA', admin1: 'Kyiv City' },
        ],
      }),
    );
    const d = derivedColumns(createdVersion(e, '010', at));
    expect(d.actorIds).toEqual(['kremlin', 'us-state-dept']);
    expect(d.countries).toEqual(['RU', 'UA', 'US']);
    expect(d.locationNames).toEqual(['Moscow', 'Kyiv']);
    for (const word of [
      'Kremlin voices',
      'US State Department',
      'us state dept',
      'Kyiv City',
      'Dmitry Peskov',
      'Reuters',
      'great concern',
    ]) {
      expect(d.searchText).toContain(word);
    }
  });
});

describe('derivedColumns determinism', () => {
  it('does not depend on the key order of the payload (fresh JSON vs. read back from jsonb)', () => {
    const e = decodeEvent(statementIssued({ payload: { speaker: 'Jen Psaki', quote: 'We are ready either way.' } }));
    const reordered = { ...e, payload: Object.fromEntries(Object.entries(e.payload).reverse()) };
    expect(Object.keys(reordered.payload)).not.toEqual(Object.keys(e.payload));
    expect(derivedColumns(createdVersion(reordered, '010', at)).searchText).toBe(derivedColumns(createdVersion(e, '010', at)).searchText);
  });
});

describe('nextVersion', () => {
  const target = decodeEvent(readinessRaised({ recordedAt: '2022-01-24T18:00:00Z' }));
  const v1 = createdVersion(target, '152', at);

  it('never starts a version before the one it replaces (a late-applied, earlier-recorded correction)', () => {
    const fix = decodeEvent(entryCorrected(target, { summary: 'Fixed' }, { recordedAt: '2022-01-20T00:00:00Z' }));
    const r = nextVersion(eventCatalogue, v1, fix, at);
    expect(r.ok && r.version.updatedAt).toBe('2022-01-24T18:00:00Z');
  });

  it('a retraction keeps the content and flags the entry', () => {
    const r = nextVersion(eventCatalogue, v1, decodeEvent(entryRetracted(target, 'Withdrawn')), at);
    expect(r.ok && r.version).toMatchObject({
      version: 2,
      status: 'retracted',
      change: 'retracted',
      changeNote: 'Withdrawn',
      summary: v1.summary,
    });
  });

  it('keeps an explicit CAMEO override through a correction', () => {
    const overridden = { ...v1, cameoCode: '154' };
    const fix = decodeEvent(entryCorrected(target, { payload: { forceSize: 9000 } }));
    const r = nextVersion(eventCatalogue, overridden, fix, at);
    expect(r.ok && r.version.cameoCode).toBe('154');
  });
});

describe('languages of an entry (issue 16)', () => {
  const target = decodeEvent(readinessRaised());
  const v1 = createdVersion(target, '152', at);

  it('reads an event without language as detected, and keeps a stated one', () => {
    expect(v1).toMatchObject({ language: 'en', languageDetectedBy: 'machine:franc-min@6.2.0', translations: [] });
    const stated = createdVersion(decodeEvent(readinessRaised({ language: 'en-GB' })), '152', at);
    expect(stated).toMatchObject({ language: 'en-GB', languageDetectedBy: null });
  });

  it('a correction that replaces a detected summary detects again; a stated language wins; translations are replaced', () => {
    const uk = nextVersion(
      eventCatalogue,
      v1,
      decodeEvent(entryCorrected(target, { summary: 'Пентагон привів війська в готовність' })),
      at,
    );
    expect(uk.ok && uk.version).toMatchObject({ language: 'uk', languageDetectedBy: 'machine:franc-min@6.2.0' });
    const translations = [{ lang: 'uk', text: 'Пентагон', by: 'editor', at: '2022-01-25T00:00:00Z' }];
    const stated = nextVersion(eventCatalogue, v1, decodeEvent(entryCorrected(target, { language: 'en', translations })), at);
    expect(stated.ok && stated.version).toMatchObject({ language: 'en', languageDetectedBy: null, translations });
  });

  it('indexes each language apart, names unstemmed, numbers without separators', () => {
    const e = decodeEvent(
      statementIssued({
        language: 'ru',
        summary: 'Песков: 8,500 военных',
        translations: [{ lang: 'en', text: 'Peskov: 8,500 troops', by: 'machine:deepl', at: '2022-01-25T00:00:00Z' }],
        payload: { speaker: 'Дмитрий Песков', quote: 'с большой обеспокоенностью', quoteLanguage: 'ru' },
      }),
    );
    const t = derivedColumns(createdVersion(e, '010', at)).searchTexts;
    expect(Object.keys(t)).toEqual(['en', 'ru', 'names']);
    expect(t.ru).toContain('Песков: 8500 военных');
    expect(t.ru).toContain('с большой обеспокоенностью');
    expect(t.en).toBe('Peskov: 8500 troops');
    expect(t.names).toContain('Kremlin');
  });
});
