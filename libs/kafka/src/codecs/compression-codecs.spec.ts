import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import fc from 'fast-check';
import { CompressionCodecs, type CompressionTypes } from 'kafkajs';
import { compressionType, registerCompressionCodecs } from '../index.js';
import type { KafkaCodec } from './kafka-codec.js';

/**
 * The codecs on bytes written by Kafka's own Java client (kafka-clients 4.4.0). The fixtures were made by
 * `java -cp "<kafka libs>/*" test/support/java/ForeignProducer.java fixtures \
 *    libs/kafka/src/codecs/fixtures/payload.ndjson libs/kafka/src/codecs/fixtures`:
 * `<codec>.bin` is the payload through Kafka's `Compression.<codec>().wrapForOutput` (the stream inside
 * a record batch), `<codec>-batch.bin` a whole v2 record batch of three records built by Kafka's
 * MemoryRecordsBuilder.
 */
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name));
const payload = fixture('payload.ndjson');
const payloadLines = payload.toString('utf8').split('\n');

// kafkajs's own record batch decoder (what its consumer runs on every fetched batch); it looks the
// codec up in the same CompressionCodecs table registerCompressionCodecs() fills.
const require = createRequire(import.meta.url);
const KafkaDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<{
  records: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string; headers: Record<string, Buffer> }[];
}>;

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const codec = (name: (typeof CODECS)[number]): KafkaCodec => {
  const factory = CompressionCodecs[compressionType(name) as CompressionTypes.GZIP] as () => KafkaCodec;
  return factory();
};

