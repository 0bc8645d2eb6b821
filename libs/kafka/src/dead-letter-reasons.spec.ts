import { readFileSync } from 'node:fs';
import { DEAD_LETTER_REASONS } from './dead-letter-reasons.js';

describe('DEAD_LETTER_REASONS', () => {
  it('lists exactly the codes of the reason table in docs/operations.md', () => {
    const doc = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('| `dlq.reasonCode` | meaning |'));
    const rows = table.slice(0, table.indexOf('\n\n'));
    const documented = [...rows.matchAll(/^\| `([A-Z_.]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(DEAD_LETTER_REASONS));
  });
});
