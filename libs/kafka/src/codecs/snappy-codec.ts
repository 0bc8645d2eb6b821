import { createRequire } from 'node:module';
import { asBuffer, type KafkaCodec } from './kafka-codec.js';

/** The part of `snappyjs` (pure JavaScript, no install script) used here. */
interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}
const snappyjs = createRequire(import.meta.url)('snappyjs') as SnappyJs;

/** `\x82SNAPPY\0`: the magic of xerial snappy-java's stream format, which Kafka's Java client writes. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic, then two big-endian int32: format version 1 and minimum compatible version 1. */
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's SnappyOutputStream default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;
/**
 * No snappy block expands more than ~21× (a 3-byte copy yields at most 64 bytes), so a block header
 * claiming more is damage: refused before snappyjs allocates the claimed size (up to 4 GB).
 */
const maxUncompressed = (compressedLength: number) => compressedLength * 24 + 64;
const uncompress = (block: Buffer) => asBuffer(snappyjs.uncompress(block, maxUncompressed(block.length)));

/**
 * Kafka's snappy: Java producers (xerial snappy-java's SnappyOutputStream) frame the data as a
 * 16-byte header followed by blocks of `[int32 BE compressed length][raw snappy]`; librdkafka and
 * kafkajs-snappy write one raw snappy block. Both are read (the same rule as kafkajs-snappy); we
 * write the xerial framing, which every Kafka client reads.
 */
export const snappyCodec: KafkaCodec = {
  async compress(encoder) {
    const input = encoder.buffer;
    const parts: Buffer[] = [XERIAL_HEADER];
    for (let at = 0; at < input.length; at += XERIAL_BLOCK_SIZE) {
      const block = asBuffer(snappyjs.compress(input.subarray(at, at + XERIAL_BLOCK_SIZE)));
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      parts.push(length, block);
    }
    return Buffer.concat(parts);
  },

  async decompress(buffer) {
    if (buffer.length < XERIAL_MAGIC.length || !buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
      return uncompress(buffer);
    }
    if (buffer.length < XERIAL_HEADER.length) throw new Error('snappy: truncated xerial stream header');
    const blocks: Buffer[] = [];
    for (let at = XERIAL_HEADER.length; at < buffer.length;) {
      if (at + 4 > buffer.length) throw new Error(`snappy: truncated block length at byte ${at}`);
      const length = buffer.readInt32BE(at);
      at += 4;
      if (length < 0 || at + length > buffer.length) {
        throw new Error(`snappy: block of ${length} bytes at byte ${at} runs past the end (${buffer.length} bytes)`);
      }
      blocks.push(uncompress(buffer.subarray(at, at + length)));
      at += length;
    }
    return Buffer.concat(blocks);
  },
};
