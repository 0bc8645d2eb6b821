import type { TimelineFilter } from '../query/timeline-filter.js';
import type { TimelineReader } from '../read-model/timeline-reader.js';
import type { StreamPosition } from './stream-position.js';

/** What a stream session reads its changes from. */
export type ChangeSource = Pick<TimelineReader, 'changes'>;
type ChangesResult = Awaited<ReturnType<TimelineReader['changes']>>;

/**
 * One read for every stream session that asks the same question at the same time (issue 13, SSE
 * fan-out): sessions with the same filter at the same position, woken by the same notification, ask
 * for the same rows; the first asks PostgreSQL and the others wait for its answer (single flight).
 * Nothing is cached after the answer: a later question is a new read, so no session ever sees rows
 * older than its own wake-up. The rows are shared read-only (positions are immutable maps).
 */
export class SharedChangeReads implements ChangeSource {
  private readonly inFlight = new Map<string, Promise<ChangesResult>>();
  /** Reads sent to PostgreSQL. */
  reads = 0;
  /** Questions answered by a read another session had started. */
  shared = 0;

  constructor(private readonly source: ChangeSource) {}

  changes(position: StreamPosition, filter: TimelineFilter, limit: number): Promise<ChangesResult> {
    const key = JSON.stringify([filter, positionKey(position), limit]);
    const running = this.inFlight.get(key);
    if (running) {
      this.shared++;
      return running;
    }
    this.reads++;
    const read = this.source.changes(position, filter, limit).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, read);
    return read;
  }
}

function positionKey(position: StreamPosition): unknown[] {
  return [...position.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, m]) => [partition, m.offset, m.after?.entryId ?? null, m.after?.version ?? null]);
}
