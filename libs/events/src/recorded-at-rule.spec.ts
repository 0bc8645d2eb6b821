import { RECORDED_AT_MAX_LEAD_MS, recordedAtBackdated, recordedAtInFuture, withRecordedAtFallback } from './recorded-at-rule.js';

const ts = (iso: string) => String(Date.parse(iso));

describe('recordedAt on the topic', () => {
  it('fills a missing recordedAt from the record timestamp, leaves a present one alone', () => {
    expect(withRecordedAtFallback({ a: 1 }, ts('2022-01-24T19:30:00Z'))).toEqual({ a: 1, recordedAt: '2022-01-24T19:30:00.000Z' });
    expect(withRecordedAtFallback({ recordedAt: 'x' }, ts('2022-01-24T19:30:00Z'))).toEqual({ recordedAt: 'x' });
    expect(withRecordedAtFallback({ a: 1 }, '-1')).toEqual({ a: 1 });
    expect(withRecordedAtFallback([1], ts('2022-01-24T19:30:00Z'))).toEqual([1]);
  });

  it('accepts recordedAt up to the allowed lead over the record timestamp', () => {
    const record = '2022-01-24T19:30:00Z';
    expect(recordedAtInFuture('2022-01-24T19:30:00Z', ts(record))).toBeUndefined();
    expect(recordedAtInFuture('2021-11-10T00:00:00Z', ts(record))).toBeUndefined();
    expect(recordedAtInFuture(new Date(Date.parse(record) + RECORDED_AT_MAX_LEAD_MS).toISOString(), ts(record))).toBeUndefined();
  });

  it('refuses a recordedAt further ahead, naming both times', () => {
    const reason = recordedAtInFuture('2022-01-25T19:30:00Z', ts('2022-01-24T19:30:00Z'));
    expect(reason).toMatch(/86400 s after the Kafka record's timestamp 2022-01-24T19:30:00.000Z/);
    expect(
      recordedAtInFuture(
        new Date(Date.parse('2022-01-24T19:30:00Z') + RECORDED_AT_MAX_LEAD_MS + 1000).toISOString(),
        ts('2022-01-24T19:30:00Z'),
      ),
    ).toBeDefined();
  });

  it('cannot judge without a record timestamp', () => {
    expect(recordedAtInFuture('2099-01-01T00:00:00Z', undefined)).toBeUndefined();
    expect(recordedAtInFuture('2099-01-01T00:00:00Z', '-1')).toBeUndefined();
  });
});

describe('recordedAtBackdated (the topic trust model, issue 19)', () => {
  const appended = ts('2026-12-01T10:00:00Z');
  const forged = '2022-01-01T00:00:00Z';

  it('trusts every producer by default (Kafka ACLs are the boundary)', () => {
    expect(recordedAtBackdated(forged, appended, undefined, true)).toBeUndefined();
  });

  it('with a bound, refuses a recordedAt older than the record timestamp by more than it, naming both', () => {
    const policy = { maxBackdateMs: 300_000 };
    expect(recordedAtBackdated(forged, appended, 'ingest', true, policy)).toMatch(
      /before the Kafka record's timestamp 2026-12-01T10:00:00.000Z; at most 300 s/,
    );
    expect(recordedAtBackdated('2026-12-01T09:56:00Z', appended, 'ingest', true, policy)).toBeUndefined();
    // The fallback filled it in: the record timestamp itself, never backdated.
    expect(recordedAtBackdated(forged, appended, undefined, false, policy)).toBeUndefined();
  });

  it('exempts trusted producers from the bound and refuses an own recordedAt from anyone else', () => {
    const policy = { maxBackdateMs: 300_000, trustedProducers: ['ingest', 'cli-seed'] };
    expect(recordedAtBackdated(forged, appended, 'cli-seed', true, policy)).toBeUndefined();
    expect(recordedAtBackdated('2026-12-01T10:00:00Z', appended, 'team-x-connector', true, policy)).toMatch(
      /not one of the trusted producers \(ingest, cli-seed\)/,
    );
    expect(recordedAtBackdated('2026-12-01T10:00:00Z', appended, undefined, true, policy)).toMatch(/no "producer" header/);
    expect(recordedAtBackdated(forged, appended, 'team-x-connector', false, policy)).toBeUndefined();
  });
});
