import { RECORDED_AT_MAX_LEAD_MS, recordedAtInFuture, withRecordedAtFallback } from './recorded-at-rule.js';

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
