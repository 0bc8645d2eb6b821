import { randomUUID } from 'node:crypto';
import { TIMELINE_NOTIFY_MAX_IDS, encodeTimelineNotification, parseTimelineNotification } from './notify.js';

const base = { schema: 'timeline', projection: 'live', topic: 'timeline.events', partition: 3, fromOffset: '10', toOffset: '25' };

describe('timeline notification payload', () => {
  it('round-trips a small notification', () => {
    const ids = [randomUUID(), randomUUID()];
    const parsed = parseTimelineNotification(encodeTimelineNotification({ ...base, entryIds: ids }));
    expect(parsed).toEqual({ v: 1, ...base, entryCount: 2, entryIds: ids, truncated: false });
  });

  it('caps the id list and says so, staying below the 8000-byte NOTIFY limit', () => {
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    const json = encodeTimelineNotification({ ...base, entryIds: ids });
    expect(Buffer.byteLength(json)).toBeLessThan(8000);
    const parsed = parseTimelineNotification(json)!;
    expect(parsed.entryCount).toBe(5000);
    expect(parsed.entryIds).toHaveLength(TIMELINE_NOTIFY_MAX_IDS);
    expect(parsed.truncated).toBe(true);
  });

  it('halves the list when even the capped ids would not fit (long projection names)', () => {
    const json = encodeTimelineNotification({
      ...base,
      projection: 'p'.repeat(5000),
      entryIds: Array.from({ length: 100 }, () => randomUUID()),
    });
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(7900);
    expect(parseTimelineNotification(json)!.truncated).toBe(true);
  });

  it.each(['not json', '{"v":2}', JSON.stringify({ v: 1, ...base, fromOffset: 10 }), 'null'])('rejects %s', (payload) => {
    expect(parseTimelineNotification(payload)).toBeNull();
  });
});
