import { nextProjectionName, projectionNameProblem } from './projection-version-name.js';

describe('projection version names', () => {
  it('accepts short lower-case identifiers and rejects anything that would not make a safe partition name', () => {
    for (const ok of ['v2', 'live', 'v10_fix', 'a']) expect(projectionNameProblem(ok)).toBeUndefined();
    for (const bad of ['', 'V2', '2v', 'v-2', 'v2;drop', `v${'x'.repeat(30)}`, 'ümlaut']) {
      expect(projectionNameProblem(bad)).toMatch(/lower-case letter/);
    }
  });

  it('numbers new versions one above the highest v<n>, starting at v2', () => {
    expect(nextProjectionName(['live'])).toBe('v2');
    expect(nextProjectionName(['live', 'v2', 'v9', 'v10', 'verify_x'])).toBe('v11');
    expect(nextProjectionName([])).toBe('v2');
  });
});
