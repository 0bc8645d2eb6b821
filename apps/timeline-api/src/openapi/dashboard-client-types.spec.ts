import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardClientTypes, DASHBOARD_CLIENT_TYPES_FILE, timelineApiOpenApiDocument } from './dashboard-client-types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('the dashboard’s API types (issue 18)', () => {
  it('are generated from the OpenAPI document the API serves, without any infrastructure', async () => {
    const doc = await timelineApiOpenApiDocument();
    expect(Object.keys(doc.paths ?? {})).toEqual(expect.arrayContaining(['/v1/timeline', '/v1/entries/{id}', '/v1/stats', '/v1/export']));
    // Nested shapes are declared, not `object`: the page reads these fields.
    const entry = doc.components?.schemas?.EntryDto as { properties: Record<string, { items?: { $ref?: string } }> };
    expect(entry.properties.actors?.items?.$ref).toBe('#/components/schemas/ActorDto');
    expect(entry.properties.locations?.items?.$ref).toBe('#/components/schemas/LocationDto');
  }, 30_000);

  it(`are current: ${DASHBOARD_CLIENT_TYPES_FILE} is what \`npm run openapi:types\` writes for the API as it is`, async () => {
    const checkedIn = await readFile(path.join(ROOT, DASHBOARD_CLIENT_TYPES_FILE), 'utf8');
    const fresh = await dashboardClientTypes();
    // On failure: run `npm run openapi:types`, then fix the dashboard where it no longer type-checks.
    expect(checkedIn === fresh).toBe(true);
  }, 30_000);
});
