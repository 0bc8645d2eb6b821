import { CodedError } from '@timeline/http';
import {
  filterFingerprint,
  parseExportQuery,
  parseInstant,
  parseStatsQuery,
  parseStreamQuery,
  parseTimelineQuery,
  toExclusiveIso,
} from './timeline-filter.js';

const errorsOf = (fn: () => unknown): { path: string; message: string }[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodedError);
    expect((err as CodedError).code).toBe('QUERY.INVALID_PARAMETER');
    return (err as CodedError).errors as { path: string; message: string }[];
  }
  throw new Error('expected a QUERY.INVALID_PARAMETER error');
};

describe('parseInstant', () => {
  it.each([
    ['2022-01-24', '2022-01-24T00:00:00.000Z', true],
    ['2022-01-24T10:30:00Z', '2022-01-24T10:30:00.000Z', false],
    ['2022-02-21T22:35:00+03:00', '2022-02-21T19:35:00.000Z', false],
    ['2022-01-24T10:30Z', '2022-01-24T10:30:00.000Z', false],
    ['2022-01-24t10:30:00.123456z', '2022-01-24T10:30:00.123Z', false],
  ])('%s → %s', (input, iso, dateOnly) => {
    expect(parseInstant(input)).toEqual({ iso, epochMs: Date.parse(iso), dateOnly });
  });

  it.each(['2022-02-30', '2022-13-01', '2022-01-24T24:00:00Z', '2022-01-24T10:00:00', 'yesterday', '24/01/2022', '2022-1-4'])(
    'rejects %s',
    (input) => expect(parseInstant(input)).toBeUndefined(),
  );
});

describe('parseTimelineQuery', () => {
  it('applies defaults', () => {
    expect(parseTimelineQuery({})).toEqual({
      filter: {
        types: [],
        actors: [],
        actorNameParts: [],
        countries: [],
        locations: [],
        tags: [],
        stories: [],
        confirmation: [],
        includeRetracted: false,
      },
      limit: 50,
      order: 'asc',
      sort: 'time',
    });
  });

  it('reads repeated and comma-separated lists, normalising case where matching is case-insensitive', () => {
    const q = parseTimelineQuery({
      type: ['readiness.raised', 'statement.issued,readiness.raised'],
      country: 'ua,RU',
      location: 'Kyiv',
      actor: 'kremlin',
      q: '  Peskov  ',
      limit: '500',
      order: 'desc',
      includeRetracted: 'true',
    });
    expect(q.filter).toMatchObject({
      types: ['readiness.raised', 'statement.issued'],
      countries: ['UA', 'RU'],
      locations: ['kyiv'],
      actors: ['kremlin'],
      q: 'Peskov',
      includeRetracted: true,
    });
    expect(q).toMatchObject({ limit: 500, order: 'desc' });
  });

  it('filters by confirmation: confirmed, reported or both (deduplicated); anything else is named', () => {
    expect(parseTimelineQuery({ confirmation: 'reported' }).filter.confirmation).toEqual(['reported']);
    expect(parseTimelineQuery({ confirmation: ['confirmed,reported', 'reported'] }).filter.confirmation).toEqual(['confirmed', 'reported']);
    expect(errorsOf(() => parseTimelineQuery({ confirmation: 'rumoured' }))).toEqual([
      { path: 'confirmation', message: expect.stringContaining('must be confirmed or reported, got "rumoured"') },
    ]);
    for (const parse of [parseStatsQuery, parseExportQuery, parseStreamQuery]) {
      expect(parse({ confirmation: 'confirmed' }).filter.confirmation).toEqual(['confirmed']);
    }
    expect(filterFingerprint(parseTimelineQuery({ confirmation: 'reported' }).filter, 'asc')).not.toBe(
      filterFingerprint(parseTimelineQuery({}).filter, 'asc'),
    );
  });

  it('takes actor names in any script for the alias registry ids; an unknown name by its transliteration (issue 16)', () => {
    expect(parseTimelineQuery({ actor: 'Зеленський' }).filter).toMatchObject({ actors: ['volodymyr-zelensky'], actorNameParts: [] });
    expect(parseTimelineQuery({ actor: 'Zelensky,dmitry-peskov' }).filter.actors).toEqual(['dmitry-peskov', 'volodymyr-zelensky']);
    expect(parseTimelineQuery({ actor: 'Кулеба' }).filter.actorNameParts).toContain('kuleba');
  });

  it('names every bad parameter at once', () => {
    const errors = errorsOf(() => parseTimelineQuery({ limit: '0', type: 'bogus.type', from: 'soon', colour: 'red' }));
    expect(errors.map((e) => e.path).sort()).toEqual(['colour', 'from', 'limit', 'type']);
    expect(errors.find((e) => e.path === 'type')!.message).toContain('readiness.raised');
  });

  it('refuses meta types (they never form entries) and slugs with SQL in them', () => {
    expect(errorsOf(() => parseTimelineQuery({ type: 'entry.corrected' }))[0]!.path).toBe('type');
    expect(errorsOf(() => parseTimelineQuery({ actor: "x' OR 1=1 --" }))[0]!.path).toBe('actor');
  });

  it('lets a date-only `to` include its whole day and refuses a reversed range', () => {
    expect(parseTimelineQuery({ from: '2022-01-24', to: '2022-01-24' }).filter.to).toEqual({
      iso: '2022-01-24T00:00:00.000Z',
      epochMs: Date.UTC(2022, 0, 24),
      dateOnly: true,
    });
    expect(errorsOf(() => parseTimelineQuery({ from: '2022-01-25', to: '2022-01-24' }))[0]!.path).toBe('to');
    expect(errorsOf(() => parseTimelineQuery({ from: '2022-01-24T12:00:00Z', to: '2022-01-24T11:00:00Z' }))[0]!.path).toBe('to');
  });

  it('range-checks every instant before SQL under the catalogue rule (issue 19: these were 500s)', () => {
    for (const bad of ['9999-12-31T23:59:59-00:01', '9999-12-31T23:59:59-23:59', '2022-01-24T10:00:00+16:00', '0000-01-01', '2022-02-30']) {
      for (const name of ['from', 'to', 'asOf']) {
        const errors = errorsOf(() => parseTimelineQuery({ [name]: bad }));
        expect(errors).toEqual([{ path: name, message: expect.stringContaining('supported: 0001-01-01 to 9999-12-31') }]);
      }
    }
  });

  it('accepts the ends of the supported range: asOf=0001-01-01 and to=9999-12-31 (whose exclusive end PostgreSQL can read)', () => {
    expect(parseTimelineQuery({ asOf: '0001-01-01' }).filter.asOf).toMatchObject({ iso: '0001-01-01T00:00:00.000Z' });
    const to = parseTimelineQuery({ to: '9999-12-31' }).filter.to!;
    expect(toExclusiveIso(to)).toBe('10000-01-01T00:00:00Z');
    expect(parseTimelineQuery({ from: '2022-01-24 10:00Z' }).filter.from).toMatchObject({ iso: '2022-01-24T10:00:00.000Z' });
  });

  it('limits list sizes and value lengths', () => {
    const many = Array.from({ length: 51 }, (_, i) => `tag-${i}`).join(',');
    expect(errorsOf(() => parseTimelineQuery({ tag: many }))[0]!.path).toBe('tag');
    expect(errorsOf(() => parseTimelineQuery({ q: 'x'.repeat(201) }))[0]!.path).toBe('q');
  });
});

