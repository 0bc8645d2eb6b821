import type { EntryView } from '../presentation/entry-view.js';
import { parseCsvRecord } from '../../../../test/support/csv.js';
import { CSV_COLUMNS, csvField, csvHeader, csvRow } from './csv-format.js';
import { escapeHtml, isMediaUrl, timelineJsHead, timelineJsSlide } from './timelinejs-format.js';

const entry = (over: Partial<EntryView> = {}): EntryView => ({
  id: '6f1c2a0e-0000-4000-8000-000000000001',
  storyId: 'russia-ukraine-2022',
  type: 'readiness.raised',
  typeTitle: 'Readiness raised',
  cameoCode: '152',
  occurredAt: '2022-01-24T00:00:00Z',
  occurredAtPrecision: 'day',
  occurredUntil: null,
  occurredTz: null,
  displayDate: '24 January 2022',
  day: '2022-01-24',
  date: { year: 2022, month: 1, day: 24 },
  recordedAt: '2022-01-24T18:00:00Z',
  updatedAt: '2022-01-24T18:00:00Z',
  version: 1,
  status: 'live',
  confirmation: 'confirmed',
  summary: 'Pentagon puts about 8,500 US troops on "heightened" alert',
  language: 'en',
  languageDetectedBy: null,
  translations: [],
  actors: [{ id: 'us-dod', name: 'US Department of Defense', country: 'US', role: 'subject' }],
  locations: [{ name: 'Washington', country: 'US' }],
  sources: [{ role: 'primary', outlet: 'US Department of Defense', url: 'https://www.defense.gov/News/' }],
  tags: ['nato'],
  payload: {},
  corrections: [],
  mergedInto: null,
  mergedIds: [],
  reports: [],
  corroboration: {
    reports: 1,
    independentOutlets: 1,
    outlets: ['US Department of Defense'],
    roles: { primary: 1, party: 0, media: 0 },
    firstReportedAt: '2022-01-24T18:00:00.000Z',
    lastConfirmedAt: '2022-01-24T18:00:00.000Z',
  },
  disputed: false,
  relations: { outgoing: [] },
  ...over,
});

/** The CSV cell of `column` in the record of `e`. */
const cell = (e: EntryView, column: (typeof CSV_COLUMNS)[number]) =>
  parseCsvRecord(csvRow(e).replace(/\r\n$/, ''))[CSV_COLUMNS.indexOf(column)];

describe('corroboration and claims in exports (issue 14)', () => {
  const denial = entry({
    type: 'denial.issued',
    typeTitle: 'Denial issued',
    relations: {
      outgoing: [
        { entryId: '6f1c2a0e-0000-4000-8000-000000000002', relation: 'denies', summary: 'Russia is preparing an invasion' },
        { entryId: '6f1c2a0e-0000-4000-8000-000000000003', relation: 'respondsTo', summary: null },
      ],
    },
  });
  const survivor = entry({
    mergedIds: ['6f1c2a0e-0000-4000-8000-000000000004'],
    disputed: true,
    corroboration: { ...entry().corroboration, reports: 3, independentOutlets: 2, outlets: ['AFP', 'Reuters'] },
  });

  it('CSV: relations as relation:<id>;…, disputed, reports, independent outlets and their names', () => {
    expect(cell(denial, 'relations')).toBe('denies:6f1c2a0e-0000-4000-8000-000000000002;respondsTo:6f1c2a0e-0000-4000-8000-000000000003');
    expect(cell(denial, 'disputed')).toBe('false');
    expect(cell(survivor, 'disputed')).toBe('true');
    expect(cell(survivor, 'reports')).toBe('3');
    expect(cell(survivor, 'independent_outlets')).toBe('2');
    expect(cell(survivor, 'outlets')).toBe('AFP; Reuters');
    expect(cell(survivor, 'merged_ids')).toBe('6f1c2a0e-0000-4000-8000-000000000004');
  });

  it('TimelineJS: a slide names what it denies by headline, and says when it is disputed or corroborated', () => {
    const text = timelineJsSlide(denial).text.text;
    expect(text).toContain('<p><em>Denies:</em> “Russia is preparing an invasion”</p>');
    expect(text).toContain('<p><em>Responds to:</em> an entry not in this export yet</p>');
    const s = timelineJsSlide(survivor).text.text;
    expect(s).toContain('<strong>Disputed:</strong>');
    expect(s).toContain('3 reports, 2 independent outlets (AFP, Reuters)');
  });
});

