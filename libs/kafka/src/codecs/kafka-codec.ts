/**
 * kafkajs's compression codec interface (`CompressionCodecs[type] = () => codec`): kafkajs hands
 * `compress` the encoder of a record batch's records and `decompress` the bytes inside a batch.
 */
export interface KafkaCodec {
  compress(encoder: { readonly buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** A Buffer view of a library's Uint8Array result, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
