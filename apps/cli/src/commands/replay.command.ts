import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { loadConfig } from '@timeline/config';
import { eventCatalogue } from '@timeline/events';
import { EventLogReplay, createDataSource, parseReplayWindow, type ReplayOrder } from '@timeline/store';
import { UsageError, type CliCommand } from '../command.js';

const ORDERS: readonly ReplayOrder[] = ['chronological', 'log'];
const SLUG = /^[a-z0-9][a-z0-9._-]{0,79}$/;

/** Splits repeated and comma-separated values (`--type a --type b,c`). */
function listOf(values: string[] | undefined): string[] {
  return [
    ...new Set(
      (values ?? [])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Analysis replay: writes the archived events of a window, upcast to the current schema versions, as
 * NDJSON envelopes — in chronological or log order, optionally only what was known at `--as-of`.
 */
export const replayCommand: CliCommand = {
  name: 'replay',
  summary: 'write the events of a window of the past (from event_log, upcast) as NDJSON, optionally as known at a given time',
  usage:
    'replay [--from <date|timestamp>] [--to <date|timestamp>] [--as-of <date|timestamp>] [--type <type>]... [--actor <id>]... ' +
    '[--order chronological|log] [--out <file.ndjson>]   (a date-only --to includes that whole day, UTC; no --out: stdout)',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'as-of': { type: 'string' },
        type: { type: 'string', multiple: true },
        actor: { type: 'string', multiple: true },
        order: { type: 'string', default: 'chronological' },
        out: { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const parsed = parseReplayWindow({ from: values.from, to: values.to, asOf: values['as-of'] });
    if ('problems' in parsed) {
      const flag = (p: string) => (p === 'asOf' ? '--as-of' : `--${p}`);
      throw new UsageError(parsed.problems.map((p) => `${flag(p.path)} ${p.message}`).join('; '));
    }
    const order = values.order as ReplayOrder;
    if (!ORDERS.includes(order)) throw new UsageError(`--order must be one of ${ORDERS.join(', ')}`);
    const types = listOf(values.type);
    const known = eventCatalogue.definitions().map((d) => d.type);
    const unknown = types.filter((t) => !known.includes(t));
    if (unknown.length) throw new UsageError(`unknown --type ${unknown.join(', ')}; known types: ${known.join(', ')}`);
    const actors = listOf(values.actor);
    const badActor = actors.find((a) => !SLUG.test(a));
    if (badActor) throw new UsageError(`--actor must be actor ids (lower-case slugs), got "${badActor}"`);

    const config = loadConfig();
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli replay', poolSize: 2 });
    await ds.initialize();
    const out: WriteStream | NodeJS.WriteStream = values.out ? createWriteStream(values.out, { encoding: 'utf8' }) : process.stdout;
    let written = 0;
    let undecodable = 0;
    try {
      const replay = new EventLogReplay(ds);
      const events = replay.events({ ...parsed.window, types, actors, order }, (u) => {
        undecodable++;
        console.error(`replay: skipped ${u.eventId} (${u.position.topic}/${u.position.partition}@${u.position.offset}): ${u.reason}`);
      });
      for await (const { event } of events) {
        // Respect back-pressure: a window can be the whole log.
        if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
        written++;
      }
    } finally {
      if (values.out) {
        const file = out as WriteStream;
        await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      await ds.destroy();
    }
    const where = values.out ? ` to ${values.out}` : '';
    console.error(`replay: wrote ${written} events${where} in ${order} order${undecodable ? `; ${undecodable} undecodable skipped` : ''}`);
    return 0;
  },
};
