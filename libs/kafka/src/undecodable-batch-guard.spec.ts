import { createRequire } from 'node:module';
import { installUndecodableBatchGuard, undecodableBatchOf } from './undecodable-batch-guard.js';

const require = createRequire(import.meta.url);
type Enc = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (o: { firstOffset: unknown; lastOffsetDelta: number; records: unknown[]; compression?: number }) => Promise<Enc>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: {
  offsetDelta: number;
  key: Buffer;
  value: Buffer;
}) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: number): unknown };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

/** One record batch as a broker stores and serves it (kafkajs's own encoder), offsets from `first`. */
async function batch(first: number, values: string[]): Promise<Buffer> {
  const records = values.map((v, i) => Record({ offsetDelta: i, key: Buffer.from('k'), value: Buffer.from(v) }));
  return (await RecordBatch({ firstOffset: Long.fromValue(first), lastOffsetDelta: values.length - 1, records })).buffer;
}

/** A fetch response's record set (int32 size + batches) decoded by whatever kafkajs now uses. */
async function decodeFetched(...batches: Buffer[]): Promise<{ offset: string; value: Buffer | null }[]> {
  installUndecodableBatchGuard();
  const decodeMessages = require('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js') as (
    d: unknown,
  ) => Promise<{ offset: string; value: Buffer | null }[]>;
  const body = Buffer.concat(batches);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return decodeMessages(new Decoder(Buffer.concat([size, body])));
}

const ATTRIBUTES_AT = 21;
const CRC_AT = 17;

describe('undecodable batch guard (issue 11: one bad batch took every partition down)', () => {
  it('decodes good batches exactly as kafkajs does', async () => {
    const out = await decodeFetched(await batch(10, ['a', 'b']), await batch(12, ['c']));
    expect(out.map((m) => [m.offset, m.value?.toString()])).toEqual([
      ['10', 'a'],
      ['11', 'b'],
      ['12', 'c'],
    ]);
    expect(out.every((m) => undecodableBatchOf(m) === undefined)).toBe(true);
  });

  it('keeps the records before a batch whose bytes do not match its CRC, then marks that batch', async () => {
    const bad = await batch(12, ['corrupt me']);
    bad[bad.length - 3] ^= 0xff;
    const out = await decodeFetched(await batch(10, ['a', 'b']), bad, await batch(13, ['after']));
    expect(out.map((m) => m.offset)).toEqual(['10', '11', '12']);
    expect(undecodableBatchOf(out[2]!)).toMatchObject({ firstOffset: '12', lastOffset: '12', cause: 'BAD_CRC' });
  });

  it('marks a batch with a codec Kafka does not define (even with a valid CRC)', async () => {
    const bad = await batch(5, ['x', 'y', 'z']);
    bad.writeInt16BE((bad.readInt16BE(ATTRIBUTES_AT) & ~0x07) | 0x06, ATTRIBUTES_AT);
    bad.writeUInt32BE(crc32C(bad.subarray(ATTRIBUTES_AT)) >>> 0, CRC_AT);
    const [m] = await decodeFetched(bad);
    expect(undecodableBatchOf(m!)).toMatchObject({ firstOffset: '5', lastOffset: '7', cause: 'UNKNOWN_CODEC' });
  });

  it('marks a first batch cut short (a broker always sends the first batch whole), but not a partial tail', async () => {
    const whole = await batch(0, ['one', 'two']);
    const [m] = await decodeFetched(whole.subarray(0, whole.length - 5));
    expect(undecodableBatchOf(m!)).toMatchObject({ firstOffset: '0', cause: 'TRUNCATED' });
    const tail = await batch(2, ['three']);
    const out = await decodeFetched(whole, tail.subarray(0, tail.length - 4));
    expect(out.map((x) => x.offset)).toEqual(['0', '1']);
    expect(out.every((x) => undecodableBatchOf(x) === undefined)).toBe(true);
  });
});
