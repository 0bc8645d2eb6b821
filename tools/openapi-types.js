#!/usr/bin/env node
// Writes (or with --check, verifies) the dashboard's API types generated from the timeline API's
// OpenAPI document: `npm run openapi:types [-- --check]`. Needs the build (`npm run build`), no infrastructure.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const { dashboardClientTypes, DASHBOARD_CLIENT_TYPES_FILE } = await import(
  path.join(root, 'apps/timeline-api/dist/openapi/dashboard-client-types.js')
).catch((err) => {
  console.error(`openapi-types: cannot load the built timeline API (${err.message}); run \`npm run build\` first.`);
  process.exit(2);
});
const file = path.join(root, DASHBOARD_CLIENT_TYPES_FILE);
const fresh = await dashboardClientTypes();
const current = await readFile(file, 'utf8').catch(() => '');
if (check) {
  if (current !== fresh) {
    console.error(
      `openapi-types: ${DASHBOARD_CLIENT_TYPES_FILE} is stale: the API's OpenAPI document changed. Run \`npm run openapi:types\` and fix the dashboard where it no longer type-checks.`,
    );
    process.exit(1);
  }
  console.log(`openapi-types: ${DASHBOARD_CLIENT_TYPES_FILE} matches the API.`);
} else if (current === fresh) {
  console.log(`openapi-types: ${DASHBOARD_CLIENT_TYPES_FILE} is up to date.`);
} else {
  await writeFile(file, fresh);
  console.log(`openapi-types: wrote ${DASHBOARD_CLIENT_TYPES_FILE}.`);
}
