import { datasetEventId, fixedClock, prepareDatasetLine } from './index.js';

const clock = fixedClock('2022-03-01T00:00:00Z');
const line = (overrides: Record<string, unknown> = {}) => ({
  datasetKey: '2021-12-07/biden-putin-video-call',
  type: 'talks.held',
  occurredAt: '2021-12-07T00:00:00Z',
  occurredAtPrecision: 'day',
  storyId: 'russia-ukraine-2022',
  actors: [],
  locations: [],
  sources: [],
  tags: [],
  confirmation: 'confirmed',
  summary: 'Biden and Putin hold a video call.',
  payload: { format: 'video' },
  ...overrides,
});

describe('prepareDatasetLine', () => {
  it('derives the eventId from storyId + datasetKey and strips the key', () => {
    const r = prepareDatasetLine(line(), { clock });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.envelope.eventId).toBe(datasetEventId('russia-ukraine-2022', '2021-12-07/biden-putin-video-call'));
    expect(r.envelope).not.toHaveProperty('datasetKey');
    expect(r.generatedId).toBe(false);
  });

  it('accepts a spelled-out eventId that agrees with the key, and refuses one that does not', () => {
    const id = datasetEventId('russia-ukraine-2022', '2021-12-07/biden-putin-video-call');
    expect(prepareDatasetLine(line({ eventId: id }), { clock }).ok).toBe(true);
    const r = prepareDatasetLine(line({ eventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01' }), { clock });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toEqual({ path: '/eventId', message: expect.stringContaining(id) });
  });

  it('needs a datasetKey or an explicit eventId so re-seeding is idempotent', () => {
    const { datasetKey: _k, ...noKey } = line();
    const r = prepareDatasetLine(noKey, { clock });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toBe('/eventId');
    expect(prepareDatasetLine({ ...noKey, eventId: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01' }, { clock }).ok).toBe(true);
  });

  it('refuses a malformed key and still reports the other bad fields', () => {
    const r = prepareDatasetLine(line({ datasetKey: 'Has Spaces', payload: {} }), { clock });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/datasetKey', '/payload/format']));
  });
});
