/**
 * Preload (`node --import bench/dist/support/pg-capture.js apps/timeline-api/dist/main.js`) that
 * records the SQL text and bind values of every `pg` query the process sends while capture is on
 * (SIGUSR2 toggles it), one JSON line per query in `$BENCH_SQL_CAPTURE`. bench:query uses it to
 * EXPLAIN exactly the statements the real API runs, without any change to the API.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.env.BENCH_SQL_CAPTURE;
if (file) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  // The same CommonJS module instance TypeORM loads (root node_modules/pg).
  const pg = createRequire(path.join(root, 'package.json'))('pg') as {
    Client: { prototype: { query: (...args: unknown[]) => unknown } };
  };
  let on = false;
  process.on('SIGUSR2', () => {
    on = !on;
  });
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    if (on) {
      const [config, values] = args as [string | { text?: string; values?: unknown[] }, unknown];
      const text = typeof config === 'string' ? config : config?.text;
      const vals = Array.isArray(values) ? values : typeof config === 'object' ? config?.values : undefined;
      if (text) fs.appendFileSync(file, JSON.stringify({ text, values: vals ?? [] }) + '\n');
    }
    return original.apply(this, args);
  };
}
