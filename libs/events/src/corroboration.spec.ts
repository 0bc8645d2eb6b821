import { corroborationOf, normalizeOutlet, originOf, outletKindOf } from './corroboration.js';
import type { Source } from './common.js';

const src = (outlet: string, extra: Partial<Source> = {}): Source => ({
  role: 'reporting',
  outlet,
  url: `https://example.org/${encodeURIComponent(outlet)}`,
  ...extra,
});

describe('originOf', () => {
  it.each([
    [src('A News', { originOutlet: 'AFP' }), 'AFP'],
    [src('A News (AFP)'), 'AFP'],
    [src('Reuters (via National Post)'), 'Reuters'],
    [src('deutschland.de (dpa)'), 'dpa'],
    [src('Success Stories (Financial Times feed)'), 'Success Stories (Financial Times feed)'],
    [src('RBC (translated repost)'), 'RBC (translated repost)'],
    [src('Reuters'), 'Reuters'],
    // The stated origin wins over the naming convention.
    [src('The Hindu (Reuters)', { originOutlet: 'AP' }), 'AP'],
  ])('%j → %s', (s, origin) => {
    expect(originOf(s)).toBe(origin);
  });
});

describe('normalizeOutlet', () => {
  it('folds case, punctuation, "The" and agency aliases', () => {
    expect(normalizeOutlet('AFP')).toBe(normalizeOutlet('Agence France-Presse'));
    expect(normalizeOutlet('AP')).toBe(normalizeOutlet('The Associated Press'));
    expect(normalizeOutlet(' reuters ')).toBe('reuters');
    expect(normalizeOutlet('TASS')).not.toBe(normalizeOutlet('Reuters'));
  });
});

describe('outletKindOf', () => {
  it('is the stated kind, else primary for a primary source and media otherwise', () => {
    expect(outletKindOf({ role: 'primary' })).toBe('primary');
    expect(outletKindOf({ role: 'quoted' })).toBe('media');
    expect(outletKindOf({ role: 'reporting', outletKind: 'party' })).toBe('party');
  });
});

describe('corroborationOf', () => {
  it('counts a syndicated copy for its origin: A News (origin AFP) + AFP + Reuters = 3 reports, 2 independent outlets', () => {
    const c = corroborationOf([
      { recordedAt: '2022-01-24T10:00:00Z', sources: [src('A News', { originOutlet: 'AFP', publishedAt: '2022-01-24T09:30:00Z' })] },
      { recordedAt: '2022-01-24T11:00:00Z', sources: [src('AFP')] },
      { recordedAt: '2022-01-24T12:00:00+01:00', sources: [src('Reuters')] },
    ]);
    expect(c).toEqual({
      reports: 3,
      independentOutlets: 2,
      outlets: ['AFP', 'Reuters'],
      roles: { primary: 0, party: 0, media: 2 },
      firstReportedAt: '2022-01-24T09:30:00.000Z',
      lastConfirmedAt: '2022-01-24T11:00:00.000Z',
    });
  });

  it('parses the "X (Y)" / "X (via Y)" convention when originOutlet is absent', () => {
    const c = corroborationOf([
      { recordedAt: '2022-01-24T10:00:00Z', sources: [src('The Times of Israel (AFP)'), src('Reuters (via The Star)')] },
      { recordedAt: '2022-01-24T10:00:00Z', sources: [src('Agence France-Presse'), src('Reuters (via Rappler)')] },
    ]);
    expect(c.independentOutlets).toBe(2);
    expect(c.reports).toBe(2);
  });

  it('sorts kinds: a stated party outlet, a primary channel and the press', () => {
    const c = corroborationOf([
      {
        recordedAt: '2022-01-24T10:00:00Z',
        sources: [
          src('kremlin.ru', { role: 'primary', outletKind: 'party' }),
          src('TASS', { outletKind: 'party' }),
          src('US Department of Defense', { role: 'primary' }),
          src('Reuters'),
        ],
      },
    ]);
    expect(c.roles).toEqual({ primary: 1, party: 2, media: 1 });
    expect(c.independentOutlets).toBe(4);
  });

  it('is empty for an entry without sources', () => {
    expect(corroborationOf([{ recordedAt: '2022-01-24T10:00:00Z', sources: [] }])).toMatchObject({
      reports: 1,
      independentOutlets: 0,
      outlets: [],
    });
  });
});