describe('languages in exports (issue 16)', () => {
  const multilingual = entry({
    summary: 'Військо переведено в стан готовності',
    language: 'uk',
    languageDetectedBy: 'machine:franc-min@6.2.0',
    translations: [{ lang: 'en', text: 'Troops put on <alert>', by: 'machine:deepl', at: '2022-01-24T19:00:00Z' }],
  });

  it('CSV carries the language, whether it was detected, and each translation with who made it', () => {
    expect([cell(multilingual, 'language'), cell(multilingual, 'language_detected_by'), cell(multilingual, 'translations')]).toEqual([
      'uk',
      'machine:franc-min@6.2.0',
      'en: Troops put on <alert> (machine:deepl)',
    ]);
  });

  it('a TimelineJS slide gives the original first, then each translation marked with its language and maker', () => {
    const text = timelineJsSlide(multilingual).text.text;
    expect(text).toContain('<p lang="uk">Військо переведено в стан готовності</p>');
    expect(text).toContain('<p lang="en"><em>en (machine:deepl):</em> Troops put on &lt;alert&gt;</p>');
    expect(text.indexOf('lang="uk"')).toBeLessThan(text.indexOf('lang="en"'));
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\nnow')).toBe('"say ""hi""\nnow"');
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvField(-3)).toBe('-3');
  });

  it('writes one record per entry with the header’s columns', () => {
    // A UTF-8 BOM first, so Excel reads «» and Cyrillic right (issue 15).
    expect(csvHeader().startsWith('\uFEFF')).toBe(true);
    expect(csvHeader().slice(1).trimEnd().split(',')).toEqual([...CSV_COLUMNS]);
    const row = csvRow(entry({ corrections: [{ version: 2, change: 'corrected', severity: 'minor', note: 'Typo', recordedAt: 'x' }] }));
    expect(row.endsWith('\r\n')).toBe(true);
    expect(row).toContain('"Pentagon puts about 8,500 US troops on ""heightened"" alert"');
    expect(row).toContain('Correction (minor): Typo');
    expect(row).toContain('Washington (US)');
  });
});

describe('TimelineJS slide', () => {
  it('has only the date fields the precision allows, a unique_id, a short headline and no article as media', () => {
    const slide = timelineJsSlide(entry());
    expect(slide.start_date).toEqual({ year: 2022, month: 1, day: 24 });
    expect(slide.unique_id).toBe('6f1c2a0e-0000-4000-8000-000000000001');
    expect(slide.group).toBe('Readiness raised');
    // An article URL is not media (TimelineJS showed a broken image); it is linked in the text.
    expect(slide.media).toBeUndefined();
    expect(slide.text.text).toContain('href="https://www.defense.gov/News/"');
    // The headline says what and who; the summary is the text, not repeated.
    expect(slide.text.headline).toBe('Readiness raised — US Department of Defense');
    expect(slide.text.text).toContain('Pentagon puts about 8,500 US troops');
    expect(slide.end_date).toBeUndefined();
  });

  it('puts real media in media: images, YouTube, X/Twitter posts, Wikimedia files', () => {
    for (const url of [
      'https://upload.wikimedia.org/wikipedia/commons/a/a1/Map.png',
      'https://www.youtube.com/watch?v=abc',
      'https://x.com/DeptofDefense/status/1485700000000000000',
      'https://commons.wikimedia.org/wiki/File:Map.svg',
    ]) {
      expect(isMediaUrl(url)).toBe(true);
      expect(timelineJsSlide(entry({ sources: [{ role: 'reporting', outlet: 'X', url }] })).media).toMatchObject({ url });
    }
    expect(isMediaUrl('https://www.reuters.com/world/europe/story-2022-01-24/')).toBe(false);
  });

  it('never doubles a label the note already has (issue 15: "Correction: Correction: …")', () => {
    const c = {
      version: 2,
      change: 'corrected' as const,
      severity: 'substantive' as const,
      note: 'Correction: the unit was the 82nd',
      recordedAt: 'x',
    };
    expect(timelineJsSlide(entry({ corrections: [c] })).text.text).toContain('<strong>Correction:</strong> the unit was the 82nd');
    expect(csvRow(entry({ corrections: [c] }))).toContain('Correction (substantive): the unit was the 82nd');
    expect(csvRow(entry({ corrections: [c] }))).not.toContain('Correction: Correction');
  });

  it('adds an end_date for ranges and hours for hour precision', () => {
    const slide = timelineJsSlide(
      entry({ occurredAt: '2022-02-10T06:00:00Z', occurredAtPrecision: 'hour', occurredUntil: '2022-02-20T18:00:00Z' }),
    );
    expect(slide.start_date).toEqual({ year: 2022, month: 2, day: 10, hour: 6 });
    expect(slide.end_date).toEqual({ year: 2022, month: 2, day: 20, hour: 18 });
  });

  it('escapes event text (TimelineJS renders it as HTML) and labels corrections plainly', () => {
    const slide = timelineJsSlide(
      entry({
        summary: '<img src=x onerror=alert(1)>',
        corrections: [{ version: 2, change: 'corrected', severity: 'substantive', note: 'Unit <b>was</b> wrong', recordedAt: 'x' }],
        sources: [],
      }),
    );
    expect(slide.text.headline).toBe('Readiness raised — US Department of Defense');
    expect(slide.text.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(slide.text.text).not.toContain('<img');
    expect(slide.text.text).toContain('<strong>Correction:</strong> Unit &lt;b&gt;was&lt;/b&gt; wrong');
    expect(slide.media).toBeUndefined();
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  it('writes a head that becomes valid JSON once events are appended', () => {
    const doc = JSON.parse(`${timelineJsHead('T', 'D')},"events":[${JSON.stringify(timelineJsSlide(entry()))}]}`);
    expect(doc).toMatchObject({ title: { text: { headline: 'T' } }, scale: 'human', events: [expect.any(Object)] });
  });
});