describe('Kafka compression codecs', () => {
  beforeAll(() => registerCompressionCodecs());

  it('the fixtures really are compressed (and the payload spans several snappy and lz4 blocks)', () => {
    expect(payload.length).toBeGreaterThan(64 * 1024);
    for (const name of CODECS) expect(fixture(`${name}.bin`).length).toBeLessThan(payload.length / 2);
  });

  it.each(CODECS)('%s: decodes the stream Kafka’s Java client wrote', async (name) => {
    const out = await codec(name).decompress(fixture(`${name}.bin`));
    expect(out.equals(payload)).toBe(true);
  });

  it.each(CODECS)('%s: kafkajs decodes a whole record batch built by Kafka’s Java client', async (name) => {
    const batch = await decodeRecordBatch(new KafkaDecoder(fixture(`${name}-batch.bin`)));
    expect(
      batch.records.map((r) => ({
        offset: r.offset,
        key: r.key?.toString() ?? null,
        value: r.value?.toString(),
        timestamp: r.timestamp,
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
      })),
    ).toEqual([
      { offset: '0', key: 'story-1', value: payloadLines[0], timestamp: '1700000000000', headers: { type: 'readiness.raised' } },
      { offset: '1', key: null, value: payloadLines[1], timestamp: '1700000000001', headers: {} },
      { offset: '2', key: 'story-2', value: payloadLines[2], timestamp: '1700000000002', headers: { 'x-origin': 'wire' } },
    ]);
  });

  const inputs: [string, Buffer][] = [
    ['the payload', payload],
    ['an empty batch', Buffer.alloc(0)],
    ['200 KB of random bytes (stored uncompressed)', randomBytes(200 * 1024)],
    ['one byte', Buffer.from('x')],
  ];
  describe.each(CODECS)('%s: round trip of our own compressor', (name) => {
    it.each(inputs)('%s', async (_what, input) => {
      const compressed = await codec(name).compress({ buffer: input });
      if (input === payload) expect(compressed.length).toBeLessThan(payload.length / 2);
      expect((await codec(name).decompress(compressed)).equals(input)).toBe(true);
    });
  });

  it('lz4: writes the frame header Kafka’s Java client writes (independent 64 KB blocks: Java refuses dependent ones)', async () => {
    const ours = await codec('lz4').compress({ buffer: payload });
    expect(ours.subarray(0, 7).toString('hex')).toBe(fixture('lz4.bin').subarray(0, 7).toString('hex'));
    // FLG: version 01 and the block-independence bit; BD: 64 KB maximum block size.
    expect(ours[4]).toBe(0x60);
    expect(ours[5]).toBe(0x40);
    // Two blocks for 71 KB, each decodable on its own: no match may reach into the previous block.
    const first = ours.readUInt32LE(7);
    expect(first & 0x7fffffff).toBeLessThan(ours.length);
    const second = ours.readUInt32LE(7 + 4 + (first & 0x7fffffff));
    expect(second).toBeGreaterThan(0);
  });

  it('snappy: writes the xerial framing of Java producers, and reads a raw snappy block (librdkafka, kafkajs-snappy)', async () => {
    const ours = await codec('snappy').compress({ buffer: payload });
    expect(ours.subarray(0, 16).toString('hex')).toBe(fixture('snappy.bin').subarray(0, 16).toString('hex'));
    const snappyjs = require('snappyjs') as { compress(b: Buffer): Buffer };
    expect((await codec('snappy').decompress(snappyjs.compress(payload))).equals(payload)).toBe(true);
  });

  it.each(CODECS)('%s: truncated bytes are an error, not a silently shorter batch', async (name) => {
    const bytes = fixture(`${name}.bin`);
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 10]) {
      await expect(codec(name).decompress(bytes.subarray(0, cut))).rejects.toThrow();
    }
  });

  it('lz4: a match offset reaching before the block is an error (not zeros)', async () => {
    // Header, then a block whose only sequence is 4 literals and a match 9 bytes back.
    const block = Buffer.from([0x40, 0x61, 0x62, 0x63, 0x64, 0x09, 0x00, 0x10, 0x65]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(block.length);
    const frame = Buffer.concat([fixture('lz4.bin').subarray(0, 7), size, block, Buffer.alloc(4)]);
    await expect(codec('lz4').decompress(frame)).rejects.toThrow(/outside the window/);
    // The same block with a valid offset (4 back) decodes: the check is not refusing everything.
    block[5] = 0x04;
    const ok = Buffer.concat([fixture('lz4.bin').subarray(0, 7), size, block, Buffer.alloc(4)]);
    expect((await codec('lz4').decompress(ok)).toString()).toBe('abcdabcde');
  });

  it('snappy and lz4 refuse a size claim no compressed input can hold, before allocating it', async () => {
    // Raw snappy whose length varint claims 100 MB, followed by a few bytes.
    const snappy = Buffer.from([0x80, 0xc2, 0xd7, 0x2f, 0x00, 0x61]);
    await expect(codec('snappy').decompress(snappy)).rejects.toThrow(/too big/);
    // An LZ4 frame with the content-size flag claiming 1 TiB.
    const lz4 = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40]), Buffer.alloc(8), Buffer.alloc(5)]);
    lz4.writeBigUInt64LE(2n ** 40n, 6);
    await expect(codec('lz4').decompress(lz4)).rejects.toThrow(/declares 1099511627776 bytes/);
  });

  // Anything on the topic may be damaged: a decoder must answer (bytes or an Error), never hang or crash
  // the process, so the consumer can decide what to do with the batch (issue 11).
  it.each(CODECS)('%s: damaged Java-written bytes give bytes or an Error, never anything else', async (name) => {
    const original = fixture(`${name}.bin`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: original.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat({ max: original.length }),
        async (edits, cut) => {
          const damaged = Buffer.from(original.subarray(0, Math.max(cut, 1)));
          for (const e of edits) if (e.at < damaged.length) damaged[e.at] = e.byte;
          const outcome = await codec(name)
            .decompress(damaged)
            .then(
              (out) => (Buffer.isBuffer(out) ? 'bytes' : `not a Buffer: ${typeof out}`),
              // isNativeError: zlib's errors come from Node's realm, not Jest's (instanceof would say no).
              (err: unknown) => (types.isNativeError(err) ? 'error' : `threw a non-Error: ${String(err)}`),
            );
          expect(['bytes', 'error']).toContain(outcome);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});
