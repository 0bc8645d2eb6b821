import type { CandidateFacts } from '../read-model/timeline-reader.js';
import { duplicateScore } from './duplicate-score.js';

const facts = (overrides: Partial<CandidateFacts> = {}): CandidateFacts => ({
  entry_id: '6f1c1f36-8a4e-4c55-9d0b-8b7f3c2a1e01',
  story_id: 'russia-ukraine-2022',
  type: 'recognition.declared',
  summary: 'Putin recognises the DPR and LPR',
  occurred_at: '2022-02-21T00:00:00Z',
  occurred_precision: 'day',
  occurred_until: null,
  occurred_tz: null,
  actor_ids: ['kremlin'],
  location_names: ['Moscow'],
  ...overrides,
});

describe('duplicateScore', () => {
  it('scores a true duplicate near 1 with every reason', () => {
    const s = duplicateScore(facts(), facts({ entry_id: 'b' }), 0.9);
    expect(s.score).toBeCloseTo(0.97, 2);
    expect(s.reasons.map((r) => r.kind)).toEqual(['sameType', 'occurredWithinPrecision', 'sharedActors', 'sharedPlaces', 'similarText']);
  });

  it('treats 21 Feb (Moscow) and 22 Feb as within precision: dates differ across time zones', () => {
    const s = duplicateScore(facts(), facts({ occurred_at: '2022-02-22T00:00:00Z' }), 0.5);
    expect(s.reasons.map((r) => r.kind)).toContain('occurredWithinPrecision');
  });

  it('decays with distance in time and ignores two days apart', () => {
    const hourly = { occurred_precision: 'hour' as const };
    const near = duplicateScore(
      facts({ ...hourly, occurred_at: '2022-02-21T10:00:00Z' }),
      facts({ ...hourly, occurred_at: '2022-02-21T22:00:00Z' }),
      0,
    );
    expect(near.reasons.find((r) => r.kind === 'occurredNearby')?.weight).toBeGreaterThan(0);
    const far = duplicateScore(facts(), facts({ occurred_at: '2022-02-25T00:00:00Z' }), 0);
    expect(far.reasons.map((r) => r.kind)).not.toContain('occurredNearby');
  });

  it('ranks a compatible type below the same type, an unrelated one lowest', () => {
    const same = duplicateScore(facts(), facts(), 0.4).score;
    const compatible = duplicateScore(facts({ type: 'statement.issued' }), facts({ type: 'denial.issued' }), 0.4).score;
    const unrelated = duplicateScore(facts(), facts({ type: 'cyber.incident', actor_ids: ['gru'], location_names: ['Kyiv'] }), 0.1).score;
    expect(same).toBeGreaterThan(compatible);
    expect(compatible).toBeGreaterThan(unrelated);
    expect(unrelated).toBeGreaterThanOrEqual(0);
  });
});
