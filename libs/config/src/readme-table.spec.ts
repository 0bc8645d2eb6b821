import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** "Keep README.md true": every variable the configuration reads is documented in its table. */
describe('README configuration table', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const readme = fs.readFileSync(path.join(here, '..', '..', '..', 'README.md'), 'utf8');
  const sources = fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => fs.readFileSync(path.join(here, f), 'utf8'))
    .join('\n');
  const variables = [...new Set([...sources.matchAll(/'([A-Z][A-Z0-9_]{3,})'/g)].map((m) => m[1] as string))];

  it('finds the variables it checks', () => {
    expect(variables).toEqual(expect.arrayContaining(['DATABASE_URL', 'KAFKA_BROKERS', 'API_KEYS']));
  });

  it.each(variables)('documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });
});
