import { createRequire } from 'node:module';

/**
 * What the guard puts in place of a record batch that cannot be split into records (issue 11): an
 * unknown codec, a CRC that does not match, bytes that end inside the batch, or a codec that throws.
 * Such a batch cannot be dead-lettered record by record, so its partition is *parked* by the consumer
 * (`/health` degraded, a metric, a log line saying what to do) until an operator moves past it.
 */
export interface UndecodableBatch {
  /** Offset of the batch's first record. */
  readonly firstOffset: string;
  /** Offset of its last record (first + lastOffsetDelta), when the header could be read. */
  readonly lastOffset: string | undefined;
  /** `UNKNOWN_CODEC`, `BAD_CRC`, `TRUNCATED` or `DECODE_FAILED`. */
  readonly cause: 'UNKNOWN_CODEC' | 'BAD_CRC' | 'TRUNCATED' | 'DECODE_FAILED';
  readonly detail: string;
}

/** The marker message the guard emits; `undecodable` says why (see {@link undecodableBatchOf}). */
interface MarkerMessage {
  offset: string;
  key: null;
  value: null;
  timestamp: string;
  headers: Record<string, never>;
  attributes: number;
  isControlRecord: false;
  batchContext: { inTransaction: false; producerId: string; isControlBatch: false; firstOffset: string };
  timelineUndecodable: UndecodableBatch;
}

/** The reason a kafkajs message stands for an undecodable batch, or undefined for a real record. */
export function undecodableBatchOf(message: object): UndecodableBatch | undefined {
  return (message as Partial<MarkerMessage>).timelineUndecodable;
}

// Record batch v2 header (Kafka protocol): FirstOffset int64 | Length int32 | PartitionLeaderEpoch
// int32 | Magic int8 | CRC uint32 | Attributes int16 | LastOffsetDelta int32 | …
const LENGTH_AT = 8;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const LOG_OVERHEAD = 12;
const RECORD_BATCH_OVERHEAD = 49;
const MAGIC_OFFSET = 16;
const KNOWN_CODECS = new Set([0, 1, 2, 3, 4]);

interface KafkaDecoder {
  readInt32(): number;
  canReadBytes(n: number): boolean;
  readBytes(n: number): Buffer;
  offset: number;
  buffer: Buffer;
}

let installed = false;

/**
 * Replaces kafkajs's fetch-response record decoder with one that never lets a bad batch fail the
 * whole fetch. kafkajs (2.2.4) decodes every partition of a broker's fetch response in one pass and
 * throws on the first batch it cannot decode — taking every partition on that broker down, on every
 * retry, forever (the outage of issue 11). This decoder checks each batch (codec known, CRC-32C over
 * attributes…end matches — kafkajs skips that check — and the batch complete when it is the first one
 * of the response, which a broker always sends whole), decodes the good ones exactly as kafkajs does,
 * and emits a marker message ({@link undecodableBatchOf}) at the first bad one, dropping what follows
 * in that response for that partition only.
 *
 * It works by pre-seeding Node's require cache: kafkajs loads its fetch response modules lazily, so
 * this must run before the first fetch (the lib's client factory calls it). Idempotent.
 */
export function installUndecodableBatchGuard(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const target = require.resolve('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js');
  const original = require(target) as (d: KafkaDecoder) => Promise<unknown[]>;
  const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => KafkaDecoder;
  const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: KafkaDecoder) => Promise<{
    records: unknown[];
  }>;
  const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

  const guarded = async (decoder: KafkaDecoder): Promise<unknown[]> => {
    const size = decoder.readInt32();
    if (size <= 0 || !decoder.canReadBytes(size)) return [];
    const buffer = decoder.readBytes(size);
    // Legacy message sets (magic 0/1): kafkajs's own path, wrapped so a throw parks instead of failing.
    if (buffer.length <= MAGIC_OFFSET || buffer.readInt8(MAGIC_OFFSET) !== 2) {
      const reencoded = Buffer.alloc(4 + size);
      reencoded.writeInt32BE(size, 0);
      buffer.copy(reencoded, 4);
      try {
        return await original(new Decoder(reencoded));
      } catch (err) {
        return [marker(buffer, 0, 'DECODE_FAILED', (err as Error).message)];
      }
    }
    const records: unknown[] = [];
    const batches = new Decoder(buffer);
    let first = true;
    while (batches.canReadBytes(RECORD_BATCH_OVERHEAD)) {
      const at = batches.offset;
      const length = buffer.readInt32BE(at + LENGTH_AT);
      const end = at + LOG_OVERHEAD + length;
      if (end > buffer.length) {
        // A partial batch at the tail is normal (maxBytes cut it); as the first batch it is not.
        if (first)
          return [
            marker(buffer, at, 'TRUNCATED', `the batch declares ${length} bytes but only ${buffer.length - at - LOG_OVERHEAD} arrived`),
          ];
        break;
      }
      const codec = buffer.readInt16BE(at + ATTRIBUTES_AT) & 0x07;
      if (!KNOWN_CODECS.has(codec))
        return [...records, marker(buffer, at, 'UNKNOWN_CODEC', `compression codec id ${codec} is not one Kafka defines`)];
      const stored = buffer.readUInt32BE(at + CRC_AT);
      const computed = crc32C(buffer.subarray(at + ATTRIBUTES_AT, end)) >>> 0;
      if (stored !== computed) {
        return [
          ...records,
          marker(buffer, at, 'BAD_CRC', `CRC-32C ${computed.toString(16)} does not match the stored ${stored.toString(16)}`),
        ];
      }
      try {
        const batch = await RecordBatchDecoder(batches);
        records.push(...batch.records);
      } catch (err) {
        if ((err as Error).name === 'KafkaJSPartialMessageError') break;
        return [...records, marker(buffer, at, 'DECODE_FAILED', `${(err as Error).name}: ${(err as Error).message}`)];
      }
      first = false;
    }
    return records;
  };
  const cached = require.cache[target];
  if (!cached) throw new Error('kafkajs fetch decoder not loaded');
  cached.exports = guarded;
}

function marker(buffer: Buffer, at: number, cause: UndecodableBatch['cause'], detail: string): MarkerMessage {
  const firstOffset = buffer.length >= at + 8 ? buffer.readBigInt64BE(at).toString() : '0';
  const lastOffset =
    buffer.length >= at + LAST_OFFSET_DELTA_AT + 4
      ? (BigInt(firstOffset) + BigInt(buffer.readInt32BE(at + LAST_OFFSET_DELTA_AT))).toString()
      : undefined;
  return {
    offset: firstOffset,
    key: null,
    value: null,
    timestamp: '-1',
    headers: {},
    attributes: 0,
    isControlRecord: false,
    batchContext: { inTransaction: false, producerId: '-1', isControlBatch: false, firstOffset },
    timelineUndecodable: { firstOffset, lastOffset, cause, detail },
  };
}
