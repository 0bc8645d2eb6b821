import { createRequire } from 'node:module';
import type { KafkaCodec } from './kafka-codec.js';

const require = createRequire(import.meta.url);
/** The part of `lz4js` (pure JavaScript, no install script) used here: its block compressor and xxh32. */
const lz4js = require('lz4js') as {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
};
const xxh32 = require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, index: number, length: number): number };

const MAGIC = 0x184d2204;
/**
 * LZ4 frame header as Kafka's Java client writes it (Lz4BlockOutputStream): magic 0x184D2204
 * (little-endian), FLG 0x60 = version 01 + independent blocks (no checksums, no content size),
 * BD 0x40 = 64 KB blocks, HC 0x82 = (xxh32(FLG, BD) >> 8) & 0xff.
 */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
const BLOCK_SIZE = 64 * 1024;
const UNCOMPRESSED_BLOCK = 0x80000000;
const END_MARK = Buffer.alloc(4);
const MAX_BLOCK_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

/**
 * Kafka's lz4 is the LZ4 *frame* format (one frame per record batch).
 *
 * Encoding: NOT lz4js's `compress`, whose frames declare dependent 4 MB blocks that Kafka's Java client
 * refuses ("Dependent block stream is unsupported"), so a broker would reject the batch. Each 64 KB
 * block is compressed on its own (a fresh hash table per block, so no match reaches into an earlier
 * block) under the header Java writes.
 *
 * Decoding: our own bounds-checked reader (lz4js's accepts a truncated frame as a shorter one and
 * turns bad match offsets into zeros; kafkajs does not check the batch CRC). Truncated or malformed
 * bytes throw.
 */
export const lz4Codec: KafkaCodec = {
  async compress(encoder) {
    const input = encoder.buffer;
    const parts: Buffer[] = [FRAME_HEADER];
    const hashTable = new Uint32Array(1 << 16);
    const out = Buffer.alloc(lz4js.compressBound(BLOCK_SIZE));
    for (let at = 0; at < input.length; at += BLOCK_SIZE) {
      const length = Math.min(BLOCK_SIZE, input.length - at);
      hashTable.fill(0);
      const compressed = lz4js.compressBlock(input, out, at, length, hashTable);
      const size = Buffer.alloc(4);
      if (compressed === 0 || compressed >= length) {
        size.writeUInt32LE((UNCOMPRESSED_BLOCK | length) >>> 0);
        parts.push(size, input.subarray(at, at + length));
      } else {
        size.writeUInt32LE(compressed);
        parts.push(size, Buffer.from(out.subarray(0, compressed)));
      }
    }
    parts.push(END_MARK);
    return Buffer.concat(parts);
  },

  async decompress(buffer) {
    return decodeLz4Frame(buffer);
  },
};

function fail(message: string): never {
  throw new Error(`lz4: ${message}`);
}

/** Decodes one LZ4 frame (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md). */
function decodeLz4Frame(src: Buffer): Buffer {
  if (src.length < 7) fail('truncated frame header');
  if (src.readUInt32LE(0) !== MAGIC) fail('not an LZ4 frame (bad magic number)');
  const flg = src[4]!;
  const bd = src[5]!;
  if (flg >> 6 !== 1) fail(`unsupported frame version ${flg >> 6}`);
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSizeFlag = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const maxBlock = MAX_BLOCK_SIZES[(bd >> 4) & 0x7];
  if (maxBlock === undefined || (bd & 0x8f) !== 0 || (flg & 0x02) !== 0) fail('invalid frame descriptor');
  let s = 6;
  let contentSize: number | undefined;
  if (contentSizeFlag) {
    if (src.length < s + 9) fail('truncated frame header');
    const declared = src.readBigUInt64LE(s);
    // LZ4 expands at most 255× (one length byte adds 255 bytes): a larger claim is damage, refused
    // before anything is allocated for it.
    if (declared > BigInt(src.length) * 255n) fail(`frame declares ${declared} bytes, more than ${src.length} bytes can hold`);
    contentSize = Number(declared);
    s += 8;
  }
  if (src[s] !== ((xxh32.hash(0, src, 4, s - 4) >>> 8) & 0xff)) fail('frame descriptor checksum mismatch');
  s += 1;

  let out = Buffer.allocUnsafe(contentSize ?? src.length * 4);
  let d = 0;
  const reserve = (n: number) => {
    if (d + n <= out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(out.length * 2, d + n));
    out.copy(grown, 0, 0, d);
    out = grown;
  };
  for (;;) {
    if (s + 4 > src.length) fail('truncated: no end mark');
    const word = src.readUInt32LE(s);
    s += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > maxBlock) fail(`block of ${size} bytes exceeds the frame's ${maxBlock}-byte maximum`);
    if (s + size + (blockChecksum ? 4 : 0) > src.length) fail('truncated block');
    if (word & UNCOMPRESSED_BLOCK) {
      reserve(size);
      src.copy(out, d, s, s + size);
      d += size;
    } else {
      reserve(maxBlock);
      d = decodeBlock(src, s, s + size, out, d, independent ? d : 0, d + maxBlock);
    }
    s += size + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) {
    if (s + 4 > src.length) fail('truncated content checksum');
    if (src.readUInt32LE(s) !== xxh32.hash(0, out, 0, d) >>> 0) fail('content checksum mismatch');
    s += 4;
  }
  if (s !== src.length) fail(`${src.length - s} unexpected bytes after the frame`);
  if (contentSize !== undefined && contentSize !== d) fail(`frame declares ${contentSize} bytes but holds ${d}`);
  return out.subarray(0, d);
}

/** Decodes one LZ4 block into `out` at `d`; matches may reach back to `windowStart`. Returns the new end. */
function decodeBlock(src: Buffer, s: number, end: number, out: Buffer, d: number, windowStart: number, limit: number): number {
  const readLength = (n: number): number => {
    if (n !== 15) return n;
    for (;;) {
      if (s >= end) fail('truncated length in block');
      const b = src[s++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  while (s < end) {
    const token = src[s++]!;
    const literals = readLength(token >> 4);
    if (s + literals > end || d + literals > limit) fail('literal run overruns its block');
    src.copy(out, d, s, s + literals);
    s += literals;
    d += literals;
    if (s === end) break; // the last sequence carries literals only
    if (s + 2 > end) fail('truncated match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    const length = readLength(token & 0x0f) + 4;
    if (offset === 0 || d - offset < windowStart) fail('match offset points outside the window');
    if (d + length > limit) fail('match overruns its block');
    for (let i = d - offset, n = i + length; i < n;) out[d++] = out[i++]!;
  }
  return d;
}
