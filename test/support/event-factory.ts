import { randomUUID } from 'node:crypto';
import { eventCatalogue, type EventEnvelope } from '@timeline/events';
import type { PositionedEvent } from '@timeline/store';

/** A raw envelope as a producer would put it on Kafka (plain JSON object). */
export type RawEvent = Record<string, unknown> & { eventId: string; type: string; recordedAt: string; occurredAt: string };

const base = (type: string, schemaVersion: number, overrides: Record<string, unknown>): RawEvent => {
  const event = {
    eventId: randomUUID(),
    type,
    schemaVersion,
    occurredAt: '2022-01-24T00:00:00Z',
    occurredAtPrecision: 'day',
    recordedAt: '2022-01-24T18:00:00Z',
    storyId: 'russia-ukraine-2022',
    actors: [],
    locations: [],
    sources: [],
    tags: [],
    confirmation: 'confirmed',
    summary: `${type} test event`,
    payload: {},
    ...overrides,
  } as RawEvent;
  const decoded = eventCatalogue.decode(event);
  if (!decoded.ok) {
    // A factory that silently made invalid events would make projection tests pass for the wrong reason.
    throw new Error(`event factory built an invalid ${type}: ${decoded.code} ${JSON.stringify(decoded.issues)}`);
  }
  return event;
};

/** A valid `readiness.raised` (v2): the seed article's Pentagon alert, overridable field by field. */
export function readinessRaised(overrides: Record<string, unknown> = {}): RawEvent {
  return base('readiness.raised', 2, {
    summary: 'Pentagon puts about 8,500 US troops on heightened alert for the NATO Response Force',
    actors: [{ id: 'us-dod', name: 'US Department of Defense', country: 'US', role: 'subject' }],
    locations: [{ name: 'Washington', country: 'US', geoPrecision: 1 }],
    sources: [{ role: 'primary', outlet: 'US Department of Defense', url: 'https://www.defense.gov/News/' }],
    tags: ['nato', 'us-troops'],
    payload: { forceSize: 8500, unit: 'NATO Response Force', noticePeriodDaysBefore: 10, noticePeriodDaysAfter: 5 },
    ...overrides,
  });
}

/** A valid `readiness.raised` in its old v1 shape (free-text notice period), for upcasting paths. */
export function readinessRaisedV1(overrides: Record<string, unknown> = {}): RawEvent {
  return base('readiness.raised', 1, { payload: { forceSize: 8500, noticePeriod: '5 days' }, ...overrides });
}

/** A valid `statement.issued`: Peskov's 25 January remarks, quoted through a news report. */
export function statementIssued(overrides: Record<string, unknown> = {}): RawEvent {
  return base('statement.issued', 1, {
    occurredAt: '2022-01-25T00:00:00Z',
    recordedAt: '2022-01-25T12:00:00Z',
    summary: 'Kremlin voices great concern, says the US is escalating tensions',
    actors: [{ id: 'kremlin', name: 'Kremlin', country: 'RU', role: 'subject' }],
    locations: [{ name: 'Moscow', country: 'RU' }],
    sources: [{ role: 'quoted', outlet: 'Reuters', url: 'https://www.reuters.com/world/europe/', quotedPerson: 'Dmitry Peskov' }],
    tags: ['kremlin'],
    payload: { speaker: 'Dmitry Peskov', quote: 'We are watching these US actions with great concern.' },
    ...overrides,
  });
}

/** A valid `entry.corrected` of `target`, replacing `replaces`. */
export function entryCorrected(
  target: { eventId: string },
  replaces: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): RawEvent {
  return base('entry.corrected', 1, {
    recordedAt: '2022-01-26T09:00:00Z',
    summary: 'Correction',
    payload: { targetEventId: target.eventId, severity: 'substantive', note: 'An earlier version misstated a detail.', replaces },
    ...overrides,
  });
}

