import { eventCatalogue as defaultCatalogue, type EventCatalogue } from '@timeline/events';
import type { PositionedEvent } from '../projection/positioned-event.js';
import type { SqlRunner } from './sql-runner.js';

/** One (topic, partition) of `event_log` with how many events it archived. */
export interface LogPartition {
  readonly topic: string;
  readonly partition: number;
  readonly rows: number;
  /** Highest archived offset + 1 (decimal string). */
  readonly endOffset: string;
}

/** A slice of `event_log` in log order, decoded with the current catalogue. */
export interface LogSlice {
  readonly events: PositionedEvent[];
  /** Archived envelopes the current catalogue no longer accepts (skipped, reported). */
  readonly undecodable: { readonly eventId: string; readonly offset: string; readonly reason: string }[];
  /** Offset after the last row read (the cursor to continue from), or `null` when nothing was read. */
  readonly nextOffset: string | null;
  /** Rows read (decoded or not). */
  readonly rows: number;
}

type Runner = SqlRunner;

/**
 * Reads `event_log` back in log order — (topic, partition, offset), via `event_log_source_idx` — as
 * writer input: the rebuild's source when Kafka no longer holds the oldest events, and the catch-up
 * source at the switch (the live projector archives every event in the transaction that applies it,
 * so `event_log` holds exactly what the live version applied, by position).
 *
 * Positions are assumed unique per (topic, partition); they are, unless a topic was deleted and
 * recreated while a projector kept archiving (docs/operations.md "Replay and rebuild").
 */
export class EventLogSource {
  constructor(private readonly catalogue: EventCatalogue = defaultCatalogue) {}

  /** Every archived (topic, partition), with row counts and end offsets. */
  async partitions(q: Runner): Promise<LogPartition[]> {
    const rows = (await q.query(
      `SELECT source_topic AS topic, source_partition AS partition, count(*)::int AS rows, (max(source_offset) + 1)::text AS end_offset
       FROM event_log GROUP BY source_topic, source_partition ORDER BY source_topic, source_partition`,
    )) as { topic: string; partition: number; rows: number; end_offset: string }[];
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, rows: r.rows, endOffset: r.end_offset }));
  }

  /** Rows of one partition with `from <= offset < to` (`null` = unbounded). */
  async count(q: Runner, topic: string, partition: number, from: string | null, to: string | null): Promise<number> {
    const rows = (await q.query(
      `SELECT count(*)::int AS n FROM event_log
       WHERE source_topic = $1 AND source_partition = $2 AND ($3::bigint IS NULL OR source_offset >= $3) AND ($4::bigint IS NULL OR source_offset < $4)`,
      [topic, partition, from, to],
    )) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  /** Up to `limit` events of one partition with `from <= offset < to`, in offset order. */
  async read(q: Runner, topic: string, partition: number, from: string | null, to: string | null, limit: number): Promise<LogSlice> {
    const rows = (await q.query(
      // The text alias must not shadow the bigint column in ORDER BY (it would sort "10" before "2").
      `SELECT event_id::text AS event_id, envelope, source_offset::text AS offset_text FROM event_log
       WHERE source_topic = $1 AND source_partition = $2 AND ($3::bigint IS NULL OR source_offset >= $3) AND ($4::bigint IS NULL OR source_offset < $4)
       ORDER BY event_log.source_offset, event_log.event_id LIMIT $5`,
      [topic, partition, from, to, limit],
    )) as { event_id: string; envelope: Record<string, unknown>; offset_text: string }[];
    const events: PositionedEvent[] = [];
    const undecodable: LogSlice['undecodable'][number][] = [];
    for (const r of rows) {
      // Archived as received; upcast again now, so a rebuild picks up upcasters added since.
      const d = this.catalogue.decode(r.envelope);
      if (d.ok) events.push({ event: d.event, original: r.envelope, position: { topic, partition, offset: r.offset_text } });
      else undecodable.push({ eventId: r.event_id, offset: r.offset_text, reason: `${d.code}: ${d.message}` });
    }
    const last = rows.at(-1);
    return { events, undecodable, nextOffset: last ? (BigInt(last.offset_text) + 1n).toString() : null, rows: rows.length };
  }
}
