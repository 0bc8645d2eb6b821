/**
 * Kafka did not acknowledge a publish. Nothing may be assumed written (or not written): the caller
 * answers "try again" (HTTP 503 + Retry-After) and a retry with the same eventIds is safe because the
 * projector is idempotent by eventId. `tooLarge` marks a batch the broker refused for its size, which
 * retrying cannot fix (HTTP 413: split the batch).
 */
export class KafkaPublishError extends Error {
  /** Whether sending the same events again may succeed. */
  readonly retriable: boolean;
  /** The broker refused the record batch for its size (MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE). */
  readonly tooLarge: boolean;

  constructor(message: string, opts: { cause: unknown; tooLarge?: boolean }) {
    super(message, { cause: opts.cause });
    this.name = 'KafkaPublishError';
    this.tooLarge = opts.tooLarge ?? false;
    this.retriable = !this.tooLarge;
  }
}
