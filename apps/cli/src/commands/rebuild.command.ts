import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '@timeline/config';
import { createKafka } from '@timeline/kafka';
import { rebuildEnvironment } from '@timeline/projection';
import {
  ProjectionRebuild,
  ProjectionVersions,
  RebuildLock,
  createDataSource,
  projectionChecksum,
  projectionNameProblem,
  type RebuildProgress,
  type RebuildSource,
} from '@timeline/store';
import { UsageError, type CliCommand } from '../command.js';

const USAGE =
  'rebuild [--name <version>] [--from kafka|event-log] [--resume] [--drop-old|--keep-old] [--drop-delay <seconds>] [--chunk <events>] [--max-rate <events/s>]\n' +
  '       rebuild --list | --discard <version>';

/** `--from` spelling → stored source name. */
const SOURCES: Readonly<Record<string, RebuildSource>> = { kafka: 'kafka', 'event-log': 'event_log', event_log: 'event_log' };

/**
 * Rebuilds the read model into a new projection version while the API keeps serving the current
 * one, then switches atomically (libs/store ProjectionRebuild; its Kafka phase is the projection runner
 * of libs/projection; see docs/operations.md).
 */
export const rebuildCommand: CliCommand = {
  name: 'rebuild',
  summary: 'rebuild the read model into a new projection version and switch to it atomically (zero downtime, resumable)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        from: { type: 'string' },
        resume: { type: 'boolean', default: false },
        'drop-old': { type: 'boolean' },
        'keep-old': { type: 'boolean' },
        'drop-delay': { type: 'string', default: '10' },
        chunk: { type: 'string', default: '500' },
        'max-rate': { type: 'string' },
        list: { type: 'boolean', default: false },
        discard: { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values['drop-old'] && values['keep-old']) throw new UsageError('give --drop-old or --keep-old, not both');
    const from = values.from === undefined ? 'auto' : SOURCES[values.from];
    if (!from) throw new UsageError('--from must be kafka or event-log');
    if (values.name !== undefined) {
      const problem = projectionNameProblem(values.name);
      if (problem) throw new UsageError(`--name ${problem}`);
    }
    const chunk = Number(values.chunk);
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 10_000) throw new UsageError('--chunk must be an integer from 1 to 10000');
    const dropDelay = Number(values['drop-delay']);
    if (!Number.isFinite(dropDelay) || dropDelay < 0 || dropDelay > 3600)
      throw new UsageError('--drop-delay must be a number of seconds from 0 to 3600');

    const maxRate = values['max-rate'] === undefined ? undefined : Number(values['max-rate']);
    if (maxRate !== undefined && (!Number.isFinite(maxRate) || maxRate <= 0))
      throw new UsageError('--max-rate must be a positive number of events per second');

    const config = loadConfig();
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli rebuild', poolSize: 4 });
    await ds.initialize();
    try {
      const versions = new ProjectionVersions(ds, config.database.schema);
      if (values.list) return await list(versions, ds);
      if (values.discard !== undefined) return await discard(versions, ds, values.discard);

      const rebuild = await ProjectionRebuild.begin(rebuildEnvironment(config, ds, createKafka(config.kafka), { chunkSize: chunk }), {
        ...(values.name !== undefined ? { name: values.name } : {}),
        from,
        resume: values.resume,
      });
      const { plan } = rebuild;
      console.log(`rebuild ${plan.name}: ${plan.reason}`);

      // Ctrl-C stops after the chunk in flight; everything committed so far is kept for --resume.
      const abort = new AbortController();
      const stop = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const bar = new cliProgress.SingleBar(
        {
          format: `rebuild ${plan.name} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted} | {phase}`,
          hideCursor: true,
          stream: process.stderr,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      const onProgress = (p: RebuildProgress) => {
        const payload = { rate: Math.round(p.eventsPerSecond), phase: p.phase };
        if (!started) {
          bar.start(p.total, p.processed, payload);
          started = true;
        }
        bar.setTotal(p.total);
        bar.update(p.processed, payload);
      };
      try {
        const result = await rebuild.run({
          dropOld: !values['keep-old'],
          dropDelayMs: dropDelay * 1000,
          ...(maxRate !== undefined ? { maxEventsPerSecond: maxRate } : {}),
          onProgress,
          signal: abort.signal,
        });
        bar.stop();
        const c = result.counts;
        console.log(
          `rebuilt ${result.name} from ${result.source}${result.resumed ? ' (resumed)' : ''} in ${(result.durationMs / 1000).toFixed(1)} s: ` +
            `${c.read} messages read, ${c.applied} applied, ${c.duplicates} already present, ${c.deferred} deferred, ` +
            `${c.rejected} rejected corrections, ${c.undecodable} undecodable, ${c.unstorable} unstorable; ` +
            `${result.caughtUpUnderLock} caught up during the switch`,
        );
        console.log(
          `switched the active projection from ${result.previous} to ${result.name} at ${result.switchedAt}; ${result.previous} ${result.oldVersion === 'dropped' ? 'dropped' : 'kept (retired)'}`,
        );
        const sum = await projectionChecksum(ds, result.name);
        console.log(`checksum ${result.name} ${sum.digest} (${sum.entries} entries, ${sum.versions} versions, ${sum.days.length} days)`);
        return 0;
      } catch (err) {
        bar.stop();
        if (abort.signal.aborted) {
          console.error(`rebuild: interrupted; ${plan.name} stays "building" — run \`rebuild --name ${plan.name}\` to resume`);
          return 130;
        }
        console.error(`rebuild: ${plan.name} stays "building"; fix the cause and run \`rebuild --name ${plan.name}\` to resume`);
        throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    } finally {
      await ds.destroy();
    }
  },
};

async function list(versions: ProjectionVersions, ds: Parameters<typeof RebuildLock.isHeld>[0]): Promise<number> {
  const running = await RebuildLock.isHeld(ds);
  for (const v of await versions.list()) {
    const note =
      v.status === 'building' ? (running ? 'rebuild running' : 'interrupted: resume or --discard') : v.hasPartitions ? '' : 'dropped';
    console.log([v.name.padEnd(12), v.status.padEnd(9), v.source.padEnd(10), v.createdAt, note].join('  ').trimEnd());
  }
  return 0;
}

async function discard(versions: ProjectionVersions, ds: Parameters<typeof RebuildLock.isHeld>[0], name: string): Promise<number> {
  const v = await versions.get(name);
  if (!v) throw new UsageError(`there is no projection version "${name}"`);
  if (v.status === 'active') throw new UsageError(`"${name}" is the active projection; it cannot be discarded`);
  // Under the rebuild lock: never pull a version from under a running rebuild.
  const lock = await RebuildLock.acquire(ds);
  try {
    await versions.drop(name, { forget: v.status === 'building' });
  } finally {
    await lock.release();
  }
  console.log(`discarded ${name} (${v.status})`);
  return 0;
}
