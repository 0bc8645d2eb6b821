import { eventCatalogue } from '@timeline/events';
import { decodeKafkaMessage } from './kafka-message-decoder.js';
import { readinessRaised, readinessRaisedV1 } from '../../../test/support/index.js';

const decode = (v: string | Buffer | null) => decodeKafkaMessage(eventCatalogue, typeof v === 'string' ? Buffer.from(v) : v);

describe('decodeKafkaMessage', () => {
  it('decodes a valid event and keeps the original shape for the archive', () => {
    const raw = readinessRaisedV1();
    const d = decode(JSON.stringify(raw));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.event.schemaVersion).toBe(2);
    expect(d.original).toEqual(raw);
  });

  it('takes a missing recordedAt from the Kafka timestamp, and archives it that way', () => {
    const { recordedAt: _dropped, ...raw } = readinessRaised();
    const d = decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(raw)), String(Date.parse('2022-01-24T19:30:00Z')));
    expect(d.ok && d.event.recordedAt).toBe('2022-01-24T19:30:00.000Z');
    expect(d.ok && d.original.recordedAt).toBe('2022-01-24T19:30:00.000Z');
    expect(decode(JSON.stringify(raw))).toMatchObject({ ok: false, code: 'EVENT.INVALID_ENVELOPE' });
  });

  it('refuses a recordedAt later than the Kafka timestamp plus the allowed skew (EVENT.RECORDED_IN_FUTURE)', () => {
    const raw = readinessRaised({ recordedAt: '2022-01-25T18:00:00Z' });
    const atRecord = String(Date.parse('2022-01-24T18:00:00Z'));
    const d = decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(raw)), atRecord);
    expect(d).toMatchObject({ ok: false, code: 'EVENT.RECORDED_IN_FUTURE' });
    expect(!d.ok && d.reason).toMatch(/after the Kafka record's timestamp/);
    const skewed = readinessRaised({ recordedAt: '2022-01-24T18:04:00Z' });
    expect(decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(skewed)), atRecord).ok).toBe(true);
  });

  it.each([
    ['a tombstone', null, 'EVENT.MALFORMED_JSON', /no value/],
    ['invalid JSON', '{"eventId": ', 'EVENT.MALFORMED_JSON', /not JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'EVENT.MALFORMED_JSON', /UTF-8/],
    [
      'a record nested 100,000 levels deep (issue 11)',
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      'EVENT.MALFORMED_JSON',
      /levels deep/,
    ],
    [
      'an impossible date (issue 19)',
      JSON.stringify({ ...readinessRaised(), occurredAt: '2022-02-30T00:00:00Z' }),
      'EVENT.INVALID_ENVELOPE',
      /occurredAt/,
    ],
    [
      'an unpaired surrogate (issue 19)',
      JSON.stringify({ ...readinessRaised(), summary: 'a\ud800b' }),
      'EVENT.INVALID_ENVELOPE',
      /surrogate/,
    ],
    ['a JSON array', '[1,2]', 'EVENT.INVALID_ENVELOPE', /JSON object/],
    ['an unknown type', JSON.stringify({ ...readinessRaised(), type: 'troops.teleported' }), 'EVENT.UNKNOWN_TYPE', /troops\.teleported/],
    ['a newer schema version', JSON.stringify({ ...readinessRaised(), schemaVersion: 3 }), 'EVENT.UNSUPPORTED_VERSION', /newer/],
    [
      'an invalid payload',
      JSON.stringify({ ...readinessRaised(), payload: { forceSize: -1 } }),
      'EVENT.INVALID_PAYLOAD',
      /\/payload\/forceSize/,
    ],
  ])('refuses %s with a code and a readable reason', (_name, value, code, reason) => {
    const d = decode(value);
    expect(d).toMatchObject({ ok: false, code });
    expect(!d.ok && d.reason).toMatch(reason);
  });

  it('dead-letters a backdated recordedAt under the deployment policy (EVENT.RECORDED_AT_BACKDATED), the fallback never', () => {
    const policy = { maxBackdateMs: 300_000, trustedProducers: ['cli-seed'] };
    const appended = String(Date.parse('2026-12-01T10:00:00Z'));
    const raw = readinessRaised({ recordedAt: '2022-01-01T00:00:00Z' });
    expect(decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(raw)), appended, { policy })).toMatchObject({
      ok: false,
      code: 'EVENT.RECORDED_AT_BACKDATED',
    });
    expect(decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(raw)), appended, { policy, producer: 'cli-seed' }).ok).toBe(true);
    const { recordedAt: _none, ...withoutRecordedAt } = raw;
    expect(decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(withoutRecordedAt)), appended, { policy })).toMatchObject({
      ok: true,
      event: { recordedAt: '2026-12-01T10:00:00.000Z' },
    });
    expect(decodeKafkaMessage(eventCatalogue, Buffer.from(JSON.stringify(raw)), appended).ok).toBe(true);
  });
});
