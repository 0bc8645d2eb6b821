import { cloudEventAttributes, envelopeInputOfCloudEvent } from './index.js';

const ID = '0b6f3f0e-5d2c-4a53-9d1b-3c2b8f9c7a10';
const ce = (overrides: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id: ID,
  source: 'urn:newsroom:desk-1',
  type: 'readiness.raised',
  time: '2026-12-01T10:00:00Z',
  data: { storyId: 'russia-ukraine-2022', summary: 'x', payload: {} },
  ...overrides,
});

describe('cloudEventAttributes', () => {
  it('derives the context attributes from the envelope', () => {
    expect(
      cloudEventAttributes({
        eventId: ID,
        type: 'readiness.raised',
        schemaVersion: 2,
        storyId: 'russia-ukraine-2022',
        recordedAt: '2022-01-24T18:30:00.000Z',
      }),
    ).toEqual({
      specversion: '1.0',
      id: ID,
      type: 'readiness.raised',
      source: 'urn:timeline:story:russia-ukraine-2022',
      time: '2022-01-24T18:30:00.000Z',
      dataschema: 'urn:timeline:event:readiness.raised:v2',
    });
  });
});

describe('envelopeInputOfCloudEvent', () => {
  it('maps id → eventId, type → type, data → the other fields and dataschema → schemaVersion; time and source are not kept', () => {
    const r = envelopeInputOfCloudEvent(ce({ dataschema: 'urn:timeline:event:readiness.raised:v1', correlationid: 'abc' }));
    expect(r.ok && r.input).toEqual({
      eventId: ID,
      type: 'readiness.raised',
      schemaVersion: 1,
      storyId: 'russia-ukraine-2022',
      summary: 'x',
      payload: {},
    });
  });

  it('points envelope errors back into the CloudEvent', () => {
    const r = envelopeInputOfCloudEvent(ce({ dataschema: 'urn:timeline:event:readiness.raised:v2' }));
    if (!r.ok) throw new Error('expected a mapping');
    expect(['/eventId', '/type', '/schemaVersion', '/payload/forceSize', '/'].map(r.pointerOf)).toEqual([
      '/id',
      '/type',
      '/dataschema',
      '/data/payload/forceSize',
      '/',
    ]);
  });

  it('refuses what is not a mappable CloudEvent, naming every attribute', () => {
    const r = envelopeInputOfCloudEvent(
      ce({ specversion: '0.3', id: 'abc', source: '', datacontenttype: 'text/xml', dataschema: 'https://x/schema', data: 'text' }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['/specversion', '/id', '/source', '/datacontenttype', '/data', '/dataschema']);
    expect(envelopeInputOfCloudEvent([]).ok).toBe(false);
  });

  it('refuses data that contradicts the attributes', () => {
    const r = envelopeInputOfCloudEvent(
      ce({ dataschema: 'urn:timeline:event:readiness.raised:v2', data: { eventId: 'x', type: 'denial.issued', schemaVersion: 1 } }),
    );
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['/data/eventId', '/data/type', '/data/schemaVersion']);
  });
});
