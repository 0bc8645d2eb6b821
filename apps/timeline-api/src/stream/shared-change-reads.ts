import type { TimelineFilter } from '../query/timeline-filter.js';
import type { TimelineReader } from '../read-model/timeline-reader.js';
import type { StreamPosition } from './stream-position.js';

/** What a stream session reads its changes from. */
export type ChangeSource = Pick<TimelineReader, 'changes'>;
type ChangeBatch = Awaited<ReturnType<TimelineReader['changes']>>;

/** Counts of {@link SharedChangeReads} (exported as metrics). */
export interface SharedReadCounts {
  /** Queries run against PostgreSQL. */
  queries: number;
  /** Reads answered by a query another stream had already started. */
  shared: number;
}

/**
 * The change reads of every live stream of one process, single-flight: streams that ask for the
 * same filter from the same position while such a read is running get that read's answer instead
 * of running their own (issue 13: 1,000 open streams each ran their own query on every wake-up, so
 * one published event cost 1,000 queries and ordinary reads slowed 400×).
 *
 * Streams with one filter converge on one position (each ends a wake-up at the snapshot's
 * high-water mark), so after their first wake-up they share: one query per distinct filter and
 * position per wake-up. The answer is the same rows for all of them — correct because a read's
 * result depends on nothing but (filter, position, limit).
 */
export class SharedChangeReads implements ChangeSource {
  private readonly running = new Map<string, Promise<ChangeBatch>>();
  readonly counts: SharedReadCounts = { queries: 0, shared: 0 };

  constructor(private readonly reader: ChangeSource) {}

  changes(position: StreamPosition, filter: TimelineFilter, limit: number): Promise<ChangeBatch> {
    const key = readKey(position, filter, limit);
    const inFlight = this.running.get(key);
    if (inFlight) {
      this.counts.shared++;
      return inFlight;
    }
    this.counts.queries++;
    const read = this.reader.changes(position, filter, limit).finally(() => this.running.delete(key));
    this.running.set(key, read);
    return read;
  }

  /** Reads running now (for tests). */
  get inFlight(): number {
    return this.running.size;
  }
}

function readKey(position: StreamPosition, filter: TimelineFilter, limit: number): string {
  const marks = [...position].sort(([a], [b]) => a - b);
  return JSON.stringify([limit, marks, filter]);
}
