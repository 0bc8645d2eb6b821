/** Another rebuild or verify already runs against this schema (they hold one advisory lock). */
export class RebuildInProgressError extends Error {
  readonly retriable = true;

  constructor(message = 'another rebuild or verify is running against this schema; wait for it to finish') {
    super(message);
    this.name = 'RebuildInProgressError';
  }
}
