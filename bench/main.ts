import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumeBench } from './consume.bench.js';
import { fanoutBench } from './fanout.bench.js';
import { ingestBench } from './ingest.bench.js';
import { latencyBench } from './latency.bench.js';
import { projectBench } from './project.bench.js';
import { queryBench } from './query.bench.js';
import { rebuildBench } from './rebuild.bench.js';
import { scaleBench } from './scale.bench.js';

/** The benchmarks, in the order `npm run bench` runs them (all but `scale`, which runs alone). */
const BENCHES: Record<string, () => Promise<void>> = {
  project: projectBench,
  consume: consumeBench,
  ingest: ingestBench,
  latency: latencyBench,
  query: queryBench,
  rebuild: rebuildBench,
  fanout: fanoutBench,
  scale: scaleBench,
};

async function main(): Promise<number> {
  const name = process.argv[2] ?? 'all';
  if (name === 'all') {
    // Each benchmark in its own process: no heap or event-loop state carries over between them.
    const t0 = Date.now();
    let failed = 0;
    // bench:scale wants the 3-node cluster and runs the projector three times: only on its own.
    for (const bench of Object.keys(BENCHES).filter((b) => b !== 'scale')) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), bench], { stdio: 'inherit', env: process.env });
      if (r.status !== 0) {
        failed++;
        process.stderr.write(`[bench] ${bench} failed (exit ${r.status ?? r.signal})\n`);
      }
    }
    process.stderr.write(
      `[bench] all benchmarks done in ${((Date.now() - t0) / 60_000).toFixed(1)} min${failed ? `, ${failed} failed` : ''}\n`,
    );
    return failed ? 1 : 0;
  }
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; one of: ${Object.keys(BENCHES).join(', ')}, all\n`);
    return 2;
  }
  await bench();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `[bench] ${path.basename(process.argv[2] ?? 'bench')} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
