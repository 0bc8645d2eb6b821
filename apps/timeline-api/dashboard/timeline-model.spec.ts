import {
  EMPTY_FILTERS,
  placeLabels,
  compareEntries,
  dayHeading,
  daysBetween,
  filterParams,
  filtersFromUrl,
  groupByDay,
  withinLoadedRange,
  displayWhen,
  versionDiff,
  type Entry,
} from './timeline-model.js';

const entry = (id: string, occurredAt: string, day = occurredAt.slice(0, 10), recordedAt = occurredAt): Entry =>
  ({ id, occurredAt, recordedAt, day }) as Entry;

describe('dashboard timeline model', () => {
  it('orders like the API keyset and groups by day', () => {
    const a = entry('a', '2022-01-24T00:00:00Z');
    const b = entry('b', '2022-01-24T00:00:00Z', undefined, '2022-01-25T00:00:00Z');
    const c = entry('c', '2022-01-25T10:00:00Z');
    expect([c, b, a].sort(compareEntries).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(groupByDay([a, c, b], 'desc').map((g) => [g.day, g.entries.map((e) => e.id)])).toEqual([
      ['2022-01-25', ['c']],
      ['2022-01-24', ['b', 'a']],
    ]);
  });

  it('builds API parameters only for set filters and reads shareable URLs defensively', () => {
    const f = { ...EMPTY_FILTERS, types: ['readiness.raised', 'talks.held'], q: ' Peskov ', countries: ['UA'], order: 'desc' as const };
    expect(filterParams(f, { order: true }).toString()).toBe('type=readiness.raised&type=talks.held&country=UA&q=Peskov&order=desc');
    expect(filterParams(f).toString()).toBe('type=readiness.raised&type=talks.held&country=UA&q=Peskov');
    expect(filtersFromUrl('?type=talks.held,bad%20type&country=ua&from=2022-01-01&to=tomorrow&order=asc')).toMatchObject({
      types: ['talks.held'],
      countries: [],
      from: '2022-01-01',
      to: '',
      order: 'asc',
    });
  });

  it('carries several actors, countries, tags, places and stories to the API and back through the URL (issue 15)', () => {
    const f = {
      ...EMPTY_FILTERS,
      actors: ['kremlin', 'nato'],
      countries: ['UA', 'RU'],
      tags: ['sanctions'],
      locations: ['Kyiv'],
      stories: ['russia-ukraine-2022'],
    };
    const qs = filterParams(f).toString();
    expect(qs).toBe('actor=kremlin&actor=nato&country=UA&country=RU&tag=sanctions&location=Kyiv&story=russia-ukraine-2022');
    expect(filtersFromUrl(`?${qs}`)).toMatchObject({
      actors: ['kremlin', 'nato'],
      countries: ['UA', 'RU'],
      tags: ['sanctions'],
      locations: ['Kyiv'],
      stories: ['russia-ukraine-2022'],
    });
    expect(filtersFromUrl('?actor=kremlin,Bad Actor,kremlin&tag=ok,&story=a..b')).toMatchObject({
      actors: ['kremlin'],
      tags: ['ok'],
      stories: ['a..b'],
    });
  });

  it('carries the independent-outlets filter (issue 14) to the API and back, ignoring anything but a small number', () => {
    expect(filterParams({ ...EMPTY_FILTERS, minSources: 2 }).toString()).toBe('minIndependentSources=2');
    expect(filterParams(EMPTY_FILTERS).has('minIndependentSources')).toBe(false);
    expect(filtersFromUrl('?minIndependentSources=3').minSources).toBe(3);
    for (const bad of ['0', 'two', '-1', '100', '2.5']) expect(filtersFromUrl(`?minIndependentSources=${bad}`).minSources).toBe(0);
  });

  it('carries the confirmation filter to the API and back, ignoring unknown values', () => {
    expect(filterParams({ ...EMPTY_FILTERS, confirmation: 'reported' }).toString()).toBe('confirmation=reported');
    expect(filterParams(EMPTY_FILTERS).has('confirmation')).toBe(false);
    expect(filtersFromUrl('?confirmation=confirmed').confirmation).toBe('confirmed');
    expect(filtersFromUrl('?confirmation=rumoured').confirmation).toBe('');
  });

  it('reads hour precision as approximate and diffs versions field by field, dates included (issue 15)', () => {
    expect(displayWhen({ displayDate: '24 February 2022, 05:00 (Europe/Moscow)', occurredAtPrecision: 'hour' })).toBe(
      '24 February 2022, about 05:00 (Europe/Moscow)',
    );
    expect(displayWhen({ displayDate: '24 February 2022, 05:07 (Europe/Moscow)', occurredAtPrecision: 'minute' })).toBe(
      '24 February 2022, 05:07 (Europe/Moscow)',
    );
    const v1: Entry = {
      ...entry('x', '2022-02-22T00:00:00Z'),
      displayDate: '22 February 2022',
      occurredAtPrecision: 'day',
      summary: 'Putin recognises the republics',
      confirmation: 'confirmed',
      status: 'live',
      actors: [{ id: 'putin', name: 'Vladimir Putin', role: 'subject' }],
      locations: [{ name: 'Kremlin, Moscow', country: 'RU' }],
      sources: [],
      tags: ['recognition'],
    };
    const v2: Entry = {
      ...v1,
      displayDate: '21 February 2022',
      summary: 'On the evening of 21 February Putin recognises the republics',
      status: 'corrected',
    };
    expect(versionDiff(v1, v2)).toEqual([
      { field: 'Date', before: '22 February 2022', after: '21 February 2022' },
      { field: 'Summary', before: 'Putin recognises the republics', after: 'On the evening of 21 February Putin recognises the republics' },
    ]);
  });

  it('formats day headings and fills chart axes', () => {
    expect(dayHeading('2022-02-24')).toBe('Thursday 24 February 2022');
    expect(daysBetween('2022-02-27', '2022-03-02')).toEqual(['2022-02-27', '2022-02-28', '2022-03-01', '2022-03-02']);
  });

  it('inserts live entries only inside the loaded range while older pages are unloaded', () => {
    const loaded = [entry('x', '2022-02-10T00:00:00Z'), entry('y', '2022-02-20T00:00:00Z')];
    expect(withinLoadedRange(entry('n', '2022-02-15T00:00:00Z'), loaded, true, 'desc')).toBe(true);
    expect(withinLoadedRange(entry('o', '2022-01-01T00:00:00Z'), loaded, true, 'desc')).toBe(false);
    expect(withinLoadedRange(entry('o', '2022-01-01T00:00:00Z'), loaded, false, 'desc')).toBe(true);
  });
});

describe('placeLabels', () => {
  it('names the region once and each place once (issue 15: "Arlington, Virginia, Virginia (US)")', () => {
    expect(
      placeLabels([
        { name: 'Arlington, Virginia', admin1: 'Virginia', country: 'US' },
        { name: 'Kyiv', admin1: 'Kyiv', country: 'UA' },
        { name: 'Yelnya', admin1: 'Smolensk Oblast', country: 'RU' },
        { name: 'Yelnya', admin1: 'Smolensk Oblast', country: 'RU' },
      ]),
    ).toEqual(['Arlington, Virginia (US)', 'Kyiv (UA)', 'Yelnya, Smolensk Oblast (RU)']);
  });
});
