import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '@timeline/config';
import {
  createDataSource,
  projectionNameProblem,
  verifyProjection,
  type ChecksumDivergence,
  type ProjectionChecksum,
} from '@timeline/store';
import { UsageError, type CliCommand } from '../command.js';

/**
 * The determinism check: compares the active projection with one rebuilt from `event_log` (row
 * counts and a content checksum per day); exit 1 on any divergence.
 */
export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'compare the active projection with one rebuilt from event_log, day by day (exit 1 on divergence)',
  usage: 'verify [--against <version>] [--all-days] [--chunk <events>]',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        against: { type: 'string' },
        'all-days': { type: 'boolean', default: false },
        chunk: { type: 'string', default: '500' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.against !== undefined) {
      const problem = projectionNameProblem(values.against);
      if (problem) throw new UsageError(`--against ${problem}`);
    }
    const chunk = Number(values.chunk);
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 10_000) throw new UsageError('--chunk must be an integer from 1 to 10000');

    const config = loadConfig();
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli verify', poolSize: 4 });
    await ds.initialize();
    const bar = new cliProgress.SingleBar(
      { format: 'verify [{bar}] {percentage}% | {value}/{total} events | ETA {eta_formatted}', hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    try {
      const report = await verifyProjection(ds, config.database.schema, {
        ...(values.against !== undefined ? { against: values.against } : {}),
        chunkSize: chunk,
        onProgress: (done, total) => {
          if (!started) bar.start(total, done);
          started = true;
          bar.update(done);
        },
      });
      bar.stop();
      const { live, reference, divergences } = report;
      const label = values.against ?? 'rebuilt from event_log';
      console.log(`active ${live.projection}: ${describe(live)}`);
      console.log(`${label}: ${describe(reference)}`);
      if (values['all-days']) printDays(live, reference, divergences);
      for (const d of divergences) console.log(divergenceLine(d));
      if (divergences.length === 0) {
        console.log(`OK: ${live.projection} equals the projection ${label} (checksum ${live.digest})`);
        return 0;
      }
      const days = new Set(divergences.map((d) => d.day)).size;
      console.log(
        `DIVERGENCE: ${divergences.length} difference(s) on ${days} day(s); see above (rebuild to repair: npm run cli -- rebuild)`,
      );
      return 1;
    } finally {
      bar.stop();
      await ds.destroy();
    }
  },
};

function describe(c: ProjectionChecksum): string {
  return `${c.entries} entries, ${c.versions} versions, ${c.pending.rows} pending corrections over ${c.days.length} days; checksum ${c.digest}`;
}

function side(x: ChecksumDivergence['left']): string {
  return x ? `${x.rows} rows md5 ${x.digest || '-'}` : 'absent';
}

function divergenceLine(d: ChecksumDivergence): string {
  return `DIFF ${d.day} ${d.table}: active ${side(d.left)} | reference ${side(d.right)}`;
}

function printDays(live: ProjectionChecksum, reference: ProjectionChecksum, divergences: readonly ChecksumDivergence[]): void {
  const bad = new Set(divergences.map((d) => d.day));
  const ref = new Map(reference.days.map((d) => [d.day, d]));
  const days = [...new Set([...live.days.map((d) => d.day), ...reference.days.map((d) => d.day)])].sort();
  const mine = new Map(live.days.map((d) => [d.day, d]));
  for (const day of days) {
    const a = mine.get(day);
    const b = ref.get(day);
    console.log(
      `${bad.has(day) ? 'DIFF' : 'ok  '} ${day}  entries ${a?.entries ?? 0}/${b?.entries ?? 0}  versions ${a?.versions ?? 0}/${b?.versions ?? 0}`,
    );
  }
}
