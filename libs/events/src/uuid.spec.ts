import { TIMELINE_ID_NAMESPACE, datasetEventId, uuidV5 } from './index.js';

describe('uuidV5', () => {
  it('matches the RFC 4122 reference results', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org'); uuid.uuid5(uuid.NAMESPACE_URL, 'urn:timeline:event-id')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('urn:timeline:event-id', '6ba7b811-9dad-11d1-80b4-00c04fd430c8')).toBe(TIMELINE_ID_NAMESPACE);
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/not a UUID/);
  });
});

describe('datasetEventId', () => {
  it('is deterministic, version 5, and distinct per story and key', () => {
    const a = datasetEventId('russia-ukraine-2022', '2022-01-24/pentagon-alert');
    expect(a).toBe(datasetEventId('russia-ukraine-2022', '2022-01-24/pentagon-alert'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(datasetEventId('russia-ukraine-2022', '2022-01-24/nato-ships')).not.toBe(a);
    expect(datasetEventId('other-story', '2022-01-24/pentagon-alert')).not.toBe(a);
  });
});
