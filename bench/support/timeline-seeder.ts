import type { DataSource } from 'typeorm';
import { eventCatalogue } from '@timeline/events';
import { TimelineProjectionWriter, type PositionedEvent } from '@timeline/store';
import { EnvelopeGenerator } from './envelope-generator.js';

/** What {@link seedTimeline} wrote. */
export interface SeededTimeline {
  readonly events: number;
  readonly seconds: number;
}

/**
 * Builds a large timeline fast, without Kafka: the seeded envelopes go straight through the
 * product's own {@link TimelineProjectionWriter} in big transactions (so rows, versions,
 * corrections and retractions are exactly what the projector would write), with synthetic Kafka
 * positions (partition = the story's, offsets consecutive) and matching `projector_offsets` rows.
 * The event archive is skipped (`archive: false`): queries never read it.
 */
export async function seedTimeline(ds: DataSource, n: number, topic: string, partitions: number, chunk = 5000): Promise<SeededTimeline> {
  const writer = new TimelineProjectionWriter(eventCatalogue);
  const gen = new EnvelopeGenerator({ seed: 'bench-query' });
  const next = new Array<number>(partitions).fill(0);
  const t0 = performance.now();
  for (let done = 0; done < n;) {
    const batch: PositionedEvent[] = [];
    for (const raw of gen.take(Math.min(chunk, n - done))) {
      const d = eventCatalogue.decode(raw);
      if (!d.ok) throw new Error(`generated envelope is invalid: ${d.code}`);
      const partition = partitionOf(raw.storyId, partitions);
      batch.push({ event: d.event, original: raw, position: { topic, partition, offset: String(next[partition]!++) } });
    }
    await ds.transaction((m) => writer.apply(m, 'live', batch, { archive: false }));
    done += batch.length;
    if (process.stderr.isTTY) process.stderr.write(`\r[bench] seeding the timeline: ${done}/${n}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  await ds.query(
    `INSERT INTO projector_offsets (projection, topic, partition, next_offset)
     SELECT 'live', $1, p, o FROM unnest($2::int[], $3::bigint[]) AS x(p, o) WHERE o > 0`,
    [topic, next.map((_, i) => i), next],
  );
  return { events: n, seconds: (performance.now() - t0) / 1000 };
}

/** A stable story → partition mapping (the Kafka key routes a story to one partition). */
function partitionOf(key: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % partitions;
}
