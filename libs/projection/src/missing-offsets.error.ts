/** Kafka no longer holds offsets a bounded run needs: the broker keeps answering from above them (retention, a recreated topic). */
export class MissingOffsetsError extends Error {
  override readonly name = 'MissingOffsetsError';

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** First missing offset (the stored one). */
    readonly from: string,
    /** Where the broker answers from. */
    readonly to: string,
  ) {
    super(`Kafka no longer holds offsets ${from}..${BigInt(to) - 1n} of ${topic}/${partition}`);
  }
}
