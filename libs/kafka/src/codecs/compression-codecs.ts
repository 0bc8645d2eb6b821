import kafkajs, { type CompressionTypes } from 'kafkajs';
import type { KafkaCompression } from '@timeline/config';
import { lz4Codec } from './lz4-codec.js';
import { snappyCodec } from './snappy-codec.js';
import { zstdCodec } from './zstd-codec.js';

// kafkajs is CommonJS and Node's ESM loader does not see CompressionCodecs as a named export.
const { CompressionCodecs, CompressionTypes: Types } = kafkajs;

/**
 * Registers snappy, lz4 and zstd into kafkajs (which ships gzip only) for every client of this
 * process. Idempotent; {@link createKafka} calls it, so every consumer built through this lib — the
 * projector, the rebuild's Kafka source, the benchmarks — decodes batches from any Kafka producer.
 *
 * Why it matters (issue 11): kafkajs throws KafkaJSNotImplemented for a whole fetched batch in a codec
 * it lacks, so one record from a Java, Go or Kafka Connect producer (snappy/lz4/zstd are their usual
 * settings) stopped the projector on every restart.
 */
export function registerCompressionCodecs(): void {
  CompressionCodecs[Types.Snappy] = () => snappyCodec;
  CompressionCodecs[Types.LZ4] = () => lz4Codec;
  CompressionCodecs[Types.ZSTD] = () => zstdCodec;
}

const TYPES: Record<KafkaCompression, CompressionTypes> = {
  none: Types.None,
  gzip: Types.GZIP,
  snappy: Types.Snappy,
  lz4: Types.LZ4,
  zstd: Types.ZSTD,
};

/** The kafkajs compression type of a `KAFKA_COMPRESSION` setting. */
export function compressionType(name: KafkaCompression): CompressionTypes {
  return TYPES[name];
}
