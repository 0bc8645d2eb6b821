// @ts-check
/** Jest global teardown: stops the services the global setup started (unless TIMELINE_KEEP_INFRA=1). */
import fs from 'node:fs';
import path from 'node:path';
import { stopInfra } from '../../tools/infra/index.js';
import { DATA_DIR } from '../../tools/infra/paths.js';

export default async function globalTeardown() {
  const file = path.join(DATA_DIR, 'test-run-started.json');
  if (!fs.existsSync(file)) return;
  const started = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  if (process.env.TIMELINE_KEEP_INFRA === '1') return;
  if (started.kafka || started.postgres) await stopInfra(started);
}