describe('endpoint parameter whitelists', () => {
  it('stats takes a bucket but no cursor', () => {
    expect(parseStatsQuery({ bucket: 'week' }).bucket).toBe('week');
    expect(errorsOf(() => parseStatsQuery({ bucket: 'month' }))[0]!.path).toBe('bucket');
    expect(errorsOf(() => parseStatsQuery({ cursor: 'x' }))[0]!.path).toBe('cursor');
  });

  it('export validates the format', () => {
    expect(parseExportQuery({ format: 'timelinejs' }).format).toBe('timelinejs');
    expect(errorsOf(() => parseExportQuery({ format: 'xlsx' }))[0]!.path).toBe('format');
  });

  it('stream refuses asOf (a live stream is always now)', () => {
    expect(errorsOf(() => parseStreamQuery({ asOf: '2022-01-01' }))[0]!.path).toBe('asOf');
    expect(parseStreamQuery({ lastEventId: 'abc.def' }).lastEventId).toBe('abc.def');
  });
});

describe('filterFingerprint', () => {
  it('ignores the order of list values but not the sort order or asOf', () => {
    const a = parseTimelineQuery({ type: 'readiness.raised,statement.issued' }).filter;
    const b = parseTimelineQuery({ type: 'statement.issued,readiness.raised' }).filter;
    expect(filterFingerprint(a, 'asc')).toBe(filterFingerprint(b, 'asc'));
    expect(filterFingerprint(a, 'asc')).not.toBe(filterFingerprint(a, 'desc'));
    const c = parseTimelineQuery({ type: 'readiness.raised,statement.issued', asOf: '2022-01-01' }).filter;
    expect(filterFingerprint(c, 'asc')).not.toBe(filterFingerprint(a, 'asc'));
  });
});

describe('corroboration parameters (issue 14)', () => {
  it('reads minIndependentSources (1..100) into the filter and the cursor fingerprint; sort=corroboration too', () => {
    const q = parseTimelineQuery({ minIndependentSources: '2', sort: 'corroboration' });
    expect(q.filter.minIndependentSources).toBe(2);
    expect(q.sort).toBe('corroboration');
    const plain = parseTimelineQuery({});
    expect(plain.filter.minIndependentSources).toBeUndefined();
    expect(plain.sort).toBe('time');
    expect(filterFingerprint(q.filter, 'asc')).not.toBe(filterFingerprint(plain.filter, 'asc'));
    expect(filterFingerprint(plain.filter, 'asc', 'corroboration')).not.toBe(filterFingerprint(plain.filter, 'asc'));
    expect(filterFingerprint(plain.filter, 'asc', 'time')).toBe(filterFingerprint(plain.filter, 'asc'));
    expect(parseExportQuery({ minIndependentSources: '3' }).filter.minIndependentSources).toBe(3);
  });

  it.each(['0', '101', '1.5', 'two', '-1'])('refuses minIndependentSources=%s naming it', (v) => {
    expect(errorsOf(() => parseTimelineQuery({ minIndependentSources: v })).map((e) => e.path)).toEqual(['minIndependentSources']);
  });

  it('refuses an unknown sort', () => {
    expect(errorsOf(() => parseTimelineQuery({ sort: 'outlets' })).map((e) => e.path)).toEqual(['sort']);
  });
});
