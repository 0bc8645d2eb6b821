import { eventCatalogue as defaultCatalogue, type EventCatalogue, type EventEnvelope } from '@timeline/events';
import type { EventPosition } from '../projection/positioned-event.js';
import type { ReplayWindow } from './replay-window.js';
import type { SqlRunner } from './sql-runner.js';

/** `chronological`: (occurredAt, recordedAt, eventId); `log`: (topic, partition, offset) — the order events arrived in. */
export type ReplayOrder = 'chronological' | 'log';

/** What to replay from `event_log`. */
export interface ReplayQuery extends ReplayWindow {
  /** Only these event types (any of them). */
  readonly types?: readonly string[];
  /** Only events naming one of these actor ids. */
  readonly actors?: readonly string[];
  /** @default 'chronological' */
  readonly order?: ReplayOrder;
  /** Rows per round trip (memory stays flat whatever the window). @default 500 */
  readonly pageSize?: number;
}

/** One replayed event: upcast to the current schema version, with where it sat in Kafka. */
export interface ReplayedEvent {
  readonly event: EventEnvelope;
  readonly position: EventPosition;
}

/** An archived envelope the current catalogue rejects (skipped, reported through the callback). */
export interface UndecodableEvent {
  readonly eventId: string;
  readonly position: EventPosition;
  readonly reason: string;
}

interface Row {
  event_id: string;
  envelope: Record<string, unknown>;
  occurred_text: string;
  recorded_text: string;
  source_topic: string;
  source_partition: number;
  offset_text: string;
}

/**
 * Analysis replay: the events of a window of the past straight from the archive (`event_log`), in
 * chronological or log order, decoded — i.e. upcast to the current versions — with the catalogue.
 * With `asOf`, only what had been recorded by then: "what did we know on 25 January at noon" is
 * answered from the log alone, reproducibly. Keyset-paginated on the two `event_log` indexes
 * (`event_log_occurred_idx`, `event_log_source_idx`), so any window streams in constant memory.
 */
export class EventLogReplay {
  constructor(
    private readonly db: SqlRunner,
    private readonly catalogue: EventCatalogue = defaultCatalogue,
  ) {}

  /** The matching events, in order; undecodable ones go to `onUndecodable` instead. */
  async *events(query: ReplayQuery, onUndecodable?: (e: UndecodableEvent) => void): AsyncGenerator<ReplayedEvent> {
    const order = query.order ?? 'chronological';
    const pageSize = Math.max(1, Math.min(query.pageSize ?? 500, 10_000));
    const actors = query.actors?.length ? new Set(query.actors) : undefined;
    let after: Row | undefined;
    for (;;) {
      const rows = await this.page(query, order, pageSize, after);
      for (const r of rows) {
        const position = { topic: r.source_topic, partition: r.source_partition, offset: r.offset_text };
        const d = this.catalogue.decode(r.envelope);
        if (!d.ok) {
          onUndecodable?.({ eventId: r.event_id, position, reason: `${d.code}: ${d.message}` });
          continue;
        }
        // The SQL filter looked at the archived shape; check the upcast one too.
        if (actors && !d.event.actors.some((a) => actors.has(a.id))) continue;
        yield { event: d.event, position };
      }
      if (rows.length < pageSize) return;
      after = rows.at(-1);
    }
  }

  private async page(q: ReplayQuery, order: ReplayOrder, limit: number, after: Row | undefined): Promise<Row[]> {
    const params: unknown[] = [];
    const bind = (v: unknown, type: string) => {
      params.push(v);
      return `$${params.length}::${type}`;
    };
    const where: string[] = [];
    if (q.from) where.push(`occurred_at >= ${bind(q.from, 'timestamptz')}`);
    if (q.to) where.push(`occurred_at ${q.toExclusive ? '<' : '<='} ${bind(q.to, 'timestamptz')}`);
    if (q.asOf) where.push(`recorded_at <= ${bind(q.asOf, 'timestamptz')}`);
    if (q.types?.length) where.push(`type = ANY(${bind(q.types, 'text[]')})`);
    if (q.actors?.length) {
      where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(envelope -> 'actors') a WHERE a ->> 'id' = ANY(${bind(q.actors, 'text[]')}))`);
    }
    let orderBy: string;
    if (order === 'chronological') {
      orderBy = 'l.occurred_at, l.recorded_at, l.event_id';
      if (after) {
        where.push(
          `(occurred_at, recorded_at, event_id) > (${bind(after.occurred_text, 'timestamptz')}, ${bind(after.recorded_text, 'timestamptz')}, ${bind(after.event_id, 'uuid')})`,
        );
      }
    } else {
      orderBy = 'l.source_topic, l.source_partition, l.source_offset, l.event_id';
      if (after) {
        where.push(
          `(source_topic, source_partition, source_offset, event_id) > (${bind(after.source_topic, 'text')}, ${bind(after.source_partition, 'integer')}, ${bind(after.offset_text, 'bigint')}, ${bind(after.event_id, 'uuid')})`,
        );
      }
    }
    // Aliases differ from column names: ORDER BY must sort the typed columns, not their text forms.
    return (await this.db.query(
      `SELECT l.event_id::text AS event_id, l.envelope, to_json(l.occurred_at) #>> '{}' AS occurred_text,
              to_json(l.recorded_at) #>> '{}' AS recorded_text, l.source_topic, l.source_partition, l.source_offset::text AS offset_text
       FROM event_log l ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${orderBy} LIMIT ${bind(limit, 'integer')}`,
      params,
    )) as Row[];
  }
}
