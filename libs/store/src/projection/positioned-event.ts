import type { EventEnvelope } from '@timeline/events';

/** Where a message sits in Kafka (or sat, for events read back from `event_log`). */
export interface EventPosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (offsets are int64; JS numbers are not). */
  readonly offset: string;
}

/** A decoded event together with the log position it was read from: the writer's unit of input. */
export interface PositionedEvent {
  /** The event as `eventCatalogue.decode` returned it: valid, and upcast to the current version. */
  readonly event: EventEnvelope;
  /**
   * The envelope exactly as received (before upcasting); archived in `event_log` so a replay can
   * upcast it again with a later catalogue. Defaults to `event`.
   */
  readonly original?: Readonly<Record<string, unknown>>;
  readonly position: EventPosition;
}
