import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig } from '@timeline/config';
import { LIMITS, prepareDatasetLine, systemClock, type PreparedEvent } from '@timeline/events';
import { EventPublisher, KafkaPublishError, createKafka, ensureTopics, timelineTopics } from '@timeline/kafka';
import { UsageError, type CliCommand } from '../command.js';

/** The dataset `npm run seed` publishes when no file is given (relative to apps/cli/dist/commands/). */
export const DEFAULT_DATASET = fileURLToPath(new URL('../../../../data/datasets/russia-ukraine-2022.ndjson', import.meta.url));

/**
 * Serialized bytes per Kafka send. The events topic takes 2 MiB per record batch and one story's
 * events share a partition (one record batch per send), so 900 KiB leaves room for headers.
 */
const MAX_SEND_BYTES = 900 * 1024;

/** A line the dataset cannot publish, with where and why. */
interface LineError {
  readonly line: number;
  readonly message: string;
}

/** Reads and validates every line; returns the prepared events in file order, or every problem found. */
async function readDataset(file: string): Promise<{ events: PreparedEvent[]; errors: LineError[]; lines: number }> {
  const events: PreparedEvent[] = [];
  const errors: LineError[] = [];
  const firstLineOf = new Map<string, number>();
  let n = 0;
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of rl) {
    n++;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      errors.push({ line: n, message: `not valid JSON (${(err as Error).message})` });
      continue;
    }
    // The same path as POST /v1/events: prepareEvent (stamp + defaults) then the catalogue's decode.
    const r = prepareDatasetLine(parsed, { clock: systemClock });
    if (!r.ok) {
      for (const issue of r.issues) errors.push({ line: n, message: `${r.code} ${issue.path}: ${issue.message}` });
      continue;
    }
    const seen = firstLineOf.get(r.envelope.eventId);
    if (seen !== undefined) {
      errors.push({ line: n, message: `eventId ${r.envelope.eventId} is already used on line ${seen}` });
      continue;
    }
    firstLineOf.set(r.envelope.eventId, n);
    events.push(r.envelope);
  }
  return { events, errors, lines: n };
}

/** Splits events into sends of at most `maxEvents` events and {@link MAX_SEND_BYTES} bytes, keeping order. */
function chunk(events: PreparedEvent[], maxEvents: number): PreparedEvent[][] {
  const chunks: PreparedEvent[][] = [];
  let current: PreparedEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e));
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > MAX_SEND_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Publishes a dataset file through the same validation and producer path as the ingest API. */
export const seedCommand: CliCommand = {
  name: 'seed',
  summary: 'validate an NDJSON dataset and publish it to the events topic (re-running changes nothing)',
  usage: `seed [file.ndjson] [--dry-run] [--chunk <events per send, 1-${LIMITS.batchEvents}>]   (default file: data/datasets/russia-ukraine-2022.ndjson)`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean', default: false }, chunk: { type: 'string', default: '500' } },
    });
    if (positionals.length > 1) throw new UsageError('give at most one dataset file');
    const perSend = Number(values.chunk);
    if (!Number.isInteger(perSend) || perSend < 1 || perSend > LIMITS.batchEvents) {
      throw new UsageError(`--chunk must be an integer from 1 to ${LIMITS.batchEvents}`);
    }
    const file = positionals[0] ?? DEFAULT_DATASET;
    try {
      await access(file);
    } catch {
      throw new UsageError(`cannot read dataset file ${file}`);
    }

    const { events, errors, lines } = await readDataset(file);
    if (errors.length) {
      for (const e of errors) console.error(`${file}:${e.line}: ${e.message}`);
      const badLines = new Set(errors.map((e) => e.line)).size;
      console.error(`seed: ${badLines} of ${lines} line(s) are invalid; nothing was published.`);
      return 1;
    }
    if (events.length === 0) {
      console.error(`seed: ${file} holds no events; nothing was published.`);
      return 1;
    }
    if (values['dry-run']) {
      console.log(`dataset ${file} is valid: ${events.length} events (dry run, nothing published)`);
      return 0;
    }

    const config = loadConfig();
    const kafka = createKafka(config.kafka);
    const topics = timelineTopics(config.kafka);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [topics.events, topics.dlq]);
    } finally {
      await admin.disconnect();
    }
    // An operator tool may wait longer for a slow broker than an HTTP request can.
    const publisher = new EventPublisher(kafka, {
      topic: topics.events.topic,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
      // Seeds carry historical recordedAt values: a deployment trusts them by this name (PROJECTOR_TRUSTED_PRODUCERS).
      producer: 'cli-seed',
      compression: config.kafka.compression,
    });
    await publisher.connect();
    const bar = new cliProgress.SingleBar(
      { format: 'seed [{bar}] {value}/{total} events | {eta_formatted} left', hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let sent = 0;
    bar.start(events.length, 0);
    try {
      for (const part of chunk(events, perSend)) {
        await publisher.publish(part);
        sent += part.length;
        bar.update(sent);
      }
    } catch (err) {
      bar.stop();
      if (err instanceof KafkaPublishError) {
        console.error(
          `seed: ${err.message}\nseed: ${sent} of ${events.length} events were published before the failure; run seed again (eventIds are deterministic, so the timeline keeps each event once).`,
        );
        return 1;
      }
      throw err;
    } finally {
      bar.stop();
      await publisher.disconnect();
    }
    console.log(`published ${sent} events from ${file} to ${topics.events.topic}`);
    return 0;
  },
};
