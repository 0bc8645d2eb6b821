/** A rebuild/verify/replay request that cannot be carried out as asked (bad name, wrong state, missing source). */
export class RebuildRequestError extends Error {
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'RebuildRequestError';
  }
}