/** A valid `entry.retracted` of `target`. */
export function entryRetracted(
  target: { eventId: string },
  reason = 'The report could not be confirmed.',
  overrides: Record<string, unknown> = {},
): RawEvent {
  return base('entry.retracted', 1, {
    recordedAt: '2022-01-27T09:00:00Z',
    summary: 'Retraction',
    payload: { targetEventId: target.eventId, reason },
    ...overrides,
  });
}

/** A valid `entry.merged`: `merged` become reports of `survivor` (same story by default). */
export function entryMerged(
  survivor: { eventId: string },
  merged: readonly { eventId: string }[],
  overrides: Record<string, unknown> = {},
): RawEvent {
  return base('entry.merged', 1, {
    recordedAt: '2022-01-26T10:00:00Z',
    summary: 'Merge',
    payload: { survivorId: survivor.eventId, mergedIds: merged.map((m) => m.eventId), reason: 'Reports of the same event.' },
    ...overrides,
  });
}

/** A valid `entry.split` of `split` out of `survivor`. */
export function entrySplit(
  survivor: { eventId: string },
  split: readonly { eventId: string }[],
  overrides: Record<string, unknown> = {},
): RawEvent {
  return base('entry.split', 1, {
    recordedAt: '2022-01-27T10:00:00Z',
    summary: 'Split',
    payload: { survivorId: survivor.eventId, splitIds: split.map((m) => m.eventId), reason: 'Different events after all.' },
    ...overrides,
  });
}

/** A valid `entry.related` from `from` to `to`. */
export function entryRelated(
  from: { eventId: string },
  to: { eventId: string },
  relation: 'denies' | 'contradicts' | 'confirms' | 'respondsTo',
  overrides: Record<string, unknown> = {},
  withdrawn = false,
): RawEvent {
  return base('entry.related', 1, {
    recordedAt: '2022-01-27T11:00:00Z',
    summary: 'Relation',
    payload: { fromId: from.eventId, toId: to.eventId, relation, reason: 'Linked by the desk.', ...(withdrawn ? { withdrawn } : {}) },
    ...overrides,
  });
}

/** A valid `denial.issued`: the Kremlin denies invasion plans, optionally pointing at what it denies. */
export function denialIssued(overrides: Record<string, unknown> = {}): RawEvent {
  return base('denial.issued', 1, {
    occurredAt: '2022-01-25T00:00:00Z',
    recordedAt: '2022-01-25T14:00:00Z',
    summary: 'Kremlin denies preparing an invasion of Ukraine',
    actors: [{ id: 'kremlin', name: 'Kremlin', country: 'RU', role: 'subject' }],
    locations: [{ name: 'Moscow', country: 'RU' }],
    sources: [{ role: 'primary', outlet: 'kremlin.ru', outletKind: 'party', url: 'https://en.kremlin.ru/events/president/news' }],
    tags: ['kremlin'],
    payload: { denies: 'preparing an invasion of Ukraine', speaker: 'Dmitry Peskov' },
    ...overrides,
  });
}

/** Decodes a raw envelope with the catalogue (throws if invalid). */
export function decodeEvent(raw: Record<string, unknown>): EventEnvelope {
  const d = eventCatalogue.decode(raw);
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.event;
}

/** Raw envelopes as the writer's input, at consecutive offsets of one partition. */
export function positioned(
  raws: readonly Record<string, unknown>[],
  at: { topic?: string; partition?: number; offset?: number } = {},
): PositionedEvent[] {
  const start = at.offset ?? 0;
  return raws.map((raw, i) => ({
    event: decodeEvent(raw),
    original: raw,
    position: { topic: at.topic ?? 'test.events', partition: at.partition ?? 0, offset: String(start + i) },
  }));
}

/** `n` distinct valid events of mixed types, occurring one hour apart from `start` (shuffle them yourself). */
export function eventSeries(n: number, start = Date.parse('2021-11-10T00:00:00Z')): RawEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const occurredAt = new Date(start + i * 3_600_000).toISOString();
    const overrides = { occurredAt, occurredAtPrecision: 'hour', recordedAt: occurredAt, summary: `Series event ${i}` };
    return i % 2 === 0 ? readinessRaised(overrides) : statementIssued(overrides);
  });
}
